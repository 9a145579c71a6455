/**
 * Missing share per feature for windows of versions that have no reference. With a reference, the drift
 * comparison reports it (missing values are excluded from drift and counted there); without one there is no
 * comparison, but a feature going missing is still worth an alert. Same definition as drift's: a value is
 * missing when its key is absent, NULL, NaN or ±Inf; share = missing / predictions of the window (all traffic).
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import type { ModelSpec } from '../models/model-spec.js'
import { GROUP_KEY_SQL, labelledWindowRows, type WindowSelection } from '../window-sources.js'

/**
 * Shares per window group key (see GROUP_KEY_SQL) and feature, for `versions` only.
 *
 * @example
 * const shares = await missingShares(ch, model, selection, ['2']) // Map { '2\t\t1767225600000' => Map { 'age' => 0.05 } }
 */
export async function missingShares(ch: ClickHouse, model: ModelSpec, selection: WindowSelection, versions: string[]): Promise<Map<string, Map<string, number>>> {
  if (versions.length === 0 || selection.starts.length === 0) return new Map()
  const rows = labelledWindowRows(selection)
  // One lookup per feature, each named by its own parameter (a lambda over the list would copy the maps per feature).
  const shares = model.features.map((f, i) =>
    f.kind === 'numeric'
      ? `countIf(NOT isFinite(ifNull(numeric_features[{ms_f${i}:String}], nan))) / count()`
      : `countIf(categorical_features[{ms_f${i}:String}] IS NULL) / count()`,
  )
  const result = await ch.client.query({
    query: `SELECT ${GROUP_KEY_SQL} AS grp, [${shares.join(', ')}] AS shares
            FROM (${rows.sql}) WHERE segment = '' AND model_version IN {ms_versions:Array(String)}
            GROUP BY grp`,
    query_params: { ...rows.params, ms_versions: versions, ...Object.fromEntries(model.features.map((f, i) => [`ms_f${i}`, f.name])) },
    format: 'JSONEachRow',
  })
  const out = new Map<string, Map<string, number>>()
  for (const row of await result.json<{ grp: string; shares: number[] }>()) {
    out.set(row.grp, new Map(model.features.map((f, i) => [f.name, Number(row.shares[i] ?? 0)])))
  }
  return out
}
