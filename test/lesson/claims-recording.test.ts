// Scene 5's look-for lines are about the recorded run it plays where no GPU is at hand
// (public/recordings/digits-E.json): each claim is checked on that file's own metrics, with
// margins, and the file is checked to be the scene's settings, recorded by the real trainer.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCENES } from '../../src/lesson/scenes';
import { parseLocation } from '../../src/ui/lesson/lesson-url';

interface Capture {
  step: number;
  variant: string;
  dFake: number;
  inceptionScore: number | null;
  fid: number | null;
}

const scene = SCENES.find((s) => s.slug === 'aggressive')!;
const run = JSON.parse(readFileSync(`public/${scene.recording}`, 'utf8')) as {
  config: { variants: string[]; data: string; batch: number; model: { kind: string; width: number }; adam: object };
  adapter: string;
  backend: string;
  steps: number;
  recordedAt: string;
  metrics: Capture[];
  reference: { inceptionScore: number; fid: number };
};
const of = (variant: string): Capture[] => run.metrics.filter((m) => m.variant === variant);
const scored = (variant: string): Capture[] => of(variant).filter((m) => m.inceptionScore !== null);

describe('scene 5: the recorded run and what its look-for lines say of it', () => {
  it("is the scene's own settings, written by the trainer with its adapter, date and every captured step", () => {
    const { settings } = parseLocation('?lesson=5');
    expect(run.config.variants).toEqual(settings.variants);
    expect(run.config.data).toBe('mnist');
    expect(run.config.model).toMatchObject({ kind: 'cnn', width: settings.cnnWidth });
    expect(run.config.batch).toBe(settings.batch);
    expect(run.config.adam).toEqual({
      lr: settings.lr,
      beta1: settings.beta1,
      beta2: settings.beta2,
      nDis: settings.nDis,
    });
    expect(run.adapter.length).toBeGreaterThan(0);
    expect(run.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    for (const v of run.config.variants) expect(of(v).at(-1)!.step).toBe(run.steps);
    expect(scene.text).toContain(`first ${run.steps} steps`);
    expect(scene.lookFor).toHaveLength(2);
  });

  it('WN and no normalization: D(G(z)) below 0.01 within 15 steps; SN above 0.2 until then', () => {
    const early = (v: string): number =>
      Math.min(
        ...of(v)
          .filter((m) => m.step <= 15)
          .map((m) => m.dFake),
      );
    expect(early('wn')).toBeLessThan(0.01);
    expect(early('none')).toBeLessThan(0.01);
    expect(early('sn')).toBeGreaterThan(0.2);
    expect(scene.lookFor[0]).toContain('within 15 steps');
  });

  it('at the last step SN has the best digit score and FID; steps 80–100 average 1.95 / 1.37 / 1.14', () => {
    const last = (v: string): Capture => scored(v).at(-1)!;
    expect(last('sn').step).toBe(run.steps);
    for (const other of ['wn', 'none']) {
      expect(last('sn').inceptionScore!).toBeGreaterThan(last(other).inceptionScore! + 0.5);
      expect(last('sn').fid!).toBeLessThan(last(other).fid! - 50);
    }
    const tailMean = (v: string): number => {
      const tail = scored(v).filter((m) => m.step >= run.steps - 20);
      expect(tail.length).toBe(5);
      return tail.reduce((sum, m) => sum + m.inceptionScore!, 0) / tail.length;
    };
    // The text gives two decimals: each mean must round to them.
    expect(tailMean('sn').toFixed(2)).toBe('1.95');
    expect(tailMean('wn').toFixed(2)).toBe('1.37');
    expect(tailMean('none').toFixed(2)).toBe('1.14');
    expect(run.reference.inceptionScore.toFixed(2)).toBe('9.57');
    expect(scene.lookFor[1]).toContain('1.95, against 1.37 (WN) and 1.14 (none)');
    expect(scene.lookFor[1]).toContain('9.57');
  });
});
