/**
 * The two-sided two-sample Kolmogorov–Smirnov p-value, P(D >= d), computed exactly as ClickHouse's
 * `kolmogorovSmirnovTest('two-sided', 'auto')` does (src/AggregateFunctions/AggregateFunctionKolmogorovSmirnovTest.cpp),
 * but from an exactly computed D. ClickHouse's own function finds D by adding 1/n per value, so its D carries
 * rounding error (e.g. 0.121122999999386 for 0.121123) and it treats values within 1e-7 of each other as ties;
 * the numeric drift query gets D as an exact ratio of counts instead, and only the p-value is computed here.
 * Agreement with ClickHouse's function and with scipy's ks_2samp is measured in docs/statistics.md.
 */

/** Same tolerance as ClickHouse: it absorbs the rounding of d · n1 · n2 back to the integer it stands for. */
const TOLERANCE = 1e-7
/** ClickHouse (and scipy) use the exact distribution up to this many values in the larger sample. */
const EXACT_MAX_N = 10_000

export type KsMethod = 'auto' | 'exact' | 'asymptotic'

/**
 * P(D >= d) under the null hypothesis that both samples come from one continuous distribution.
 * 'auto' is exact when the larger sample has at most 10,000 values, asymptotic otherwise (as ClickHouse and scipy).
 * Returns NaN when a sample is empty.
 *
 * @example
 * ksPValue(0.5, 10, 10) // 0.16782134274394334
 */
export function ksPValue(d: number, n1: number, n2: number, method: KsMethod = 'auto'): number {
  if (n1 <= 0 || n2 <= 0 || Number.isNaN(d)) return Number.NaN
  const exact = method === 'exact' || (method === 'auto' && Math.max(n1, n2) <= EXACT_MAX_N)
  const p = exact ? exactPValue(d, n1, n2) : asymptoticPValue(d, n1, n2)
  return Math.min(1, Math.max(0, p))
}

/**
 * The exact distribution (Schröer & Trenkler 1995, in Viehmann's numerically stable form): the probability that a
 * uniformly random lattice path from (0, 0) to (n2, n1) never reaches |i/n2 − j/n1| >= d, complemented.
 * Same arithmetic as ClickHouse, but only over the band of j where |i/n2 − j/n1| < q: outside it ClickHouse sets
 * c[j] = 1, and the band only moves right as i grows, so cells left of it are set to 1 once, cells right of it
 * are 1 from the start. O(n2 · band) time instead of O(n1 · n2) (the band is about 2 d n1 wide).
 */
function exactPValue(d: number, n1In: number, n2In: number): number {
  const n1 = Math.max(n1In, n2In)
  const n2 = Math.min(n1In, n2In)
  const q = (0.5 + Math.floor(d * n2 * n1 - TOLERANCE)) / (n2 * n1)
  const x = new Float64Array(n1 + 1)
  for (let j = 0; j <= n1; j++) x[j] = j / n1
  const c = new Float64Array(n1 + 1)
  for (let j = 1; j <= n1; j++) c[j] = Math.abs(x[j] ?? 0) >= q ? 1 : (c[j - 1] ?? 0)
  let first = 1 // the first j >= 1 not known to be left of the band
  for (let i = 1; i <= n2; i++) {
    const r = i / n2
    if (Math.abs(r) >= q) c[0] = 1
    while (first <= n1 && (x[first] ?? 0) < r && Math.abs(r - (x[first] ?? 0)) >= q) c[first++] = 1
    for (let j = first; j <= n1; j++) {
      if (Math.abs(r - (x[j] ?? 0)) >= q) {
        if ((x[j] ?? 0) > r) break // right of the band: already 1
        c[j] = 1
      } else {
        c[j] = (i / (i + j)) * (c[j] ?? 0) + (j / (i + j)) * (c[j - 1] ?? 0)
      }
    }
  }
  return c[n1] ?? Number.NaN
}

/**
 * The limiting Kolmogorov distribution at λ = sqrt(n1 n2 / (n1 + n2)) · d (Durbin 1973): for λ < 1 the
 * theta-function form, otherwise 1 − 2 Σ (−1)^(k−1) e^(−2 k² λ²) summed until terms change the sum by less than
 * the tolerance — both truncated exactly where ClickHouse truncates them.
 */
function asymptoticPValue(d: number, n1: number, n2: number): number {
  const n = Math.min(n1, n2)
  const m = Math.max(n1, n2)
  const p = Math.sqrt((n * m) / (n + m)) * d
  let cdf: number
  if (p < 1) {
    const z = -(Math.PI / 2) * (Math.PI / 4) / (p * p)
    const w = Math.log(p)
    const kMax = Math.floor(Math.sqrt(2 - Math.log(TOLERANCE)))
    let s = 0
    for (let k = 1; k < kMax; k += 2) s += Math.exp(k * k * z - w)
    cdf = s / 0.398942280401432677939946059934
  } else {
    const z = -2 * p * p
    let sign = -1
    let k = 1
    let previous = 0
    cdf = 1
    while (Math.abs(previous - cdf) > TOLERANCE) {
      previous = cdf
      cdf += 2 * sign * Math.exp(z * k * k)
      sign *= -1
      k++
    }
  }
  return 1 - cdf
}
