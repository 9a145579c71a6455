/**
 * t-tests from sufficient statistics, for regression errors (absolute and squared) and per-event differences.
 * Definitions (docs/statistics.md, "Comparing versions"):
 *  - Welch's t-test (unpaired; Welch 1947): d = m_b − m_a, se² = s_a²/n_a + s_b²/n_b, t = d/se,
 *    Welch–Satterthwaite ν = se⁴ / ((s_a²/n_a)²/(n_a−1) + (s_b²/n_b)²/(n_b−1)), interval d ± t_{ν,1−α/2}·se —
 *    scipy.stats.ttest_ind(b, a, equal_var=False) and its confidence_interval();
 *  - paired t-test on per-event differences d_i = x_b,i − x_a,i: t = d̄ / (s_d/√n), ν = n − 1 —
 *    scipy.stats.ttest_rel(b, a).
 * s² are sample variances (n − 1 in the denominator).
 */
import { NAN_INTERVAL, type TestResult } from './interval.js'
import { tQuantile, tTwoSidedP } from './student-t.js'

/** n values summarised by their mean and sample variance (divides by n − 1). */
export interface SampleSummary {
  n: number
  mean: number
  variance: number
}

const undefinedResult = (test: string): TestResult => ({ test, difference: Number.NaN, interval: NAN_INTERVAL, pValue: Number.NaN, statistic: Number.NaN })

/**
 * Welch's unequal-variance t-test of mean_b − mean_a. Needs two values per version.
 *
 * @example
 * welchTest({ n: 50, mean: 1.2, variance: 0.3 }, { n: 60, mean: 1.0, variance: 0.5 }, 0.05).difference // -0.2
 */
export function welchTest(a: SampleSummary, b: SampleSummary, alpha: number): TestResult {
  if (!(a.n >= 2 && b.n >= 2)) return undefinedResult('welch_t')
  const va = a.variance / a.n
  const vb = b.variance / b.n
  const se = Math.sqrt(va + vb)
  const difference = b.mean - a.mean
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1))
  return fromT('welch_t', difference, se, df, alpha)
}

/**
 * Paired t-test of the mean per-event difference (b − a), from the differences' summary. Needs two pairs.
 *
 * @example
 * pairedTTest({ n: 100, mean: -0.05, variance: 0.04 }, 0.05).pValue // 0.0133…
 */
export function pairedTTest(differences: SampleSummary, alpha: number): TestResult {
  if (!(differences.n >= 2)) return undefinedResult('paired_t')
  const se = Math.sqrt(differences.variance / differences.n)
  return fromT('paired_t', differences.mean, se, differences.n - 1, alpha)
}

/** Identical values on both sides (se = 0) are no evidence of a difference when d = 0, and certain otherwise. */
function fromT(test: string, difference: number, se: number, df: number, alpha: number): TestResult {
  if (se === 0) {
    return { test, difference, interval: { lower: difference, upper: difference }, pValue: difference === 0 ? 1 : 0, statistic: difference === 0 ? 0 : Math.sign(difference) * Number.POSITIVE_INFINITY }
  }
  const statistic = difference / se
  const critical = tQuantile(1 - alpha / 2, df)
  return { test, difference, interval: { lower: difference - critical * se, upper: difference + critical * se }, pValue: tTwoSidedP(statistic, df), statistic }
}
