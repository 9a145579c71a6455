/**
 * The demo's one-line view of the latest windows of a model: volume, label coverage, accuracy and ROC AUC,
 * dataset drift and the drifted features, read from the monitor's result tables.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'

interface WindowLine {
  window_start: string
  events: number | null
  coverage: number | null
  accuracy: number | null
  roc_auc: number | null
  is_final: number
  dataset_drift: number | null
  drifted: string[]
}

export async function windowSummary(ch: ClickHouse, model: string, windows: number): Promise<string[]> {
  const result = await ch.client.query({
    query: `
      SELECT toString(m.window_start) AS window_start,
             anyIf(m.value, m.metric = 'count') AS events,
             anyIf(m.value, m.metric = 'label_coverage') AS coverage,
             anyIf(m.value, m.metric = 'accuracy') AS accuracy,
             anyIf(m.value, m.metric = 'roc_auc') AS roc_auc,
             max(m.is_final) AS is_final,
             any(d.dataset_drift) AS dataset_drift,
             any(d.drifted_columns) AS drifted
      FROM (SELECT * FROM window_metrics FINAL WHERE model = {model:String} AND segment = '') AS m
      LEFT JOIN (
        SELECT window_start, model_version,
               maxIf(drifted, column = '__dataset__') AS dataset_drift,
               arraySort(groupArrayIf(column, drifted = 1 AND column != '__dataset__')) AS drifted_columns
        FROM drift_metrics FINAL WHERE model = {model:String} AND segment = ''
        GROUP BY window_start, model_version
      ) AS d ON d.window_start = m.window_start AND d.model_version = m.model_version
      GROUP BY m.window_start
      ORDER BY m.window_start DESC
      LIMIT {windows:UInt32}`,
    query_params: { model, windows },
    format: 'JSONEachRow',
  })
  const rows = (await result.json<WindowLine>()).reverse()
  const pct = (v: number | null): string => (v === null ? '  -  ' : `${(v * 100).toFixed(0).padStart(3)}%`)
  const num = (v: number | null): string => (v === null ? '  -  ' : v.toFixed(3))
  return rows.map(
    (r) =>
      `window ${r.window_start.slice(11, 16)}  ${String(r.events ?? 0).padStart(5)} events  labelled ${pct(r.coverage)}  ` +
      `accuracy ${num(r.accuracy)}  AUC ${num(r.roc_auc)}  ${r.is_final ? 'final      ' : 'provisional'}  ` +
      (r.dataset_drift === 1 ? `DRIFT: ${r.drifted.join(', ')}` : r.dataset_drift === 0 ? 'no dataset drift' : 'no drift computed'),
  )
}
