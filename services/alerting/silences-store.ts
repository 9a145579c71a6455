/**
 * Silences in ClickHouse (`silences`, migration 005). Saving the same id again replaces it (latest row wins
 * under FINAL); expiring one early saves it with `ends_at` = now, so its history stays readable.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import { storedSilenceSchema, type Silence } from './silences.js'

interface SilenceRow {
  id: string
  matchers: string
  starts_at: number
  ends_at: number
  created_by: string
  comment: string
}

/**
 * @example
 * await saveSilences(ch, [{ id: 'maintenance', matchers: [{ name: 'model', op: '=', value: 'churn' }], starts_at: now, ends_at: now + 3_600_000, created_by: 'ops', comment: '' }])
 */
export async function saveSilences(ch: ClickHouse, silences: readonly Silence[], now: number = Date.now()): Promise<void> {
  if (silences.length === 0) return
  const values = silences.map((s) => ({ ...s, matchers: JSON.stringify(s.matchers), updated_at: now }))
  await ch.client.insert({ table: 'silences', values, format: 'JSONEachRow' })
}

/** Silences that have not ended by `now` (active or still to come). */
export async function currentSilences(ch: ClickHouse, now: number): Promise<Silence[]> {
  return listSilences(ch, { now, ended: false })
}

/**
 * Silences by id: those not ended by `now`, or with `ended` every one ever saved (expired ones too), at most
 * `limit` of them when given. The WHERE clause sees the SELECT's aliases (ClickHouse), so `ends_at` there is
 * already ms since the epoch.
 *
 * @example
 * const all = await listSilences(ch, { now: Date.now(), ended: true, limit: 1000 })
 */
export async function listSilences(ch: ClickHouse, options: { now: number; ended: boolean; limit?: number }): Promise<Silence[]> {
  const result = await ch.client.query({
    query: `SELECT id, matchers, toUnixTimestamp64Milli(starts_at) AS starts_at, toUnixTimestamp64Milli(ends_at) AS ends_at, created_by, comment
      FROM silences FINAL WHERE {ended:Bool} OR ends_at > {now:Int64} ORDER BY id${options.limit === undefined ? '' : ' LIMIT {limit:UInt32}'}`,
    query_params: options,
    format: 'JSONEachRow',
  })
  return (await result.json<SilenceRow>()).map((r) => storedSilenceSchema.parse({ ...r, starts_at: Number(r.starts_at), ends_at: Number(r.ends_at), matchers: JSON.parse(r.matchers) }))
}

/** Ends a silence at `now`; false when no current silence has this id. */
export async function expireSilence(ch: ClickHouse, id: string, now: number = Date.now()): Promise<boolean> {
  const silence = (await currentSilences(ch, now)).find((s) => s.id === id)
  if (silence === undefined) return false
  await saveSilences(ch, [{ ...silence, ends_at: Math.max(now, silence.starts_at + 1) }], now)
  return true
}
