/**
 * One metric's row of the comparison report, and the helpers every task's comparison builds it with. Values
 * that the data do not define are null (never NaN) in the report.
 */
import type { Interval, TestResult } from './interval.js'
import { normalQuantile } from './normal.js'
import type { Verdict } from './verdict.js'

export type MetricName = 'accuracy' | 'precision' | 'recall' | 'roc_auc' | 'log_loss' | 'mae' | 'mse'

/** Lower is better for errors and log loss; higher for the rest. */
export const HIGHER_IS_BETTER: Record<MetricName, boolean> = {
  accuracy: true, precision: true, recall: true, roc_auc: true, log_loss: false, mae: false, mse: false,
}

/** One version's value of a metric, its confidence interval and the rows it is computed from. */
export interface VersionValue {
  value: number | null
  interval: Interval | null
  /** Rows the metric is computed from (evaluated rows, predicted positives for precision, positives for recall…). */
  n: number
}

export interface MetricComparison {
  metric: MetricName
  higherIsBetter: boolean
  /** The test: two_proportion_z, mcnemar_exact, mcnemar_chi2, welch_t, paired_t, delong_independent, delong_paired, bootstrap, bootstrap_paired. */
  test: string
  a: VersionValue
  b: VersionValue
  /** b − a. */
  difference: number | null
  differenceInterval: Interval | null
  pValue: number | null
  /** Benjamini–Hochberg across every metric of the report. */
  adjustedPValue: number | null
  verdict: Verdict
  /** Labelled events (paired: pairs) each version still needs to detect the minimum detectable effect; 0 when it has enough. */
  samplesNeeded: number | null
}

/** What a task's comparison hands over before the adjustment across metrics and the verdict. */
export interface MetricDraft {
  metric: MetricName
  result: TestResult
  a: VersionValue
  b: VersionValue
  /** Whether the data meet the minimums (verdict.ts) for this metric. */
  enoughData: boolean
  samplesNeeded: number | null
}

/** NaN → null, for the report. */
export const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null)

/** An interval with both bounds finite, or null. */
export const intervalOrNull = (i: Interval): Interval | null => (Number.isFinite(i.lower) && Number.isFinite(i.upper) ? i : null)

/**
 * A mean with its normal-approximation interval, mean ± z_{1−α/2}·s/√n (for log loss, errors: large samples).
 *
 * @example
 * meanValue(0.42, 0.01, 400, 0.05) // { value: 0.42, interval: { lower: 0.4102, upper: 0.4298 }, n: 400 }
 */
export function meanValue(mean: number, variance: number, n: number, alpha: number): VersionValue {
  const half = normalQuantile(1 - alpha / 2) * Math.sqrt(variance / n)
  return { value: n > 0 ? finiteOrNull(mean) : null, interval: n > 1 ? intervalOrNull({ lower: mean - half, upper: mean + half }) : null, n }
}

/**
 * Scales a per-metric sample size (in the metric's own rows, e.g. positives for recall) to labelled events:
 * rows needed × labelled / rows the metric has now.
 *
 * @example
 * toLabelled(400, 100, 1000) // 4000: one labelled event in ten is a positive
 */
export function toLabelled(required: number, metricRows: number, labelled: number): number {
  return metricRows > 0 ? (required * labelled) / metricRows : Number.NaN
}

/** The knobs of one comparison. */
export interface ComparisonSettings {
  /** Significance level of every test and interval (1 − α confidence), and the sequential test's error rate. */
  alpha: number
  /** Power the sample sizes are computed for. */
  power: number
  /** Minimum detectable effect, relative to version a's value (0.05 = a 5 % change). */
  mde: number
}

/**
 * The minimum detectable difference of a metric in absolute terms: mde × a's value, towards better; for a
 * proportion, turned around when "better" would leave [0, 1].
 *
 * @example
 * detectableDifference('accuracy', 0.8, 0.05) // 0.04
 */
export function detectableDifference(metric: MetricName, valueA: number, mde: number): number {
  const toward = HIGHER_IS_BETTER[metric] ? 1 : -1
  const delta = toward * mde * Math.abs(valueA)
  const proportion = metric === 'accuracy' || metric === 'precision' || metric === 'recall' || metric === 'roc_auc'
  return proportion && (valueA + delta > 1 || valueA + delta < 0) ? -delta : delta
}
