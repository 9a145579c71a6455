/**
 * Webhook delivery end to end on the real engine and a real HTTP receiver on 127.0.0.1: the outbox, the worker's
 * retries and dead state, signatures verified by the exported helper, idempotency, templates, the SSRF guard,
 * secrets that never leak, a slow channel beside a fast one, and a restart that resumes pending deliveries.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { findChannel, saveChannel } from '../../services/alerting/channels-store.js'
import { deliverDue, startDeliveryWorker, type DeliveryDeps } from '../../services/alerting/delivery-worker.js'
import { verifySignature } from '../../services/alerting/notifiers/webhook-signature.js'
import { deliveryHistory, enqueueNotifications, listDeliveries } from '../../services/alerting/outbox.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig, type Config } from '../../services/core/config.js'
import { createLogger } from '../../services/core/logger.js'
import { MetricsRegistry } from '../../services/core/metrics.js'
import { testDataDir, uniqueName, waitFor } from '../support/harness.js'
import { sampleNotification } from '../support/notify-fixtures.js'
import { startReceiver, type Receiver } from '../support/notify-receiver.js'

const SECRET = 'whsec_test_9c1f2e'
const TOKEN = 'ghp_test_token_77aa'
const env = { MODELWATCH_CHANNEL_SECRET_HOOK: SECRET, MODELWATCH_CHANNEL_SECRET_HOOK_TOKEN: TOKEN }

describe('webhook delivery', () => {
  let ch: ClickHouse
  let config: Config
  let receiver: Receiver
  const logLines: string[] = []
  const log = createLogger('info', { write: (line: string) => void logLines.push(line) })

  const deps = (over: Partial<Config['delivery']> = {}, extra: Partial<DeliveryDeps> = {}): DeliveryDeps => ({
    ch, log, env, metrics: new MetricsRegistry(), config: { ...config, delivery: { ...config.delivery, ...over } }, ...extra,
  })
  const channel = async (template: 'generic' | 'github_repository_dispatch' | 'airflow_dag_run' = 'generic', path = '/hook', withToken = false): Promise<string> => {
    const name = uniqueName('hook')
    await saveChannel(ch, { name, type: 'webhook', url: `${receiver.url}${path}`, template, signing_secret_env: 'MODELWATCH_CHANNEL_SECRET_HOOK', ...(withToken ? { token_env: 'MODELWATCH_CHANNEL_SECRET_HOOK_TOKEN' } : {}) })
    return name
  }
  const requestsFor = (id: string) => receiver.requests.filter((r) => r.headers['idempotency-key'] === id)

  before(async () => {
    config = loadConfig({
      MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('notify_webhook'), MODELWATCH_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8,::1',
      MODELWATCH_DELIVERY_BACKOFF_MS: '1', MODELWATCH_DELIVERY_BACKOFF_MAX_MS: '5', MODELWATCH_DELIVERY_MAX_ATTEMPTS: '4', MODELWATCH_DELIVERY_POLL_MS: '50',
      MODELWATCH_PUBLIC_URL: 'https://modelwatch.example.com',
    })
    ch = await openClickHouse(config.clickhouse)
    await migrate(ch)
    receiver = await startReceiver()
  })

  after(async () => {
    await receiver.close()
    await ch.close()
  })

  it('delivers once, signed, with the notification id as Idempotency-Key and the documented payload', async () => {
    const name = await channel()
    const n = sampleNotification(uniqueName('n'), name)
    await enqueueNotifications(ch, [n])
    const outcomes = await deliverDue(deps())
    assert.equal(outcomes.get(n.id), 'delivered')
    const [request, ...more] = requestsFor(n.id)
    assert.ok(request)
    assert.equal(more.length, 0)
    assert.equal(request.method, 'POST')
    assert.equal(request.headers['content-type'], 'application/json')
    assert.match(request.headers['user-agent'] ?? '', /^modelwatch-webhook\//)
    assert.deepEqual(verifySignature({ header: request.headers['modelwatch-signature'] as string, body: request.body, secret: SECRET }).ok, true)
    const payload = JSON.parse(request.body) as Record<string, unknown>
    assert.equal(payload.schema, 'modelwatch.notification.v1')
    assert.equal(payload.id, n.id)
    assert.equal(payload.model, 'churn')
    assert.equal(payload.model_version, '3')
    assert.equal(payload.monitor, 'auc-drop')
    assert.equal(payload.severity, 'critical')
    assert.equal(payload.status, 'firing')
    assert.deepEqual(payload.links, { dashboard: null, api: 'https://modelwatch.example.com/v1/models/churn' })
    const [alert] = payload.alerts as { evidence: Record<string, unknown> }[]
    assert.deepEqual({ value: alert?.evidence.value, threshold: alert?.evidence.threshold, ref: alert?.evidence.reference_id, n: alert?.evidence.n_current }, { value: 0.71, threshold: 0.8, ref: 'ref-abc', n: 1200 })
    // A tampered body or an old timestamp does not verify.
    assert.deepEqual(verifySignature({ header: request.headers['modelwatch-signature'] as string, body: request.body.replace('0.71', '0.99'), secret: SECRET }), { ok: false, reason: 'mismatch' })
    assert.deepEqual(verifySignature({ header: request.headers['modelwatch-signature'] as string, body: request.body, secret: SECRET, now: Date.now() + 301_000 }), { ok: false, reason: 'expired' })
    // Delivered is final: another pass sends nothing.
    await deliverDue(deps())
    assert.equal(requestsFor(n.id).length, 1)
    const [logged] = await listDeliveries(ch, { id: n.id })
    assert.equal(logged?.status, 'delivered')
    assert.equal(logged?.attempts, 1)
    assert.equal(logged?.response_status, 200)
    assert.equal(logged?.channel_type, 'webhook')
  })

  it('enqueuing the same notification twice makes one delivery', async () => {
    const name = await channel()
    const n = sampleNotification(uniqueName('n'), name)
    const first = await enqueueNotifications(ch, [n, n])
    const second = await enqueueNotifications(ch, [n])
    assert.deepEqual(first, { enqueued: [n.id], duplicates: [n.id] })
    assert.deepEqual(second, { enqueued: [], duplicates: [n.id] })
    await deliverDue(deps())
    await enqueueNotifications(ch, [n])
    await deliverDue(deps())
    assert.equal(requestsFor(n.id).length, 1)
    assert.equal((await listDeliveries(ch, { id: n.id })).length, 1)
  })

  it('retries 500 twice then delivers, with one idempotency key, and keeps every attempt in the log', async () => {
    const name = await channel()
    const n = sampleNotification(uniqueName('n'), name)
    await enqueueNotifications(ch, [n])
    receiver.script({ status: 500 }, { status: 500 })
    const worker = startDeliveryWorker(deps())
    try {
      await waitFor(() => listDeliveries(ch, { id: n.id }), ([d]) => d?.status === 'delivered', 'the delivery to succeed')
    } finally {
      await worker.stop()
    }
    const requests = requestsFor(n.id)
    assert.equal(requests.length, 3)
    assert.deepEqual(new Set(requests.map((r) => r.headers['idempotency-key'])), new Set([n.id]))
    const history = await deliveryHistory(ch, n.id)
    assert.deepEqual(history.map((h) => [h.status, h.attempts, h.response_status]), [['pending', 0, null], ['retrying', 1, 500], ['retrying', 2, 500], ['delivered', 3, 200]])
    assert.match(history[1]?.last_error ?? '', /answered 500/)
  })

  it('goes dead after the configured attempts, saying it gave up', async () => {
    const name = await channel()
    const n = sampleNotification(uniqueName('n'), name)
    await enqueueNotifications(ch, [n])
    receiver.script({ status: 503 }, { status: 503 }, { status: 503 })
    const metrics = new MetricsRegistry()
    for (let pass = 0; pass < 5; pass++) {
      await deliverDue(deps({ maxAttempts: 3 }, { metrics }))
      await new Promise((r) => setTimeout(r, 10))
    }
    const [d] = await listDeliveries(ch, { id: n.id })
    assert.equal(d?.status, 'dead')
    assert.equal(d?.attempts, 3)
    assert.match(d?.last_error ?? '', /answered 503.*gave up after 3 attempts/)
    assert.equal(requestsFor(n.id).length, 3)
    assert.match(metrics.render(), /modelwatch_deliveries_total\{channel_type="webhook",outcome="dead"\} 1/)
    assert.match(metrics.render(), /modelwatch_deliveries_total\{channel_type="webhook",outcome="retrying"\} 2/)
  })

  it('a 400 is dead at once: retrying would not help, and last_error says so', async () => {
    const name = await channel()
    const n = sampleNotification(uniqueName('n'), name)
    await enqueueNotifications(ch, [n])
    receiver.script({ status: 400, body: 'unknown field "severity"' })
    assert.equal((await deliverDue(deps())).get(n.id), 'dead')
    const [d] = await listDeliveries(ch, { id: n.id })
    assert.equal(d?.response_status, 400)
    assert.match(d?.last_error ?? '', /answered 400: unknown field "severity"; not retried/)
    assert.equal(requestsFor(n.id).length, 1)
  })

  it('honours Retry-After on a 429', async () => {
    const name = await channel()
    const n = sampleNotification(uniqueName('n'), name)
    await enqueueNotifications(ch, [n])
    receiver.script({ status: 429, headers: { 'retry-after': '120' } })
    const before = Date.now()
    assert.equal((await deliverDue(deps())).get(n.id), 'retrying')
    const [d] = await listDeliveries(ch, { id: n.id })
    assert.ok((d?.next_attempt_at ?? 0) >= before + 120_000, `next attempt ${d?.next_attempt_at} is at least 120 s after ${before}`)
    // Not due yet: another pass leaves it alone.
    await deliverDue(deps())
    assert.equal(requestsFor(n.id).length, 1)
  })

  it('a receiver that hangs past the attempt timeout is retried later', async () => {
    const name = await channel()
    const n = sampleNotification(uniqueName('n'), name)
    await enqueueNotifications(ch, [n])
    receiver.script({ hang: true })
    assert.equal((await deliverDue(deps({ timeoutMs: 300 }))).get(n.id), 'retrying')
    const [d] = await listDeliveries(ch, { id: n.id })
    assert.match(d?.last_error ?? '', /no response in time/)
  })

  it('a slow channel does not hold up another channel', async () => {
    const slowReceiver = await startReceiver()
    slowReceiver.fallback = { hang: true }
    const slow = uniqueName('slow')
    await saveChannel(ch, { name: slow, type: 'webhook', url: `${slowReceiver.url}/hook` })
    const fast = await channel()
    const slowOnes = [1, 2, 3].map((i) => sampleNotification(uniqueName(`s${i}`), slow))
    const fastOne = sampleNotification(uniqueName('f'), fast)
    await enqueueNotifications(ch, [...slowOnes, fastOne])
    const worker = startDeliveryWorker(deps({ concurrency: 1, timeoutMs: 60_000 }))
    try {
      await waitFor(() => listDeliveries(ch, { id: fastOne.id }), ([d]) => d?.status === 'delivered', 'the fast channel to deliver')
      // The slow channel is still on its first request, which has not returned.
      assert.equal(slowReceiver.requests.length, 1)
      assert.deepEqual((await listDeliveries(ch, { channel: slow })).map((d) => d.status), ['pending', 'pending', 'pending'])
    } finally {
      await worker.stop()
      await slowReceiver.close()
    }
    // Stopping interrupted the hanging attempt without recording it: it resumes after a restart.
    assert.deepEqual((await listDeliveries(ch, { channel: slow })).map((d) => d.attempts), [0, 0, 0])
  })

  it('a receiver that is down across a restart gets the delivery from the new worker', async () => {
    const down = await startReceiver()
    const port = down.port
    await down.close()
    const name = uniqueName('restart')
    await saveChannel(ch, { name, type: 'webhook', url: `http://127.0.0.1:${port}/hook`, signing_secret_env: 'MODELWATCH_CHANNEL_SECRET_HOOK' })
    const n = sampleNotification(uniqueName('n'), name)
    await enqueueNotifications(ch, [n])
    const first = startDeliveryWorker(deps({ pollMs: 60_000 }))
    try {
      await waitFor(() => listDeliveries(ch, { id: n.id }), ([d]) => d?.status === 'retrying', 'the first attempt to fail')
    } finally {
      await first.stop()
    }
    assert.match((await listDeliveries(ch, { id: n.id }))[0]?.last_error ?? '', /ECONNREFUSED/)
    const back = await startReceiver(port)
    const second = startDeliveryWorker(deps())
    try {
      await waitFor(() => listDeliveries(ch, { id: n.id }), ([d]) => d?.status === 'delivered', 'the new worker to deliver')
    } finally {
      await second.stop()
      await back.close()
    }
    assert.equal(back.requests.length, 1)
    assert.equal(back.requests[0]?.headers['idempotency-key'], n.id)
    assert.equal(verifySignature({ header: back.requests[0]?.headers['modelwatch-signature'] as string, body: back.requests[0]?.body ?? '', secret: SECRET }).ok, true)
  })

  it('github_repository_dispatch posts event_type and client_payload with the token as Bearer', async () => {
    const name = await channel('github_repository_dispatch', '/repos/acme/models/dispatches', true)
    const n = sampleNotification(uniqueName('n'), name)
    await enqueueNotifications(ch, [n])
    receiver.script({ status: 204 })
    assert.equal((await deliverDue(deps())).get(n.id), 'delivered')
    const [request] = requestsFor(n.id)
    assert.equal(request?.path, '/repos/acme/models/dispatches')
    assert.equal(request?.headers.authorization, `Bearer ${TOKEN}`)
    assert.equal(request?.headers.accept, 'application/vnd.github+json')
    const body = JSON.parse(request?.body ?? '{}') as { event_type: string; client_payload: Record<string, unknown> }
    assert.equal(body.event_type, 'modelwatch-firing')
    assert.ok(Object.keys(body.client_payload).length <= 10)
    assert.equal(body.client_payload.model, 'churn')
  })

  it('airflow_dag_run posts an idempotent dag_run_id and counts 409 (run exists) as delivered', async () => {
    const name = await channel('airflow_dag_run', '/api/v1/dags/retrain/dagRuns', true)
    const n = sampleNotification(uniqueName('n'), name)
    await enqueueNotifications(ch, [n])
    receiver.script({ status: 409, body: 'DAGRun already exists' })
    assert.equal((await deliverDue(deps())).get(n.id), 'delivered')
    const body = JSON.parse(requestsFor(n.id)[0]?.body ?? '{}') as { dag_run_id: string; conf: { id: string } }
    assert.equal(body.dag_run_id, `modelwatch__${n.id}`)
    assert.equal(body.conf.id, n.id)
  })

  it('a missing secret variable is a dead delivery naming the variable, and no secret reaches the log', async () => {
    const name = uniqueName('nosecret')
    await saveChannel(ch, { name, type: 'webhook', url: `${receiver.url}/hook`, signing_secret_env: 'MODELWATCH_CHANNEL_SECRET_UNSET' })
    const n = sampleNotification(uniqueName('n'), name)
    await enqueueNotifications(ch, [n])
    assert.equal((await deliverDue(deps())).get(n.id), 'dead')
    const [d] = await listDeliveries(ch, { id: n.id })
    assert.match(d?.last_error ?? '', /environment variable MODELWATCH_CHANNEL_SECRET_UNSET is not set/)
    assert.equal(requestsFor(n.id).length, 0)
    const everything = logLines.join('\n')
    assert.ok(!everything.includes(SECRET) && !everything.includes(TOKEN), 'no secret in the log')
  })

  it('a channel deleted after enqueue makes the delivery dead, saying so', async () => {
    const n = sampleNotification(uniqueName('n'), uniqueName('gone'))
    await enqueueNotifications(ch, [n])
    assert.equal(await findChannel(ch, n.channel), undefined)
    assert.equal((await deliverDue(deps())).get(n.id), 'dead')
    assert.match((await listDeliveries(ch, { id: n.id }))[0]?.last_error ?? '', /no notification channel named/)
  })

  it('refuses private, loopback and metadata receivers when they are not allowed, without sending anything', async () => {
    const targets = [
      [`${receiver.url}/hook`, /plain http to 127\.0\.0\.1 is refused/],
      ['https://169.254.169.254/latest/meta-data', /169\.254\.169\.254 is a private, loopback, link-local or reserved address/],
      ['https://10.1.2.3/hook', /10\.1\.2\.3 is a private/],
      ['https://[::1]/hook', /::1 is a private/],
      // IPv6 forms carrying the metadata address: NAT64 (as URL parsing rewrites 64:ff9b::169.254.169.254), IPv4-compatible, 6to4
      ['https://[64:ff9b::169.254.169.254]/latest/meta-data', /64:ff9b::a9fe:a9fe \(carrying 169\.254\.169\.254\) is a private/],
      ['https://[::169.254.169.254]/latest/meta-data', /::a9fe:a9fe \(carrying 169\.254\.169\.254\) is a private/],
      ['https://[2002:a9fe:a9fe::1]/latest/meta-data', /2002:a9fe:a9fe::1 \(carrying 169\.254\.169\.254\) is a private/],
      [`https://localhost:${receiver.port}/hook`, /localhost resolves to (127\.0\.0\.1|::1), a private/],
    ] as const
    const ids: string[] = []
    for (const [url, expected] of targets) {
      const name = uniqueName('ssrf')
      await saveChannel(ch, { name, type: 'webhook', url })
      const n = sampleNotification(uniqueName('n'), name)
      ids.push(n.id)
      await enqueueNotifications(ch, [n])
      assert.equal((await deliverDue(deps({ allowedNetworks: [] }))).get(n.id), 'dead', url)
      assert.match((await listDeliveries(ch, { id: n.id }))[0]?.last_error ?? '', expected)
    }
    assert.equal(ids.flatMap(requestsFor).length, 0)
  })
})
