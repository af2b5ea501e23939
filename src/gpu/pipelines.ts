/**
 * One compute pipeline per (shader, entry point, override constants) per device. Pipelines are
 * made when a kernel is prepared, never while a training step is encoded.
 */
export interface PipelineKey {
  /** Shader family, e.g. 'matmul'; also the label prefix. */
  family: string;
  code: string;
  entryPoint: string;
  constants?: Record<string, number>;
}

export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(private readonly device: GPUDevice) {}

  get size(): number {
    return this.pipelines.size;
  }

  compute(key: PipelineKey): GPUComputePipeline {
    const constants = key.constants ?? {};
    const constantText = Object.keys(constants)
      .sort()
      .map((name) => `${name}=${constants[name]}`)
      .join(',');
    const id = `${key.family}:${key.entryPoint}:${constantText}`;
    const cached = this.pipelines.get(id);
    if (cached) return cached;
    let module = this.modules.get(key.family);
    if (!module) {
      module = this.device.createShaderModule({ label: `${key.family}.module`, code: key.code });
      this.modules.set(key.family, module);
    }
    const pipeline = this.device.createComputePipeline({
      label: `${key.family}.${key.entryPoint}[${constantText}]`,
      layout: 'auto',
      compute: { module, entryPoint: key.entryPoint, constants },
    });
    this.pipelines.set(id, pipeline);
    return pipeline;
  }
}
