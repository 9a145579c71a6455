/**
 * The delivery outbox and log (`deliveries`, migration 006). A notification is stored as a pending delivery
 * before anything is sent; each attempt appends a row with the next `seq`, and a delivery's state is its row
 * with the highest seq. Nothing is updated in place, so the whole history stays readable (`deliveryHistory`),
 * and a crash at any point leaves either the old state (the attempt is made again) or the new one.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import { ModelwatchError } from '../core/errors.js'
import { listChannels } from './channels-store.js'
import type { Notification } from './notification.js'

export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'dead'

export interface DeliveryRow {
  id: string
  seq: number
  channel: string
  channel_type: string
  group_key: string
  notification_status: Notification['status']
  status: DeliveryStatus
  attempts: number
  next_attempt_at: number
  last_error: string
  response_status: number | null
  payload: string
  created_at: number
  updated_at: number
}

/** A delivery as the log shows it: its latest row, with the notification it carries parsed. */
export interface Delivery extends DeliveryRow {
  notification: Notification
}

export interface EnqueueResult {
  /** Ids written now. */
  enqueued: string[]
  /** Ids already in the outbox, left as they were. */
  duplicates: string[]
}

/**
 * Stores notifications as pending deliveries, due now. Idempotent by notification id: an id already in the
 * outbox is left alone (and two enqueuers racing write seq-0 rows that never outrank a later state).
 *
 * @example
 * const { enqueued } = await enqueueNotifications(ch, notifications)
 */
export async function enqueueNotifications(ch: ClickHouse, notifications: readonly Notification[], now: number = Date.now()): Promise<EnqueueResult> {
  for (const n of notifications) {
    if (typeof n.id !== 'string' || n.id === '' || typeof n.channel !== 'string' || n.channel === '') {
      throw new ModelwatchError('USAGE', `a notification needs a non-empty id and channel (got id ${JSON.stringify(n.id)}, channel ${JSON.stringify(n.channel)})`)
    }
  }
  if (notifications.length === 0) return { enqueued: [], duplicates: [] }
  const ids = [...new Set(notifications.map((n) => n.id))]
  const existing = await ch.client.query({
    query: 'SELECT DISTINCT id FROM deliveries WHERE id IN {ids:Array(String)}',
    query_params: { ids },
    format: 'JSONEachRow',
  })
  const known = new Set((await existing.json<{ id: string }>()).map((r) => r.id))
  const types = new Map((await listChannels(ch)).map((c) => [c.name, c.type]))
  const rows: DeliveryRow[] = []
  const duplicates: string[] = []
  for (const n of notifications) {
    if (known.has(n.id)) {
      duplicates.push(n.id)
      continue
    }
    known.add(n.id)
    rows.push({
      id: n.id, seq: 0, channel: n.channel, channel_type: types.get(n.channel) ?? '', group_key: n.group_key,
      notification_status: n.status, status: 'pending', attempts: 0, next_attempt_at: now, last_error: '',
      response_status: null, payload: JSON.stringify(n), created_at: now, updated_at: now,
    })
  }
  if (rows.length > 0) await ch.client.insert({ table: 'deliveries', values: rows, format: 'JSONEachRow' })
  return { enqueued: rows.map((r) => r.id), duplicates }
}

/**
 * The latest row of each delivery: `rowFilter` narrows rows before (channel, id, ... are the same on every row of
 * a delivery), `stateFilter` the latest states after. Times come back as ISO strings (the client's setting).
 */
function latestQuery(rowFilter: string[], stateFilter: string[], tail: string): string {
  const where = (conditions: string[]): string => (conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`)
  return `SELECT * FROM (
      SELECT * FROM deliveries ${where(rowFilter)} ORDER BY id, seq DESC, updated_at DESC LIMIT 1 BY id
    ) ${where(stateFilter)} ${tail}`
}

type StoredRow = Omit<DeliveryRow, 'next_attempt_at' | 'created_at' | 'updated_at'> & { next_attempt_at: string; created_at: string; updated_at: string }

function fromStored(row: StoredRow): DeliveryRow {
  return {
    ...row,
    response_status: row.response_status === null ? null : Number(row.response_status),
    next_attempt_at: Date.parse(row.next_attempt_at),
    created_at: Date.parse(row.created_at),
    updated_at: Date.parse(row.updated_at),
  }
}

function toDelivery(row: StoredRow): Delivery {
  const stored = fromStored(row)
  return { ...stored, notification: JSON.parse(stored.payload) as Notification }
}

/**
 * Deliveries due for an attempt (pending or retrying, next attempt not after `now`), oldest first.
 *
 * @example
 * for (const d of await dueDeliveries(ch, Date.now(), 500)) await attempt(d)
 */
export async function dueDeliveries(ch: ClickHouse, now: number, limit: number): Promise<Delivery[]> {
  const result = await ch.client.query({
    // delivered and dead are final, so their deliveries' rows are dropped before the per-id sort: a poll's cost
    // follows the live deliveries, not the whole log.
    query: latestQuery(
      ["id NOT IN (SELECT id FROM deliveries WHERE status IN ('delivered', 'dead'))"],
      ["status IN ('pending', 'retrying')", 'next_attempt_at <= fromUnixTimestamp64Milli({now:Int64})'],
      'ORDER BY next_attempt_at, id LIMIT {limit:UInt32}',
    ),
    query_params: { now, limit },
    format: 'JSONEachRow',
  })
  return (await result.json<StoredRow>()).map(toDelivery)
}

export interface DeliveryFilter {
  channel?: string
  status?: DeliveryStatus
  /** One notification's delivery. */
  id?: string
  group_key?: string
  /** Created at or after, ms since the epoch. */
  since?: number
  /** At most this many, newest first; default 100. */
  limit?: number
}

/**
 * The delivery log: latest state of each delivery matching the filter, newest first (what the API serves).
 *
 * @example
 * const dead = await listDeliveries(ch, { status: 'dead', channel: 'retrain', limit: 20 })
 */
export async function listDeliveries(ch: ClickHouse, filter: DeliveryFilter = {}): Promise<Delivery[]> {
  const rowFilter: string[] = []
  if (filter.channel !== undefined) rowFilter.push('channel = {channel:String}')
  if (filter.id !== undefined) rowFilter.push('id = {id:String}')
  if (filter.group_key !== undefined) rowFilter.push('group_key = {group_key:String}')
  if (filter.since !== undefined) rowFilter.push('created_at >= fromUnixTimestamp64Milli({since:Int64})')
  const result = await ch.client.query({
    query: latestQuery(rowFilter, filter.status === undefined ? [] : ['status = {status:String}'], 'ORDER BY created_at DESC, id LIMIT {limit:UInt32}'),
    query_params: { ...filter, limit: filter.limit ?? 100 },
    format: 'JSONEachRow',
  })
  return (await result.json<StoredRow>()).map(toDelivery)
}

/**
 * Every state a delivery went through, in order: the enqueue, then one row per attempt.
 *
 * @example
 * const steps = await deliveryHistory(ch, notification.id) // [{status: 'pending', ...}, {status: 'retrying', ...}, {status: 'delivered', ...}]
 */
export async function deliveryHistory(ch: ClickHouse, id: string): Promise<DeliveryRow[]> {
  const result = await ch.client.query({
    query: 'SELECT * FROM deliveries WHERE id = {id:String} ORDER BY seq, updated_at LIMIT 1 BY seq',
    query_params: { id },
    format: 'JSONEachRow',
  })
  return (await result.json<StoredRow>()).map(fromStored)
}

/**
 * Appends one state transition (the worker's record of an attempt).
 *
 * @example
 * await recordTransition(ch, { ...row, seq: row.attempts, status: 'delivered', response_status: 200 })
 */
export async function recordTransition(ch: ClickHouse, row: DeliveryRow): Promise<void> {
  await ch.client.insert({ table: 'deliveries', values: [row], format: 'JSONEachRow' })
}
