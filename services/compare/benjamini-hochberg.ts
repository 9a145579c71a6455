/**
 * Benjamini–Hochberg adjusted p-values (Benjamini & Hochberg 1995), across every metric (and segment) of one
 * comparison, so calling "better" whenever an adjusted p is below α keeps the expected share of false
 * discoveries at most α. With the m defined p-values sorted, p_(1) ≤ … ≤ p_(m):
 *   adjusted p_(i) = min(1, min_{j ≥ i} m·p_(j)/j)
 * — statsmodels' multipletests(method='fdr_bh'). NaN p-values (undefined tests) stay NaN and do not count in m.
 */

/**
 * Adjusted p-values in the order given.
 *
 * @example
 * benjaminiHochberg([0.01, 0.04, 0.03]) // [0.03, 0.04, 0.04]
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const defined = pValues.map((p, i) => ({ p, i })).filter(({ p }) => Number.isFinite(p)).sort((x, y) => x.p - y.p)
  const m = defined.length
  const adjusted = pValues.map(() => Number.NaN)
  let running = 1
  for (let k = m - 1; k >= 0; k--) {
    const entry = defined[k]
    if (entry === undefined) continue
    running = Math.min(running, (m * entry.p) / (k + 1))
    adjusted[entry.i] = running
  }
  return adjusted
}
