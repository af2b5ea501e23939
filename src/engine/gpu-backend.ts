/**
 * The WebGPU backend: each op is a kernel prepared once (pipeline, bind group, uniforms), and
 * `run` records them into one compute pass and submits once. Captured tensors are copied into
 * MAP_READ staging buffers in the same command buffer and mapped asynchronously; staging buffers
 * are pooled, so steady-state training creates no GPU buffers (a run makes only its command
 * encoder and, when it captures, the read-back copies).
 */
import { describeAdapter, type GpuContext } from '../gpu/device';
import type { Kernel } from '../gpu/kernel';
import type { KernelTuning } from '../gpu/tuning';
import { createAdamStep, prepareAdamTick, prepareAdamUpdate } from '../gpu/kernels/adam';
import { prepareBatchNormBackward, prepareBatchNormEval, prepareBatchNormForward } from '../gpu/kernels/batchnorm';
import { prepareCol2im, prepareIm2col } from '../gpu/kernels/conv';
import { prepareActivation, prepareActivationBackward, prepareAxpby } from '../gpu/kernels/elementwise';
import { prepareMixRows, preparePenaltySeed } from '../gpu/kernels/gradient-penalty';
import { prepareDiscriminatorLoss, prepareGeneratorLoss } from '../gpu/kernels/loss';
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
import type { Backend, Op, Tensor } from './backend';

export class GpuTensor implements Tensor {
  constructor(
    readonly label: string,
    readonly size: number,
    readonly buffer: GPUBuffer,
  ) {}
}

class GpuOp implements Op {
  constructor(
    readonly label: string,
    readonly kernel: Kernel,
  ) {}
}

export const bufferOf = (t: Tensor): GPUBuffer => (t as GpuTensor).buffer;

/** Largest staging buffer one capture uses; bigger captures (checkpoints) take several. */
const STAGING_CHUNK_BYTES = 64 << 20;

export class GpuBackend implements Backend {
  readonly kind = 'webgpu' as const;
  readonly description: string;
  private readonly stagingPool = new Map<number, GPUBuffer[]>();
  private readonly made: GpuTensor[] = [];
  private readonly counters = new Set<Tensor>();

  constructor(readonly ctx: GpuContext) {
    this.description = describeAdapter(ctx.adapter);
  }

  get limitsToFit(): { limits: GPUSupportedLimits; tuning: KernelTuning } {
    return { limits: this.ctx.limits, tuning: this.ctx.tuning };
  }

  op(label: string, kernel: Kernel): Op {
    return new GpuOp(label, kernel);
  }

  tensor(label: string, size: number, data?: ArrayLike<number>): Tensor {
    const t = new GpuTensor(label, size, this.ctx.buffers.storage(label, size, data));
    this.made.push(t);
    return t;
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
    this.ctx.device.queue.writeBuffer(bufferOf(tensor), 0, new Uint32Array([value]));
  }

  counter(label: string, start = 0): Tensor {
    // Adam's step and the draw counter are both one u32 the GPU advances; a u32 buffer works for both.
    const buffer = start === 0 ? createAdamStep(this.ctx, label) : createDrawCounter(this.ctx, label, start);
    const t = new GpuTensor(label, 1, buffer);
    this.made.push(t);
    this.counters.add(t);
    return t;
  }

  write(tensor: Tensor, data: ArrayLike<number>): void {
    this.ctx.buffers.write(bufferOf(tensor), data);
  }

  read(tensor: Tensor): Promise<Float32Array> {
    return this.ctx.buffers.read(bufferOf(tensor), tensor.size);
  }

  run(ops: readonly Op[], capture: readonly Tensor[] = []): Promise<Float32Array[]> {
    const device = this.ctx.device;
    const encoder = device.createCommandEncoder({ label: 'GpuBackend.run' });
    const pass = encoder.beginComputePass({ label: 'GpuBackend.run.pass' });
    for (const op of ops) {
      (op as GpuOp).kernel.encode(pass);
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
        encoder.copyBufferToBuffer(bufferOf(capture[part.index]), 0, s, part.offset, part.size * 4);
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
  }

  matmul(args: Parameters<Backend['matmul']>[0]): Op {
    return this.op(
      args.label,
      prepareMatmul(this.ctx, {
        ...args,
        a: bufferOf(args.a),
        b: bufferOf(args.b),
        c: bufferOf(args.c),
        bias: args.bias ? bufferOf(args.bias) : undefined,
      }),
    );
  }

  activationBackward(args: Parameters<Backend['activationBackward']>[0]): Op {
    return this.op(
      args.label,
      prepareActivationBackward(this.ctx, {
        ...args,
        y: bufferOf(args.y),
        dy: bufferOf(args.dy),
        dx: bufferOf(args.dx),
      }),
    );
  }

  activation(args: Parameters<Backend['activation']>[0]): Op {
    return this.op(args.label, prepareActivation(this.ctx, { ...args, x: bufferOf(args.x), y: bufferOf(args.y) }));
  }

  im2col(args: Parameters<Backend['im2col']>[0]): Op {
    return this.op(
      args.label,
      prepareIm2col(this.ctx, { ...args, image: bufferOf(args.image), cols: bufferOf(args.cols) }),
    );
  }

  col2im(args: Parameters<Backend['col2im']>[0]): Op {
    return this.op(
      args.label,
      prepareCol2im(this.ctx, {
        ...args,
        cols: bufferOf(args.cols),
        image: bufferOf(args.image),
        bias: args.bias ? bufferOf(args.bias) : undefined,
      }),
    );
  }

  batchNorm(args: Parameters<Backend['batchNorm']>[0]): Op {
    return this.op(
      args.label,
      prepareBatchNormForward(this.ctx, {
        ...args,
        x: bufferOf(args.x),
        gamma: bufferOf(args.gamma),
        beta: bufferOf(args.beta),
        y: bufferOf(args.y),
        mean: bufferOf(args.mean),
        invstd: bufferOf(args.invstd),
        running: args.running
          ? {
              mean: bufferOf(args.running.mean),
              variance: bufferOf(args.running.variance),
              momentum: args.running.momentum,
            }
          : undefined,
      }),
    );
  }

  batchNormEval(args: Parameters<Backend['batchNormEval']>[0]): Op {
    return this.op(
      args.label,
      prepareBatchNormEval(this.ctx, {
        ...args,
        x: bufferOf(args.x),
        gamma: bufferOf(args.gamma),
        beta: bufferOf(args.beta),
        runningMean: bufferOf(args.runningMean),
        runningVar: bufferOf(args.runningVar),
        y: bufferOf(args.y),
      }),
    );
  }

  batchNormBackward(args: Parameters<Backend['batchNormBackward']>[0]): Op {
    return this.op(
      args.label,
      prepareBatchNormBackward(this.ctx, {
        ...args,
        dy: bufferOf(args.dy),
        x: bufferOf(args.x),
        mean: bufferOf(args.mean),
        invstd: bufferOf(args.invstd),
        gamma: bufferOf(args.gamma),
        dx: bufferOf(args.dx),
        dgamma: bufferOf(args.dgamma),
        dbeta: bufferOf(args.dbeta),
      }),
    );
  }

  columnSum(args: Parameters<Backend['columnSum']>[0]): Op {
    return this.op(
      args.label,
      prepareColumnReduce(this.ctx, { ...args, x: bufferOf(args.x), out: bufferOf(args.out) }),
    );
  }

  discriminatorLoss(args: Parameters<Backend['discriminatorLoss']>[0]): Op {
    return this.op(
      args.label,
      prepareDiscriminatorLoss(this.ctx, {
        kind: args.kind,
        real: bufferOf(args.realLogits),
        nReal: args.batch,
        fake: bufferOf(args.fakeLogits),
        nFake: args.batch,
        dReal: bufferOf(args.realGrad),
        dFake: bufferOf(args.fakeGrad),
        stats: bufferOf(args.stats),
        label: args.label,
      }),
    );
  }

  generatorLoss(args: Parameters<Backend['generatorLoss']>[0]): Op {
    return this.op(
      args.label,
      prepareGeneratorLoss(this.ctx, {
        kind: args.kind,
        fake: bufferOf(args.fakeLogits),
        nFake: args.batch,
        dFake: bufferOf(args.fakeGrad),
        stats: bufferOf(args.stats),
        label: args.label,
      }),
    );
  }

  spectralNorm(args: Parameters<Backend['spectralNorm']>[0]): Op {
    // One dispatch for small layers, power iteration + apply otherwise (the launcher picks).
    return this.op(
      args.label,
      prepareSpectralNorm(this.ctx, {
        w: bufferOf(args.w),
        u: bufferOf(args.u),
        v: bufferOf(args.v),
        sigma: bufferOf(args.sigma),
        wBar: bufferOf(args.wBar),
        dOut: args.dOut,
        dIn: args.dIn,
        rounds: args.rounds,
        label: args.label,
      }),
    );
  }

  spectralNormBackward(args: Parameters<Backend['spectralNormBackward']>[0]): Op {
    return this.op(
      args.label,
      prepareSpectralNormBackward(this.ctx, {
        ...args,
        gWbar: bufferOf(args.gWbar),
        wBar: bufferOf(args.wBar),
        u: bufferOf(args.u),
        v: bufferOf(args.v),
        sigma: bufferOf(args.sigma),
        gW: bufferOf(args.gW),
      }),
    );
  }

  weightNorm(args: Parameters<Backend['weightNorm']>[0]): Op {
    return this.op(
      args.label,
      prepareWeightNormForward(this.ctx, {
        ...args,
        w: bufferOf(args.w),
        wBar: bufferOf(args.wBar),
        norms: bufferOf(args.norms),
      }),
    );
  }

  weightNormBackward(args: Parameters<Backend['weightNormBackward']>[0]): Op {
    return this.op(
      args.label,
      prepareWeightNormBackward(this.ctx, {
        ...args,
        gWbar: bufferOf(args.gWbar),
        wBar: bufferOf(args.wBar),
        norms: bufferOf(args.norms),
        gW: bufferOf(args.gW),
      }),
    );
  }

  clip(args: Parameters<Backend['clip']>[0]): Op {
    return this.op(args.label, prepareWeightClip(this.ctx, { ...args, w: bufferOf(args.w) }));
  }

  adamTick(args: Parameters<Backend['adamTick']>[0]): Op {
    return this.op(args.label, prepareAdamTick(this.ctx, { step: bufferOf(args.step), label: args.label }));
  }

  adamUpdate(args: Parameters<Backend['adamUpdate']>[0]): Op {
    return this.op(
      args.label,
      prepareAdamUpdate(this.ctx, {
        ...args,
        param: bufferOf(args.param),
        grad: bufferOf(args.grad),
        m: bufferOf(args.m),
        v: bufferOf(args.v),
        step: bufferOf(args.step),
      }),
    );
  }

  drawTick(args: Parameters<Backend['drawTick']>[0]): Op {
    return this.op(args.label, prepareDrawTick(this.ctx, bufferOf(args.counter), args.label));
  }

  rowSample(args: Parameters<Backend['rowSample']>[0]): Op {
    return this.op(
      args.label,
      prepareRowSample(this.ctx, {
        ...args,
        out: bufferOf(args.out),
        rows: bufferOf(args.rows),
        counter: bufferOf(args.counter),
      }),
    );
  }

  axpby(args: Parameters<Backend['axpby']>[0]): Op {
    return this.op(
      args.label,
      prepareAxpby(this.ctx, { ...args, a: bufferOf(args.a), b: bufferOf(args.b), out: bufferOf(args.out) }),
    );
  }

  uniformDraw(args: Parameters<Backend['uniformDraw']>[0]): Op {
    return this.op(
      args.label,
      prepareUniformDraw(this.ctx, { ...args, out: bufferOf(args.out), counter: bufferOf(args.counter) }),
    );
  }

  mixRows(args: Parameters<Backend['mixRows']>[0]): Op {
    return this.op(
      args.label,
      prepareMixRows(this.ctx, {
        ...args,
        real: bufferOf(args.real),
        fake: bufferOf(args.fake),
        eps: bufferOf(args.eps),
        out: bufferOf(args.out),
      }),
    );
  }

  penaltySeed(args: Parameters<Backend['penaltySeed']>[0]): Op {
    return this.op(
      args.label,
      preparePenaltySeed(this.ctx, {
        ...args,
        grad: bufferOf(args.grad),
        seed: bufferOf(args.seed),
        stats: bufferOf(args.stats),
      }),
    );
  }

  normalDraw(args: Parameters<Backend['normalDraw']>[0]): Op {
    return this.op(
      args.label,
      prepareNormalDraw(this.ctx, { ...args, out: bufferOf(args.out), counter: bufferOf(args.counter) }),
    );
  }

  anchorSample(args: Parameters<Backend['anchorSample']>[0]): Op {
    return this.op(
      args.label,
      prepareAnchorSample(this.ctx, {
        ...args,
        out: bufferOf(args.out),
        anchors: bufferOf(args.anchors),
        counter: bufferOf(args.counter),
      }),
    );
  }
}
