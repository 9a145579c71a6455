/**
 * Two independent proportions (split traffic: version a on some requests, b on others), for accuracy,
 * precision and recall. Definitions (docs/statistics.md, "Comparing versions"):
 *  - Wilson score interval of one proportion p̂ = x/n (Wilson 1927):
 *    (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n), z = z_{1−α/2};
 *  - pooled two-proportion z-test: z = (p̂_b − p̂_a) / √(p̄(1−p̄)(1/n_a + 1/n_b)), p̄ = (x_a + x_b)/(n_a + n_b),
 *    two-sided p = 2·Φ(−|z|) — statsmodels' proportions_ztest;
 *  - Newcombe's hybrid score interval for p_b − p_a (Newcombe 1998, method 10) from the two Wilson intervals:
 *    [d − √((p̂_b − l_b)² + (u_a − p̂_a)²), d + √((u_b − p̂_b)² + (p̂_a − l_a)²)] — statsmodels'
 *    confint_proportions_2indep(method='newcomb').
 */
import { NAN_INTERVAL, type Interval, type TestResult } from './interval.js'
import { normalQuantile, normalTwoSidedP } from './normal.js'

/** Successes out of trials. */
export interface Proportion {
  successes: number
  trials: number
}

/**
 * Wilson score interval at confidence 1 − α; NaN bounds when there are no trials.
 *
 * @example
 * wilsonInterval({ successes: 81, trials: 100 }, 0.05) // { lower: 0.7222…, upper: 0.8749… }
 */
export function wilsonInterval({ successes: x, trials: n }: Proportion, alpha: number): Interval {
  if (!(n > 0)) return NAN_INTERVAL
  const z = normalQuantile(1 - alpha / 2)
  const p = x / n
  const z2 = z * z
  const denominator = 1 + z2 / n
  const centre = (p + z2 / (2 * n)) / denominator
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator
  return { lower: centre - half, upper: centre + half }
}

/**
 * Pooled two-proportion z-test of b against a, with Newcombe's interval for p_b − p_a. When both proportions are
 * 0 or both 1 the pooled standard error is 0 and there is no evidence of a difference: z = 0, p = 1.
 *
 * @example
 * const r = twoProportionTest({ successes: 80, trials: 100 }, { successes: 90, trials: 100 }, 0.05)
 * r.difference // 0.1
 */
export function twoProportionTest(a: Proportion, b: Proportion, alpha: number): TestResult {
  if (!(a.trials > 0 && b.trials > 0)) return { test: 'two_proportion_z', difference: Number.NaN, interval: NAN_INTERVAL, pValue: Number.NaN, statistic: Number.NaN }
  const pa = a.successes / a.trials
  const pb = b.successes / b.trials
  const pooled = (a.successes + b.successes) / (a.trials + b.trials)
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials))
  const difference = pb - pa
  const statistic = se === 0 ? 0 : difference / se
  return { test: 'two_proportion_z', difference, interval: newcombeInterval(a, b, alpha), pValue: normalTwoSidedP(statistic), statistic }
}

/**
 * Newcombe's hybrid score interval for p_b − p_a.
 *
 * @example
 * newcombeInterval({ successes: 56, trials: 70 }, { successes: 48, trials: 80 }, 0.05) // for 0.6 − 0.8
 */
export function newcombeInterval(a: Proportion, b: Proportion, alpha: number): Interval {
  const wa = wilsonInterval(a, alpha)
  const wb = wilsonInterval(b, alpha)
  const pa = a.successes / a.trials
  const pb = b.successes / b.trials
  const d = pb - pa
  return {
    lower: d - Math.sqrt((pb - wb.lower) ** 2 + (wa.upper - pa) ** 2),
    upper: d + Math.sqrt((wb.upper - pb) ** 2 + (pa - wa.lower) ** 2),
  }
}
