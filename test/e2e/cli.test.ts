/**
 * The CLI as users meet it: one clear line for bad configuration, migrations that can run twice, the SQL
 * console, the one-process rule of the embedded engine, and a clean stop on SIGTERM.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { createClient } from '@clickhouse/client'
import { readMigrations } from '../../services/core/clickhouse/migrations.js'
import { startClickHouseHttpServer } from '../support/clickhouse-http-server.js'
import { committedTotal, rawKafka, testEnv, uniqueName, waitFor } from '../support/harness.js'
import { runCli, startCli, waitForHealth } from '../support/cli-process.js'
import { freePorts } from '../../services/cli/free-ports.js'

const dataDir = (): string => mkdtempSync(join(tmpdir(), 'modelwatch-cli-'))

function assertOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n')
  assert.equal(lines.length, 1, `one line, got:\n${stderr}`)
  assert.match(lines[0] ?? '', pattern)
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace')
}

describe('modelwatch CLI', () => {
  it('reports bad configuration as one line naming the variable, exit 2', async () => {
    const result = await runCli(['migrate'], { CLICKHOUSE_URL: 'ftp://example', MODELWATCH_BATCH_SIZE: '-5', CLICKHOUSE_PASSWORD: 's3cret' })
    assert.equal(result.code, 2)
    assertOneLine(result.stderr, /^modelwatch: invalid configuration: .*CLICKHOUSE_URL must be an http\(s\) URL.*MODELWATCH_BATCH_SIZE/)
    assert.doesNotMatch(result.stderr, /s3cret/)
  })

  it('says ingest needs Kafka when KAFKA_BROKERS is unset', async () => {
    const result = await runCli(['ingest'], { MODELWATCH_DATA_DIR: dataDir() })
    assert.equal(result.code, 2)
    assertOneLine(result.stderr, /needs Kafka: set KAFKA_BROKERS/)
  })

  it('rejects an unknown command with a pointer to help', async () => {
    const result = await runCli(['frobnicate'], {})
    assert.equal(result.code, 2)
    assertOneLine(result.stderr, /unknown command "frobnicate"/)
  })

  it('migrates once, then finds nothing to do', async () => {
    const env = { MODELWATCH_DATA_DIR: dataDir() }
    const names = (await readMigrations()).map((m) => `${String(m.version).padStart(3, '0')}_${m.name}`)
    const first = await runCli(['migrate'], env)
    assert.equal(first.code, 0, first.stderr)
    assert.ok(first.stdout.includes(`: ${names.length} applied (${names.join(', ')}), 0 already applied`), first.stdout)
    assert.match(first.stdout, /^embedded ClickHouse at /)
    const second = await runCli(['migrate'], env)
    assert.ok(second.stdout.includes(`0 applied, ${names.length} already applied`), second.stdout)
  })

  it('lets two processes migrate one ClickHouse server at once, recording each migration once', async () => {
    const server = await startClickHouseHttpServer({ path: dataDir() })
    const env = { CLICKHOUSE_URL: server.url, CLICKHOUSE_DATABASE: uniqueName('migrate') }
    try {
      const results = await Promise.all([runCli(['migrate'], env), runCli(['migrate'], env)])
      for (const result of results) assert.equal(result.code, 0, result.stderr)
      const client = createClient({ url: server.url, database: env.CLICKHOUSE_DATABASE })
      const rows = await (await client.query({ query: 'SELECT version, count() AS n FROM schema_migrations FINAL GROUP BY version ORDER BY version', format: 'JSONEachRow' })).json()
      await client.close()
      const versions = (await readMigrations()).map((m) => ({ version: m.version, n: 1 }))
      assert.deepEqual(rows, versions)
    } finally {
      await server.stop()
    }
  })

  it('answers read-only SQL as a table or JSON lines, and refuses writes', async () => {
    const env = { MODELWATCH_DATA_DIR: dataDir() }
    await runCli(['migrate'], env)
    const table = await runCli(['sql', "SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE '%predictions' ORDER BY name"], env)
    assert.equal(table.code, 0, table.stderr)
    assert.equal(table.stdout, 'name\n--------------------\nlabelled_predictions\npredictions\n(2 rows)\n')
    const json = await runCli(['sql', '--json', 'SELECT 1 AS one, {p:String} AS p'], env)
    assert.equal(json.code, 1, 'unbound parameter is an error')
    const lines = await runCli(['sql', '--json', "SELECT number AS n FROM numbers(2)"], env)
    assert.deepEqual(lines.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown), [{ n: 0 }, { n: 1 }])
    const write = await runCli(['sql', 'DROP TABLE predictions'], env)
    assert.equal(write.code, 1)
    assert.match(write.stderr, /readonly/)
  })

  it('refuses a second process on the same embedded data directory, pointing at CLICKHOUSE_URL', async () => {
    const [healthPort = 0] = await freePorts(1)
    const env = testEnv({ MODELWATCH_DATA_DIR: dataDir(), MODELWATCH_HEALTH_PORT: String(healthPort) })
    const first = startCli(['ingest'], env)
    try {
      await waitForHealth(healthPort)
      const second = await runCli(['migrate'], env)
      assert.equal(second.code, 2)
      assertOneLine(second.stderr, /in use by process \d+; .*modelwatch start.*CLICKHOUSE_URL/)
    } finally {
      first.child.kill('SIGTERM')
      await first.exited
    }
  })

  it('on SIGTERM stores and commits what it consumed, leaves the group and exits 0', async () => {
    const [healthPort = 0] = await freePorts(1)
    const env = testEnv({ MODELWATCH_DATA_DIR: dataDir(), MODELWATCH_HEALTH_PORT: String(healthPort), MODELWATCH_BATCH_LINGER_MS: '60000' })
    const ingest = startCli(['ingest'], env)
    await waitForHealth(healthPort)
    const kafka = rawKafka()
    const producer = kafka.producer()
    await producer.connect()
    const topic = env.MODELWATCH_TOPIC_PREDICTIONS ?? ''
    await producer.send({
      topic,
      messages: Array.from({ length: 100 }, (_, i) => ({ value: JSON.stringify({ event_id: `s${i}`, model: 'm', model_version: '1', timestamp: 1_764_000_000_000, prediction: { value: i } }) })),
    })
    await producer.disconnect()
    // The linger is a minute, so these 100 sit in the buffer until the signal makes ingest store them.
    await waitFor(async () => {
      const text = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text()
      return /modelwatch_ingest_messages_total\{topic="[^"]+"\} 100/.test(text)
    }, (seen) => seen, 'all 100 consumed')
    ingest.child.kill('SIGTERM')
    const result = await ingest.exited
    assert.equal(result.code, 0, result.stderr)
    assert.equal(await committedTotal(kafka, env.MODELWATCH_CONSUMER_GROUP ?? '', topic), 100)
    const admin = kafka.admin()
    await admin.connect()
    const { groups } = await admin.describeGroups([env.MODELWATCH_CONSUMER_GROUP ?? ''])
    await admin.disconnect()
    assert.equal(groups[0]?.state, 'Empty', 'the group was left, not timed out')
    const stored = await runCli(['sql', '--json', 'SELECT count() AS n FROM predictions FINAL'], env)
    assert.deepEqual(JSON.parse(stored.stdout), { n: 100 })
  })
})
