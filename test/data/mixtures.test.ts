import { describe, expect, it } from 'vitest';
import { DATASET_2D_NAMES, dataset2d } from '../../src/data/mixtures';
import { modeCoverage } from '../../src/data/mode-coverage';

describe('2-D data sets', () => {
  it('ring8 has 8 distinct centres on a circle of radius 2', () => {
    const { anchors, modes, std } = dataset2d('ring8');
    expect(modes).not.toBeNull();
    expect(anchors.length).toBe(16);
    expect(std).toBe(0.02);
    for (let i = 0; i < 8; i++) {
      expect(Math.hypot(anchors[2 * i], anchors[2 * i + 1])).toBeCloseTo(2, 6);
      for (let j = 0; j < i; j++) {
        // Neighbours on the ring are 2·2·sin(π/8) ≈ 1.53 apart.
        expect(Math.hypot(anchors[2 * i] - anchors[2 * j], anchors[2 * i + 1] - anchors[2 * j + 1])).toBeGreaterThan(
          1.5,
        );
      }
    }
  });

  it('grid25 has 25 distinct centres 2 apart', () => {
    const { anchors } = dataset2d('grid25');
    const keys = new Set<string>();
    for (let i = 0; i < 25; i++) keys.add(`${anchors[2 * i]},${anchors[2 * i + 1]}`);
    expect(keys.size).toBe(25);
    expect(Math.min(...anchors)).toBe(-4);
    expect(Math.max(...anchors)).toBe(4);
  });

  it('every data set has finite anchors within a radius of 4.5', () => {
    for (const name of DATASET_2D_NAMES) {
      const { anchors } = dataset2d(name);
      for (let i = 0; i < anchors.length; i += 2) {
        expect(Number.isFinite(anchors[i]) && Math.hypot(anchors[i], anchors[i + 1]) <= 4.5 * Math.SQRT2).toBe(true);
      }
    }
  });
});

describe('mode coverage (VEEGAN protocol)', () => {
  const { modes, std } = dataset2d('ring8');

  it('counts the modes hit by high-quality samples', () => {
    // Three samples on modes 0, 0 and 3, one far away, one NaN.
    const samples = [modes![0], modes![1], modes![0] + 2 * std, modes![1], modes![6], modes![7], 0, 0, NaN, NaN];
    const c = modeCoverage(samples, modes!, std);
    expect(c.modesCovered).toBe(2);
    expect(c.modeCount).toBe(8);
    expect(c.highQuality).toBeCloseTo(60, 10);
  });

  it('a sample just beyond 3 std is not high quality', () => {
    const c = modeCoverage([modes![0] + 3.01 * std, modes![1]], modes!, std);
    expect(c.modesCovered).toBe(0);
    expect(c.highQuality).toBe(0);
  });
});
