/**
 * A comparison report as rows of `comparison_results` (migration 009): one row per metric, the sequential
 * test's state on the key metric's row only. Pure; the reader (rowToEvidence) turns a stored row back into
 * the evidence a notification carries.
 */
import type { ComparisonReport } from './compare-versions.js'

export type Concluded = '' | 'better' | 'worse'

/** A row of comparison_results; times are ms since the epoch (DateTime64(3) takes JSON integers as ms). */
export interface ComparisonRow {
  model: string
  champion: string
  challenger: string
  segment: string
  paired: 0 | 1
  metric: string
  period_start: number
  period_end: number
  n_champion: number
  n_challenger: number
  value_champion: number | null
  value_champion_low: number | null
  value_champion_high: number | null
  value_challenger: number | null
  value_challenger_low: number | null
  value_challenger_high: number | null
  difference: number | null
  difference_low: number | null
  difference_high: number | null
  p_value: number | null
  p_value_adjusted: number | null
  verdict: string
  sequential_p_value: number | null
  sequential_low: number | null
  sequential_high: number | null
  sequential_alpha: number | null
  sequential_concluded: Concluded
  samples_needed: number | null
  computed_at: number
}

/**
 * What the sequential state means for the challenger: '' while it continues (or lacks data).
 *
 * @example
 * concludedOf(report) // 'better' when the challenger (version b) is established as better
 */
export function concludedOf(report: ComparisonReport): Concluded {
  return report.sequential.state === 'b_better' ? 'better' : report.sequential.state === 'b_worse' ? 'worse' : ''
}

/**
 * @example
 * await insertJsonEachRow('comparison_results', comparisonRows(report, Date.now()))
 */
export function comparisonRows(report: ComparisonReport, computedAt: number): ComparisonRow[] {
  const seq = report.sequential
  return report.metrics.map((m) => {
    const key = m.metric === seq.metric
    return {
      model: report.model,
      champion: report.a,
      challenger: report.b,
      segment: report.segment,
      paired: report.paired ? 1 : 0,
      metric: m.metric,
      period_start: Date.parse(report.from),
      period_end: Date.parse(report.to),
      n_champion: m.a.n,
      n_challenger: m.b.n,
      value_champion: m.a.value,
      value_champion_low: m.a.interval?.lower ?? null,
      value_champion_high: m.a.interval?.upper ?? null,
      value_challenger: m.b.value,
      value_challenger_low: m.b.interval?.lower ?? null,
      value_challenger_high: m.b.interval?.upper ?? null,
      difference: m.difference,
      difference_low: m.differenceInterval?.lower ?? null,
      difference_high: m.differenceInterval?.upper ?? null,
      p_value: m.pValue,
      p_value_adjusted: m.adjustedPValue,
      verdict: m.verdict,
      sequential_p_value: key ? seq.pValue : null,
      sequential_low: key ? seq.interval?.lower ?? null : null,
      sequential_high: key ? seq.interval?.upper ?? null : null,
      sequential_alpha: key ? seq.alpha : null,
      sequential_concluded: key ? concludedOf(report) : '',
      samples_needed: m.samplesNeeded,
      computed_at: computedAt,
    }
  })
}
