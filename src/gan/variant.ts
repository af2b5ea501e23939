/**
 * One GAN of the side-by-side comparison: a generator and a discriminator (any GanModel) whose D
 * layers are wrapped in this variant's normalization. All variants of a run share their initial
 * weights and read the same noise and data tensors, so they differ only in the normalization.
 */
import { VIEW_ALIGN_FLOATS, type Backend, type Op, type Tensor } from '../engine/backend';
import type { TrainableParam } from '../nn/layer';
import type { TrainerConfig, VariantName } from './config';
import type { GanModel, NetTrace } from './model';
import { normalizeWeight, spectralWarmup, type NormalizedWeight } from './normalization';

export interface SharedInputs {
  real: Tensor;
  z: Tensor;
  evalZ: Tensor;
  /** Constant ones: the seed ∂D/∂logit for the input-gradient probe. */
  ones: Tensor;
  /** Per-sample ε ~ U(0, 1) of WGAN-GP's interpolates, drawn with the data. */
  eps: Tensor;
  /** 2-D data only: the points where D is evaluated for the heatmap (count × 2). */
  grid?: { points: Tensor; count: number };
  /** 2-D data only: how many generated points get a ∇ₓD arrow (≤ the batch: it reuses `ones`). */
  arrowCount?: number;
}

export class GanVariant {
  readonly normalized: NormalizedWeight[];
  readonly statsD: Tensor;
  readonly statsG: Tensor;
  /** [R] of the gradient penalty (WGAN-GP only; stays 0 otherwise). */
  readonly statsGP: Tensor;
  readonly evalTrace: NetTrace;
  readonly probeTrace: NetTrace;
  /** D on the heatmap grid (2-D data only). */
  readonly fieldTrace: NetTrace | null;
  /** ∇ₓD at the first generated evaluation points (2-D data only). */
  readonly arrowTrace: NetTrace | null;
  readonly discriminatorUpdate: Op[];
  readonly generatorUpdate: Op[];
  /** Run before a stats capture: eval samples and ∇ₓD on the real batch. */
  readonly statsOps: Op[];
  readonly warmupOps: Op[];

  constructor(
    backend: Backend,
    readonly name: VariantName,
    readonly model: GanModel,
    config: TrainerConfig,
    shared: SharedInputs,
  ) {
    const B = config.batch;
    const size = model.sampleSize;
    this.normalized = model.normalizable.map((layer, i) =>
      normalizeWeight(backend, name, layer, {
        snRounds: config.snRounds,
        clip: config.clip,
        orthoBeta: config.orthoBeta,
        seed: config.seed * 1000 + i,
      }),
    );
    const wBars = this.normalized.map((n) => n.wBar);
    const gWbars = this.normalized.map((n) => n.gWbar);

    this.statsD = backend.tensor(`${name}.statsD`, 3);
    this.statsG = backend.tensor(`${name}.statsG`, 3);
    this.statsGP = backend.tensor(`${name}.statsGP`, 1);
    // G's output gradient is D's input gradient on the fake batch: the two traces share it.
    const fakeGrad = backend.tensor(`${name}.fakeGrad`, B * size);
    // D's update sees the real and the generated batch as one batch of 2B rows where a batch's
    // halves can be views (B a multiple of 64): half the dispatches of two passes, the same sums.
    const joint = B % VIEW_ALIGN_FLOATS === 0 ? backend.tensor(`${name}.D.joint.input`, 2 * B * size) : null;
    const gTrace = model.generatorTrace('train', shared.z, B, {
      outputGrad: fakeGrad,
      ...(joint ? { output: backend.view(joint, B * size, B * size) } : {}),
    });
    const dFake = model.discriminatorTrace('fake', gTrace.output, B, { weights: wBars, inputGrad: fakeGrad });
    const dUpdate = joint
      ? this.jointPass(
          backend,
          config,
          joint,
          model.discriminatorTrace('joint', joint, 2 * B, { weights: wBars }),
          shared,
          gWbars,
        )
      : this.separatePasses(
          backend,
          config,
          model.discriminatorTrace('real', shared.real, B, { weights: wBars }),
          dFake,
          gWbars,
        );
    this.evalTrace = model.generatorTrace('eval', shared.evalZ, config.evalSamples, { training: false });
    this.probeTrace = model.discriminatorTrace('probe', shared.real, B, { weights: wBars, outputGrad: shared.ones });

    const adam = config.adam;
    const optimizer = (label: string, params: TrainableParam[]): Op[] => {
      const step = backend.counter(`${label}.step`);
      return [
        backend.adamTick({ step, label: `${label}.tick` }),
        ...params.map((p) =>
          backend.adamUpdate({
            ...p,
            m: backend.tensor(`${p.param.label}.m`, p.n),
            v: backend.tensor(`${p.param.label}.v`, p.n),
            step,
            lr: adam.lr,
            beta1: adam.beta1,
            beta2: adam.beta2,
            eps: 1e-8,
            label: `${p.param.label}.adam`,
          }),
        ),
      ];
    };

    this.discriminatorUpdate = [
      ...gTrace.forward(),
      ...this.normalized.flatMap((n) => n.perUpdate()),
      ...dUpdate,
      ...(name === 'wgan-gp' ? this.gradientPenalty(backend, config, shared, gTrace.output, wBars, gWbars) : []),
      ...this.normalized.flatMap((n) => n.backward()),
      ...optimizer(`${name}.D`, model.discriminatorParams()),
      ...this.normalized.flatMap((n) => n.afterOptimizer()),
    ];
    // The G step reuses the same traces: a fresh z, W̄ refreshed for the updated W (without
    // advancing ũ), then gradients flow through D to its input and on into G.
    this.generatorUpdate = [
      ...this.normalized.flatMap((n) => n.refresh()),
      ...gTrace.forward(),
      ...dFake.forward(),
      backend.generatorLoss({
        kind: config.loss,
        fakeLogits: dFake.output,
        fakeGrad: dFake.outputGrad,
        stats: this.statsG,
        batch: B,
        label: `${name}.lossG`,
      }),
      ...dFake.backward({ label: 'backwardG', weightGrads: 'none', inputGrad: true }),
      ...gTrace.backward({ label: 'backwardG', weightGrads: 'write', inputGrad: false }),
      ...optimizer(`${name}.G`, model.generatorParams()),
    ];
    // The pictures: D over the plane and the direction D pushes generated points (GAN Lab's arrows).
    this.fieldTrace = shared.grid
      ? model.discriminatorTrace('field', shared.grid.points, shared.grid.count, { weights: wBars })
      : null;
    const arrows = Math.min(shared.arrowCount ?? 0, B, config.evalSamples);
    this.arrowTrace =
      arrows > 0
        ? model.discriminatorTrace('arrows', this.evalTrace.output, arrows, { weights: wBars, outputGrad: shared.ones })
        : null;
    this.statsOps = [
      ...this.evalTrace.forward(),
      ...this.probeTrace.forward(),
      ...this.probeTrace.backward({ label: 'probe', weightGrads: 'none', inputGrad: true }),
      ...(this.fieldTrace ? this.fieldTrace.forward() : []),
      ...(this.arrowTrace
        ? [
            ...this.arrowTrace.forward(),
            ...this.arrowTrace.backward({ label: 'arrows', weightGrads: 'none', inputGrad: true }),
          ]
        : []),
    ];
    this.warmupOps = this.normalized.flatMap((n) => [...n.initial(), ...spectralWarmup(backend, n, config.snWarmup)]);
  }

  /**
   * D's loss and ∂L/∂W̄ from one pass over the joint batch: the real rows copied in (G writes the
   * generated rows in place), the logits' halves scored by the loss, one backward for both.
   */
  private jointPass(
    backend: Backend,
    config: TrainerConfig,
    joint: Tensor,
    d: NetTrace,
    shared: SharedInputs,
    gWbars: Tensor[],
  ): Op[] {
    const B = config.batch;
    const size = this.model.sampleSize;
    const half = (t: Tensor, second: boolean, n: number): Tensor => backend.view(t, second ? n : 0, n);
    return [
      backend.axpby({
        label: `${this.name}.D.joint.real`,
        a: shared.real,
        b: shared.real,
        out: half(joint, false, B * size),
        n: B * size,
        alpha: 1,
        beta: 0,
      }),
      ...d.forward(),
      backend.discriminatorLoss({
        kind: config.loss,
        realLogits: half(d.output, false, B),
        fakeLogits: half(d.output, true, B),
        realGrad: half(d.outputGrad, false, B),
        fakeGrad: half(d.outputGrad, true, B),
        stats: this.statsD,
        batch: B,
        label: `${this.name}.lossD`,
      }),
      ...d.backward({
        label: 'backwardD',
        weightGrads: 'write',
        inputGrad: false,
        weightGradTargets: gWbars,
        halves: true,
      }),
    ];
  }

  /** D's loss and ∂L/∂W̄ from a pass over the real batch and one over the generated batch. */
  private separatePasses(
    backend: Backend,
    config: TrainerConfig,
    dReal: NetTrace,
    dFake: NetTrace,
    gWbars: Tensor[],
  ): Op[] {
    return [
      ...dReal.forward(),
      ...dFake.forward(),
      backend.discriminatorLoss({
        kind: config.loss,
        realLogits: dReal.output,
        fakeLogits: dFake.output,
        realGrad: dReal.outputGrad,
        fakeGrad: dFake.outputGrad,
        stats: this.statsD,
        batch: config.batch,
        label: `${this.name}.lossD`,
      }),
      ...dReal.backward({ label: 'backwardD', weightGrads: 'write', inputGrad: false, weightGradTargets: gWbars }),
      ...dFake.backward({ label: 'backwardD', weightGrads: 'accumulate', inputGrad: false, weightGradTargets: gWbars }),
    ];
  }

  /**
   * WGAN-GP: R = λ·mean_i (‖∇ₓ̂ D(x̂_i)‖ − 1)² at x̂ = εx + (1 − ε)G(z), added to D's loss; its
   * weight gradient is accumulated into ∂L/∂W̄ (see LayerTrace.doubleBackward in src/nn/layer.ts).
   */
  private gradientPenalty(
    backend: Backend,
    config: TrainerConfig,
    shared: SharedInputs,
    fake: Tensor,
    wBars: Tensor[],
    gWbars: Tensor[],
  ): Op[] {
    const B = config.batch;
    const cols = this.model.sampleSize;
    const label = `${this.name}.gp`;
    const mixed = backend.tensor(`${label}.xHat`, B * cols);
    const trace = this.model.discriminatorTrace('gp', mixed, B, { weights: wBars, outputGrad: shared.ones });
    if (!trace.doubleBackward) throw new Error(`${label}: this model has no gradient-penalty backward`);
    const seed = backend.tensor(`${label}.seed`, B * cols);
    return [
      backend.mixRows({ label: `${label}.mix`, real: shared.real, fake, eps: shared.eps, out: mixed, rows: B, cols }),
      ...trace.forward(),
      ...trace.backward({ label: 'inputGrad', weightGrads: 'none', inputGrad: true }),
      backend.penaltySeed({
        label: `${label}.seed`,
        grad: trace.inputGrad,
        seed,
        stats: this.statsGP,
        rows: B,
        cols,
        lambda: config.gpLambda,
      }),
      ...trace.doubleBackward({ seed, targets: gWbars, label: 'penalty' }),
    ];
  }

  /** Per-layer σ̃ tensors (SN only; empty otherwise). */
  get sigmaTensors(): Tensor[] {
    return this.normalized.flatMap((n) => (n.spectral ? [n.spectral.sigma] : []));
  }
}
