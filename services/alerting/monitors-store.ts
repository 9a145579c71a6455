/**
 * Monitors in ClickHouse (`monitors`, migration 005): one row per version of a definition, the latest wins
 * under FINAL; deleting writes a tombstone (deleted = 1). The spec is stored in its written form (durations
 * as `1h`) and validated again when read, so a stored monitor always means what the schema says.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import { ModelwatchError } from '../core/errors.js'
import { monitorSpecSchema, monitorSpecToInput, type MonitorSpec } from './monitor-spec.js'

export type MonitorOrigin = 'apply' | 'default' | 'api'

export interface StoredMonitor {
  spec: MonitorSpec
  origin: MonitorOrigin
  updated_at: number
}

interface MonitorRow {
  name: string
  spec: string
  origin: MonitorOrigin
  updated_at: number
}

/**
 * Creates or replaces monitors (already validated).
 *
 * @example
 * await saveMonitors(ch, [spec], { origin: 'apply' })
 */
export async function saveMonitors(ch: ClickHouse, specs: readonly MonitorSpec[], options: { origin: MonitorOrigin; now?: number }): Promise<void> {
  if (specs.length === 0) return
  const now = options.now ?? Date.now()
  const values = specs.map((spec) => ({ name: spec.name, model: spec.model, spec: JSON.stringify(monitorSpecToInput(spec)), origin: options.origin, deleted: 0, updated_at: now }))
  await ch.client.insert({ table: 'monitors', values, format: 'JSONEachRow' })
}

/** Deletes monitors by name (tombstones); their alerts stay in the history. */
export async function deleteMonitors(ch: ClickHouse, names: readonly { name: string; model: string }[], options: { origin: MonitorOrigin; now?: number }): Promise<void> {
  if (names.length === 0) return
  const now = options.now ?? Date.now()
  const values = names.map(({ name, model }) => ({ name, model, spec: '', origin: options.origin, deleted: 1, updated_at: now }))
  await ch.client.insert({ table: 'monitors', values, format: 'JSONEachRow' })
}

/**
 * Live monitors, by name; optionally of one model.
 *
 * @example
 * const monitors = await listMonitors(ch, { model: 'churn' })
 */
export async function listMonitors(ch: ClickHouse, filter: { model?: string } = {}): Promise<StoredMonitor[]> {
  const result = await ch.client.query({
    query: `SELECT name, spec, origin, toUnixTimestamp64Milli(updated_at) AS updated_at FROM monitors FINAL
      WHERE deleted = 0 AND ({any_model:UInt8} OR model = {model:String}) ORDER BY name`,
    query_params: { any_model: filter.model === undefined ? 1 : 0, model: filter.model ?? '' },
    format: 'JSONEachRow',
  })
  return (await result.json<MonitorRow>()).map(fromRow)
}

/** One live monitor, or undefined. */
export async function getMonitor(ch: ClickHouse, name: string): Promise<StoredMonitor | undefined> {
  const result = await ch.client.query({
    query: `SELECT name, spec, origin, toUnixTimestamp64Milli(updated_at) AS updated_at FROM monitors FINAL WHERE name = {name:String} AND deleted = 0`,
    query_params: { name },
    format: 'JSONEachRow',
  })
  const [row] = await result.json<MonitorRow>()
  return row === undefined ? undefined : fromRow(row)
}

/** Names that were ever stored, deleted or not: default monitors are created once, never resurrected. */
export async function namesEverStored(ch: ClickHouse, names: readonly string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set()
  const result = await ch.client.query({
    query: 'SELECT DISTINCT name FROM monitors WHERE name IN {names:Array(String)}',
    query_params: { names },
    format: 'JSONEachRow',
  })
  return new Set((await result.json<{ name: string }>()).map((r) => r.name))
}

function fromRow(row: MonitorRow): StoredMonitor {
  const parsed = monitorSpecSchema.safeParse(JSON.parse(row.spec))
  if (!parsed.success) {
    throw new ModelwatchError('MONITOR_INVALID', `stored monitor ${row.name} no longer validates: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  }
  return { spec: parsed.data, origin: row.origin, updated_at: Number(row.updated_at) }
}
