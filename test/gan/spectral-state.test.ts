/**
 * Spectral normalization's persistent state, read back from the backend after each kind of step
 * (design §2, Algorithm 1): one power-iteration round per discriminator update on the RAW W of
 * that update, ũ untouched by the G step and by forward calls (statistics, D on real and generated
 * batches), and σ̃ = ũᵀWṽ for the ũ, ṽ and W it was computed from. These tests read what the
 * device computed and recompute it with the float64 twin, so they do not depend on which ops ran.
 * Both backends; the MLP of the 2-D demo and the paper's CNN at width 1/8.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/engine/backend';
import { CpuBackend } from '../../src/engine/cpu-backend';
import { GpuBackend } from '../../src/engine/gpu-backend';
import { DEFAULT_CNN, DEFAULT_MLP, defaultConfig, SETTINGS, type TrainerConfig } from '../../src/gan/config';
import { GanTrainer } from '../../src/gan/trainer';
import { Rng } from '../../src/reference/random';
import { spectralNormPowerIteration } from '../../src/reference/spectral-norm';
import { expectClose, testGpu } from '../helpers/gpu';

/** One SN layer's state as the backend holds it. */
interface SnLayerState {
  name: string;
  dOut: number;
  dIn: number;
  W: Float32Array;
  wBar: Float32Array;
  u: Float32Array;
  v: Float32Array;
  sigma: number;
}

async function snState(trainer: GanTrainer): Promise<SnLayerState[]> {
  await trainer.statsSettled();
  const sn = trainer.variants.find((v) => v.name === 'sn')!;
  const read = (t: Parameters<Backend['read']>[0]) => trainer.backend.read(t);
  return Promise.all(
    sn.normalized.map(async (n) => {
      const s = n.spectral!;
      const [W, wBar, u, v, sigma] = await Promise.all([
        read(n.layer.w),
        read(n.wBar),
        read(s.u),
        read(s.v),
        read(s.sigma),
      ]);
      return { name: n.layer.name, dOut: n.layer.dOut, dIn: n.layer.dIn, W, wBar, u, v, sigma: sigma[0] };
    }),
  );
}

/** What one D update's `rounds` of Algorithm 1 on the raw W make of the state before it. */
function twinRounds(before: SnLayerState, W: Float32Array, rounds: number) {
  return spectralNormPowerIteration(W, before.u, before.v, before.dOut, before.dIn, rounds);
}

/**
 * Float32 storage against the float64 twin: ~1e-7 relative per operation over sums of ≤ 2,048
 * terms; the vectors are unit length. An extra round, a round on W̄ or on another update's W moves
 * ũ by ≥ 1e-4 in these runs (the tests below start from a cold ũ and train with α = 1e-3).
 */
const VECTOR_TOL = { atol: 2e-6, rtol: 1e-4 };
const SIGMA_TOL = { atol: 0, rtol: 1e-5 };

function expectOneRound(label: string, before: SnLayerState[], W: Float32Array[], after: SnLayerState[], rounds = 1) {
  after.forEach((a, l) => {
    const want = twinRounds(before[l], W[l], rounds);
    expectClose(`${label}.${a.name}.u`, a.u, want.u, VECTOR_TOL);
    expectClose(`${label}.${a.name}.v`, a.v, want.v, VECTOR_TOL);
    expectClose(`${label}.${a.name}.sigma`, [a.sigma], [want.sigma], SIGMA_TOL);
    // W̄ = W/σ̃ for the W the round ran on (before this update's optimizer step).
    expectClose(
      `${label}.${a.name}.wBar`,
      a.wBar,
      Float64Array.from(W[l], (w) => w / a.sigma),
      {
        atol: 1e-7,
        rtol: 1e-6,
      },
    );
  });
}

/** "" when bit-identical, else how many entries moved and by how much at most. */
function moved(after: Float32Array, before: Float32Array): string {
  let count = 0;
  let largest = 0;
  after.forEach((x, i) => {
    if (!Object.is(x, before[i])) count++;
    largest = Math.max(largest, Math.abs(x - before[i]));
  });
  return count === 0 ? '' : `${count} of ${after.length} entries moved, max |Δ| ${largest.toExponential(2)}`;
}

function expectUntouched(label: string, before: SnLayerState[], after: SnLayerState[]) {
  after.forEach((a, l) => {
    expect(moved(a.u, before[l].u), `${label}: ${a.name} ũ bit-identical`).toBe('');
    expect(moved(a.v, before[l].v), `${label}: ${a.name} ṽ bit-identical`).toBe('');
  });
}

type MakeBackend = () => Promise<Backend>;
const BACKENDS: [string, MakeBackend][] = [
  ['webgpu', async () => new GpuBackend(await testGpu())],
  ['cpu', () => Promise.resolve(new CpuBackend())],
];

function mlpConfig(nDis: number, overrides: Partial<TrainerConfig> = {}): TrainerConfig {
  return defaultConfig({
    model: { ...DEFAULT_MLP, generatorHidden: [32, 32], discriminatorHidden: [32, 32] },
    variants: ['sn', 'none'],
    adam: { ...SETTINGS.D, nDis },
    batch: 64,
    evalSamples: 256,
    statsEvery: 1000,
    ...overrides,
  });
}

const CNN_IMAGE = 32 * 32;
function cnnConfig(nDis: number): TrainerConfig {
  return defaultConfig({
    model: { ...DEFAULT_CNN, width: 1 / 8 },
    data: 'mnist',
    variants: ['sn'],
    adam: { ...SETTINGS.D, nDis },
    batch: 4,
    evalSamples: 4,
    statsEvery: 1000,
    spectraEvery: 0,
  });
}
/** Stand-in digits: the state accounting does not depend on what the images show. */
function cnnImages() {
  const count = 16;
  return { images: new Rng(7).uniformArray(count * CNN_IMAGE, -1, 1), count, size: CNN_IMAGE };
}

/**
 * Runs `updates` D-only steps of an n_dis = 1 trainer, checking each against one twin round on
 * the W read before it, then one D-only step of an n_dis = `updates` trainer from the same start,
 * checked against the same sequence of W.
 */
async function checkDiscriminatorUpdates(label: string, make: (nDis: number) => Promise<GanTrainer>, updates: number) {
  const one = await make(1);
  const start = await snState(one);
  const Ws: Float32Array[][] = [];
  let before = start;
  for (let i = 0; i < updates; i++) {
    await one.step({ phase: 'D' });
    const after = await snState(one);
    const W = before.map((s) => s.W);
    expectOneRound(`${label}.update${i}`, before, W, after);
    Ws.push(W);
    before = after;
  }
  const many = await make(updates);
  expectUntouched(`${label}: both trainers start from the same ũ`, start, await snState(many));
  await many.step({ phase: 'D' });
  const whole = await snState(many);
  whole.forEach((s, l) => {
    // Same draws and updates as the one-at-a-time run: the same W after the last update.
    expectClose(`${label}.nDis${updates}.${s.name}.W`, s.W, before[l].W, { atol: 1e-6, rtol: 1e-5 });
    let state = start[l];
    for (const W of Ws) {
      const r = twinRounds(state, W[l], 1);
      state = { ...state, u: Float32Array.from(r.u), v: Float32Array.from(r.v), sigma: r.sigma };
    }
    expectClose(`${label}.nDis${updates}.${s.name}.u`, s.u, state.u, VECTOR_TOL);
    expectClose(`${label}.nDis${updates}.${s.name}.sigma`, [s.sigma], [state.sigma], SIGMA_TOL);
  });
}

/** A D-only step then a G-only step: the G step leaves ũ, ṽ and W bit-identical, refreshes σ̃ and W̄. */
async function checkGeneratorStep(label: string, trainer: GanTrainer) {
  await trainer.step({ phase: 'D' });
  const before = await snState(trainer);
  await trainer.step({ phase: 'G' });
  const after = await snState(trainer);
  expectUntouched(`${label}: G step`, before, after);
  after.forEach((a, l) => {
    expect(moved(a.W, before[l].W), `${label}: G step leaves D's ${a.name} W`).toBe('');
    // σ̃ = ũᵀWṽ for the W the D updates left (zero rounds), and W̄ = W/σ̃.
    expectClose(`${label}.G.${a.name}.sigma`, [a.sigma], [twinRounds(a, a.W, 0).sigma], SIGMA_TOL);
    expectClose(
      `${label}.G.${a.name}.wBar`,
      a.wBar,
      Float64Array.from(a.W, (w) => w / a.sigma),
      {
        atol: 1e-7,
        rtol: 1e-6,
      },
    );
  });
  return after;
}

/** The statistics ops (G on the evaluation noise, D and ∇ₓD on real and generated batches) alone. */
async function checkForwardCalls(label: string, trainer: GanTrainer) {
  const before = await snState(trainer);
  const sn = trainer.variants.find((v) => v.name === 'sn')!;
  await trainer.backend.run(sn.statsOps);
  await trainer.backend.run(sn.statsOps);
  const after = await snState(trainer);
  expectUntouched(`${label}: statistics forward calls`, before, after);
  after.forEach((a, l) => {
    expect(a.sigma, `${label}: ${a.name} σ̃ after forward calls`).toBe(before[l].sigma);
    expect(moved(a.wBar, before[l].wBar), `${label}: ${a.name} W̄ after forward calls`).toBe('');
  });
}

describe.each(BACKENDS)('spectral normalization state read back (%s)', (kind, backend) => {
  const mlp = async (nDis: number, overrides: Partial<TrainerConfig> = {}) =>
    new GanTrainer(await backend(), mlpConfig(nDis, overrides));

  // Cold (a random ũ: every round moves it far) and after 15 warm-up rounds (W̄ is then W/σ̃, so a
  // round run on the previous update's W̄ differs from one on this update's W only by that update).
  it.each([0, 15])(
    'each D update advances ũ by exactly one Algorithm 1 round on that update’s raw W; an n_dis = 3 step by three (warm-up %i)',
    async (snWarmup) => {
      await checkDiscriminatorUpdates(`${kind}.mlp.warmup${snWarmup}`, (nDis) => mlp(nDis, { snWarmup }), 3);
    },
  );

  it('the G step leaves ũ, ṽ bit-identical and sets σ̃ = ũᵀWṽ on the current W; σ̃ reported = σ̃ read back', async () => {
    const trainer = await mlp(2, { statsEvery: 1 });
    await trainer.train(2);
    const after = await checkGeneratorStep(`${kind}.mlp`, trainer);
    // The G step captured statistics (statsEvery 1): the σ̃ it reported is the one on the device.
    const reported = trainer.metrics.filter((m) => m.variant === 'sn' && m.step === trainer.steps);
    expect(reported.length).toBe(1);
    expect(reported[0].sigma).toEqual(after.map((a) => a.sigma));
  });

  it('statistics capture and D on real and generated batches do not move ũ', async () => {
    const trainer = await mlp(2);
    await trainer.train(2);
    await checkForwardCalls(`${kind}.mlp`, trainer);
    // Capturing on every step or almost never: the same ũ after the same steps.
    const always = await mlp(2, { statsEvery: 1 });
    await always.train(3);
    const rarely = await mlp(2);
    await rarely.train(3);
    expectUntouched(`${kind}: capture every step vs once`, await snState(rarely), await snState(always));
  });
});

describe.each(BACKENDS)(
  'spectral normalization state of the paper CNN’s conv layers, width 1/8 (%s)',
  (kind, backend) => {
    const cnn = async (nDis: number) => new GanTrainer(await backend(), cnnConfig(nDis), cnnImages());

    it('one round per D update on the raw W, none in the G step or in forward calls', async () => {
      await checkDiscriminatorUpdates(`${kind}.cnn`, cnn, 2);
      const trainer = await cnn(1);
      await trainer.train(1);
      await checkGeneratorStep(`${kind}.cnn`, trainer);
      await checkForwardCalls(`${kind}.cnn`, trainer);
    });
  },
);
