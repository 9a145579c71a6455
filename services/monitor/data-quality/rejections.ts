/**
 * Events rejected at ingest, per model, window (by arrival time: a rejected event has no trustworthy
 * timestamp of its own) and dead-letter reason, from the `dead_letters` table.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'

export interface Rejections {
  windowStart: number
  reason: string
  count: number
}

export async function rejectionsPerWindow(ch: ClickHouse, model: string, windowSeconds: number, starts: number[]): Promise<Rejections[]> {
  if (starts.length === 0) return []
  const result = await ch.client.query({
    query: `
      SELECT (1000 * toInt64(toUnixTimestamp(toStartOfInterval(received_at, toIntervalSecond({window:UInt32}))))) AS window_start, reason, count() AS n
      FROM dead_letters FINAL
      WHERE model = {model:String}
        AND (1000 * toInt64(toUnixTimestamp(toStartOfInterval(received_at, toIntervalSecond({window:UInt32}))))) IN {starts:Array(Int64)}
      GROUP BY window_start, reason`,
    query_params: { model, window: windowSeconds, starts },
    format: 'JSONEachRow',
  })
  return (await result.json<{ window_start: number; reason: string; n: number }>()).map((r) => ({ windowStart: Number(r.window_start), reason: r.reason, count: Number(r.n) }))
}
