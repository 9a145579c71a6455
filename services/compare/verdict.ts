/**
 * The verdict on one metric, the answer a team reads first. Direction-aware: for accuracy, precision, recall and
 * ROC AUC higher is better; for errors and log loss lower is better.
 *  - not_enough_data: fewer than MIN_LABELLED labelled (and evaluable) rows in either version, or for ROC AUC fewer
 *    than MIN_PER_CLASS positives or negatives in either, or a test the data do not define (p-value NaN);
 *  - better / worse: the Benjamini–Hochberg adjusted p-value is below α and b's value is better / worse than a's;
 *  - no_significant_difference: otherwise. (Not "equal": the interval says how large a difference is still possible.)
 */

export type Verdict = 'better' | 'worse' | 'no_significant_difference' | 'not_enough_data'

/** Labelled rows each version needs before any verdict is given. */
export const MIN_LABELLED = 30
/** Positives and negatives each version needs for a ROC AUC verdict. */
export const MIN_PER_CLASS = 10

/**
 * @example
 * decideVerdict({ enoughData: true, adjustedPValue: 0.001, difference: -0.02, higherIsBetter: false, alpha: 0.05 }) // 'better'
 */
export function decideVerdict(v: { enoughData: boolean; adjustedPValue: number; difference: number; higherIsBetter: boolean; alpha: number }): Verdict {
  if (!v.enoughData || !Number.isFinite(v.adjustedPValue) || !Number.isFinite(v.difference)) return 'not_enough_data'
  if (v.adjustedPValue >= v.alpha || v.difference === 0) return 'no_significant_difference'
  return (v.difference > 0) === v.higherIsBetter ? 'better' : 'worse'
}
