/**
 * The demo's timeline: what happened since the last look, read from the tables the services write (windows
 * computed, dataset drift found, alerts changing state, notifications delivered, events dead-lettered), as
 * one line each. Only for the demo's terminal; the same facts are in the API, the status page and Grafana.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'

export interface TimelineCursor {
  /** ms: rows stamped after this are looked at (less LOOK_BACK_MS, see below). */
  since: number
  /** Rows already told, by key. */
  told: Set<string>
  deadLetters: number
}

/**
 * Rows carry the time their work started (a pass, an alerting run) but become visible when written, seconds
 * later; each look goes back this far and skips what it already told.
 */
const LOOK_BACK_MS = 60_000

export const startCursor = (since: number): TimelineCursor => ({ since, told: new Set(), deadLetters: 0 })

/** True the first time a key is seen. */
const fresh = (cursor: TimelineCursor, key: string): boolean => !cursor.told.has(key) && Boolean(cursor.told.add(key))

const minute = (iso: string): string => iso.slice(11, 16)

async function rows<T>(ch: ClickHouse, query: string, params: Record<string, unknown>): Promise<T[]> {
  return (await ch.client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>()
}

/**
 * The lines since `cursor` (which it advances).
 *
 * @example
 * for (const line of await timelineLines(ch, cursor)) say(line)
 */
export async function timelineLines(ch: ClickHouse, cursor: TimelineCursor): Promise<string[]> {
  const now = Date.now()
  const params = { since: cursor.since - LOOK_BACK_MS }
  const lines: string[] = []

  const windows = await rows<{ model: string; model_version: string; start: string; computed: string }>(
    ch,
    `SELECT model, model_version, toString(window_start) AS start, toString(computed_at) AS computed
     FROM window_metrics WHERE computed_at > fromUnixTimestamp64Milli({since:Int64}) AND segment = '' AND metric = 'count'
     ORDER BY start`,
    params,
  )
  const computed = new Map<string, string[]>()
  for (const w of windows) {
    if (fresh(cursor, `w/${w.model}/${w.model_version}/${w.start}/${w.computed}`)) computed.set(w.model, [...(computed.get(w.model) ?? []), w.start])
  }
  for (const [model, starts] of computed) lines.push(`windows computed  ${model}: ${starts.length} (version × window), ${minute(starts[0] ?? '')} to ${minute(starts.at(-1) ?? '')}`)

  const drifts = await rows<{ model: string; model_version: string; start: string; columns: string[] }>(
    ch,
    `SELECT d.model AS model, d.model_version AS model_version, toString(d.window_start) AS start,
            arraySort(groupArrayIf(c.column, c.drifted = 1 AND c.column != '__dataset__')) AS columns
     FROM (SELECT model, model_version, window_start FROM drift_metrics FINAL WHERE column = '__dataset__' AND drifted = 1 AND segment = '') AS d
     JOIN (SELECT model, model_version, window_start, column, drifted FROM drift_metrics FINAL WHERE segment = '') AS c
       ON c.model = d.model AND c.model_version = d.model_version AND c.window_start = d.window_start
     GROUP BY model, model_version, start ORDER BY start, model, model_version`,
    {},
  )
  for (const d of drifts) {
    if (!fresh(cursor, `d/${d.model}/${d.model_version}/${d.start}`)) continue
    lines.push(`DRIFT             ${d.model} v${d.model_version} window ${minute(d.start)}: ${d.columns.join(', ')}`)
  }

  const events = await rows<{ fingerprint: string; stamp: string; event: string; monitor: string; model_version: string; value: number | null; start: string; muted_by: string }>(
    ch,
    `SELECT fingerprint, toString(at) AS stamp, event, monitor, model_version, value, toString(window_start) AS start, muted_by FROM alert_events
     WHERE at > fromUnixTimestamp64Milli({since:Int64}) ORDER BY at`,
    params,
  )
  for (const e of events) {
    if (!fresh(cursor, `a/${e.fingerprint}/${e.stamp}/${e.event}`)) continue
    const value = e.value === null ? '' : ` (value ${Number(e.value.toPrecision(4))})`
    lines.push(`ALERT ${e.event.padEnd(11)} ${e.monitor} v${e.model_version} window ${minute(e.start)}${value}${e.muted_by === '' ? '' : `, muted by ${e.muted_by}`}`)
  }

  const deliveries = await rows<{ id: string; seq: number; channel: string; channel_type: string; group_key: string; status: string; response_status: number | null; attempts: number; notification_status: string }>(
    ch,
    `SELECT id, seq, channel, channel_type, group_key, status, response_status, attempts, notification_status FROM deliveries
     WHERE updated_at > fromUnixTimestamp64Milli({since:Int64}) AND status IN ('delivered', 'dead') ORDER BY updated_at`,
    params,
  )
  for (const d of deliveries) {
    if (!fresh(cursor, `n/${d.id}/${d.seq}`)) continue
    lines.push(`NOTIFY ${d.status.padEnd(10)} ${d.notification_status} ${d.group_key} → ${d.channel} (${d.channel_type}${d.response_status === null ? '' : `, ${d.response_status}`}, attempt ${d.attempts})`)
  }

  const [dead] = await rows<{ n: number }>(ch, 'SELECT count() AS n FROM dead_letters FINAL', {})
  const deadLetters = Number(dead?.n ?? 0)
  if (deadLetters > cursor.deadLetters) {
    const reasons = await rows<{ reason: string; n: number }>(ch, 'SELECT reason, count() AS n FROM dead_letters FINAL GROUP BY reason ORDER BY reason', {})
    lines.push(`DEAD LETTERS      ${deadLetters - cursor.deadLetters} new (${reasons.map((r) => `${r.reason} ${r.n}`).join(', ')})`)
    cursor.deadLetters = deadLetters
  }
  cursor.since = now
  return lines
}
