/**
 * Rows of the monitor's result tables (migration 003) and their insertion. Every row of one pass carries
 * the pass's `computed_at`, so the latest computation of a window wins under FINAL.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'

export interface WindowKey {
  model: string
  model_version: string
  segment: string
  window_seconds: number
  window_start: number
  window_end: number
}

export interface WindowMetricRow extends WindowKey {
  metric: string
  value: number | null
  is_final: number
  computed_at: number
}

export interface DriftMetricRow extends WindowKey {
  reference_id: string
  column: string
  kind: 'numeric' | 'categorical' | 'dataset'
  n_reference: number
  n_current: number
  missing_share: number | null
  psi: number | null
  jensen_shannon: number | null
  ks_statistic: number | null
  ks_p_value: number | null
  wasserstein: number | null
  wasserstein_normed: number | null
  chi2_statistic: number | null
  chi2_p_value: number | null
  new_category_share: number | null
  drift_method: string
  drift_score: number | null
  drifted: number
  computed_at: number
}

export interface DataQualityRow extends WindowKey {
  column: string
  metric: string
  value: number | null
  computed_at: number
}

export interface WindowResults {
  windowMetrics: WindowMetricRow[]
  driftMetrics: DriftMetricRow[]
  dataQuality: DataQualityRow[]
}

export function emptyResults(): WindowResults {
  return { windowMetrics: [], driftMetrics: [], dataQuality: [] }
}

export async function writeResults(ch: ClickHouse, results: WindowResults): Promise<void> {
  const tables: [string, object[]][] = [
    ['window_metrics', results.windowMetrics],
    ['drift_metrics', results.driftMetrics],
    ['data_quality', results.dataQuality],
  ]
  for (const [table, values] of tables) {
    if (values.length > 0) await ch.client.insert({ table, values, format: 'JSONEachRow' })
  }
}
