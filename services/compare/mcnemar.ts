/**
 * Paired proportions (shadow traffic: each request scored by both versions), for accuracy and recall.
 * Of n pairs, `aOnly` are correct for a only and `bOnly` for b only (the discordant pairs); the difference in
 * the proportion correct is (bOnly − aOnly)/n. Definitions (docs/statistics.md, "Comparing versions"):
 *  - McNemar's test (McNemar 1947), as statsmodels.stats.contingency_tables.mcnemar: exact (two-sided binomial,
 *    p = min(1, 2·P(X ≤ min(aOnly, bOnly))), X ~ Bin(aOnly + bOnly, ½); mcnemar(exact=True)) when there are fewer
 *    than 25 discordant pairs, else the chi-square with continuity correction,
 *    χ² = (|bOnly − aOnly| − 1)² / (aOnly + bOnly), 1 df (mcnemar(exact=False, correction=True));
 *  - interval for the difference: Wald for paired proportions,
 *    d ± z_{1−α/2} · √(aOnly + bOnly − (bOnly − aOnly)²/n) / n (Agresti, Categorical Data Analysis, 3rd ed., §11.1).
 */
import { chiSquareSurvival } from '../monitor/drift/chi-square.js'
import { NAN_INTERVAL, type TestResult } from './interval.js'
import { normalQuantile } from './normal.js'

/** Below this many discordant pairs the exact binomial test is used. */
export const MCNEMAR_EXACT_BELOW = 25

/** Paired outcomes: pairs in all, and the discordant ones each way. */
export interface PairedOutcomes {
  pairs: number
  aOnly: number
  bOnly: number
}

/**
 * McNemar's test of b against a on paired outcomes, with the paired Wald interval for the difference.
 *
 * @example
 * mcnemarTest({ pairs: 200, aOnly: 5, bOnly: 15 }, 0.05).pValue // exact: 0.0414
 */
export function mcnemarTest({ pairs, aOnly, bOnly }: PairedOutcomes, alpha: number): TestResult {
  if (!(pairs > 0)) return { test: 'mcnemar', difference: Number.NaN, interval: NAN_INTERVAL, pValue: Number.NaN, statistic: Number.NaN }
  const discordant = aOnly + bOnly
  const difference = (bOnly - aOnly) / pairs
  const half = (normalQuantile(1 - alpha / 2) * Math.sqrt(Math.max(0, discordant - (bOnly - aOnly) ** 2 / pairs))) / pairs
  const interval = { lower: difference - half, upper: difference + half }
  if (discordant < MCNEMAR_EXACT_BELOW) {
    const statistic = Math.min(aOnly, bOnly)
    return { test: 'mcnemar_exact', difference, interval, pValue: Math.min(1, 2 * binomialHalfCdf(statistic, discordant)), statistic }
  }
  const statistic = (Math.abs(bOnly - aOnly) - 1) ** 2 / discordant
  return { test: 'mcnemar_chi2', difference, interval, pValue: chiSquareSurvival(statistic, 1), statistic }
}

/** P(X ≤ k) for X ~ Bin(n, ½), summed exactly (n < 25 keeps every term an exact double). */
function binomialHalfCdf(k: number, n: number): number {
  let term = 1 // C(n, 0)
  let sum = 1
  for (let i = 1; i <= k; i++) {
    term = (term * (n - i + 1)) / i
    sum += term
  }
  return sum / 2 ** n
}
