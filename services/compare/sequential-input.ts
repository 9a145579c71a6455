/**
 * What the sequential test reads from a task's comparison: the primary metric's difference (b − a) and the
 * variance of that estimate. The primary metric is accuracy for classifiers and the absolute error (MAE) for
 * regression.
 */
import type { MetricName } from './metric-comparison.js'

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
