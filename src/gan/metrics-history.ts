/**
 * The one history of a run's statistics captures, bounded: the trainer appends every capture,
 * and the page's charts and the CLI's JSON export read it. A long session would otherwise grow
 * without limit (one entry per variant per capture, forever).
 *
 * Per variant it holds at most `capacity` entries:
 *   - the first capture (the run's start is always shown);
 *   - an archive of older captures at a uniform stride of 2^k captures: when it fills up,
 *     neighbouring pairs are merged into one and the stride doubles, so the whole run keeps an
 *     even resolution instead of the oldest part fading away;
 *   - the group of captures still being gathered for the archive's next entry;
 *   - the latest `recent` captures at full resolution.
 * A merge keeps one of its captures as it is (never an average, so every number shown was
 * measured): a capture with a non-finite number (NaN/±Inf, a divergence) wins over a finite
 * one, so gaps and "diverged at step N" stay visible; otherwise a capture carrying spectra wins,
 * then the earlier one. Steps therefore stay in increasing order.
 */
import type { VariantName } from './config';
import type { StepMetrics } from './trainer';

/** Entries kept per variant, all parts together. */
export const HISTORY_CAPACITY = 2048;
/** The latest captures kept at full resolution (part of HISTORY_CAPACITY). */
export const HISTORY_RECENT = 512;

/** Whether a capture measured something non-finite (what a chart draws as a gap). */
export function hasNonFinite(m: StepMetrics): boolean {
  const numbers = [m.lossD, m.lossG, m.dReal, m.dFake, m.gradNorm, ...m.sigma, m.inceptionScore, m.fid];
  return numbers.some((x) => x !== null && !Number.isFinite(x));
}

/** Which of two captures a merge keeps: a gap first, then one with spectra, then the earlier. */
function keeper(a: StepMetrics, b: StepMetrics): StepMetrics {
  const rank = (m: StepMetrics) => (hasNonFinite(m) ? 2 : m.spectra && m.spectra.length > 0 ? 1 : 0);
  return rank(b) > rank(a) ? b : a;
}

/** One variant's bounded list (see the file comment for its parts). */
class VariantHistory {
  private first: StepMetrics | null = null;
  private archive: StepMetrics[] = [];
  /** Captures each archive entry stands for (a power of two). */
  private stride = 1;
  /** The archive's next entry while its group of `stride` captures is gathered. */
  private group: StepMetrics | null = null;
  private groupSize = 0;
  private recent: StepMetrics[] = [];

  constructor(
    private readonly archiveCapacity: number,
    private readonly recentCapacity: number,
  ) {}

  append(m: StepMetrics): void {
    if (this.first === null) {
      this.first = m;
      return;
    }
    this.recent.push(m);
    if (this.recent.length > this.recentCapacity) this.toArchive(this.recent.shift()!);
  }

  private toArchive(m: StepMetrics): void {
    this.group = this.group ? keeper(this.group, m) : m;
    this.groupSize++;
    if (this.groupSize < this.stride) return;
    this.archive.push(this.group);
    this.group = null;
    this.groupSize = 0;
    if (this.archive.length > this.archiveCapacity) this.halve();
  }

  /** Merges neighbouring archive entries pairwise: the stride doubles, the archive halves. */
  private halve(): void {
    const merged: StepMetrics[] = [];
    for (let i = 0; i + 1 < this.archive.length; i += 2) merged.push(keeper(this.archive[i], this.archive[i + 1]));
    if (this.archive.length % 2 === 1) {
      // The odd one out starts the next (twice as large) group, half full.
      this.group = this.archive[this.archive.length - 1];
      this.groupSize = this.stride;
    }
    this.archive = merged;
    this.stride *= 2;
  }

  /** Everything kept, in step order. */
  entries(): StepMetrics[] {
    if (this.first === null) return [];
    return [this.first, ...this.archive, ...(this.group ? [this.group] : []), ...this.recent];
  }
}

export class BoundedMetricsHistory {
  private readonly variants = new Map<VariantName, VariantHistory>();
  /** Order of variants within a step in `all()` (the order they were first appended in). */
  private readonly order: VariantName[] = [];
  private cachedByVariant: Map<VariantName, StepMetrics[]> | null = null;
  private cachedAll: StepMetrics[] | null = null;

  constructor(
    readonly capacity = HISTORY_CAPACITY,
    readonly recent = HISTORY_RECENT,
  ) {
    // first + archive + the group being gathered + recent ≤ capacity.
    if (recent < 1 || capacity - recent - 2 < 2) throw new Error(`history capacity ${capacity} too small`);
  }

  /** One capture's metrics (one entry per live variant), in the order the trainer made them. */
  append(batch: readonly StepMetrics[]): void {
    for (const m of batch) this.listOf(m.variant).append(m);
    if (batch.length > 0) {
      this.cachedByVariant = null;
      this.cachedAll = null;
    }
  }

  private listOf(variant: VariantName): VariantHistory {
    let list = this.variants.get(variant);
    if (!list) {
      list = new VariantHistory(this.capacity - this.recent - 2, this.recent);
      this.variants.set(variant, list);
      this.order.push(variant);
    }
    return list;
  }

  /** Each variant's kept captures in step order (a new Map and arrays on each change). */
  byVariant(): Map<VariantName, StepMetrics[]> {
    this.cachedByVariant ??= new Map(this.order.map((v) => [v, this.variants.get(v)!.entries()]));
    return this.cachedByVariant;
  }

  /** Every kept capture, by step and within a step in variant order (the CLI's JSON `metrics`). */
  all(): StepMetrics[] {
    if (!this.cachedAll) {
      const rank = new Map(this.order.map((v, i) => [v, i]));
      this.cachedAll = [...this.byVariant().values()]
        .flat()
        .sort((a, b) => a.step - b.step || rank.get(a.variant)! - rank.get(b.variant)!);
    }
    return this.cachedAll;
  }

  /**
   * Takes over another history's captures up to `step` (a run resumed from a checkpoint at that
   * step: later captures belong to a future it does not have). They are appended afresh, so the
   * bound holds; resolution may differ slightly from the original's.
   */
  adopt(other: BoundedMetricsHistory, step: number): void {
    const kept = other.all().filter((m) => m.step <= step);
    for (const v of other.order) this.listOf(v);
    this.append(kept);
  }
}
