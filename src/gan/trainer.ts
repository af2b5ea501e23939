/**
 * Trains several GAN variants side by side. One call of `step()` is one submission holding, for
 * every live variant, n_dis discriminator updates and one generator update; noise and data are
 * drawn on the device into tensors all variants read, so they see exactly the same numbers.
 * Statistics are captured every `statsEvery` steps and arrive asynchronously; a variant whose
 * numbers turn NaN or infinite is marked diverged at that step and left out from then on.
 */
import { DRAWN_EXTENT } from '../data/drawn';
import { dataset2dOf, type Dataset2d } from '../data/mixtures';
import { COVERAGE_SAMPLES, modeCoverage } from '../data/mode-coverage';
import type { Backend, Op, Tensor } from '../engine/backend';
import { validateConfig, type TrainerConfig, type VariantName } from './config';
import { computeInline, type LayerSpectrum, type LayerWeights, type SpectrumComputer } from '../spectra/spectra';
import { BoundedMetricsHistory } from './metrics-history';
import { checkRunFits } from './run-fit';
import { cnnGan, mlpGan } from './model';
import { GanVariant, type SharedInputs } from './variant';
import { hasOwnNormalizedWeight } from './normalization';

/** Streams of the counter-based RNG: one per kind of draw. */
const STREAM = { real: 1, z: 2, evalZ: 3, gpEps: 4 } as const;

/** Side of the grid where D is evaluated for the 2-D heatmap. */
export const FIELD_GRID = 48;
/** Generated points that get a ∇ₓD arrow on statistics steps. */
export const ARROW_COUNT = 128;

/** Which updates a step runs: the usual n_dis D updates then one G update, or one side alone. */
export type StepPhase = 'both' | 'D' | 'G';

/** Everything needed to resume a run: every tensor's contents in creation order, and the step. */
export interface TrainerCheckpoint {
  step: number;
  entries: { label: string; size: number; values: Float32Array | null; counter: number | null }[];
  diverged: [VariantName, number | null][];
}

/** The square [xMin, xMax, yMin, yMax] that frames a 2-D data set with room around it. */
export function fieldExtent(dataset: Dataset2d): [number, number, number, number] {
  // A drawing keeps one frame (the drawing pad's), so the view does not jump as points are added.
  if (dataset.name === 'drawn') return [...DRAWN_EXTENT];
  let reach = 0;
  for (const a of dataset.anchors) reach = Math.max(reach, Math.abs(a));
  const half = Math.round((reach * 1.3 + 4 * dataset.std + 0.3) * 10) / 10;
  return [-half, half, -half, half];
}

/** Grid points at cell centres, row-major, row 0 at yMin and column 0 at xMin. */
export function fieldGridPoints(extent: [number, number, number, number], side: number): Float32Array {
  const [x0, x1, y0, y1] = extent;
  const points = new Float32Array(side * side * 2);
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      points[2 * (r * side + c)] = x0 + ((c + 0.5) * (x1 - x0)) / side;
      points[2 * (r * side + c) + 1] = y0 + ((r + 0.5) * (y1 - y0)) / side;
    }
  }
  return points;
}

export interface StepMetrics {
  step: number;
  variant: VariantName;
  lossD: number;
  lossG: number;
  dReal: number;
  dFake: number;
  modesCovered: number | null;
  highQuality: number | null;
  /** σ̃ of each D layer (SN only; empty for the others). */
  sigma: number[];
  /** Mean over the real batch of ‖∇ₓ D(x)‖₂. */
  gradNorm: number;
  /** Digit-quality scores of the evaluation images (image data with a scorer; null otherwise). */
  inceptionScore: number | null;
  fid: number | null;
  /** Exact spectra of every D layer, on steps that are multiples of spectraEvery (filled in later). */
  spectra?: LayerSpectrum[];
}

/** Real images to train on: count rows of `size` floats (NHWC, in [−1, 1]). */
export interface TrainingImages {
  images: Float32Array;
  count: number;
  size: number;
}

/** Scores generated images (e.g. the digit classifier's Inception-style score and FID). */
export interface ImageScorer {
  score(images: Float32Array, count: number): { inceptionScore: number; fid: number };
}

export interface VariantStatus {
  name: VariantName;
  diverged: number | null;
  /** Latest generated samples (evalSamples × sampleSize). */
  samples: Float32Array | null;
  /** Step of the latest capture of samples, field and arrows. */
  capturedAt: number;
  /** 2-D only: D's output on the FIELD_GRID² grid (σ(logit) for the standard loss, else the score). */
  field: Float32Array | null;
  /** 2-D only: ∇ₓD at the first ARROW_COUNT generated points. */
  arrows: Float32Array | null;
}

export interface LayerSnapshot {
  name: string;
  shape: [number, number];
  W: number[];
  Wbar: number[];
  u: number[] | null;
  sigmaEstimate: number | null;
}

export class GanTrainer {
  /** The 2-D data set, or null when training on images. */
  readonly dataset: Dataset2d | null;
  /** The heatmap's frame (2-D data), null for images. */
  readonly extent: [number, number, number, number] | null;
  readonly variants: GanVariant[];
  readonly status = new Map<VariantName, VariantStatus>();
  /** Every statistics capture, bounded (older captures thinned); what charts and exports read. */
  readonly history = new BoundedMetricsHistory();
  private readonly counter: Tensor;
  private readonly shared: SharedInputs;
  private readonly drawData: Op[];
  private readonly drawNoise: Op[];
  private stepOps: Op[] = [];
  private statsOps: Op[] = [];
  private discriminatorOps: Op[] = [];
  private generatorOps: Op[] = [];
  private stepCount = 0;
  private pending: Promise<void> = Promise.resolve();
  private listeners: Array<(m: StepMetrics[]) => void> = [];
  private spectraListeners: Array<(m: StepMetrics[]) => void> = [];
  private readonly pendingSpectra = new Set<Promise<void>>();
  private readonly retired = new Set<VariantName>();

  constructor(
    readonly backend: Backend,
    readonly config: TrainerConfig,
    images?: TrainingImages,
    private readonly scorer?: ImageScorer,
    private readonly spectrumComputer: SpectrumComputer = computeInline,
  ) {
    validateConfig(config);
    // Measured on a backend that allocates nothing, so a run too big for the device is refused
    // (naming the limit and a setting that fits) before its first buffer exists.
    const fit = backend.limitsToFit;
    if (fit) checkRunFits(config, fit.limits, fit.tuning, (b, c) => new GanTrainer(b, c, images));
    const B = config.batch;
    const m = config.model;
    // Every variant's copy of a tensor in one buffer, so one dispatch can serve them all (rebuildStep).
    backend.stackVariants?.(
      config.variants.map((name) => ({ name, ownNormalizedWeight: hasOwnNormalizedWeight(name) })),
    );
    const models = config.variants.map((name) =>
      m.kind === 'mlp' ? mlpGan(backend, name, m, config.seed) : cnnGan(backend, name, m, config.seed),
    );
    const sampleSize = models[0].sampleSize;
    if (config.data === 'mnist' && (!images || images.size !== sampleSize)) {
      throw new Error(`training on ${config.data} needs its images (${sampleSize} floats each)`);
    }
    this.dataset = dataset2dOf(config.data, config.points);
    this.extent = this.dataset ? fieldExtent(this.dataset) : null;
    this.counter = backend.counter('rng.counter');
    this.shared = {
      real: backend.tensor('data.real', B * sampleSize),
      z: backend.tensor('noise.z', B * m.noiseDim),
      evalZ: backend.tensor('noise.evalZ', config.evalSamples * m.noiseDim),
      ones: backend.tensor('const.ones', B, new Float32Array(B).fill(1)),
      eps: backend.tensor('noise.gpEps', B),
      ...(this.extent
        ? {
            grid: {
              points: backend.tensor('field.grid', FIELD_GRID ** 2 * 2, fieldGridPoints(this.extent, FIELD_GRID)),
              count: FIELD_GRID ** 2,
            },
            arrowCount: ARROW_COUNT,
          }
        : {}),
    };
    const seed = config.seed;
    const draw = (label: string) => backend.drawTick({ counter: this.counter, label });
    const common = { out: this.shared.real, n: B, seed, stream: STREAM.real, counter: this.counter };
    const sampleData = this.dataset
      ? backend.anchorSample({
          ...common,
          label: 'data.sample',
          anchors: backend.tensor('data.anchors', this.dataset.anchors.length, this.dataset.anchors),
          anchorCount: this.dataset.anchors.length / 2,
          std: this.dataset.std,
        })
      : backend.rowSample({
          ...common,
          label: 'data.sample',
          rows: backend.tensor('data.images', images!.count * images!.size, images!.images),
          count: images!.count,
          dim: images!.size,
        });
    this.drawData = [
      draw('rng.tick.D'),
      sampleData,
      ...(config.variants.includes('wgan-gp')
        ? [
            backend.uniformDraw({
              label: 'noise.gpEps',
              out: this.shared.eps,
              n: B,
              seed,
              stream: STREAM.gpEps,
              counter: this.counter,
            }),
          ]
        : []),
      backend.normalDraw({
        label: 'noise.zD',
        out: this.shared.z,
        n: B * m.noiseDim,
        std: 1,
        seed,
        stream: STREAM.z,
        counter: this.counter,
      }),
    ];
    this.drawNoise = [
      draw('rng.tick.G'),
      backend.normalDraw({
        label: 'noise.zG',
        out: this.shared.z,
        n: B * m.noiseDim,
        std: 1,
        seed,
        stream: STREAM.z,
        counter: this.counter,
      }),
    ];
    // Every variant's model starts from the same weights: all are drawn from the run's seed.
    this.variants = config.variants.map((name, i) => new GanVariant(backend, name, models[i], config, this.shared));
    for (const v of this.variants) {
      this.status.set(v.name, {
        name: v.name,
        diverged: null,
        samples: null,
        capturedAt: 0,
        field: null,
        arrows: null,
      });
    }
    // The evaluation noise is fixed for the whole run, so plotted points move only as G learns.
    const evalDraw = backend.normalDraw({
      label: 'noise.evalZ',
      out: this.shared.evalZ,
      n: config.evalSamples * m.noiseDim,
      std: 1,
      seed,
      stream: STREAM.evalZ,
      counter: this.counter,
    });
    void backend.run([evalDraw, ...this.variants.flatMap((v) => v.warmupOps)]);
    this.rebuildStep();
  }

  /** The kept captures, by step and within a step in variant order. */
  get metrics(): readonly StepMetrics[] {
    return this.history.all();
  }

  get steps(): number {
    return this.stepCount;
  }

  get liveVariants(): GanVariant[] {
    return this.variants.filter((v) => this.status.get(v.name)!.diverged === null && !this.retired.has(v.name));
  }

  /**
   * Stops training a variant for the rest of the run (the page's toggle). The others are not
   * affected: every variant reads the same shared draws whoever else is training.
   */
  retire(name: VariantName): void {
    if (!this.status.has(name) || this.retired.has(name)) return;
    this.retired.add(name);
    this.rebuildStep();
  }

  get retiredVariants(): ReadonlySet<VariantName> {
    return this.retired;
  }

  /** Called with each batch of metrics (one entry per live variant) as it arrives. */
  onMetrics(listener: (m: StepMetrics[]) => void): void {
    this.listeners.push(listener);
  }

  /**
   * The live variants' op lists for a step. Variants only read what they share (data and noise
   * drawn before them), so the backend may run the same op of several variants as one dispatch.
   */
  private rebuildStep(): void {
    const live = this.liveVariants;
    const together = (programs: Op[][]): Op[] => this.backend.batch?.(programs) ?? programs.flat();
    const dPhase = [...this.drawData, ...together(live.map((v) => v.discriminatorUpdate))];
    this.discriminatorOps = Array.from({ length: this.config.adam.nDis }, () => dPhase).flat();
    this.generatorOps = [...this.drawNoise, ...together(live.map((v) => v.generatorUpdate))];
    this.stepOps = [...this.discriminatorOps, ...this.generatorOps];
    this.statsOps = together(live.map((v) => v.statsOps));
  }

  /**
   * One training step of every live variant, as one submission. Every `statsEvery` steps (and at
   * step 1) it also captures statistics; the returned promise settles when they are processed.
   * `phase` 'D' runs only the n_dis discriminator updates, 'G' only the generator update (the
   * page's single-stepping); `capture` forces a statistics capture on this step.
   */
  step(options: { phase?: StepPhase; capture?: boolean } = {}): Promise<void> {
    const live = this.liveVariants;
    if (live.length === 0) return this.pending;
    this.stepCount++;
    const step = this.stepCount;
    const phase = options.phase ?? 'both';
    const ops = phase === 'both' ? this.stepOps : phase === 'D' ? this.discriminatorOps : this.generatorOps;
    const capture = options.capture || step === 1 || step % this.config.statsEvery === 0;
    if (!capture) {
      void this.backend.run(ops);
      return this.pending;
    }
    const tensors = live.flatMap((v) => [
      v.statsD,
      v.statsG,
      v.evalTrace.output,
      v.probeTrace.inputGrad,
      ...(v.fieldTrace ? [v.fieldTrace.output] : []),
      ...(v.arrowTrace ? [v.arrowTrace.inputGrad] : []),
      ...v.sigmaTensors,
    ]);
    const every = this.config.spectraEvery;
    // Also after the first step, so a spectrum view has something to show at once, not only
    // after the first spectraEvery steps (100 by default: a long wait on a slow adapter).
    const spectra = every > 0 && (step === 1 || step % every === 0);
    // Spectrum steps also copy out every D layer's W and W̄ (once when they are the same tensor).
    const weights = spectra
      ? live.flatMap((v) => v.normalized.flatMap((n) => (n.wBar === n.layer.w ? [n.layer.w] : [n.layer.w, n.wBar])))
      : [];
    const result = this.backend.run([...ops, ...this.statsOps], [...tensors, ...weights]);
    this.pending = result.then((values) => {
      const batch = this.record(step, live, values.slice(0, tensors.length));
      if (spectra) this.computeSpectra(live, batch, values.slice(tensors.length));
    });
    return this.pending;
  }

  /** The latest statistics capture, processed. */
  statsSettled(): Promise<void> {
    return this.pending;
  }

  /** Every pending spectrum computation, settled. */
  async spectraSettled(): Promise<void> {
    await this.pending;
    await Promise.all(this.pendingSpectra);
  }

  /**
   * Singular values of every D layer of every live variant, computed off the training path; the
   * result is attached to the step's metrics when it arrives (training goes on meanwhile).
   */
  private computeSpectra(live: GanVariant[], batch: StepMetrics[], values: Float32Array[]): void {
    let at = 0;
    const layers: LayerWeights[][] = live.map((v) =>
      v.normalized.map((n, i) => {
        const W = values[at++];
        const Wbar = n.wBar === n.layer.w ? W : values[at++];
        const sigma = batch.find((m) => m.variant === v.name)?.sigma ?? [];
        return {
          name: n.layer.name,
          shape: [n.layer.dOut, n.layer.dIn] as [number, number],
          W,
          Wbar,
          sigmaEstimate: n.spectral ? (sigma[v.normalized.slice(0, i).filter((x) => x.spectral).length] ?? null) : null,
        };
      }),
    );
    // A failed computation (a worker that died) leaves that variant's spectra absent at this step,
    // a gap in the charts; the computer reports why. It must not reject: nothing awaits it but a reset.
    const job = Promise.all(
      layers.map(async (l, i) => {
        const spectra = await this.spectrumComputer(l).catch(() => null);
        const metrics = batch.find((m) => m.variant === live[i].name);
        if (metrics && spectra) metrics.spectra = spectra;
      }),
    ).then(() => {
      for (const listener of this.spectraListeners) listener(batch);
    });
    this.pendingSpectra.add(job);
    void job.finally(() => this.pendingSpectra.delete(job));
  }

  /** Called with a step's metrics once its spectra have been computed. */
  onSpectra(listener: (m: StepMetrics[]) => void): void {
    this.spectraListeners.push(listener);
  }

  /** Steps until `count` more have run, waiting on statistics whenever they are captured. */
  async train(count: number, onProgress?: (step: number) => void): Promise<void> {
    for (let i = 0; i < count && this.liveVariants.length > 0; i++) {
      const before = this.pending;
      const settled = this.step();
      if (settled !== before) await settled;
      onProgress?.(this.stepCount);
    }
    await this.pending;
  }

  private record(step: number, live: GanVariant[], values: Float32Array[]): StepMetrics[] {
    let at = 0;
    const batch: StepMetrics[] = [];
    let divergedAny = false;
    for (const v of live) {
      const [statsD, statsG, samples, inputGrad] = values.slice(at, at + 4);
      at += 4;
      const field = v.fieldTrace ? values[at++] : null;
      const arrows = v.arrowTrace ? values[at++] : null;
      const sigma = Array.from(values.slice(at, at + v.sigmaTensors.length), (s) => s[0]);
      at += v.sigmaTensors.length;
      const status = this.status.get(v.name)!;
      const finite = [statsD[0], statsG[0], ...sigma].every(Number.isFinite) && samples.every(Number.isFinite);
      if (!finite && status.diverged === null) {
        status.diverged = step;
        divergedAny = true;
      }
      status.samples = samples;
      status.capturedAt = step;
      status.field = field && this.config.loss === 'standard' ? field.map((l) => 1 / (1 + Math.exp(-l))) : field;
      status.arrows = arrows;
      const coverage = this.dataset?.modes
        ? modeCoverage(samples.subarray(0, 2 * COVERAGE_SAMPLES), this.dataset.modes, this.dataset.std)
        : null;
      const scores = this.scorer && finite ? this.scorer.score(samples, this.config.evalSamples) : null;
      batch.push({
        step,
        variant: v.name,
        lossD: statsD[0],
        lossG: statsG[0],
        dReal: statsD[1],
        dFake: statsD[2],
        modesCovered: coverage?.modesCovered ?? null,
        highQuality: coverage?.highQuality ?? null,
        sigma,
        gradNorm: meanRowNorm(inputGrad, v.model.sampleSize),
        inceptionScore: scores?.inceptionScore ?? null,
        fid: scores?.fid ?? null,
      });
    }
    this.history.append(batch);
    if (divergedAny) this.rebuildStep();
    for (const listener of this.listeners) listener(batch);
    return batch;
  }

  /**
   * The whole state after everything submitted so far: every tensor of the backend (weights, Adam
   * moments, ũ, counters…) read in one submission. Taken between steps, never inside one.
   */
  async checkpoint(): Promise<TrainerCheckpoint> {
    const step = this.stepCount;
    const diverged = [...this.status.values()].map((s) => [s.name, s.diverged] as [VariantName, number | null]);
    const tensors = this.backend.tensors;
    const values = await this.backend.run([], tensors);
    return {
      step,
      diverged,
      entries: tensors.map((t, i) => {
        const counter = this.backend.isCounter(t);
        return {
          label: t.label,
          size: t.size,
          values: counter ? null : values[i],
          counter: counter ? this.backend.counterValue(values[i]) : null,
        };
      }),
    };
  }

  /**
   * Continues from a checkpoint of a trainer with the same configuration, on this backend or
   * another kind (a GPU run resumed on the CPU after the device was lost). Call before any step.
   */
  restore(checkpoint: TrainerCheckpoint): void {
    const tensors = this.backend.tensors;
    if (checkpoint.entries.length !== tensors.length) {
      throw new Error(`checkpoint has ${checkpoint.entries.length} tensors, this run ${tensors.length}`);
    }
    checkpoint.entries.forEach((e, i) => {
      const t = tensors[i];
      if (t.label !== e.label || t.size !== e.size) {
        throw new Error(`checkpoint tensor ${i} is ${e.label}[${e.size}], this run's is ${t.label}[${t.size}]`);
      }
    });
    checkpoint.entries.forEach((e, i) => {
      if (e.counter !== null) this.backend.writeCounter(tensors[i], e.counter);
      else if (e.values) this.backend.write(tensors[i], e.values);
    });
    this.stepCount = checkpoint.step;
    for (const [name, diverged] of checkpoint.diverged) {
      const status = this.status.get(name);
      if (status) status.diverged = diverged;
    }
    this.rebuildStep();
  }

  /** Raw and normalized weights of every D layer of a variant (for JSON export and spectra). */
  async snapshot(name: VariantName): Promise<LayerSnapshot[]> {
    const v = this.variants.find((x) => x.name === name);
    if (!v) throw new Error(`no variant ${name}`);
    await this.pending;
    const out: LayerSnapshot[] = [];
    for (const n of v.normalized) {
      const l = n.layer;
      const [w, wBar] = await Promise.all([this.backend.read(l.w), this.backend.read(n.wBar)]);
      const spectral = n.spectral
        ? await Promise.all([this.backend.read(n.spectral.u), this.backend.read(n.spectral.sigma)])
        : null;
      out.push({
        name: l.name,
        shape: [l.dOut, l.dIn],
        W: Array.from(w),
        Wbar: Array.from(wBar),
        u: spectral ? Array.from(spectral[0]) : null,
        sigmaEstimate: spectral ? spectral[1][0] : null,
      });
    }
    return out;
  }
}

function meanRowNorm(x: Float32Array, cols: number): number {
  const rows = x.length / cols;
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += x[r * cols + c] ** 2;
    sum += Math.sqrt(s);
  }
  return sum / rows;
}
