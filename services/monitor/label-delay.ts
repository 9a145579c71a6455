/**
 * Label delay per window: how long after a prediction its label arrived (label timestamp − prediction
 * timestamp, seconds), median and 90th percentile over the labelled predictions of the window. Exact
 * quantiles with linear interpolation (quantilesExactInclusive, as numpy's default).
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import { GROUP_KEY_SQL, labelledWindowRows, type WindowSelection } from './window-sources.js'

export interface LabelDelay {
  p50: number | null
  p90: number | null
}

export async function labelDelays(ch: ClickHouse, selection: WindowSelection): Promise<Map<string, LabelDelay>> {
  const rows = labelledWindowRows(selection)
  const result = await ch.client.query({
    query: `
      SELECT ${GROUP_KEY_SQL} AS grp,
             quantilesExactInclusiveIf(0.5, 0.9)(
               toFloat64(dateDiff('millisecond', timestamp, label_timestamp)) / 1000, label_timestamp IS NOT NULL) AS q,
             countIf(label_timestamp IS NOT NULL) AS labelled
      FROM (${rows.sql})
      GROUP BY grp`,
    query_params: rows.params,
    format: 'JSONEachRow',
  })
  const delays = new Map<string, LabelDelay>()
  for (const row of await result.json<{ grp: string; q: number[]; labelled: number }>()) {
    delays.set(row.grp, row.labelled > 0 ? { p50: row.q[0] ?? null, p90: row.q[1] ?? null } : { p50: null, p90: null })
  }
  return delays
}
