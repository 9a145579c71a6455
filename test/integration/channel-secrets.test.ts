/**
 * Issue 10, defect 1: a channel may send only variables set aside for channel secrets (MODELWATCH_CHANNEL_SECRET_*)
 * to its receiver, never one modelwatch itself reads (MODELWATCH_API_TOKENS, CLICKHOUSE_PASSWORD…). Refused at
 * every boundary: the API, `modelwatch apply -f`, and at delivery time for a channel stored before the rule. And a
 * caller below admin never sees the credentials a channel's URL may carry. Real engine, real CLI, real receiver.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { deliverDue } from '../../services/alerting/delivery-worker.js'
import { enqueueNotifications, listDeliveries } from '../../services/alerting/outbox.js'
import { createApp } from '../../services/api/app.js'
import type { ApiApp } from '../../services/api/deps.js'
import { clickHouseEventSink } from '../../services/api/event-sink.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig, type Config } from '../../services/core/config.js'
import { createLogger } from '../../services/core/logger.js'
import { MetricsRegistry } from '../../services/core/metrics.js'
import { runCli } from '../support/cli-process.js'
import { count, testDataDir, uniqueName } from '../support/harness.js'
import { sampleNotification } from '../support/notify-fixtures.js'
import { startReceiver, type Receiver } from '../support/notify-receiver.js'

const READ = 'read-token-secrets-0123456789'
const WRITE = 'write-token-secrets-0123456789'
const ADMIN = 'admin-token-secrets-0123456789'
const TOKENS = `r:read:${READ},w:write:${WRITE},boss:admin:${ADMIN}`
/** What the service's own variables hold in this test: none of it may reach a receiver. */
const OWN = { MODELWATCH_API_TOKENS: TOKENS, CLICKHOUSE_PASSWORD: 'ch-password-canary-61d0', KAFKA_SASL_PASSWORD: 'sasl-canary-7b2e' }
const CHANNEL_TOKEN = 'channel-token-canary-4c8a'

type Body = Record<string, unknown> & { items?: Record<string, unknown>[]; errors?: { in: string; path: string; message: string }[] }

describe('channel secrets', () => {
  let ch: ClickHouse
  let config: Config
  let app: ApiApp
  let receiver: Receiver
  const logLines: string[] = []
  const log = createLogger('debug', { write: (line: string) => void logLines.push(line) })
  /** Every variable the delivery worker or the API looked up. */
  const read = new Set<string>()
  const env = new Proxy({ ...OWN, MODELWATCH_CHANNEL_SECRET_HOOK_TOKEN: CHANNEL_TOKEN } as Record<string, string | undefined>, {
    get(target, name) {
      if (typeof name === 'string') read.add(name)
      return Reflect.get(target, name) as unknown
    },
  })

  before(async () => {
    config = loadConfig({
      MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('channel_secrets'), MODELWATCH_API_TOKENS: TOKENS, MODELWATCH_API_RATE_LIMIT: '0',
      MODELWATCH_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8', MODELWATCH_DELIVERY_BACKOFF_MS: '1', MODELWATCH_DELIVERY_BACKOFF_MAX_MS: '5',
    })
    ch = await openClickHouse(config.clickhouse)
    await migrate(ch)
    receiver = await startReceiver()
    app = createApp({ config, ch, log, metrics: new MetricsRegistry(), events: clickHouseEventSink(ch), checks: [], env })
  })
  after(async () => {
    await receiver.close()
    await ch.close()
  })

  const call = async (method: string, path: string, token: string, body?: unknown): Promise<{ status: number; type: string; body: Body; text: string }> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` }
    if (body !== undefined) headers['content-type'] = 'application/json'
    const res = await app.request(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
    const text = await res.text()
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: text === '' ? {} : (JSON.parse(text) as Body), text }
  }
  const problems = (body: Body) => (body.errors ?? []).map((e) => `${e.path}: ${e.message}`)

  it('the API refuses a channel that names one of the service\'s own variables, naming the field, and stores nothing', async () => {
    const attacks = [
      ['token_env', { name: 'leak', type: 'webhook', url: `${receiver.url}/steal`, token_env: 'MODELWATCH_API_TOKENS' }],
      ['signing_secret_env', { name: 'leak', type: 'webhook', url: `${receiver.url}/steal`, signing_secret_env: 'CLICKHOUSE_PASSWORD' }],
      ['url_env', { name: 'leak', type: 'slack', url_env: 'KAFKA_SASL_PASSWORD' }],
    ] as const
    for (const [field, body] of attacks) {
      const refused = await call('PUT', '/v1/channels/leak', ADMIN, body)
      assert.equal(refused.status, 422, `${field}: ${refused.text}`)
      assert.match(refused.type, /^application\/problem\+json/)
      assert.deepEqual(problems(refused.body), [`/${field}: must name a variable set aside for channel secrets: MODELWATCH_CHANNEL_SECRET_ followed by A-Z, 0-9 or _`])
    }
    assert.equal(await count(ch, 'SELECT count() AS n FROM notification_channels'), 0)
    const accepted = await call('PUT', '/v1/channels/hook', ADMIN, { name: 'hook', type: 'webhook', url: `${receiver.url}/hook`, token_env: 'MODELWATCH_CHANNEL_SECRET_HOOK_TOKEN' })
    assert.equal(accepted.status, 201, accepted.text)
  })

  it('modelwatch apply refuses the same channel with exit status 2, naming the entry and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelwatch-channel-secrets-'))
    const file = join(dir, 'monitors.yaml')
    writeFileSync(file, 'channels:\n  - { name: leak, type: webhook, url: "https://ci.example.com/hook", token_env: MODELWATCH_API_TOKENS }\n')
    const result = await runCli(['apply', '-f', file], { MODELWATCH_DATA_DIR: join(dir, 'data') })
    assert.equal(result.code, 2, result.stdout)
    assert.match(result.stderr, /channels\[0\] \(leak\): token_env: must name a variable set aside for channel secrets: MODELWATCH_CHANNEL_SECRET_/)
  })

  it('a channel stored before the rule fails its delivery as dead, saying why, and never reads the variable', async () => {
    const legacy = { name: 'legacy', type: 'webhook', url: `${receiver.url}/legacy`, template: 'generic', token_env: 'MODELWATCH_API_TOKENS' }
    await ch.client.insert({ table: 'notification_channels', values: [{ name: 'legacy', type: 'webhook', spec: JSON.stringify(legacy), origin: 'api', is_deleted: 0, updated_at: 1 }], format: 'JSONEachRow' })
    read.clear()
    const listed = await call('GET', '/v1/channels', ADMIN)
    assert.equal(listed.status, 200, listed.text)
    const shown = listed.body.items?.find((c) => c.name === 'legacy')
    assert.deepEqual([shown?.secret_env, shown?.secret_configured], [['MODELWATCH_API_TOKENS'], false])

    const n = sampleNotification(uniqueName('n'), 'legacy')
    await enqueueNotifications(ch, [n])
    assert.equal((await deliverDue({ ch, config, log, metrics: new MetricsRegistry(), env })).get(n.id), 'dead')
    const [d] = await listDeliveries(ch, { id: n.id })
    assert.match(d?.last_error ?? '', /webhook channel legacy: token_env names MODELWATCH_API_TOKENS, which is not a channel secret variable \(MODELWATCH_CHANNEL_SECRET_\*\); it was not read/)
    assert.equal(receiver.requests.filter((r) => r.path === '/legacy').length, 0, 'nothing was sent')
    assert.ok(!read.has('MODELWATCH_API_TOKENS'), `variables read: ${[...read].join(', ')}`)
    assert.ok(!logLines.join('\n').includes(READ), 'no API token in the log')
  })

  it('a channel that names its own secret variable still delivers, with that value as the bearer token', async () => {
    const n = sampleNotification(uniqueName('n'), 'hook')
    await enqueueNotifications(ch, [n])
    assert.equal((await deliverDue({ ch, config, log, metrics: new MetricsRegistry(), env })).get(n.id), 'delivered')
    const [got] = receiver.requests.filter((r) => r.headers['idempotency-key'] === n.id)
    assert.equal(got?.headers.authorization, `Bearer ${CHANNEL_TOKEN}`)
  })

  it('shows channel URLs as written to admin only; below admin the credentials a URL may carry are redacted', async () => {
    const url = 'https://bot:pa55word@hooks.example.com:8443/services/T0/B0/xoxb-path-secret?key=query-secret#frag'
    assert.equal((await call('PUT', '/v1/channels/creds', ADMIN, { name: 'creds', type: 'webhook', url })).status, 201)
    const asAdmin = await call('GET', '/v1/channels/creds', ADMIN)
    assert.deepEqual([(asAdmin.body.spec as { url: string }).url, asAdmin.body.redacted], [url, []])
    for (const token of [READ, WRITE]) {
      for (const path of ['/v1/channels/creds', '/v1/channels']) {
        const seen = await call('GET', path, token)
        assert.equal(seen.status, 200)
        for (const secret of ['bot', 'pa55word', 'xoxb-path-secret', 'services/T0', 'query-secret', 'frag']) assert.ok(!seen.text.includes(secret), `${path} shows ${secret}: ${seen.text}`)
        const one = path === '/v1/channels' ? seen.body.items?.find((c) => c.name === 'creds') : seen.body
        assert.deepEqual([(one?.spec as { url: string }).url, one?.redacted], ['https://hooks.example.com:8443/[redacted]', ['url']])
      }
    }
  })
})
