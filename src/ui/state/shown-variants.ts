/**
 * The variants the views show: those chosen that the run trains (or that diverged in it). Before
 * the run reports its variants, the chosen ones, so their panels hold their places while it starts
 * and the page below does not jump down when they arrive.
 */
import { VARIANT_NAMES, type VariantName } from '../../gan/config';
import type { RunState } from './store';

/** `enabled`: the settings' variants, or those of a run opened from a file. */
export function shownVariants(enabled: readonly VariantName[], run: RunState): VariantName[] {
  const chosen = VARIANT_NAMES.filter((v) => enabled.includes(v));
  if (run.variants.length === 0 && Object.keys(run.diverged).length === 0) return chosen;
  return chosen.filter((v) => run.variants.includes(v) || run.diverged[v] !== undefined);
}
