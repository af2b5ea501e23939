/**
 * Mode coverage by the VEEGAN protocol (design.md §3): a sample is high quality when it lies
 * within 3 standard deviations of its nearest centre; a mode is covered when it is the nearest
 * centre of at least one high-quality sample. Reported on 2,500 samples.
 */
export const COVERAGE_SAMPLES = 2500;

export interface ModeCoverage {
  modesCovered: number;
  modeCount: number;
  /** Percentage of samples that are high quality, 0–100. */
  highQuality: number;
}

export function modeCoverage(samples: ArrayLike<number>, modes: ArrayLike<number>, std: number): ModeCoverage {
  const modeCount = modes.length / 2;
  const sampleCount = samples.length / 2;
  const covered = new Uint8Array(modeCount);
  let good = 0;
  for (let s = 0; s < sampleCount; s++) {
    const x = samples[2 * s];
    const y = samples[2 * s + 1];
    let best = -1;
    let bestDist = Infinity;
    for (let m = 0; m < modeCount; m++) {
      const d = Math.hypot(x - modes[2 * m], y - modes[2 * m + 1]);
      if (d < bestDist) {
        bestDist = d;
        best = m;
      }
    }
    // A NaN sample has no nearest centre and is never high quality.
    if (best >= 0 && bestDist <= 3 * std) {
      good++;
      covered[best] = 1;
    }
  }
  return {
    modesCovered: covered.reduce((a, b) => a + b, 0),
    modeCount,
    highQuality: sampleCount > 0 ? (100 * good) / sampleCount : 0,
  };
}
