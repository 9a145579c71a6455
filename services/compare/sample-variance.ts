/**
 * Sample variances (÷ n − 1), as docs/statistics.md defines every s² of the comparison: the one place the
 * TypeScript side computes them (the regression comparison reads ClickHouse's varSampStable).
 */
import type { PairedOutcomes } from './mcnemar.js'
import type { Proportion } from './proportions.js'

/** A sample by its count, sum and sum of squares: enough for its mean and variance. */
export interface SampleSums {
  n: number
  sum: number
  sumOfSquares: number
}

/**
 * s² = (Σx² − (Σx)²/n) / (n − 1); NaN below two values. Meant for sums of counted outcomes (0/1, −1/0/1), which
 * are exact integers, so the subtraction loses nothing; real-valued samples go through `summary`.
 *
 * @example
 * sampleVariance(proportionSums({ successes: 3, trials: 4 })) // 0.25 (= 4/3 · ¾ · ¼)
 */
export function sampleVariance({ n, sum, sumOfSquares }: SampleSums): number {
  if (!(n >= 2)) return Number.NaN
  return Math.max(0, (sumOfSquares - (sum * sum) / n) / (n - 1))
}

/**
 * The 0/1 outcomes of a proportion (1 = success).
 *
 * @example
 * proportionSums({ successes: 3, trials: 4 }) // { n: 4, sum: 3, sumOfSquares: 3 }
 */
export function proportionSums({ successes, trials }: Proportion): SampleSums {
  return { n: trials, sum: successes, sumOfSquares: successes }
}

/**
 * The per-pair differences D = correct_b − correct_a ∈ {−1, 0, 1} of paired 0/1 outcomes: the discordant pairs
 * give ±1, the concordant ones 0.
 *
 * @example
 * pairedDifferenceSums({ pairs: 100, aOnly: 4, bOnly: 10 }) // { n: 100, sum: 6, sumOfSquares: 14 }
 */
export function pairedDifferenceSums({ pairs, aOnly, bOnly }: PairedOutcomes): SampleSums {
  return { n: pairs, sum: bOnly - aOnly, sumOfSquares: aOnly + bOnly }
}

/**
 * Mean and sample variance of real values, in two passes (no cancellation between Σx² and (Σx)²/n).
 *
 * @example
 * summary(Float64Array.from([1, 2, 3, 4])) // { mean: 2.5, variance: 1.666… }
 */
export function summary(values: Float64Array): { mean: number; variance: number } {
  let sum = 0
  for (const v of values) sum += v
  const mean = sum / values.length
  let ss = 0
  for (const v of values) ss += (v - mean) ** 2
  return { mean, variance: ss / (values.length - 1) }
}
