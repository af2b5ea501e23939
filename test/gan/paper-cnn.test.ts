/**
 * The paper's standard CNN (src/nn/paper-cnn.ts) at width 1/8 on 32×32×1 images, batch 4:
 * one discriminator update and one generator backward on the WebGPU backend against the same on
 * the CPU backend (float64 twins, float32 storage) from identical initial weights; and the CPU
 * backend's whole-network gradients against central finite differences of its loss.
 */
import { describe, expect, it } from 'vitest';
import type { Backend, Op, Tensor } from '../../src/engine/backend';
import { CpuBackend } from '../../src/engine/cpu-backend';
import { GpuBackend } from '../../src/engine/gpu-backend';
import type { VariantName } from '../../src/gan/config';
import { normalizeWeight, type NormalizedWeight } from '../../src/gan/normalization';
import { BatchNorm } from '../../src/nn/batch-norm';
import type { WeightLayer } from '../../src/nn/layer';
import {
  initPaperCnn,
  PAPER_CNN,
  type CnnInitScheme,
  PaperCnn,
  type PaperCnnInit,
  type PaperCnnSpec,
} from '../../src/nn/paper-cnn';
import { discriminatorLoss, generatorLoss } from '../../src/reference/loss';
import { Rng } from '../../src/reference/random';
import { expectClose, testGpu } from '../helpers/gpu';

const SPEC: PaperCnnSpec = { ...PAPER_CNN, channels: 1, width: 1 / 8 };
const BATCH = 4;
const SEED = 5;

interface Inputs {
  init: PaperCnnInit;
  z: Float32Array;
  real: Float32Array;
}

function inputs(scheme: CnnInitScheme = 'chainer'): Inputs {
  const rng = new Rng(SEED + 100);
  const n = SPEC.size * SPEC.size * SPEC.channels;
  return {
    init: initPaperCnn(SPEC, SEED, scheme),
    z: rng.normalArray(BATCH * SPEC.noiseDim),
    real: rng.uniformArray(BATCH * n, -1, 1),
  };
}

/** One GAN on one backend with the trainer's op lists for a D update and for G's backward. */
class Harness {
  readonly model: PaperCnn;
  readonly normalized: NormalizedWeight[];
  readonly z: Tensor;
  readonly real: Tensor;
  readonly fakeGrad: Tensor;
  readonly statsD: Tensor;
  readonly statsG: Tensor;
  readonly gTrace;
  readonly dReal;
  readonly dFake;
  /** G forward, (SN power iteration,) D on the real and the fake batch, D loss, D backward. */
  readonly dStep: Op[];
  /** G loss on the same fake logits, D backward to its input (no weight grads), G backward. */
  readonly gStep: Op[];
  /** G and D forward only (for finite differences). */
  readonly forward: Op[];

  constructor(
    readonly backend: Backend,
    variant: VariantName,
    x: Inputs,
  ) {
    this.model = new PaperCnn(backend, variant, SPEC, x.init);
    this.normalized = this.model.normalizable.map((layer, i) =>
      normalizeWeight(backend, variant, layer, { snRounds: 1, clip: 0.01, orthoBeta: 1e-4, seed: SEED * 1000 + i }),
    );
    const wBars = this.normalized.map((n) => n.wBar);
    const gWbars = this.normalized.map((n) => n.gWbar);
    this.z = backend.tensor('z', x.z.length, x.z);
    this.real = backend.tensor('real', x.real.length, x.real);
    this.fakeGrad = backend.tensor('fakeGrad', x.real.length);
    this.statsD = backend.tensor('statsD', 3);
    this.statsG = backend.tensor('statsG', 3);
    this.gTrace = this.model.generatorTrace('train', this.z, BATCH, { outputGrad: this.fakeGrad });
    this.dReal = this.model.discriminatorTrace('real', this.real, BATCH, { weights: wBars });
    this.dFake = this.model.discriminatorTrace('fake', this.gTrace.output, BATCH, {
      weights: wBars,
      inputGrad: this.fakeGrad,
    });
    this.forward = [...this.gTrace.forward(), ...this.dReal.forward(), ...this.dFake.forward()];
    this.dStep = [
      ...this.gTrace.forward(),
      ...this.normalized.flatMap((n) => n.perUpdate()),
      ...this.dReal.forward(),
      ...this.dFake.forward(),
      backend.discriminatorLoss({
        kind: 'standard',
        realLogits: this.dReal.output,
        fakeLogits: this.dFake.output,
        realGrad: this.dReal.outputGrad,
        fakeGrad: this.dFake.outputGrad,
        stats: this.statsD,
        batch: BATCH,
        label: 'lossD',
      }),
      ...this.dReal.backward({ label: 'backwardD', weightGrads: 'write', inputGrad: true, weightGradTargets: gWbars }),
      ...this.dFake.backward({
        label: 'backwardD',
        weightGrads: 'accumulate',
        inputGrad: true,
        weightGradTargets: gWbars,
      }),
      ...this.normalized.flatMap((n) => n.backward()),
    ];
    this.gStep = [
      backend.generatorLoss({
        kind: 'standard',
        fakeLogits: this.dFake.output,
        fakeGrad: this.dFake.outputGrad,
        stats: this.statsG,
        batch: BATCH,
        label: 'lossG',
      }),
      ...this.dFake.backward({ label: 'backwardG', weightGrads: 'none', inputGrad: true }),
      ...this.gTrace.backward({ label: 'backwardG', weightGrads: 'write', inputGrad: false }),
    ];
  }

  /** Everything the D update produces, by a backend-independent name. */
  afterD(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    const add = (name: string, t: Tensor | undefined) => t && out.set(name, t);
    this.gTrace.traces.forEach((t, i) => add(`G.train.out${i}`, t.output));
    this.dReal.traces.forEach((t, i) => add(`D.real.out${i}`, t.output));
    this.dFake.traces.forEach((t, i) => add(`D.fake.out${i}`, t.output));
    add('statsD', this.statsD);
    this.model.normalizable.forEach((l, i) => {
      add(`D.layer${i}.gW`, l.gW);
      add(`D.layer${i}.gB`, l.gB);
      const n = this.normalized[i];
      if (n.kind !== 'none') add(`D.layer${i}.gWbar`, n.gWbar);
      if (n.spectral) {
        add(`D.layer${i}.sigma`, n.spectral.sigma);
        add(`D.layer${i}.u`, n.spectral.u);
        add(`D.layer${i}.v`, n.spectral.v);
        add(`D.layer${i}.wBar`, n.wBar);
      }
    });
    add('D.real.inputGrad', this.dReal.inputGrad);
    add('D.fake.inputGrad (∂L_D/∂G(z))', this.fakeGrad);
    for (const l of this.model.generator.layers) {
      if (l instanceof BatchNorm) {
        add(`${l.name}.runningMean`, l.runningMean);
        add(`${l.name}.runningVar`, l.runningVar);
      }
    }
    return out;
  }

  /** Everything G's backward produces. */
  afterG(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    out.set('statsG', this.statsG);
    out.set('D.fake.inputGrad (∂L_G/∂G(z))', this.fakeGrad);
    for (const l of this.model.generator.layers) {
      for (const p of l.params()) out.set(p.grad.label.replace(/^[^.]+\./, ''), p.grad);
    }
    return out;
  }
}

async function readAll(backend: Backend, tensors: Map<string, Tensor>): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, t] of tensors) out.set(name, await backend.read(t));
  return out;
}

async function runBoth(h: Harness): Promise<{ d: Map<string, Float32Array>; g: Map<string, Float32Array> }> {
  await h.backend.run(h.dStep);
  const d = await readAll(h.backend, h.afterD());
  await h.backend.run(h.gStep);
  const g = await readAll(h.backend, h.afterG());
  return { d, g };
}

/** Mean wall time of `reps` runs of the D update plus G's backward (after one warm-up run). */
async function timeStep(h: Harness, reps: number): Promise<number> {
  const ops = [...h.dStep, ...h.gStep];
  await h.backend.run(ops, [h.statsG]);
  const start = performance.now();
  for (let i = 0; i < reps; i++) await h.backend.run(ops, [h.statsG]);
  return (performance.now() - start) / reps;
}

// Tolerance, relative to each tensor's largest magnitude S: |gpu − cpu| ≤ 1e-4·S.
// Both sides hold float32 values; the CPU side computes each op in float64 from them, the GPU in
// float32, so each op adds ~√k·u relative error (u = 2^-24, k terms per sum: at most 4·32·32 =
// 4096 for the first conv's ∂W, 1024 for D's dense layer and G's last deconv's ∂W) — ~1e-6 of
// S per op, and some tens of ops between the input and D's first-layer gradient (G forward, D
// forward, D backward through 8 layers, SN's power iteration and backward; for G's gradients also
// four batch-norm backwards, whose dx = γ·invstd·(dy − mean dy − x̂·mean(dy·x̂)) cancels). Kinks
// (LeakyReLU, ReLU) are only crossed with probability ~1e-6 per element. The largest difference
// seen is 2.8e-6·S (G's dense ∂W, at the end of the longest chain; most tensors ≤ 1e-6·S; all
// logged in test-artifacts/kernel-errors.jsonl), so 1e-4·S leaves ~35× headroom; a wrong index
// moves an element by a whole term, of order S.
const REL = 1e-4;

// Finite differences of the CPU backend's loss: its logits are float32 (~3e-3 at the PyTorch
// init, so ~1e-10 absolute noise in the loss per evaluation) and the ReLU / LeakyReLU kinks make
// the loss only piecewise smooth, so a central difference is good to a few 1e-3 of the tensor's
// largest gradient S (largest error seen: 5e-3·S, on entries whose gradient is ~1e-2·S; the
// largest entries agree to ≤ 4e-3 of themselves). Tolerance 1e-2·S + 1e-2·|fd|: a wrong index
// or a missing term moves an entry by O(S).
const FD_TOL = 1e-2;

function compare(prefix: string, got: Map<string, Float32Array>, want: Map<string, Float32Array>): number {
  let worst = 0;
  expect([...got.keys()]).toEqual([...want.keys()]);
  for (const [name, w] of want) {
    const g = got.get(name)!;
    const scale = w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(scale, `${name} is all zeros`).toBeGreaterThan(0);
    const { maxAbs } = expectClose(`${prefix}.${name}`, g, w, { atol: REL * scale, rtol: 0 });
    worst = Math.max(worst, maxAbs / scale);
  }
  return worst;
}

describe('paper CNN (width 1/8, 32×32×1, batch 4)', () => {
  it('has the paper’s shapes: D layer matrices Cout × Cin·kh·kw, G 4×4 → 32×32', () => {
    const h = new Harness(new CpuBackend(), 'none', inputs());
    const d = h.model.normalizable.map((l: WeightLayer) => [l.dOut, l.dIn]);
    expect(d).toEqual([
      [8, 9],
      [8, 128],
      [16, 72],
      [16, 256],
      [32, 144],
      [32, 512],
      [64, 288],
      [1, 1024],
    ]);
    expect(h.model.generator.layers.map((l) => [l.name, l.outputSize])).toEqual([
      ['none.G.dense', 1024],
      ['none.G.bn0', 1024],
      ['none.G.deconv1', 8 * 8 * 32],
      ['none.G.bn1', 8 * 8 * 32],
      ['none.G.deconv2', 16 * 16 * 16],
      ['none.G.bn2', 16 * 16 * 16],
      ['none.G.deconv3', 32 * 32 * 8],
      ['none.G.bn3', 32 * 32 * 8],
      ['none.G.out', 32 * 32],
    ]);
  });

  it('GPU and CPU backends agree on a whole D update (SN) and G backward: outputs, gradients, σ̃, BN running stats', async () => {
    const x = inputs();
    const gpu = new Harness(new GpuBackend(await testGpu()), 'sn', x);
    const cpu = new Harness(new CpuBackend(), 'sn', x);
    const g = await runBoth(gpu);
    const c = await runBoth(cpu);
    const worstD = compare('paperCnn.gpuVsCpu', g.d, c.d);
    const worstG = compare('paperCnn.gpuVsCpu', g.g, c.g);
    console.log(
      `paper CNN 1/8 GPU vs CPU: largest |diff|/max|value| ${worstD.toExponential(2)} (D update), ` +
        `${worstG.toExponential(2)} (G backward)`,
    );
    const gpuMs = await timeStep(gpu, 5);
    const cpuMs = await timeStep(cpu, 3);
    console.log(
      `paper CNN 1/8, batch ${BATCH}, one D update + G backward: ${gpuMs.toFixed(1)} ms on ` +
        `${gpu.backend.description}, ${cpuMs.toFixed(1)} ms on the CPU backend`,
    );
  });

  it('CPU backend: whole-network gradients match central finite differences of its loss', async () => {
    // PyTorch's initialization: with the paper code's N(0, 0.02²) and no normalization, D's
    // activations shrink to ~1e-6 by its last layers, so any finite step crosses LeakyReLU kinks.
    const h = new Harness(new CpuBackend(), 'none', inputs('pytorch'));
    await h.backend.run(h.dStep);
    const dGrads = await readAll(h.backend, h.afterD());
    await h.backend.run(h.gStep);
    const gGrads = await readAll(h.backend, h.afterG());
    // The losses in float64 from the logits the backend computes (its stats tensor rounds the
    // loss to float32, which would swamp the differences).
    const lossD = async () => {
      const [r, f] = await h.backend.run(h.forward, [h.dReal.output, h.dFake.output]);
      return discriminatorLoss('standard', r, f).loss;
    };
    const lossG = async () => {
      const [f] = await h.backend.run(h.forward, [h.dFake.output]);
      return generatorLoss('standard', f).loss;
    };
    const layer = (name: string) => {
      const all = [...h.model.discriminator.layers, ...h.model.generator.layers];
      return all.find((l) => l.name === name)!;
    };
    const d = (name: string) => layer(`none.D.${name}`) as WeightLayer;
    const g = (name: string) => layer(`none.G.${name}`);
    const bn = (name: string) => g(name) as BatchNorm;
    // step: the central-difference step, 1e-3 of the tensor's rms (at least 1e-4) unless given.
    // LeakyReLU / ReLU kinks make the losses only piecewise smooth: a step that moves a
    // pre-activation across 0 bends the difference. A weight moves pre-activations by step·input,
    // tiny this deep in D; a conv bias moves all of its channel's by the full step, and D's
    // pre-activations there are ~5e-3 at this init, so its step is 1e-5 (float32 logits still
    // resolve the change to ~1e-3).
    const probes: {
      name: string;
      param: Tensor;
      grad: Float32Array;
      loss: () => Promise<number>;
      step?: number;
    }[] = [
      { name: 'D.layer3.w (conv4×4 s2)', param: d('layer3').w, grad: dGrads.get('D.layer3.gW')!, loss: lossD },
      { name: 'D.layer5.w (conv4×4 s2)', param: d('layer5').w, grad: dGrads.get('D.layer5.gW')!, loss: lossD },
      { name: 'D.layer6.b', param: d('layer6').b!, grad: dGrads.get('D.layer6.gB')!, loss: lossD, step: 1e-5 },
      { name: 'D.layer7.w (dense)', param: d('layer7').w, grad: dGrads.get('D.layer7.gW')!, loss: lossD },
      { name: 'G.dense.w', param: (g('dense') as WeightLayer).w, grad: gGrads.get('G.dense.gW')!, loss: lossG },
      { name: 'G.bn0.gamma', param: bn('bn0').gamma, grad: gGrads.get('G.bn0.gGamma')!, loss: lossG },
      { name: 'G.deconv2.w', param: (g('deconv2') as WeightLayer).w, grad: gGrads.get('G.deconv2.gW')!, loss: lossG },
      { name: 'G.bn2.gamma', param: bn('bn2').gamma, grad: gGrads.get('G.bn2.gGamma')!, loss: lossG },
      { name: 'G.out.w', param: (g('out') as WeightLayer).w, grad: gGrads.get('G.out.gW')!, loss: lossG },
    ];
    const rng = new Rng(SEED + 200);
    const results: { label: string; got: number; fd: number; scale: number }[] = [];
    for (const p of probes) {
      const values = await h.backend.read(p.param);
      const rms = Math.sqrt(values.reduce((a, v) => a + v * v, 0) / values.length);
      // Two entries per tensor: the one with the largest gradient, and one at random.
      let top = 0;
      for (let i = 1; i < p.grad.length; i++) if (Math.abs(p.grad[i]) > Math.abs(p.grad[top])) top = i;
      const scale = Math.abs(p.grad[top]);
      for (const i of [top, Math.floor(rng.uniform() * values.length)]) {
        const step = p.step ?? 1e-3 * Math.max(rms, 0.1);
        const at = async (v: number) => {
          const copy = values.slice();
          copy[i] = v;
          h.backend.write(p.param, copy);
          return p.loss();
        };
        const plus = await at(values[i] + step);
        const minus = await at(values[i] - step);
        h.backend.write(p.param, values);
        // The step actually taken is the float32 difference.
        const fd = (plus - minus) / (Math.fround(values[i] + step) - Math.fround(values[i] - step));
        results.push({ label: `paperCnn.fd.${p.name}[${i}]`, got: p.grad[i], fd, scale });
      }
    }
    console.log(results.map((r) => `${r.label}: ${r.got.toExponential(4)} vs FD ${r.fd.toExponential(4)}`).join('\n'));
    for (const r of results) expectClose(r.label, [r.got], [r.fd], { atol: FD_TOL * r.scale, rtol: FD_TOL });
  });
});
