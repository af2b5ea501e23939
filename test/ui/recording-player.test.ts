import { describe, expect, it } from 'vitest';
import { defaultConfig, DEFAULT_CNN, SETTINGS, type VariantName } from '../../src/gan/config';
import { FrameRecorder } from '../../src/recording/frame-recorder';
import { parseRecordedRun, type RecordedRun } from '../../src/recording/recorded-run';
import { describeAdapter, summarizeAdapter } from '../../src/gpu/device';
import { RecordingPlayer, type PlayerClock } from '../../src/ui/recording/recording-player';
import { needsRecordedRun } from '../../src/ui/recording/recording-source';
import { AppStore } from '../../src/ui/state/store';

const SIZE = 32 * 32;

/** Animation frames by hand: `frame(ms)` runs the pending callback at that time. */
class FakeClock implements PlayerClock {
  private pending = new Map<number, (t: number) => void>();
  private next = 1;
  requestFrame(callback: (t: number) => void): number {
    this.pending.set(this.next, callback);
    return this.next++;
  }
  cancelFrame(handle: number): void {
    this.pending.delete(handle);
  }
  get waiting(): number {
    return this.pending.size;
  }
  frame(time: number): void {
    const callbacks = [...this.pending.values()];
    this.pending.clear();
    for (const c of callbacks) c(time);
  }
}

/** Pixel value of every pixel of `variant`'s images at `step` (exact after quantization: a byte). */
const shade = (variant: VariantName, step: number): number => (((variant === 'sn' ? 0 : 100) + step) / 255) * 2 - 1;

/**
 * A recording of 100 steps: statistics every 10 (and at step 1), frames every 20; `none`
 * diverges at step 50 (its last frame is step 40).
 */
function recording(): RecordedRun {
  const statsSteps = [1, ...Array.from({ length: 10 }, (_, i) => 10 * (i + 1))];
  const recorder = new FrameRecorder(20, SIZE);
  for (const step of statsSteps) {
    recorder.capture(
      step,
      (['sn', 'none'] as const).map((variant) => ({
        variant,
        samples: new Float32Array(16 * SIZE).fill(shade(variant, step)),
        diverged: variant === 'none' && step >= 50 ? 50 : null,
      })),
    );
  }
  const metrics = statsSteps.flatMap((step) =>
    (['sn', 'none'] as const)
      .filter((v) => v === 'sn' || step <= 50)
      .map((variant) => ({
        step,
        variant,
        lossD: variant === 'none' && step === 50 ? null : step / 100,
        lossG: 1,
        dReal: 0,
        dFake: 0,
        modesCovered: null,
        highQuality: null,
        sigma: [],
        gradNorm: 1,
        inceptionScore: 2,
        fid: 100,
      })),
  );
  return parseRecordedRun(
    JSON.parse(
      JSON.stringify({
        config: defaultConfig({
          model: { ...DEFAULT_CNN, width: 0.125 },
          data: 'mnist',
          variants: ['sn', 'none'],
          adam: SETTINGS.E,
          batch: 64,
          statsEvery: 10,
        }),
        adapter: 'SwiftShader (software)',
        backend: 'webgpu',
        steps: 100,
        metrics,
        variants: { sn: { diverged: null, samples: [], layers: [] }, none: { diverged: 50, samples: [], layers: [] } },
        recordedAt: '2026-11-30T10:00:00Z',
        frames: recorder.frames,
      }),
    ),
  );
}

function setUp(durationSeconds = 10) {
  const store = new AppStore();
  store.setRun({ backend: { kind: 'cpu', description: 'CPU backend', fallbackReason: 'no WebGPU' } });
  const clock = new FakeClock();
  const player = new RecordingPlayer(store, recording(), { durationSeconds, clock });
  return { store, clock, player };
}

const historySteps = (store: AppStore, v: VariantName): number[] => (store.run.history.get(v) ?? []).map((m) => m.step);

describe('RecordingPlayer', () => {
  it('shows the first capture, paused and labelled as a recording, until played', () => {
    const { store, clock } = setUp();
    expect(store.run).toMatchObject({ phase: 'paused', step: 1, variants: ['sn', 'none'], diverged: {} });
    expect(store.run.recording).toEqual({
      adapter: 'SwiftShader (software)',
      recordedAt: '2026-11-30',
      settings: 'MNIST, CNN ⅛ width, setting E, batch 64, 100 steps',
    });
    // The visitor's own device stays described: the lesson decides on it.
    expect(store.run.backend?.kind).toBe('cpu');
    expect(historySteps(store, 'sn')).toEqual([1]);
    expect(store.run.images.sn).toMatchObject({ step: 1, count: 16, side: 32, diverged: null });
    expect(store.run.images.sn!.images![0]).toBeCloseTo(shade('sn', 1), 6);
    expect(clock.waiting).toBe(0);
  });

  it('advances on animation frames at a pace that plays the whole run in the chosen time', () => {
    const { store, clock, player } = setUp(10);
    player.play();
    expect(store.run.phase).toBe('running');
    clock.frame(1000); // the first frame only sets the time origin
    expect(player.step).toBe(1);
    // 2 s of 10 s in 100 ms frames: 99 steps · 0.2 = 19.8 steps on from step 1.
    for (let t = 1100; t <= 3000; t += 100) clock.frame(t);
    expect(player.step).toBe(20);
    expect(store.run.step).toBe(20);
    expect(historySteps(store, 'sn')).toEqual([1, 10, 20]);
    expect(store.run.images.sn!.step).toBe(20);
    expect(store.run.images.sn!.images![5]).toBeCloseTo(shade('sn', 20), 6);
    clock.frame(3016); // one 16 ms frame: 0.16 step, the step shown does not move
    expect(player.step).toBe(20);
    // A long stall (a hidden tab) counts as 250 ms, not a minute: 2.5 steps, not the rest of the run.
    clock.frame(63_016);
    expect(player.step).toBe(23);
    expect(store.run.phase).toBe('running');
  });

  it('marks a divergence only once its step is reached and keeps the last good frame', () => {
    const { store, player } = setUp();
    for (let i = 0; i < 4; i++) player.stepOnce(); // 10, 20, 30, 40
    expect(store.run.step).toBe(40);
    expect(store.run.diverged).toEqual({});
    player.stepOnce();
    expect(store.run.step).toBe(50);
    expect(store.run.diverged).toEqual({ none: 50 });
    expect(store.run.variants).toEqual(['sn']);
    expect(store.run.images.none).toMatchObject({ step: 40, diverged: 50 });
    expect(store.run.history.get('none')!.at(-1)!.lossD).toBeNaN();
    player.stepOnce();
    expect(historySteps(store, 'none')).toEqual([1, 10, 20, 30, 40, 50]);
    expect(historySteps(store, 'sn')).toEqual([1, 10, 20, 30, 40, 50, 60]);
  });

  it('steps through captures, pauses, stops at the end and resets to the first capture', () => {
    const { store, clock, player } = setUp(1);
    player.play();
    clock.frame(0);
    player.pause();
    expect(clock.waiting).toBe(0);
    expect(store.run.phase).toBe('paused');
    player.play();
    for (let t = 0; t <= 2000; t += 100) clock.frame(t);
    expect(player.step).toBe(100);
    expect(store.run.phase).toBe('paused');
    expect(clock.waiting).toBe(0);
    expect(store.run.images.sn!.step).toBe(100);
    player.stepOnce();
    expect(player.step).toBe(100);
    player.reset();
    expect(store.run).toMatchObject({ step: 1, phase: 'paused', diverged: {} });
    expect(historySteps(store, 'sn')).toEqual([1]);
    player.stepOnce();
    expect(player.step).toBe(10);
    expect(store.run.images.sn!.step).toBe(1);
    // Playing from the end starts over.
    for (let i = 0; i < 20; i++) player.stepOnce();
    player.play();
    expect(player.step).toBe(1);
  });

  it('seeks to any step for the scrubber, paused, clamped to the recording', () => {
    const { store, clock, player } = setUp();
    player.play();
    player.seek(35);
    expect(clock.waiting).toBe(0);
    expect(store.run).toMatchObject({ step: 35, phase: 'paused' });
    expect(historySteps(store, 'sn')).toEqual([1, 10, 20, 30]);
    expect(store.run.images.sn!.step).toBe(20);
    player.seek(1e6);
    expect(store.run.step).toBe(100);
    player.seek(-5);
    expect(store.run.step).toBe(1);
  });

  it('hands the store back on dispose, keeping the visitor’s backend', () => {
    const { store, clock, player } = setUp();
    player.play();
    player.dispose();
    expect(clock.waiting).toBe(0);
    expect(store.run).toMatchObject({ phase: 'idle', step: 0, recording: null, images: {}, variants: [] });
    expect(store.run.history.size).toBe(0);
    expect(store.run.backend?.kind).toBe('cpu');
    player.play();
    expect(clock.waiting).toBe(0);
  });
});

describe('needsRecordedRun', () => {
  it('plays a recording on the CPU backend and software adapters, trains live on a real GPU', () => {
    const software = describeAdapter(
      summarizeAdapter(
        {
          vendor: 'google',
          architecture: 'swiftshader',
          device: '',
          description: 'SwiftShader driver',
        } as GPUAdapterInfo,
        false,
      ),
    );
    const nvidia = describeAdapter(
      summarizeAdapter(
        { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'H200' } as GPUAdapterInfo,
        false,
      ),
    );
    expect(needsRecordedRun(null)).toBeNull();
    expect(
      needsRecordedRun({ kind: 'cpu', description: 'CPU (float64 twins of the kernels)', fallbackReason: 'x' }),
    ).toBe(true);
    expect(needsRecordedRun({ kind: 'webgpu', description: software, fallbackReason: null })).toBe(true);
    expect(needsRecordedRun({ kind: 'webgpu', description: nvidia, fallbackReason: null })).toBe(false);
  });
});
