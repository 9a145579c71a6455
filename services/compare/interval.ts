/**
 * The shapes every test in this folder returns, so the report treats them alike.
 */

/** A two-sided confidence interval. */
export interface Interval {
  lower: number
  upper: number
}

/**
 * The comparison of one metric between version a and version b: `difference` is always b − a, `interval` its
 * confidence interval at 1 − α, `pValue` two-sided for "no difference". NaN where the data do not define it
 * (the report turns NaN into null and the verdict into "not enough data").
 */
export interface TestResult {
  /** Which test produced it, e.g. 'two_proportion_z', 'welch_t', 'delong_paired'. */
  test: string
  difference: number
  interval: Interval
  pValue: number
  /** The test statistic (z, t, chi-square), NaN for the bootstrap. */
  statistic: number
}

/** Both bounds NaN: an interval the data do not define. */
export const NAN_INTERVAL: Interval = { lower: Number.NaN, upper: Number.NaN }
