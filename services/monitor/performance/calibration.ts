/**
 * Expected calibration error with equal-width bins, as one aggregate expression:
 *   ECE = Σ_b (n_b / n) · |mean(y in b) − mean(p in b)| = Σ_b |Σ_{i∈b} (y_i − p_i)| / n
 * with bin b = min(floor(p · 10), 9): [0, 0.1), [0.1, 0.2), …, [0.9, 1.0], so p = 1.0 falls in the last bin.
 * A p outside [0, 1] (not a probability) goes to the nearest end bin rather than being dropped.
 * Binary: p = positive-class score, y = 1 for a positive label. Multiclass: p = the highest probability
 * (confidence), y = 1 when its class is the label.
 * sumResample keeps the ten per-bin sums in one aggregation state: no second GROUP BY over (grp, bin).
 */
import { ECE_BINS } from './metrics.js'

/**
 * An aggregate expression for ECE over the rows where `cond` holds; `p` Float64, `y` 0/1, `n` the count
 * of those rows (an expression). Null when n = 0.
 *
 * @example
 * const item = `${eceSql('s', 'y', 'scored', 'countIf(scored)')} AS ece`
 */
export function eceSql(p: string, y: string, cond: string, n: string): string {
  const bin = `toUInt8(least(greatest(floor(${p} * ${ECE_BINS}), 0), ${ECE_BINS - 1}))`
  return `if(${n} = 0, NULL, arraySum(arrayMap(d -> abs(d), sumResampleIf(0, ${ECE_BINS}, 1)(${y} - ${p}, ${bin}, ${cond}))) / ${n})`
}
