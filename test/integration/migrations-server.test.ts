/**
 * Migrations against a real ClickHouse server over HTTP (test/support/clickhouse-http-server.ts), where several
 * processes may migrate one database at once: the migration lock (services/core/clickhouse/migration-lock.ts)
 * makes them apply one at a time, waits for a live holder, takes over from a dead one, and tells a holder that
 * was taken over; two `modelwatch migrate` processes started together on data in the layout before migration
 * 010 leave every label once and the joins as defined.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { acquireMigrationLock } from '../../services/core/clickhouse/migration-lock.js'
import { ModelwatchError } from '../../services/core/errors.js'
import { loadConfig } from '../../services/core/config.js'
import { runCli } from '../support/cli-process.js'
import { startClickHouseHttpServer, type ClickHouseHttpServer } from '../support/clickhouse-http-server.js'
import { rows, uniqueName } from '../support/harness.js'
import { assertMigrated, writeOldLayout } from '../support/label-migration.js'

describe('migrations on a ClickHouse server', () => {
  let server: ClickHouseHttpServer
  const open: ClickHouse[] = []

  before(async () => {
    server = await startClickHouseHttpServer({ path: mkdtempSync(join(tmpdir(), 'modelwatch-migrations-')) })
  })

  after(async () => {
    for (const ch of open) await ch.close()
    await server.stop()
  })

  const env = (database: string): NodeJS.ProcessEnv => ({ CLICKHOUSE_URL: server.url, CLICKHOUSE_DATABASE: database, MODELWATCH_LOG_LEVEL: 'warn' })

  /** A client on a new database of the server. */
  async function database(): Promise<ClickHouse> {
    const ch = await openClickHouse(loadConfig(env(uniqueName('mig'))).clickhouse)
    open.push(ch)
    await ch.ensureDatabase()
    return ch
  }

  const lockTables = async (ch: ClickHouse): Promise<string[]> =>
    (await rows<{ name: string }>(ch, "SELECT name FROM system.tables WHERE database = currentDatabase() AND startsWith(name, 'schema_migrations_lock') ORDER BY name")).map((r) => r.name)

  /** What another process holding the lock leaves on the server: its table, with a heartbeat `ageMs` old. */
  async function otherHolder(ch: ClickHouse, name: string, ageMs: number): Promise<void> {
    await ch.client.command({ query: `CREATE TABLE ${name} (holder String, at DateTime64(3, 'UTC') DEFAULT now64(3)) ENGINE = MergeTree ORDER BY at` })
    await ch.client.command({ query: `INSERT INTO ${name} SELECT 'other', now64(3) - toIntervalMillisecond({age:UInt32})`, query_params: { age: ageMs } })
  }

  it('waits while another process holds the lock and heartbeats, then takes it once released', async () => {
    const ch = await database()
    await otherHolder(ch, 'schema_migrations_lock_1', 0)
    await assert.rejects(acquireMigrationLock(ch, { leaseMs: 5_000, pollMs: 100, timeoutMs: 1_000 }), (error: unknown) => error instanceof ModelwatchError && error.code === 'MIGRATION_FAILED' && error.retriable)

    const waiting = acquireMigrationLock(ch, { leaseMs: 5_000, pollMs: 100 })
    await new Promise((resolve) => setTimeout(resolve, 500))
    await ch.client.command({ query: 'DROP TABLE schema_migrations_lock_1' })
    const lock = await waiting
    assert.deepEqual(await lockTables(ch), ['schema_migrations_lock_1'])
    await lock.release()
    assert.deepEqual(await lockTables(ch), [])
  })

  it('takes over a lock whose holder stopped heartbeating, and removes it', async () => {
    const ch = await database()
    await otherHolder(ch, 'schema_migrations_lock_4', 10_000)
    const lock = await acquireMigrationLock(ch, { leaseMs: 2_000, pollMs: 100, timeoutMs: 5_000 })
    assert.deepEqual(await lockTables(ch), ['schema_migrations_lock_5'])
    await lock.assertHeld()
    await lock.release()
  })

  it('tells a holder whose lock another process took over to stop', async () => {
    const ch = await database()
    const lock = await acquireMigrationLock(ch, { leaseMs: 60_000 })
    await lock.assertHeld()
    await otherHolder(ch, 'schema_migrations_lock_2', 0)
    await ch.client.command({ query: 'DROP TABLE schema_migrations_lock_1' })
    await assert.rejects(lock.assertHeld(), (error: unknown) => error instanceof ModelwatchError && error.code === 'MIGRATION_FAILED' && error.retriable)
    await lock.release()
  })

  it('two `modelwatch migrate` processes started together on labels in the old layout: applied once, every label kept', async () => {
    const ch = await database()
    await writeOldLayout(ch)
    const results = await Promise.all([runCli(['migrate'], env(ch.database)), runCli(['migrate'], env(ch.database))])
    assert.deepEqual(results.map((r) => r.code), [0, 0], results.map((r) => r.stderr).join('\n'))
    const applied = results.map((r) => /(\d+) applied/.exec(r.stdout)?.[1]).sort()
    assert.deepEqual(applied, ['0', '1'], results.map((r) => r.stdout).join(''))
    await assertMigrated(ch)
  })
})
