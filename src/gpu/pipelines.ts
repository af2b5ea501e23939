/**
 * One compute pipeline per (shader, entry point, override constants) per device. Pipelines are
 * made when a kernel is prepared, never while a training step is encoded.
 */
import { checkShaders, type CheckedShader } from './shader-check';
import { KERNEL_SHADERS } from './shader-source';

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

  private checked: Promise<void> | null = null;

  get size(): number {
    return this.pipelines.size;
  }

  /**
   * Resolves once every kernel family's module has compiled on this device; rejects with a
   * ShaderCompileError naming file, line, column and message otherwise. Checked once per device,
   * before any pipeline is built from a module, so a bad module fails here and not as a stream
   * of validation errors from the pipelines and bind groups made from it.
   */
  checkShaders(shaders: Iterable<CheckedShader> = KERNEL_SHADERS.values()): Promise<void> {
    this.checked ??= checkShaders(this.device, shaders, (s) => this.module(s.family, s.code));
    return this.checked;
  }

  private module(family: string, code: string): GPUShaderModule {
    let module = this.modules.get(family);
    if (!module) {
      module = this.device.createShaderModule({ label: `${family}.module`, code });
      this.modules.set(family, module);
    }
    return module;
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
    const module = this.module(key.family, key.code);
    const pipeline = this.device.createComputePipeline({
      label: `${key.family}.${key.entryPoint}[${constantText}]`,
      layout: 'auto',
      compute: { module, entryPoint: key.entryPoint, constants },
    });
    this.pipelines.set(id, pipeline);
    return pipeline;
  }
}
