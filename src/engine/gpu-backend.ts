/**
 * The WebGPU backend: each op is a kernel prepared once (pipeline, bind group, uniforms), and
 * `run` records them into one compute pass and submits once. Captured tensors are copied into
 * MAP_READ staging buffers in the same command buffer and mapped asynchronously; staging buffers
 * are pooled, so steady-state training allocates nothing.
 */
import { describeAdapter, type GpuContext } from '../gpu/device';
import type { Kernel } from '../gpu/kernel';
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
import {
  prepareSpectralNormApply,
  prepareSpectralNormBackward,
  prepareSpectralNormPowerIteration,
} from '../gpu/kernels/spectral-norm';
import { sequence } from '../gpu/kernel';
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

  matmul(a: Parameters<Backend['matmul']>[0]): Op {
    return this.op(
      a.label,
      prepareMatmul(this.ctx, {
        ...a,
        a: bufferOf(a.a),
        b: bufferOf(a.b),
        c: bufferOf(a.c),
        bias: a.bias ? bufferOf(a.bias) : undefined,
      }),
    );
  }

  activationBackward(a: Parameters<Backend['activationBackward']>[0]): Op {
    return this.op(
      a.label,
      prepareActivationBackward(this.ctx, { ...a, y: bufferOf(a.y), dy: bufferOf(a.dy), dx: bufferOf(a.dx) }),
    );
  }

  activation(a: Parameters<Backend['activation']>[0]): Op {
    return this.op(a.label, prepareActivation(this.ctx, { ...a, x: bufferOf(a.x), y: bufferOf(a.y) }));
  }

  im2col(a: Parameters<Backend['im2col']>[0]): Op {
    return this.op(a.label, prepareIm2col(this.ctx, { ...a, image: bufferOf(a.image), cols: bufferOf(a.cols) }));
  }

  col2im(a: Parameters<Backend['col2im']>[0]): Op {
    return this.op(
      a.label,
      prepareCol2im(this.ctx, {
        ...a,
        cols: bufferOf(a.cols),
        image: bufferOf(a.image),
        bias: a.bias ? bufferOf(a.bias) : undefined,
      }),
    );
  }

  batchNorm(a: Parameters<Backend['batchNorm']>[0]): Op {
    return this.op(
      a.label,
      prepareBatchNormForward(this.ctx, {
        ...a,
        x: bufferOf(a.x),
        gamma: bufferOf(a.gamma),
        beta: bufferOf(a.beta),
        y: bufferOf(a.y),
        mean: bufferOf(a.mean),
        invstd: bufferOf(a.invstd),
        running: a.running
          ? { mean: bufferOf(a.running.mean), variance: bufferOf(a.running.variance), momentum: a.running.momentum }
          : undefined,
      }),
    );
  }

  batchNormEval(a: Parameters<Backend['batchNormEval']>[0]): Op {
    return this.op(
      a.label,
      prepareBatchNormEval(this.ctx, {
        ...a,
        x: bufferOf(a.x),
        gamma: bufferOf(a.gamma),
        beta: bufferOf(a.beta),
        runningMean: bufferOf(a.runningMean),
        runningVar: bufferOf(a.runningVar),
        y: bufferOf(a.y),
      }),
    );
  }

  batchNormBackward(a: Parameters<Backend['batchNormBackward']>[0]): Op {
    return this.op(
      a.label,
      prepareBatchNormBackward(this.ctx, {
        ...a,
        dy: bufferOf(a.dy),
        x: bufferOf(a.x),
        mean: bufferOf(a.mean),
        invstd: bufferOf(a.invstd),
        gamma: bufferOf(a.gamma),
        dx: bufferOf(a.dx),
        dgamma: bufferOf(a.dgamma),
        dbeta: bufferOf(a.dbeta),
      }),
    );
  }

  columnSum(a: Parameters<Backend['columnSum']>[0]): Op {
    return this.op(a.label, prepareColumnReduce(this.ctx, { ...a, x: bufferOf(a.x), out: bufferOf(a.out) }));
  }

  discriminatorLoss(a: Parameters<Backend['discriminatorLoss']>[0]): Op {
    return this.op(
      a.label,
      prepareDiscriminatorLoss(this.ctx, {
        kind: a.kind,
        real: bufferOf(a.realLogits),
        nReal: a.batch,
        fake: bufferOf(a.fakeLogits),
        nFake: a.batch,
        dReal: bufferOf(a.realGrad),
        dFake: bufferOf(a.fakeGrad),
        stats: bufferOf(a.stats),
        label: a.label,
      }),
    );
  }

  generatorLoss(a: Parameters<Backend['generatorLoss']>[0]): Op {
    return this.op(
      a.label,
      prepareGeneratorLoss(this.ctx, {
        kind: a.kind,
        fake: bufferOf(a.fakeLogits),
        nFake: a.batch,
        dFake: bufferOf(a.fakeGrad),
        stats: bufferOf(a.stats),
        label: a.label,
      }),
    );
  }

  spectralNorm(a: Parameters<Backend['spectralNorm']>[0]): Op {
    const common = {
      w: bufferOf(a.w),
      u: bufferOf(a.u),
      v: bufferOf(a.v),
      sigma: bufferOf(a.sigma),
      dOut: a.dOut,
      dIn: a.dIn,
    };
    return this.op(
      a.label,
      sequence(a.label, [
        prepareSpectralNormPowerIteration(this.ctx, { ...common, rounds: a.rounds, label: `${a.label}.power` }),
        prepareSpectralNormApply(this.ctx, {
          w: common.w,
          sigma: common.sigma,
          wBar: bufferOf(a.wBar),
          n: a.dOut * a.dIn,
          label: `${a.label}.apply`,
        }),
      ]),
    );
  }

  spectralNormBackward(a: Parameters<Backend['spectralNormBackward']>[0]): Op {
    return this.op(
      a.label,
      prepareSpectralNormBackward(this.ctx, {
        ...a,
        gWbar: bufferOf(a.gWbar),
        wBar: bufferOf(a.wBar),
        u: bufferOf(a.u),
        v: bufferOf(a.v),
        sigma: bufferOf(a.sigma),
        gW: bufferOf(a.gW),
      }),
    );
  }

  weightNorm(a: Parameters<Backend['weightNorm']>[0]): Op {
    return this.op(
      a.label,
      prepareWeightNormForward(this.ctx, { ...a, w: bufferOf(a.w), wBar: bufferOf(a.wBar), norms: bufferOf(a.norms) }),
    );
  }

  weightNormBackward(a: Parameters<Backend['weightNormBackward']>[0]): Op {
    return this.op(
      a.label,
      prepareWeightNormBackward(this.ctx, {
        ...a,
        gWbar: bufferOf(a.gWbar),
        wBar: bufferOf(a.wBar),
        norms: bufferOf(a.norms),
        gW: bufferOf(a.gW),
      }),
    );
  }

  clip(a: Parameters<Backend['clip']>[0]): Op {
    return this.op(a.label, prepareWeightClip(this.ctx, { ...a, w: bufferOf(a.w) }));
  }

  adamTick(a: Parameters<Backend['adamTick']>[0]): Op {
    return this.op(a.label, prepareAdamTick(this.ctx, { step: bufferOf(a.step), label: a.label }));
  }

  adamUpdate(a: Parameters<Backend['adamUpdate']>[0]): Op {
    return this.op(
      a.label,
      prepareAdamUpdate(this.ctx, {
        ...a,
        param: bufferOf(a.param),
        grad: bufferOf(a.grad),
        m: bufferOf(a.m),
        v: bufferOf(a.v),
        step: bufferOf(a.step),
      }),
    );
  }

  drawTick(a: Parameters<Backend['drawTick']>[0]): Op {
    return this.op(a.label, prepareDrawTick(this.ctx, bufferOf(a.counter), a.label));
  }

  rowSample(a: Parameters<Backend['rowSample']>[0]): Op {
    return this.op(
      a.label,
      prepareRowSample(this.ctx, { ...a, out: bufferOf(a.out), rows: bufferOf(a.rows), counter: bufferOf(a.counter) }),
    );
  }

  axpby(a: Parameters<Backend['axpby']>[0]): Op {
    return this.op(a.label, prepareAxpby(this.ctx, { ...a, a: bufferOf(a.a), b: bufferOf(a.b), out: bufferOf(a.out) }));
  }

  uniformDraw(a: Parameters<Backend['uniformDraw']>[0]): Op {
    return this.op(a.label, prepareUniformDraw(this.ctx, { ...a, out: bufferOf(a.out), counter: bufferOf(a.counter) }));
  }

  mixRows(a: Parameters<Backend['mixRows']>[0]): Op {
    return this.op(
      a.label,
      prepareMixRows(this.ctx, {
        ...a,
        real: bufferOf(a.real),
        fake: bufferOf(a.fake),
        eps: bufferOf(a.eps),
        out: bufferOf(a.out),
      }),
    );
  }

  penaltySeed(a: Parameters<Backend['penaltySeed']>[0]): Op {
    return this.op(
      a.label,
      preparePenaltySeed(this.ctx, { ...a, grad: bufferOf(a.grad), seed: bufferOf(a.seed), stats: bufferOf(a.stats) }),
    );
  }

  normalDraw(a: Parameters<Backend['normalDraw']>[0]): Op {
    return this.op(a.label, prepareNormalDraw(this.ctx, { ...a, out: bufferOf(a.out), counter: bufferOf(a.counter) }));
  }

  anchorSample(a: Parameters<Backend['anchorSample']>[0]): Op {
    return this.op(
      a.label,
      prepareAnchorSample(this.ctx, {
        ...a,
        out: bufferOf(a.out),
        anchors: bufferOf(a.anchors),
        counter: bufferOf(a.counter),
      }),
    );
  }
}
