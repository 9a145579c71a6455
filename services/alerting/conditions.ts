/**
 * Whether one value breaches a monitor's condition: a threshold, the engine's drift decision, or a relative
 * change against a baseline (the mean of previous windows, or the metric on the reference data). Pure.
 */
import type { Condition } from './monitor-spec.js'

export type Outcome = 'breach' | 'ok' | 'insufficient'

export interface Judgement {
  outcome: Outcome
  /** The baseline a relative condition compared with; null for thresholds. */
  baseline: number | null
  /** Why the outcome is `insufficient`, for logs and the alert's history. */
  reason?: string
}

export interface JudgeInput {
  value: number | null
  /** drift_metrics.drifted of the window, for `{drifted: true}`. */
  drifted?: boolean
  /** comparison_results.sequential_concluded ('' while the test continues), for `{concluded: …}`. */
  concluded?: '' | 'better' | 'worse'
  /** The baseline values: previous windows' values, or the single reference value. */
  baselineValues?: number[]
}

/**
 * @example
 * judge({ below: 0.8 }, { value: 0.7 }) // { outcome: 'breach', baseline: null }
 * judge({ drop: 20, against: 'previous', windows: 3, min_change: 0 }, { value: 70, baselineValues: [100, 100, 100] }) // breach: 70 < 80
 */
export function judge(condition: Condition, input: JudgeInput): Judgement {
  if ('drifted' in condition) {
    if (input.drifted === undefined) return { outcome: 'insufficient', baseline: null, reason: 'no drift decision for the window' }
    return { outcome: input.drifted ? 'breach' : 'ok', baseline: null }
  }
  if ('concluded' in condition) {
    if (input.concluded === undefined) return { outcome: 'insufficient', baseline: null, reason: 'no sequential test for the comparison' }
    return { outcome: input.concluded === condition.concluded ? 'breach' : 'ok', baseline: null }
  }
  const { value } = input
  if (value === null || !Number.isFinite(value)) return { outcome: 'insufficient', baseline: null, reason: 'the statistic is undefined for the window' }
  if ('above' in condition) return { outcome: value > condition.above ? 'breach' : 'ok', baseline: null }
  if ('below' in condition) return { outcome: value < condition.below ? 'breach' : 'ok', baseline: null }
  const values = (input.baselineValues ?? []).filter((v) => Number.isFinite(v))
  if (values.length === 0) {
    const reason = condition.against === 'reference' ? 'no value on the reference data' : 'no previous window to compare with'
    return { outcome: 'insufficient', baseline: null, reason }
  }
  const baseline = values.reduce((a, b) => a + b, 0) / values.length
  const change = value - baseline
  const breached = 'drop' in condition
    ? value < baseline * (1 - condition.drop / 100) && -change >= condition.min_change
    : value > baseline * (1 + condition.rise / 100) && change >= condition.min_change
  return { outcome: breached ? 'breach' : 'ok', baseline }
}
