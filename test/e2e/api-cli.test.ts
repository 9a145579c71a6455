/**
 * `modelwatch api` and `modelwatch start` as processes, over real HTTP: the probes answer without a token,
 * an authenticated client registers and reads a model and sends events, and SIGTERM stops cleanly (exit 0).
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { freePorts } from '../../services/cli/free-ports.js'
import { runCli, startCli, type CliProcess } from '../support/cli-process.js'
import { testEnv, waitFor } from '../support/harness.js'

const TOKEN = 'e2e-writer-token-0123456789'
const dataDir = (): string => mkdtempSync(join(tmpdir(), 'modelwatch-api-'))

/** Waits for /healthz, failing at once with the process's stderr if it exits first. */
async function waitForUp(base: string, process: CliProcess): Promise<void> {
  const exited = process.exited.then((r) => assert.fail(`exited ${r.code} before answering: ${r.stderr}`))
  const up = waitFor(
    async () => {
      try {
        return (await fetch(`${base}/healthz`)).status
      } catch {
        return 0
      }
    },
    (status) => status === 200,
    `${base}/healthz`,
    60_000,
  )
  await Promise.race([up, exited])
}

describe('modelwatch api', () => {
  it('serves /healthz without a token and the API with one, on the embedded engine, and stops on SIGTERM', async () => {
    const [port = 0] = await freePorts(1)
    const env = { MODELWATCH_DATA_DIR: dataDir(), MODELWATCH_API_PORT: String(port), MODELWATCH_API_TOKENS: `e2e:write:${TOKEN}`, MODELWATCH_LOG_LEVEL: 'info' }
    const api = startCli(['api'], env)
    const base = `http://127.0.0.1:${port}`
    try {
      await waitForUp(base, api)
      assert.deepEqual(await (await fetch(`${base}/healthz`)).json(), { status: 'ok' })
      assert.equal((await fetch(`${base}/readyz`)).status, 200)
      assert.equal((await fetch(`${base}/v1/models`)).status, 401)
      const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }
      const created = await fetch(`${base}/v1/models`, { method: 'POST', headers, body: JSON.stringify({ name: 'houses', task: 'regression', features: [{ name: 'rooms', kind: 'numeric' }] }) })
      assert.equal(created.status, 201)
      const listed = (await (await fetch(`${base}/v1/models`, { headers })).json()) as { items: { name: string }[] }
      assert.deepEqual(listed.items.map((m) => m.name), ['houses'])
      const event = { event_id: 'h1', model: 'houses', model_version: '1', timestamp: Date.now(), numeric_features: { rooms: 3 }, prediction: { value: 310_000 } }
      const sent = await fetch(`${base}/v1/events/predictions`, { method: 'POST', headers, body: JSON.stringify([event]) })
      assert.deepEqual([sent.status, await sent.json()], [200, { accepted: 1, destination: 'clickhouse' }])
    } finally {
      api.child.kill('SIGTERM')
    }
    const result = await api.exited
    assert.equal(result.code, 0, result.stderr)
    assert.ok(!result.stdout.includes(TOKEN), 'the token never reaches the log')
    assert.match(result.stdout, /"route":"\/v1\/models","path":"\/v1\/models","status":201,.*"token":"e2e"/)
    const stored = await runCli(['sql', '--json', 'SELECT count() AS n FROM predictions FINAL'], env)
    assert.deepEqual(JSON.parse(stored.stdout), { n: 1 })
  })

  it('is part of modelwatch start, which checks Kafka in /readyz and produces HTTP events for ingest to store', async () => {
    const [apiPort = 0, healthPort = 0] = await freePorts(2)
    const env = testEnv({ MODELWATCH_DATA_DIR: dataDir(), MODELWATCH_API_PORT: String(apiPort), MODELWATCH_HEALTH_PORT: String(healthPort), MODELWATCH_API_TOKENS: `e2e:write:${TOKEN}` })
    const start = startCli(['start'], env)
    const base = `http://127.0.0.1:${apiPort}`
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }
    try {
      await waitForUp(base, start)
      const ready = (await (await fetch(`${base}/readyz`)).json()) as { ready: boolean; checks: Record<string, { ok: boolean }> }
      assert.deepEqual([ready.ready, ready.checks.kafka?.ok, ready.checks.clickhouse?.ok], [true, true, true])
      const event = { event_id: 's1', model: 'm', model_version: '1', timestamp: Date.now(), prediction: { value: 1 } }
      const sent = await fetch(`${base}/v1/events/predictions`, { method: 'POST', headers, body: JSON.stringify([event]) })
      assert.deepEqual([sent.status, await sent.json()], [202, { accepted: 1, destination: 'kafka' }])
      await waitFor(
        async () => (await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text()).match(/modelwatch_ingest_events_stored_total\{table="predictions"\} (\d+)/)?.[1],
        (stored) => stored === '1',
        'ingest to store the HTTP event',
      )
    } finally {
      start.child.kill('SIGTERM')
    }
    const result = await start.exited
    assert.equal(result.code, 0, result.stderr)
  })
})
