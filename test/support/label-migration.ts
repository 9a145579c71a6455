/**
 * Test fixture for migration 010 (labels keyed by model and event id): a database in the layout before it,
 * holding the label cases (test/support/label-cases.ts) with merges stopped, so every label written is still
 * there when the migration runs; and the checks that it came across whole.
 */
import assert from 'node:assert/strict'
import type { ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate, readMigrations, type Migration } from '../../services/core/clickhouse/migrations.js'
import { rows } from './harness.js'
import { caseLabelRows, expectedLabels, insertCaseLabels, insertCasePredictions, monitorLabels, viewLabels } from './label-cases.js'

export const LABELS_MIGRATION = 10

/** Migration 010 as the runner reads it. */
export async function labelsMigration(): Promise<Migration> {
  const migration = (await readMigrations()).find((m) => m.version === LABELS_MIGRATION)
  assert.ok(migration, 'migration 010 exists')
  return migration
}

/**
 * Migrates up to 009 and writes the cases' predictions and labels in that layout. Merges of the old table are
 * stopped: its key (event_id alone) would otherwise collapse the labels of two models before the migration runs.
 */
export async function writeOldLayout(ch: ClickHouse): Promise<void> {
  await migrate(ch, (await readMigrations()).filter((m) => m.version < LABELS_MIGRATION))
  await ch.client.command({ query: 'SYSTEM STOP MERGES ground_truth' })
  await insertCasePredictions(ch)
  await insertCaseLabels(ch)
}

type LabelRow = Record<string, unknown>

const key = (r: LabelRow): string => JSON.stringify([r.model, r.event_id, Number(r.at ?? r.timestamp), r.label_class])

/**
 * Checks the state after migration 010: the new key, nothing left of the migration's own tables, one record of
 * it, what queries see (the latest label per model and event, nothing lost), no label stored more often than it
 * was written, and every reader's answer as the cases define it. `extra` are labels written during the migration.
 */
export async function assertMigrated(ch: ClickHouse, extra: LabelRow[] = []): Promise<void> {
  const tables = await rows<{ name: string; sorting_key: string }>(
    ch,
    "SELECT name, sorting_key FROM system.tables WHERE database = currentDatabase() AND (startsWith(name, 'ground_truth') OR startsWith(name, 'schema_migrations_lock')) ORDER BY name",
  )
  assert.deepEqual(tables, [{ name: 'ground_truth', sorting_key: 'model, event_id' }])
  const [record] = await rows<{ n: number }>(ch, 'SELECT count() AS n FROM schema_migrations WHERE version = {v:UInt32}', { v: LABELS_MIGRATION })
  assert.equal(record?.n, 1, 'migration 010 recorded once')

  const written = [...caseLabelRows(), ...extra]
  const latest = new Map<string, LabelRow>()
  for (const r of written) {
    const pair = `${String(r.model)}\t${String(r.event_id)}`
    const seen = latest.get(pair)
    if (seen === undefined || Number(r.timestamp) > Number(seen.timestamp)) latest.set(pair, r)
  }
  const seen = await rows<LabelRow>(ch, 'SELECT model, event_id, toUnixTimestamp64Milli(timestamp) AS at, label_class FROM ground_truth FINAL')
  assert.deepEqual(seen.map(key).sort(), [...latest.values()].map(key).sort(), 'one label per model and event, the latest')

  const stored = await rows<LabelRow>(ch, 'SELECT model, event_id, toUnixTimestamp64Milli(timestamp) AS at, label_class FROM ground_truth')
  const times = (list: LabelRow[]): Map<string, number> => list.reduce((m, r) => m.set(key(r), (m.get(key(r)) ?? 0) + 1), new Map<string, number>())
  const writtenTimes = times(written)
  for (const [row, n] of times(stored)) assert.ok(n <= (writtenTimes.get(row) ?? 0), `${row} stored ${n} times, written ${writtenTimes.get(row) ?? 0}`)

  for (const model of ['a', 'b'] as const) {
    assert.deepEqual(await monitorLabels(ch, model), expectedLabels(model), `monitor, model ${model}`)
    assert.deepEqual(await viewLabels(ch, model), expectedLabels(model), `view, model ${model}`)
  }
}
