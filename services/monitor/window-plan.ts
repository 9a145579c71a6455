/**
 * Which windows of a model a monitor pass (re)computes. A window is worth computing when something in
 * it changed since the last pass: new predictions, new labels its predictions can take (naming the model or
 * no model: core/events/prediction-labels.ts), or its finalisation deadline (window end + final_max_delay)
 * passed. After downtime the last pass is old, so the same rule catches up on every window that changed
 * meanwhile; on the first pass every window with data counts.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import { labelModelsSql } from '../core/events/prediction-labels.js'
import type { ModelSpec } from './models/model-spec.js'

/**
 * Rows become visible a little after their `ingested_at` (set when the insert starts), so each pass looks
 * back this far before the previous one; recomputing a window is idempotent.
 */
export const VISIBILITY_MARGIN_MS = 60_000

/** Window starts (ms) with changes at or after `sinceMs` (the caller subtracts the visibility margin). */
export async function windowsToCompute(ch: ClickHouse, model: ModelSpec, sinceMs: number, nowMs: number): Promise<number[]> {
  const result = await ch.client.query({
    query: `
      WITH toIntervalSecond({window:UInt32}) AS w
      SELECT DISTINCT (1000 * toInt64(toUnixTimestamp(toStartOfInterval(timestamp, w)))) AS start
      FROM predictions
      WHERE model = {model:String}
        AND (
          ingested_at >= fromUnixTimestamp64Milli({since:Int64})
          OR event_id IN (SELECT event_id FROM ground_truth WHERE ${labelModelsSql('model')} AND ingested_at >= fromUnixTimestamp64Milli({since:Int64}))
          OR (timestamp >= fromUnixTimestamp64Milli({since:Int64} - {deadline_ms:Int64})
              AND timestamp < fromUnixTimestamp64Milli({now:Int64} - {max_delay_ms:Int64}))
        )
      ORDER BY start`,
    query_params: {
      model: model.name,
      window: model.default_window,
      since: sinceMs,
      now: nowMs,
      max_delay_ms: model.final_max_delay * 1000,
      deadline_ms: (model.final_max_delay + model.default_window) * 1000,
    },
    format: 'JSONEachRow',
  })
  return (await result.json<{ start: number }>()).map((r) => Number(r.start))
}

/** When the monitor last finished a pass for this model and window size; 0 when never. */
export async function lastPass(ch: ClickHouse, model: string, windowSeconds: number): Promise<number> {
  const result = await ch.client.query({
    query: `SELECT toUnixTimestamp64Milli(max(last_pass_at)) AS at FROM monitor_state WHERE model = {model:String} AND window_seconds = {window:UInt32}`,
    query_params: { model, window: windowSeconds },
    format: 'JSONEachRow',
  })
  const [row] = await result.json<{ at: number | null }>()
  return Number(row?.at ?? 0)
}

export async function recordPass(ch: ClickHouse, model: string, windowSeconds: number, startedAtMs: number): Promise<void> {
  await ch.client.insert({ table: 'monitor_state', values: [{ model, window_seconds: windowSeconds, last_pass_at: startedAtMs }], format: 'JSONEachRow' })
}
