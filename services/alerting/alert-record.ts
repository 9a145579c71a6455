/**
 * The alert record of one observed series: its identity and fingerprint, the evidence of the judged window,
 * and the stored state it continues (stepped by the caller). Pure.
 */
import type { ModelSpec } from '../monitor/models/model-spec.js'
import type { AlertRecord } from './alerts-store.js'
import type { Observation } from './evaluate.js'
import { alertFingerprint } from './fingerprint.js'
import { INITIAL_STATE } from './lifecycle.js'
import { describeCondition, type MonitorSpec } from './monitor-spec.js'

/**
 * @example
 * const record = observe(monitor, model, observation, storedAlerts)
 */
export function observe(monitor: MonitorSpec, model: ModelSpec, obs: Observation, stored: Map<string, AlertRecord>): AlertRecord {
  const identity = { monitor: monitor.name, model: model.name, model_version: obs.model_version, segment: obs.segment, column: obs.column }
  const fingerprint = alertFingerprint(identity)
  const prev = stored.get(fingerprint)
  const { text, threshold } = describeCondition(monitor.condition)
  const p = obs.point
  const base = {
    ...identity, fingerprint, statistic: monitor.statistic, severity: monitor.severity, threshold, condition: text,
    window_seconds: monitor.window ?? model.default_window,
  }
  if (p === undefined || (obs.outcome === 'insufficient' && prev !== undefined)) {
    return { ...(prev ?? { ...INITIAL_STATE, value: null, baseline: null, window_end: 0, is_final: false, reference_id: '', n_current: null, n_reference: null }), ...base }
  }
  return {
    ...(prev ?? INITIAL_STATE),
    ...base,
    value: obs.value,
    baseline: obs.baseline,
    window_end: p.window_end,
    is_final: p.is_final,
    reference_id: p.reference_id ?? '',
    n_current: p.n,
    n_reference: p.n_reference ?? null,
  }
}

/**
 * Field by field: a re-evaluation that changes nothing writes no row.
 *
 * @example
 * sameRecord(record, stored.get(record.fingerprint)) // true when nothing changed
 */
export function sameRecord(a: AlertRecord, b: AlertRecord | undefined): boolean {
  if (b === undefined) return false
  return (Object.keys(a) as (keyof AlertRecord)[]).every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]))
}
