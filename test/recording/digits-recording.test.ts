import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRecordedRunText } from '../../src/recording/recorded-run';
import { describeSettings } from '../../src/recording/recording-label';
import { RecordingPlayer } from '../../src/ui/recording/recording-player';
import { AppStore } from '../../src/ui/state/store';

/** The recording the lesson's digits scene plays for visitors without a real GPU. */
const PATH = 'public/recordings/digits-E.json';

describe(PATH, () => {
  it('is a real recording of scene 5’s run, small enough to download, that says what it was recorded on', () => {
    expect(statSync(PATH).size).toBeLessThan(5 * 1024 * 1024);
    const run = parseRecordedRunText(readFileSync(PATH, 'utf8'));
    // Scene 5: variants=sn,wn,none&data=mnist&cnn=1/8&set=E&batch=64.
    expect(run.config.variants).toEqual(['sn', 'wn', 'none']);
    expect(describeSettings(run)).toMatch(/^MNIST, CNN ⅛ width, setting E, batch 64, [\d,]+ steps$/);
    expect(run.adapter.length).toBeGreaterThan(0);
    expect(run.recordedAt).not.toBeNull();
    expect(run.kind).toBe('images');
    // Frames from step 1 to the last step, every variant in each until it diverges.
    expect(run.frames[0].step).toBe(1);
    expect(run.frames.at(-1)!.step).toBe(run.steps);
    for (const f of run.frames) {
      for (const v of run.config.variants) {
        const diverged = run.diverged[v];
        if (diverged === undefined || f.step < diverged)
          expect(f.samples[v]?.length, `${v} at ${f.step}`).toBe(16 * 32 * 32);
      }
    }
    // Metrics for every variant at every statistics step (each a number or NaN, never missing).
    const steps = [...new Set(run.metrics.map((m) => m.step))];
    expect(steps[0]).toBe(1);
    expect(steps.at(-1)).toBe(run.steps);
    expect(run.metrics.every((m) => m.inceptionScore === null || m.inceptionScore >= 1)).toBe(true);
    // Played to the end, the store holds what a live run's last publish would.
    const store = new AppStore();
    const player = new RecordingPlayer(store, run, { clock: { requestFrame: () => 0, cancelFrame: () => {} } });
    for (let i = 0; i < steps.length; i++) player.stepOnce();
    expect(store.run.step).toBe(run.steps);
    for (const v of run.config.variants) {
      expect(store.run.history.get(v)!.length).toBe(run.metrics.filter((m) => m.variant === v).length);
      if (run.diverged[v] === undefined)
        expect(store.run.images[v]).toMatchObject({ step: run.steps, count: 16, side: 32 });
    }
  });
});
