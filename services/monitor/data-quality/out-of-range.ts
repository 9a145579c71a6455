/**
 * Out-of-range share per numeric column: the share of the current window's non-missing values that fall
 * outside the reference's [min, max]. NULL when the window has no values or the reference has none.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { withSource, type DriftSource } from '../sql-source.js'

export async function outOfRangeShares(ch: ClickHouse, source: DriftSource): Promise<Map<string, number | null>> {
  const { query, params } = withSource(
    source,
    `SELECT c.column AS column,
            if(countIf(c.num IS NOT NULL) = 0, NULL,
               countIf(c.num IS NOT NULL AND (c.num < r.lo OR c.num > r.hi)) / countIf(c.num IS NOT NULL)) AS share
     FROM (SELECT column, num FROM src WHERE side = 1) AS c
     INNER JOIN (SELECT column, min(num) AS lo, max(num) AS hi FROM src WHERE side = 0 AND num IS NOT NULL GROUP BY column) AS r
       ON r.column = c.column
     GROUP BY c.column`,
  )
  const result = await ch.client.query({ query, query_params: params, format: 'JSONEachRow' })
  return new Map((await result.json<{ column: string; share: number | null }>()).map((r) => [r.column, r.share]))
}
