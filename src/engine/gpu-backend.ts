/**
 * The WebGPU backend: each op is a kernel prepared once (pipeline, bind group, uniforms), and
 * `run` records them into one compute pass and submits once. Captured tensors are copied into
 * MAP_READ staging buffers in the same command buffer and mapped asynchronously; staging buffers
 * are pooled, so steady-state training creates no GPU buffers (a run makes only its command
 * encoder and, when it captures, the read-back copies).
 *
 * Variants are batched (issue 12): between `stackVariants` and the first use of the backend, each
 * variant's tensors are only recorded; then every family of them (the same tensor of each variant,
 * src/engine/batching/families.ts) gets one buffer with its members as views, and `batch` runs the
 * same op of every variant as one dispatch where it can (src/engine/batching/merge.ts).
 */
import { describeAdapter, type GpuContext } from '../gpu/device';
import { bufferOfBinding, offsetOfBinding, viewOf } from '../gpu/binding';
import { storageUsage } from '../gpu/buffers';
import type { Kernel } from '../gpu/kernel';
import type { KernelTuning } from '../gpu/tuning';
import { createAdamStep, prepareAdamTick, prepareAdamUpdate } from '../gpu/kernels/adam';
import { prepareBatchNormBackward, prepareBatchNormEval, prepareBatchNormForward } from '../gpu/kernels/batchnorm';
import { prepareCol2im, prepareIm2col } from '../gpu/kernels/conv';
import { prepareActivation, prepareActivationBackward, prepareAxpby } from '../gpu/kernels/elementwise';
import { prepareMixRows, preparePenaltySeed } from '../gpu/kernels/gradient-penalty';
import { prepareDiscriminatorLoss, prepareGeneratorLoss, prepareJointDiscriminatorLoss } from '../gpu/kernels/loss';
import { prepareMatmul } from '../gpu/kernels/matmul';
import {
  createDrawCounter,
  prepareAnchorSample,
  prepareDrawTick,
  prepareNormalDraw,
  prepareRowSample,
  prepareUniformDraw,
} from '../gpu/kernels/random';
import { prepareColumnReduce } from '../gpu/kernels/reduce';
import { prepareWeightClip, prepareWeightNormBackward, prepareWeightNormForward } from '../gpu/kernels/weight-norm';
import { prepareSpectralNorm, prepareSpectralNormBackward } from '../gpu/kernels/spectral-norm';
import { checkView, type Backend, type Op, type Tensor } from './backend';
import { familyOf, layoutFamilies, type StackedVariant } from './batching/families';
import { bindingOf, GpuOp, GpuTensor, scalarsOf, type KernelBuilder, type OpTensors } from './batching/gpu-op';
import { groupKernel, signatureOf } from './batching/merge';
import { planMerges } from './batching/merge-plan';

export { GpuTensor };

/** Largest staging buffer one capture uses; bigger captures (checkpoints) take several. */
const STAGING_CHUNK_BYTES = 64 << 20;

/** A variant's tensor recorded while the layout is pending, with what it starts as. */
interface PendingTensor {
  tensor: GpuTensor;
  variant: number;
  data: Float32Array | null;
  /** A counter's start (a u32), or null for a float tensor. */
  counterStart: number | null;
}

/** A batched group of ops, made once and reused whenever the same ops are batched again. */
class GroupOp implements Op {
  constructor(
    readonly label: string,
    readonly kernel: Kernel,
  ) {}
}

export class GpuBackend implements Backend {
  readonly kind = 'webgpu' as const;
  readonly description: string;
  private readonly stagingPool = new Map<number, GPUBuffer[]>();
  private readonly made: GpuTensor[] = [];
  private readonly counters = new Set<Tensor>();
  private stack: { variants: readonly StackedVariant[]; pending: PendingTensor[] } | null = null;
  private readonly groups = new Map<string, GroupOp>();

  constructor(
    readonly ctx: GpuContext,
    /** false: every variant's ops run as dispatches of their own (the bench's peer for batching). */
    private readonly batchVariants = true,
  ) {
    this.description = describeAdapter(ctx.adapter);
  }

  get limitsToFit(): { limits: GPUSupportedLimits; tuning: KernelTuning } {
    return { limits: this.ctx.limits, tuning: this.ctx.tuning };
  }

  /**
   * Tensors made from now on whose labels start with a variant's name and a dot belong to that
   * variant; their buffers are made, by family, when the backend is next used.
   */
  stackVariants(variants: readonly StackedVariant[]): void {
    this.layout();
    if (!this.batchVariants) return;
    this.stack = { variants, pending: [] };
  }

  /**
   * The programs (one op list per variant, independent of each other) as one op list: ops of
   * equal signature run as one batched dispatch, every program's order kept (merge-plan.ts).
   * Everything returned is prepared here, so a step that runs it makes no pipeline.
   */
  batch(programs: readonly (readonly Op[])[]): Op[] {
    this.layout();
    const gpuPrograms = programs.map((p) => p as readonly GpuOp[]);
    if (!this.batchVariants) {
      for (const op of gpuPrograms.flat()) void op.kernel;
      return gpuPrograms.flat();
    }
    const plan = planMerges(gpuPrograms.map((p) => p.map(signatureOf)));
    return plan.map((group) => {
      const ops = group.map(({ program, index }) => gpuPrograms[program][index]);
      if (ops.length === 1) {
        void ops[0].kernel;
        return ops[0];
      }
      const key = ops.map((op) => op.id).join(',');
      let made = this.groups.get(key);
      if (!made) {
        made = new GroupOp(ops.map((op) => op.label).join(' + '), groupKernel(ops));
        this.groups.set(key, made);
      }
      return made;
    });
  }

  /** Makes the pending variants' buffers: one per family of at least two that fits a binding, else one each. */
  private layout(): void {
    const stack = this.stack;
    if (!stack) return;
    this.stack = null;
    const { pending } = stack;
    const families = pending.map((p) => p.tensor.family!);
    const limits = this.ctx.limits;
    const maxBytes = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    const laidOut = layoutFamilies(
      pending.map((p) => ({ label: p.tensor.label, size: p.tensor.size, variant: p.variant })),
      families,
      maxBytes,
    );
    for (const family of laidOut) {
      const buffer = this.ctx.buffers.create(`family:${family.family}`, family.bytes, storageUsage());
      for (const { tensor, offset } of family.members)
        pending[tensor].tensor.binding = viewOf(buffer, offset, pending[tensor].tensor.size);
    }
    for (const p of pending) {
      if (!p.tensor.binding) {
        p.tensor.binding =
          p.counterStart === null
            ? this.ctx.buffers.storage(p.tensor.label, p.tensor.size)
            : this.counterBuffer(p.tensor.label, p.counterStart);
      }
      if (p.counterStart !== null) this.writeCounter(p.tensor, p.counterStart);
      else if (p.data) this.write(p.tensor, p.data);
    }
  }

  private pendingOf(tensor: Tensor): PendingTensor | undefined {
    return this.stack?.pending.find((p) => p.tensor === tensor);
  }

  private counterBuffer(label: string, start: number): GPUBuffer {
    // Adam's step and the draw counter are both one u32 the GPU advances; a u32 buffer works for both.
    return start === 0 ? createAdamStep(this.ctx, label) : createDrawCounter(this.ctx, label, start);
  }

  /** An op of `kind` binding `tensors`; prepared now unless the variants' layout is pending. */
  private op(label: string, kind: string, args: object, tensors: OpTensors, build: KernelBuilder): Op {
    const op = new GpuOp(label, kind, scalarsOf(args), tensors, build);
    if (!this.stack) void op.kernel;
    return op;
  }

  /** `first` and `second` as one view when they are consecutive views of one tensor, n floats each. */
  private jointHalves(first: Tensor, second: Tensor, n: number): Tensor | null {
    const a = (first as GpuTensor).viewOf;
    const b = (second as GpuTensor).viewOf;
    if (!a || !b || a.parent !== b.parent || first.size !== n || second.size !== n) return null;
    if (b.offset !== a.offset + n) return null;
    return this.view(a.parent, a.offset, 2 * n);
  }

  private member(label: string): { variant: number; family: string } | null {
    return this.stack ? familyOf(label, this.stack.variants) : null;
  }

  tensor(label: string, size: number, data?: ArrayLike<number>): Tensor {
    const member = this.member(label);
    let t: GpuTensor;
    if (member) {
      t = new GpuTensor(label, size, null, member.family);
      this.stack!.pending.push({
        tensor: t,
        variant: member.variant,
        data: data ? Float32Array.from(data) : null,
        counterStart: null,
      });
    } else {
      t = new GpuTensor(label, size, this.ctx.buffers.storage(label, size, data));
    }
    this.made.push(t);
    return t;
  }

  view(tensor: Tensor, offset: number, size: number): Tensor {
    checkView(tensor, offset, size);
    const parent = tensor as GpuTensor;
    // A view of a variant's tensor is in its family at the same place for every variant.
    const family = parent.family === null ? null : `${parent.family}[${offset}:${offset + size}]`;
    return new GpuTensor(`${tensor.label}[${offset}:${offset + size}]`, size, null, family, { parent, offset });
  }

  idle(): Promise<void> {
    return this.ctx.device.queue.onSubmittedWorkDone();
  }

  ready(): Promise<void> {
    return this.ctx.pipelines.checkShaders();
  }

  get tensors(): readonly Tensor[] {
    return this.made;
  }

  isCounter(tensor: Tensor): boolean {
    return this.counters.has(tensor);
  }

  counterValue(raw: Float32Array): number {
    return new Uint32Array(raw.buffer, raw.byteOffset, 1)[0];
  }

  writeCounter(tensor: Tensor, value: number): void {
    const pending = this.pendingOf(tensor);
    if (pending) {
      pending.counterStart = value;
      return;
    }
    const binding = bindingOf(tensor);
    this.ctx.device.queue.writeBuffer(bufferOfBinding(binding), offsetOfBinding(binding), new Uint32Array([value]));
  }

  counter(label: string, start = 0): Tensor {
    const member = this.member(label);
    let t: GpuTensor;
    if (member) {
      t = new GpuTensor(label, 1, null, member.family);
      this.stack!.pending.push({ tensor: t, variant: member.variant, data: null, counterStart: start });
    } else {
      t = new GpuTensor(label, 1, this.counterBuffer(label, start));
    }
    this.made.push(t);
    this.counters.add(t);
    return t;
  }

  write(tensor: Tensor, data: ArrayLike<number>): void {
    const pending = this.pendingOf(tensor);
    if (pending) {
      pending.data = Float32Array.from(data);
      return;
    }
    const binding = bindingOf(tensor);
    this.ctx.buffers.write(bufferOfBinding(binding), data, offsetOfBinding(binding) / 4);
  }

  read(tensor: Tensor): Promise<Float32Array> {
    this.layout();
    const binding = bindingOf(tensor);
    return this.ctx.buffers.read(bufferOfBinding(binding), tensor.size, offsetOfBinding(binding) / 4);
  }

  run(ops: readonly Op[], capture: readonly Tensor[] = []): Promise<Float32Array[]> {
    this.layout();
    const device = this.ctx.device;
    const encoder = device.createCommandEncoder({ label: 'GpuBackend.run' });
    const pass = encoder.beginComputePass({ label: 'GpuBackend.run.pass' });
    for (const op of ops) {
      (op as GpuOp | GroupOp).kernel.encode(pass);
    }
    pass.end();
    // Captured tensors share staging buffers (one map and one copy per chunk, not per tensor:
    // each map is a round trip, and the page captures dozens of tensors at a time).
    const chunks: { bytes: number; parts: { index: number; offset: number; size: number }[] }[] = [];
    capture.forEach((t, index) => {
      const bytes = Math.max(16, Math.ceil((t.size * 4) / 16) * 16);
      let chunk = chunks[chunks.length - 1];
      if (!chunk || (chunk.bytes + bytes > STAGING_CHUNK_BYTES && chunk.parts.length > 0)) {
        chunk = { bytes: 0, parts: [] };
        chunks.push(chunk);
      }
      chunk.parts.push({ index, offset: chunk.bytes, size: t.size });
      chunk.bytes += bytes;
    });
    const staging = chunks.map((chunk) => {
      const s =
        this.stagingPool.get(chunk.bytes)?.pop() ??
        this.ctx.buffers.create(
          `GpuBackend.staging.${chunk.bytes}`,
          chunk.bytes,
          GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
        );
      for (const part of chunk.parts) {
        const from = bindingOf(capture[part.index]);
        encoder.copyBufferToBuffer(bufferOfBinding(from), offsetOfBinding(from), s, part.offset, part.size * 4);
      }
      return { s, chunk };
    });
    device.queue.submit([encoder.finish()]);
    if (staging.length === 0) return Promise.resolve([]);
    const values: Float32Array[] = new Array(capture.length);
    return Promise.all(
      staging.map(async ({ s, chunk }) => {
        await s.mapAsync(GPUMapMode.READ);
        const copy = s.getMappedRange(0, chunk.bytes).slice(0);
        s.unmap();
        const pool = this.stagingPool.get(chunk.bytes) ?? [];
        pool.push(s);
        this.stagingPool.set(chunk.bytes, pool);
        for (const part of chunk.parts) values[part.index] = new Float32Array(copy, part.offset, part.size);
      }),
    ).then(() => values);
  }

  memory(): { tensors: number; bytes: number } {
    return { tensors: this.ctx.buffers.liveBuffers, bytes: this.ctx.buffers.liveBytes };
  }

  destroy(): void {
    this.ctx.buffers.destroyAll();
    this.stagingPool.clear();
    this.made.length = 0;
    this.groups.clear();
    this.stack = null;
  }

  matmul(args: Parameters<Backend['matmul']>[0]): Op {
    const { a, b, c, bias } = args;
    return this.op(args.label, 'matmul', args, { a, b, c, bias }, (t, batch) =>
      prepareMatmul(this.ctx, { ...args, a: t.a, b: t.b, c: t.c, bias: t.bias }, batch),
    );
  }

  activationBackward(args: Parameters<Backend['activationBackward']>[0]): Op {
    const { y, dy, dx } = args;
    return this.op(args.label, 'activationBackward', args, { y, dy, dx }, (t, batch) =>
      prepareActivationBackward(this.ctx, { ...args, y: t.y, dy: t.dy, dx: t.dx }, batch),
    );
  }

  activation(args: Parameters<Backend['activation']>[0]): Op {
    const { x, y } = args;
    return this.op(args.label, 'activation', args, { x, y }, (t, batch) =>
      prepareActivation(this.ctx, { ...args, x: t.x, y: t.y }, batch),
    );
  }

  im2col(args: Parameters<Backend['im2col']>[0]): Op {
    const { image, cols } = args;
    return this.op(args.label, 'im2col', args, { image, cols }, (t, batch) =>
      prepareIm2col(this.ctx, { ...args, image: t.image, cols: t.cols }, batch),
    );
  }

  col2im(args: Parameters<Backend['col2im']>[0]): Op {
    const { cols, image, bias } = args;
    return this.op(args.label, 'col2im', args, { cols, image, bias }, (t, batch) =>
      prepareCol2im(this.ctx, { ...args, cols: t.cols, image: t.image, bias: t.bias }, batch),
    );
  }

  batchNorm(args: Parameters<Backend['batchNorm']>[0]): Op {
    const { x, gamma, beta, y, mean, invstd, running } = args;
    const tensors = { x, gamma, beta, y, mean, invstd, runningMean: running?.mean, runningVariance: running?.variance };
    return this.op(args.label, 'batchNorm', args, tensors, (t, batch) =>
      prepareBatchNormForward(
        this.ctx,
        {
          ...args,
          x: t.x,
          gamma: t.gamma,
          beta: t.beta,
          y: t.y,
          mean: t.mean,
          invstd: t.invstd,
          running: running
            ? { mean: t.runningMean, variance: t.runningVariance, momentum: running.momentum }
            : undefined,
        },
        batch,
      ),
    );
  }

  batchNormEval(args: Parameters<Backend['batchNormEval']>[0]): Op {
    const { x, gamma, beta, runningMean, runningVar, y } = args;
    return this.op(args.label, 'batchNormEval', args, { x, gamma, beta, runningMean, runningVar, y }, (t, batch) =>
      prepareBatchNormEval(
        this.ctx,
        {
          ...args,
          x: t.x,
          gamma: t.gamma,
          beta: t.beta,
          runningMean: t.runningMean,
          runningVar: t.runningVar,
          y: t.y,
        },
        batch,
      ),
    );
  }

  batchNormBackward(args: Parameters<Backend['batchNormBackward']>[0]): Op {
    const { dy, x, mean, invstd, gamma, dx, dgamma, dbeta } = args;
    return this.op(
      args.label,
      'batchNormBackward',
      args,
      { dy, x, mean, invstd, gamma, dx, dgamma, dbeta },
      (t, batch) =>
        prepareBatchNormBackward(
          this.ctx,
          {
            ...args,
            dy: t.dy,
            x: t.x,
            mean: t.mean,
            invstd: t.invstd,
            gamma: t.gamma,
            dx: t.dx,
            dgamma: t.dgamma,
            dbeta: t.dbeta,
          },
          batch,
        ),
    );
  }

  columnSum(args: Parameters<Backend['columnSum']>[0]): Op {
    const { x, out } = args;
    return this.op(args.label, 'columnSum', args, { x, out }, (t, batch) =>
      prepareColumnReduce(this.ctx, { ...args, x: t.x, out: t.out }, batch),
    );
  }

  discriminatorLoss(args: Parameters<Backend['discriminatorLoss']>[0]): Op {
    const logits = this.jointHalves(args.realLogits, args.fakeLogits, args.batch);
    const grads = this.jointHalves(args.realGrad, args.fakeGrad, args.batch);
    if (logits && grads) {
      // The halves of one joint batch: one array each, so batched variants write one range.
      return this.op(
        args.label,
        'jointDiscriminatorLoss',
        args,
        { real: logits, dReal: grads, stats: args.stats },
        (t, batch) =>
          prepareJointDiscriminatorLoss(
            this.ctx,
            {
              kind: args.kind,
              logits: t.real,
              nReal: args.batch,
              nFake: args.batch,
              grads: t.dReal,
              stats: t.stats,
              label: args.label,
            },
            batch,
          ),
      );
    }
    const tensors = {
      real: args.realLogits,
      fake: args.fakeLogits,
      dReal: args.realGrad,
      dFake: args.fakeGrad,
      stats: args.stats,
    };
    return this.op(args.label, 'discriminatorLoss', args, tensors, (t, batch) =>
      prepareDiscriminatorLoss(
        this.ctx,
        {
          kind: args.kind,
          real: t.real,
          nReal: args.batch,
          fake: t.fake,
          nFake: args.batch,
          dReal: t.dReal,
          dFake: t.dFake,
          stats: t.stats,
          label: args.label,
        },
        batch,
      ),
    );
  }

  generatorLoss(args: Parameters<Backend['generatorLoss']>[0]): Op {
    const tensors = { fake: args.fakeLogits, dFake: args.fakeGrad, stats: args.stats };
    return this.op(args.label, 'generatorLoss', args, tensors, (t, batch) =>
      prepareGeneratorLoss(
        this.ctx,
        { kind: args.kind, fake: t.fake, nFake: args.batch, dFake: t.dFake, stats: t.stats, label: args.label },
        batch,
      ),
    );
  }

  spectralNorm(args: Parameters<Backend['spectralNorm']>[0]): Op {
    const { w, u, v, sigma, wBar } = args;
    // One dispatch for small layers, power iteration + apply otherwise (the launcher picks).
    return this.op(args.label, 'spectralNorm', args, { w, u, v, sigma, wBar }, (t) =>
      prepareSpectralNorm(this.ctx, {
        w: t.w,
        u: t.u,
        v: t.v,
        sigma: t.sigma,
        wBar: t.wBar,
        dOut: args.dOut,
        dIn: args.dIn,
        rounds: args.rounds,
        label: args.label,
      }),
    );
  }

  spectralNormBackward(args: Parameters<Backend['spectralNormBackward']>[0]): Op {
    const { gWbar, wBar, u, v, sigma, gW } = args;
    return this.op(args.label, 'spectralNormBackward', args, { gWbar, wBar, u, v, sigma, gW }, (t) =>
      prepareSpectralNormBackward(this.ctx, {
        ...args,
        gWbar: t.gWbar,
        wBar: t.wBar,
        u: t.u,
        v: t.v,
        sigma: t.sigma,
        gW: t.gW,
      }),
    );
  }

  weightNorm(args: Parameters<Backend['weightNorm']>[0]): Op {
    const { w, wBar, norms } = args;
    return this.op(args.label, 'weightNorm', args, { w, wBar, norms }, (t) =>
      prepareWeightNormForward(this.ctx, { ...args, w: t.w, wBar: t.wBar, norms: t.norms }),
    );
  }

  weightNormBackward(args: Parameters<Backend['weightNormBackward']>[0]): Op {
    const { gWbar, wBar, norms, gW } = args;
    return this.op(args.label, 'weightNormBackward', args, { gWbar, wBar, norms, gW }, (t) =>
      prepareWeightNormBackward(this.ctx, { ...args, gWbar: t.gWbar, wBar: t.wBar, norms: t.norms, gW: t.gW }),
    );
  }

  clip(args: Parameters<Backend['clip']>[0]): Op {
    return this.op(args.label, 'clip', args, { w: args.w }, (t) => prepareWeightClip(this.ctx, { ...args, w: t.w }));
  }

  adamTick(args: Parameters<Backend['adamTick']>[0]): Op {
    return this.op(args.label, 'adamTick', args, { step: args.step }, (t, batch) =>
      prepareAdamTick(this.ctx, { step: t.step, label: args.label }, batch),
    );
  }

  adamUpdate(args: Parameters<Backend['adamUpdate']>[0]): Op {
    const { param, grad, m, v, step } = args;
    return this.op(args.label, 'adamUpdate', args, { param, grad, m, v, step }, (t, batch) =>
      prepareAdamUpdate(this.ctx, { ...args, param: t.param, grad: t.grad, m: t.m, v: t.v, step: t.step }, batch),
    );
  }

  drawTick(args: Parameters<Backend['drawTick']>[0]): Op {
    return this.op(args.label, 'drawTick', args, { counter: args.counter }, (t) =>
      prepareDrawTick(this.ctx, t.counter, args.label),
    );
  }

  rowSample(args: Parameters<Backend['rowSample']>[0]): Op {
    const { out, rows, counter } = args;
    return this.op(args.label, 'rowSample', args, { out, rows, counter }, (t) =>
      prepareRowSample(this.ctx, { ...args, out: t.out, rows: t.rows, counter: t.counter }),
    );
  }

  axpby(args: Parameters<Backend['axpby']>[0]): Op {
    const { a, b, out } = args;
    return this.op(args.label, 'axpby', args, { a, b, out }, (t, batch) =>
      prepareAxpby(this.ctx, { ...args, a: t.a, b: t.b, out: t.out }, batch),
    );
  }

  uniformDraw(args: Parameters<Backend['uniformDraw']>[0]): Op {
    const { out, counter } = args;
    return this.op(args.label, 'uniformDraw', args, { out, counter }, (t) =>
      prepareUniformDraw(this.ctx, { ...args, out: t.out, counter: t.counter }),
    );
  }

  mixRows(args: Parameters<Backend['mixRows']>[0]): Op {
    const { real, fake, eps, out } = args;
    return this.op(args.label, 'mixRows', args, { real, fake, eps, out }, (t) =>
      prepareMixRows(this.ctx, { ...args, real: t.real, fake: t.fake, eps: t.eps, out: t.out }),
    );
  }

  penaltySeed(args: Parameters<Backend['penaltySeed']>[0]): Op {
    const { grad, seed, stats } = args;
    return this.op(args.label, 'penaltySeed', args, { grad, seed, stats }, (t) =>
      preparePenaltySeed(this.ctx, { ...args, grad: t.grad, seed: t.seed, stats: t.stats }),
    );
  }

  normalDraw(args: Parameters<Backend['normalDraw']>[0]): Op {
    const { out, counter } = args;
    return this.op(args.label, 'normalDraw', args, { out, counter }, (t) =>
      prepareNormalDraw(this.ctx, { ...args, out: t.out, counter: t.counter }),
    );
  }

  anchorSample(args: Parameters<Backend['anchorSample']>[0]): Op {
    const { out, anchors, counter } = args;
    return this.op(args.label, 'anchorSample', args, { out, anchors, counter }, (t) =>
      prepareAnchorSample(this.ctx, { ...args, out: t.out, anchors: t.anchors, counter: t.counter }),
    );
  }
}
