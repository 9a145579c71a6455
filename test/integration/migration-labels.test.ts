/**
 * Migration 010 (ground truth keyed by model and event id) on the embedded engine, over labels written in the
 * layout before it: every label comes across once and the joins answer as defined; labels written between its
 * statements are kept; a run stopped after any statement is completed by the next run; applying it again, or
 * from two callers at once, changes nothing. (Two processes on a server: migrations-server.test.ts.)
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { testDataDir, uniqueName } from '../support/harness.js'
import { START } from '../support/label-cases.js'
import { assertMigrated, LABELS_MIGRATION, labelsMigration, writeOldLayout } from '../support/label-migration.js'

/** Runs `body` on a database of its own, closed afterwards. */
async function withDatabase(body: (ch: ClickHouse) => Promise<void>): Promise<void> {
  const ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('mig') }).clickhouse)
  try {
    await body(ch)
  } finally {
    await ch.close()
  }
}

/** Labels ingest writes while the migration runs (each lands in whichever table is called ground_truth then). */
const during = (i: number): Record<string, unknown> => ({
  event_id: `during-${i}`, model: 'a', timestamp: START, label_class: 'W', label_value: null, source: 'kafka', kafka_partition: 0, kafka_offset: i,
})

describe('migration 010: labels keyed by model and event id', () => {
  it('carries every label of the old layout across once, and the joins answer as defined', async () => {
    await withDatabase(async (ch) => {
      await writeOldLayout(ch)
      const { applied } = await migrate(ch)
      assert.deepEqual(applied, ['010_labels_per_model'])
      await assertMigrated(ch)
    })
  })

  it('completes a run stopped after any of its statements, keeping every label written before, between and after them', async () => {
    const { statements } = await labelsMigration()
    for (let stop = 0; stop <= statements.length; stop++) {
      await withDatabase(async (ch) => {
        await writeOldLayout(ch)
        const written = [during(0)]
        await ch.client.insert({ table: 'ground_truth', values: written, format: 'JSONEachRow' })
        for (const [i, statement] of statements.slice(0, stop).entries()) {
          await ch.client.command({ query: statement })
          written.push(during(i + 1))
          await ch.client.insert({ table: 'ground_truth', values: [during(i + 1)], format: 'JSONEachRow' })
        }
        await migrate(ch)
        await assertMigrated(ch, written).catch((error: Error) => assert.fail(`stopped after ${stop} of ${statements.length} statements: ${error.message}`))
      })
    }
  })

  it('applied again (its record lost) changes nothing', async () => {
    await withDatabase(async (ch) => {
      await writeOldLayout(ch)
      await migrate(ch)
      await ch.client.command({ query: 'DELETE FROM schema_migrations WHERE version = {v:UInt32}', query_params: { v: LABELS_MIGRATION } })
      const { applied } = await migrate(ch)
      assert.deepEqual(applied, ['010_labels_per_model'])
      await assertMigrated(ch)
    })
  })

  it('applied by two callers at once: one applies it, the other waits and finds it done', async () => {
    await withDatabase(async (ch) => {
      await writeOldLayout(ch)
      const results = await Promise.all([migrate(ch), migrate(ch)])
      assert.deepEqual(results.map((r) => r.applied).sort(), [[], ['010_labels_per_model']])
      await assertMigrated(ch)
    })
  })
})
