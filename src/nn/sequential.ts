/**
 * Layers chained one after another (`Sequential`), and `mlp`, which builds the 2-D GAN's
 * multilayer perceptrons from Linear layers.
 */
import type { Activation } from '../core/activation';
import type { Backend, Op, Tensor } from '../engine/backend';
import type { Layer, LayerTrace, TrainableParam, WeightGrads, WeightInit, WeightLayer } from './layer';
import { Linear } from './linear';

export interface SequentialTraceOptions {
  /** Weights the forward uses, one per `weighted` layer in order (D passes its W̄s). */
  weights?: Tensor[];
  /** ∂L/∂(network output) lives here (e.g. a loss gradient). */
  outputGrad?: Tensor;
  /** ∂L/∂(network input) goes here (e.g. the generator's output gradient). */
  inputGrad?: Tensor;
  /** The network's output goes here (e.g. G writing its samples into D's joint batch). */
  output?: Tensor;
  /** Shared im2col scratch of at least scratchSize(batch) floats (default: one of the trace's own). */
  scratch?: Tensor;
  /** false: batch norms use their running statistics (sampling; no backward). Default true. */
  training?: boolean;
}

export interface SequentialBackwardOptions {
  weightGrads: WeightGrads;
  inputGrad: boolean;
  /** Where ∂L/∂W goes, one per `weighted` layer in order (normalized layers pass ∂L/∂W̄). */
  weightGradTargets?: Tensor[];
  /** The batch is two halves whose parameter gradients are summed in turn (LayerBackwardOptions.halves). */
  halves?: boolean;
  label: string;
}

/** Layers applied one after another; each layer's output is the next one's input. */
export class Sequential {
  /** The layers with a weight matrix, in order (what D's normalizations wrap). */
  readonly weighted: WeightLayer[];

  constructor(
    private readonly backend: Backend,
    readonly label: string,
    readonly layers: Layer[],
  ) {
    for (let i = 1; i < layers.length; i++) {
      if (layers[i].inputSize !== layers[i - 1].outputSize) {
        throw new Error(
          `${label}: ${layers[i].name} takes ${layers[i].inputSize} floats per sample, ` +
            `${layers[i - 1].name} gives ${layers[i - 1].outputSize}`,
        );
      }
    }
    this.weighted = layers.filter((l): l is WeightLayer => 'w' in l && 'dOut' in l);
  }

  get inputSize(): number {
    return this.layers[0].inputSize;
  }

  get outputSize(): number {
    return this.layers[this.layers.length - 1].outputSize;
  }

  scratchSize(batch: number): number {
    return Math.max(0, ...this.layers.map((l) => l.scratchSize(batch)));
  }

  params(): TrainableParam[] {
    return this.layers.flatMap((l) => l.params());
  }

  trace(label: string, input: Tensor, batch: number, o: SequentialTraceOptions = {}): SequentialTrace {
    const name = `${this.label}.${label}`;
    if (o.weights && o.weights.length !== this.weighted.length) {
      throw new Error(`${name}: ${o.weights.length} weights for ${this.weighted.length} weighted layers`);
    }
    const scratch =
      o.scratch ??
      (this.scratchSize(batch) > 0 ? this.backend.tensor(`${name}.scratch`, this.scratchSize(batch)) : undefined);
    const traces: LayerTrace[] = [];
    const last = this.layers.length - 1;
    this.layers.forEach((layer, i) => {
      const previous = traces[i - 1];
      const w = this.weighted.indexOf(layer as WeightLayer);
      traces.push(
        layer.trace(`${name}.${layer.name.split('.').pop()}`, previous?.output ?? input, batch, {
          weight: w >= 0 ? o.weights?.[w] : undefined,
          outputGrad: i === last ? o.outputGrad : undefined,
          output: i === last ? o.output : undefined,
          inputGrad: previous ? previous.outputGrad : o.inputGrad,
          scratch,
          training: o.training,
        }),
      );
    });
    if (o.output && traces[last].output !== o.output) {
      throw new Error(`${name}: its last layer (${this.layers[last].name}) cannot write into a given output tensor`);
    }
    return new SequentialTrace(this, name, input, batch, traces);
  }
}

export class SequentialTrace {
  constructor(
    private readonly net: Sequential,
    readonly label: string,
    readonly input: Tensor,
    readonly batch: number,
    /** One trace per layer, in order. */
    readonly traces: LayerTrace[],
  ) {}

  get output(): Tensor {
    return this.traces[this.traces.length - 1].output;
  }

  get outputGrad(): Tensor {
    return this.traces[this.traces.length - 1].outputGrad;
  }

  get inputGrad(): Tensor {
    return this.traces[0].inputGrad;
  }

  forward(): Op[] {
    return this.traces.flatMap((t) => t.forward());
  }

  backward(o: SequentialBackwardOptions): Op[] {
    const ops: Op[] = [];
    for (let i = this.traces.length - 1; i >= 0; i--) {
      const w = this.net.weighted.indexOf(this.net.layers[i] as WeightLayer);
      ops.push(
        ...this.traces[i].backward({
          label: o.label,
          weightGrads: o.weightGrads,
          inputGrad: i > 0 || o.inputGrad,
          weightGradTarget: w >= 0 ? o.weightGradTargets?.[w] : undefined,
          halves: o.halves,
        }),
      );
    }
    return ops;
  }

  /**
   * WGAN-GP's second pass through every layer, first to last (see LayerTrace.doubleBackward):
   * `seed` is ∂R/∂(network input gradient); ∂R/∂W accumulates into `targets`, one per `weighted`
   * layer in order (D passes its ∂L/∂W̄). Call after this trace's forward and backward (input gradient).
   */
  doubleBackward(o: { seed: Tensor; targets: Tensor[]; label: string }): Op[] {
    const ops: Op[] = [];
    const last = this.traces.length - 1;
    let seed: Tensor | null = o.seed;
    this.traces.forEach((trace, i) => {
      const w = this.net.weighted.indexOf(this.net.layers[i] as WeightLayer);
      if (!trace.doubleBackward || w < 0) throw new Error(`${trace.label}: no gradient-penalty pass for this layer`);
      if (!seed) throw new Error(`${trace.label}: the previous layer gave no seed`);
      const step = trace.doubleBackward({ seed, target: o.targets[w], label: o.label, last: i === last });
      ops.push(...step.ops);
      seed = step.next;
    });
    return ops;
  }
}

export interface MlpSpec {
  /** Features of the input, of each hidden layer, and of the output. */
  sizes: number[];
  /** After every hidden layer; the output layer is linear (identity). */
  hidden: Activation;
  /** LeakyReLU's slope. */
  slope: number;
}

/**
 * A multilayer perceptron (the 2-D GAN's G and D): Linear layers `${label}.layer${i}` from
 * sizes[i] to sizes[i + 1], each with a bias, `hidden` after all but the last.
 */
export function mlp(backend: Backend, label: string, spec: MlpSpec, init: WeightInit[]): Sequential {
  const { sizes, hidden, slope } = spec;
  if (init.length !== sizes.length - 1) {
    throw new Error(`${label}: initial parameters for ${init.length} layers, sizes give ${sizes.length - 1}`);
  }
  const last = init.length - 1;
  const layers = init.map(
    (p, i) =>
      new Linear(
        backend,
        `${label}.layer${i}`,
        { dIn: sizes[i], dOut: sizes[i + 1], activation: i === last ? 'identity' : hidden, slope },
        p,
      ),
  );
  return new Sequential(backend, label, layers);
}
