/**
 * The dispatch counter behind `npm run bench -- dispatches`, on a real WebGPU device: a step is
 * one submit of one pass, a variant adds dispatches, counts repeat exactly, and counting dry (never
 * submitting) gives what really submitting gives. A small 2-D model keeps it quick on SwiftShader.
 */
import { describe, expect, it } from 'vitest';
import { countTrainingStep } from '../../bench/step-counts';
import { defaultConfig, DEFAULT_MLP, type TrainerConfig, type VariantName } from '../../src/gan/config';
import { countCommands } from '../../src/gpu/command-counter';
import { submitKernels } from '../../src/gpu/kernel';
import { prepareAxpby } from '../../src/gpu/kernels/elementwise';
import { testGpu } from '../helpers/gpu';

const small = (variants: VariantName[], nDis = 1): TrainerConfig =>
  defaultConfig({
    model: { ...DEFAULT_MLP, generatorHidden: [16], discriminatorHidden: [16] },
    variants,
    batch: 32,
    evalSamples: 32,
    adam: { ...defaultConfig().adam, nDis },
  });

describe('command counter', () => {
  it('counts each dispatch, pass, submit and write once, and nothing after detaching', async () => {
    const ctx = await testGpu();
    const a = ctx.buffers.storage('counter.a', 64, new Float32Array(64).fill(1));
    const out = ctx.buffers.storage('counter.out', 64);
    const axpby = prepareAxpby(ctx, { a, b: a, out, alpha: 1, beta: 2, n: 64, label: 'counter.axpby' });
    const counter = countCommands(ctx.device);
    submitKernels(ctx, [axpby, axpby, axpby], 'counter');
    ctx.buffers.write(a, new Float32Array(64));
    expect(counter.take()).toEqual({
      submits: 1,
      commandBuffers: 1,
      passes: 1,
      dispatches: 3,
      writes: 1,
      bufferBytes: 0,
    });
    counter.detach();
    submitKernels(ctx, [axpby], 'counter');
    expect(counter.counts).toEqual({
      submits: 0,
      commandBuffers: 0,
      passes: 0,
      dispatches: 0,
      writes: 0,
      bufferBytes: 0,
    });
    // The kernel really ran (the counter passes calls through): out = 1·0 + 2·0 after the write.
    expect(Array.from(await ctx.buffers.read(out, 4))).toEqual([0, 0, 0, 0]);
  });
});

describe('one training step, counted on the trainer’s encoder', () => {
  it('is one submit of one compute pass, with no uploads', async () => {
    const ctx = await testGpu();
    const { step, statsStep } = await countTrainingStep(ctx, small(['sn']));
    expect(step).toMatchObject({ submits: 1, commandBuffers: 1, passes: 1, writes: 0 });
    expect(step.dispatches).toBeGreaterThan(10);
    // Statistics ride in the same submission: more dispatches, still one submit.
    expect(statsStep.submits).toBe(1);
    expect(statsStep.dispatches).toBeGreaterThan(step.dispatches);
  });

  it('repeats exactly, and dry counting matches really submitting', async () => {
    const ctx = await testGpu();
    const config = small(['sn', 'wn', 'none']);
    const first = await countTrainingStep(ctx, config);
    const again = await countTrainingStep(ctx, config);
    const submitted = await countTrainingStep(ctx, config, undefined, { submit: true });
    expect(again).toEqual(first);
    expect(submitted).toEqual(first);
  });

  it('grows with each variant and with n_dis', async () => {
    const ctx = await testGpu();
    const sn = await countTrainingStep(ctx, small(['sn']));
    const none = await countTrainingStep(ctx, small(['none']));
    const both = await countTrainingStep(ctx, small(['sn', 'none']));
    // SN's power iteration and W̄ = W/σ̃ (and its backward) are extra kernels of every D update.
    expect(sn.dUpdate).toBeGreaterThan(none.dUpdate);
    // A second variant adds its own updates; the shared draws are encoded once.
    expect(both.step.dispatches).toBeGreaterThan(sn.step.dispatches);
    expect(both.step.dispatches).toBeLessThan(sn.step.dispatches + none.step.dispatches);
    const five = await countTrainingStep(ctx, small(['sn'], 5));
    expect(five.step.dispatches).toBe(5 * sn.dUpdate + sn.gUpdate);
    expect(five.step.submits).toBe(1);
  });
});
