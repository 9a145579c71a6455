/**
 * What the sequential test reads from a task's comparison: the primary metric's difference (b − a) and the
 * variance of that estimate, v = s_a²/n_a + s_b²/n_b (paired: s_d²/n) with sample variances (÷ n − 1), as
 * docs/statistics.md defines it. The primary metric is accuracy for classifiers and the absolute error (MAE) for
 * regression.
 */
import type { PairedOutcomes } from './mcnemar.js'
import type { MetricName } from './metric-comparison.js'
import type { Proportion } from './proportions.js'
import { pairedDifferenceSums, proportionSums, sampleVariance } from './sample-variance.js'

/** Labelled rows the comparison used per version (paired: the labelled events both versions scored). */
export interface LabelledCounts {
  a: number
  b: number
}

export interface SequentialInput {
  metric: MetricName
  difference: number
  variance: number
  /** Version a's value: the mixture's τ is the minimum detectable effect × |scale|. */
  scale: number
  enoughData: boolean
}

/** A difference b − a and the variance of that estimate. */
export interface EstimatedDifference {
  difference: number
  variance: number
}

/** A sample's count, mean and sample variance. */
interface Sample {
  n: number
  mean: number
  variance: number
}

/**
 * Split traffic, means: d = m_b − m_a, v = s_a²/n_a + s_b²/n_b (s² sample variances).
 *
 * @example
 * meansDifference({ n: 100, mean: 0.8, variance: 0.04 }, { n: 100, mean: 0.7, variance: 0.09 }) // { difference: -0.1…, variance: 0.0013 }
 */
export function meansDifference(a: Sample, b: Sample): EstimatedDifference {
  return { difference: b.mean - a.mean, variance: a.variance / a.n + b.variance / b.n }
}

/**
 * Shadow traffic, means: the per-event differences' mean d̄ and v = s_d²/n.
 *
 * @example
 * pairedMeansDifference({ n: 100, mean: -0.02, variance: 0.01 }) // { difference: -0.02, variance: 0.0001 }
 */
export function pairedMeansDifference(differences: Sample): EstimatedDifference {
  return { difference: differences.mean, variance: differences.variance / differences.n }
}

/**
 * Split traffic, proportions: the means of each version's 0/1 outcomes, so s² = n/(n − 1)·p̂(1 − p̂).
 *
 * @example
 * proportionsDifference({ successes: 60, trials: 80 }, { successes: 66, trials: 80 }).difference // 0.075
 */
export function proportionsDifference(a: Proportion, b: Proportion): EstimatedDifference {
  const summarise = (p: Proportion): Sample => ({ n: p.trials, mean: p.successes / p.trials, variance: sampleVariance(proportionSums(p)) })
  return meansDifference(summarise(a), summarise(b))
}

/**
 * Shadow traffic, proportions: the mean of the per-pair differences D ∈ {−1, 0, 1}, v = s_d²/n.
 *
 * @example
 * pairedProportionsDifference({ pairs: 100, aOnly: 4, bOnly: 10 }).difference // 0.06
 */
export function pairedProportionsDifference(outcomes: PairedOutcomes): EstimatedDifference {
  const sums = pairedDifferenceSums(outcomes)
  return pairedMeansDifference({ n: sums.n, mean: sums.sum / sums.n, variance: sampleVariance(sums) })
}
