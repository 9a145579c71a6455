/**
 * ClickHouse goes away (remote mode, the server is killed) while events keep arriving: ingest reports it,
 * pauses, commits nothing it has not stored, and once the server is back stores everything exactly once.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { startClickHouseHttpServer } from '../support/clickhouse-http-server.js'
import { committedTotal, count, rawKafka, startTestIngest, testEnv, waitFor } from '../support/harness.js'

describe('ClickHouse outage', () => {
  it('retries with the topics paused, commits nothing unstored, and recovers without loss', async () => {
    const dataPath = mkdtempSync(join(tmpdir(), 'modelwatch-outage-'))
    let server = await startClickHouseHttpServer({ path: dataPath })
    const env = testEnv({ CLICKHOUSE_URL: server.url, CLICKHOUSE_REQUEST_TIMEOUT_MS: '2000', MODELWATCH_BATCH_LINGER_MS: '100' })
    const run = await startTestIngest(env)
    const topic = run.config.topics.predictions
    const group = run.config.ingest.consumerGroup
    const kafka = rawKafka()
    const producer = kafka.producer()
    await producer.connect()
    const send = (from: number, n: number): Promise<unknown> =>
      producer.send({
        topic,
        messages: Array.from({ length: n }, (_, k) => ({
          value: JSON.stringify({ event_id: `o${from + k}`, model: 'm', model_version: '1', timestamp: 1_764_000_000_000, prediction: { score: 0.1 } }),
        })),
      })
    try {
      await send(0, 500)
      await waitFor(() => committedTotal(kafka, group, topic), (n) => n === 500, 'first 500 committed')

      await server.kill()
      await send(500, 500)
      await waitFor(async () => run.ingest.health.storeFailures.get({ dependency: 'clickhouse' }), (n) => n >= 2, 'store failures seen')
      const health = await (await fetch(`http://127.0.0.1:${run.ingest.healthPort}/healthz`)).json() as { status: string; dependencies: { clickhouse: { ok: boolean } }; paused: Record<string, string> }
      assert.equal(health.status, 'degraded')
      assert.equal(health.dependencies.clickhouse.ok, false)
      assert.match(health.paused[topic] ?? '', /clickhouse unavailable/)
      assert.equal((await fetch(`http://127.0.0.1:${run.ingest.healthPort}/healthz`)).status, 503)
      assert.equal(await committedTotal(kafka, group, topic), 500, 'nothing committed while ClickHouse is down')

      server = await startClickHouseHttpServer({ path: dataPath, port: server.port })
      await waitFor(() => committedTotal(kafka, group, topic), (n) => n === 1000, 'all 1000 committed after recovery', 60_000)
      assert.equal(await count(run.ch, 'SELECT count() AS n FROM predictions FINAL'), 1000)
      assert.equal(run.ingest.health.status, 'running')
    } finally {
      await producer.disconnect()
      await run.stop()
      await server.stop()
    }
  })
})
