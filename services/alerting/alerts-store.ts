/**
 * Alerts in ClickHouse (migration 005): `alerts` holds each fingerprint's current state (latest row wins
 * under FINAL), `alert_events` the append-only history of transitions and of why a notification was or was
 * not sent. Times are ms since the epoch in TypeScript and DateTime64(3) in the tables.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import type { AlertIdentity } from './fingerprint.js'
import type { AlertEvent, AlertState } from './lifecycle.js'
import type { AlertSummary } from './notification.js'

export interface AlertRecord extends AlertIdentity, AlertState {
  fingerprint: string
  statistic: string
  severity: AlertSummary['severity']
  value: number | null
  baseline: number | null
  threshold: number
  condition: string
  window_end: number
  window_seconds: number
  is_final: boolean
  reference_id: string
  n_current: number | null
  n_reference: number | null
}

export interface AlertEventRow extends AlertIdentity {
  fingerprint: string
  event: AlertEvent
  status_from: string
  status_to: string
  value: number | null
  window_start: number
  /** '' when not muted, `silence:<id>` or `inhibited:<fingerprint>`. */
  muted_by: string
  notification_ids: string[]
  /** Who caused it: an API token's name for acknowledged and manual resolved events; '' (unset) for the engine. */
  actor?: string
  comment?: string
  at: number
}

const MS = (column: string): string => `toUnixTimestamp64Milli(${column}) AS ${column}`
const TIMES = ['window_start', 'window_end', 'started_at', 'resolved_at', 'last_notified_at', 'acknowledged_at']
const SELECT_RECORD = `SELECT * EXCEPT (${TIMES.join(', ')}, updated_at), ${TIMES.map(MS).join(', ')}, toUnixTimestamp64Milli(updated_at) AS updated_at`

/**
 * Every alert's current state, by fingerprint.
 *
 * @example
 * const firing = [...(await loadAlerts(ch)).values()].filter((a) => a.status === 'firing')
 */
export async function loadAlerts(ch: ClickHouse, filter: { model?: string } = {}): Promise<Map<string, AlertRecord>> {
  const result = await ch.client.query({
    query: `${SELECT_RECORD} FROM alerts FINAL WHERE ({any_model:UInt8} OR model = {model:String})`,
    query_params: { any_model: filter.model === undefined ? 1 : 0, model: filter.model ?? '' },
    format: 'JSONEachRow',
  })
  return new Map(
    (await result.json<StoredAlertRow>()).map((r) => {
      const { updated_at: _, ...record } = fromRow(r)
      return [r.fingerprint, record]
    }),
  )
}

type StoredAlertRow = Omit<AlertRecord, 'last_breached' | 'is_final'> & { last_breached: number; is_final: number; updated_at: number }

/** An alert as read back, with when its current state was written. */
export type ListedAlert = AlertRecord & { updated_at: number }

function fromRow(r: StoredAlertRow): ListedAlert {
  const num = (v: number | null): number | null => (v === null ? null : Number(v))
  return {
    ...r,
    last_breached: r.last_breached === 1,
    is_final: r.is_final === 1,
    window_start: Number(r.window_start),
    window_end: Number(r.window_end),
    started_at: num(r.started_at),
    resolved_at: num(r.resolved_at),
    last_notified_at: num(r.last_notified_at),
    acknowledged_at: num(r.acknowledged_at),
    updated_at: Number(r.updated_at),
  }
}

export interface AlertFilter {
  /** Any of these; unset: every status. */
  statuses?: readonly string[]
  model?: string
  version?: string
  monitor?: string
  severity?: string
  /** Changed (its current state written) at or after, ms since the epoch. */
  since?: number
  /** At most this many, most recently changed first. */
  limit: number
}

/** Each filter's condition; only these texts reach the SQL, the values go as parameters. */
const ALERT_CONDITIONS: { [K in keyof AlertFilter]?: string } = {
  statuses: 'status IN {statuses:Array(String)}',
  model: 'model = {model:String}',
  version: 'model_version = {version:String}',
  monitor: 'monitor = {monitor:String}',
  severity: 'severity = {severity:String}',
  // updated_at here is SELECT_RECORD's alias, already ms since the epoch.
  since: 'updated_at >= {since:Int64}',
}

/**
 * Alerts matching the filter, most recently changed first; one more than `limit` is read so the caller can
 * say whether there were more.
 *
 * @example
 * const { alerts, truncated } = await listAlerts(ch, { statuses: ['firing'], model: 'churn', limit: 100 })
 */
export async function listAlerts(ch: ClickHouse, filter: AlertFilter): Promise<{ alerts: ListedAlert[]; truncated: boolean }> {
  const where = ['1']
  const params: Record<string, unknown> = { limit: filter.limit + 1 }
  for (const [key, condition] of Object.entries(ALERT_CONDITIONS) as [keyof AlertFilter, string][]) {
    if (filter[key] === undefined) continue
    where.push(condition)
    params[key] = filter[key]
  }
  const result = await ch.client.query({
    query: `${SELECT_RECORD} FROM alerts FINAL WHERE ${where.join(' AND ')} ORDER BY updated_at DESC, fingerprint LIMIT {limit:UInt32}`,
    query_params: params,
    format: 'JSONEachRow',
  })
  const alerts = (await result.json<StoredAlertRow>()).map(fromRow)
  return { alerts: alerts.slice(0, filter.limit), truncated: alerts.length > filter.limit }
}

/**
 * One alert's current state, or undefined.
 *
 * @example
 * const alert = await getAlert(ch, '3f9c0a1b2c3d4e5f')
 */
export async function getAlert(ch: ClickHouse, fingerprint: string): Promise<ListedAlert | undefined> {
  const result = await ch.client.query({ query: `${SELECT_RECORD} FROM alerts FINAL WHERE fingerprint = {fingerprint:String}`, query_params: { fingerprint }, format: 'JSONEachRow' })
  const [row] = await result.json<StoredAlertRow>()
  return row === undefined ? undefined : fromRow(row)
}

/**
 * One alert's history (alert_events), oldest first.
 *
 * @example
 * const events = await alertHistory(ch, fingerprint) // [{ event: 'firing', ... }, { event: 'acknowledged', actor: 'ops', ... }]
 */
export async function alertHistory(ch: ClickHouse, fingerprint: string): Promise<Required<AlertEventRow>[]> {
  const result = await ch.client.query({
    query: `SELECT * EXCEPT (window_start, at), ${['window_start', 'at'].map(MS).join(', ')} FROM alert_events WHERE fingerprint = {fingerprint:String} ORDER BY at, event`,
    query_params: { fingerprint },
    format: 'JSONEachRow',
  })
  return (await result.json<Required<AlertEventRow>>()).map((e) => ({ ...e, window_start: Number(e.window_start), at: Number(e.at) }))
}

/** Writes new states; `now` orders them after every earlier state of the same fingerprint. */
export async function saveAlerts(ch: ClickHouse, records: readonly AlertRecord[], now: number): Promise<void> {
  if (records.length === 0) return
  const values = records.map((r) => ({ ...r, last_breached: r.last_breached ? 1 : 0, is_final: r.is_final ? 1 : 0, updated_at: now }))
  await ch.client.insert({ table: 'alerts', values, format: 'JSONEachRow' })
}

export async function appendAlertEvents(ch: ClickHouse, events: readonly AlertEventRow[]): Promise<void> {
  if (events.length > 0) await ch.client.insert({ table: 'alert_events', values: [...events], format: 'JSONEachRow' })
}

/**
 * The alert as receivers see it (notification.ts).
 *
 * @example
 * const summary = toSummary(record)
 */
export function toSummary(r: AlertRecord): AlertSummary {
  return {
    fingerprint: r.fingerprint,
    monitor: r.monitor,
    model: r.model,
    model_version: r.model_version,
    segment: r.segment,
    statistic: r.statistic,
    column: r.column,
    severity: r.severity,
    status: r.status === 'resolved' ? 'resolved' : 'firing',
    value: r.value,
    threshold: r.threshold,
    condition: r.condition,
    window_start: r.window_start,
    window_end: r.window_end,
    window_seconds: r.window_seconds,
    is_final: r.is_final,
    reference_id: r.reference_id,
    n_current: r.n_current,
    n_reference: r.n_reference,
    started_at: r.started_at ?? r.window_end,
    resolved_at: r.resolved_at,
  }
}
