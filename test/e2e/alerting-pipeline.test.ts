/**
 * The whole alerting pipeline as it runs in production: real Kafka, `modelwatch start` as a process on the
 * embedded engine (ingest → monitor pass → alert rules → outbox → delivery worker, and the API) and real HTTP
 * receivers on 127.0.0.1 for a signed webhook and Slack. The model, channels, monitors and silence are made
 * through the API, as a user's script would. A monitor of the mean prediction score on a 1-minute window breaches
 * as soon as high-scoring events are stored (it needs no labels and no reference): events are stamped in the
 * previous minute (the breach) and the current one (the recovery), so nothing waits for a window to close.
 * Two scenarios, side by side in their own processes: a breach, its silenced twin, a sustained breach and the
 * recovery; and a receiver that refuses connections until the service has been stopped and started again.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { ChannelSpecInput } from '../../services/alerting/channel-spec.js'
import type { MonitorSpecInput } from '../../services/alerting/monitor-spec.js'
import { verifySignature } from '../../services/alerting/notifiers/webhook-signature.js'
import { freePorts } from '../../services/cli/free-ports.js'
import { sleep } from '../../services/core/retry.js'
import { createProducer, type ModelwatchProducer } from '../../services/producer/index.js'
import { scrapeCounter, startCli, waitForHealth, type CliProcess } from '../support/cli-process.js'
import { stackFromEnv, testEnv, waitFor } from '../support/harness.js'
import { startReceiver, type Received, type Receiver } from '../support/notify-receiver.js'

const SECRET = 'whsec_e2e_3b9d0c7a'
const TOKEN = 'e2e-admin-token-5f2c9a1d7e'
const MINUTE = 60_000
const MODEL = 'churn'

/** Fast settings: a pass every 2 s and soon after each store, deliveries polled often, short backoff. */
const FAST = {
  MODELWATCH_MONITOR_SCHEDULE: '*/2 * * * * *',
  MODELWATCH_MONITOR_MIN_GAP_MS: '300',
  MODELWATCH_DELIVERY_POLL_MS: '200',
  MODELWATCH_DELIVERY_BACKOFF_MS: '200',
  MODELWATCH_DELIVERY_BACKOFF_MAX_MS: '1000',
  MODELWATCH_DELIVERY_MAX_ATTEMPTS: '100',
  MODELWATCH_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8',
  MODELWATCH_API_TOKENS: `e2e:admin:${TOKEN}`,
  MODELWATCH_LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
}

interface Pipeline {
  env: NodeJS.ProcessEnv
  healthPort: number
  service?: CliProcess
  start(): Promise<void>
  stop(): Promise<void>
  /** An API call that must succeed; resolves with the JSON answer. */
  api<T>(method: string, path: string, body?: unknown): Promise<T>
  /** Monitor passes so far (the counter restarts with the process). */
  passes(): Promise<number>
  /** `waitFor`, failing at once with the service's stderr if it exits meanwhile. */
  until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T>
  /** `n` predictions of the model stamped at `at`, each with score `score`. */
  send(at: number, n: number, score: number): Promise<void>
}

const cleanups: (() => Promise<void>)[] = []
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
})

/** `modelwatch start` on a fresh data directory, its own topics and database, and a producer for its topic. */
async function pipeline(extraEnv: NodeJS.ProcessEnv = {}): Promise<Pipeline> {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-alerting-e2e-'))
  const [healthPort = 0, apiPort = 0] = await freePorts(2)
  const env = testEnv({ ...FAST, MODELWATCH_DATA_DIR: join(dir, 'data'), MODELWATCH_HEALTH_PORT: String(healthPort), MODELWATCH_API_PORT: String(apiPort), MODELWATCH_CHANNEL_SECRET_HOOK: SECRET, ...extraEnv })
  let producer: ModelwatchProducer | undefined
  let sequence = 0
  const p: Pipeline = {
    env, healthPort,
    async start() {
      p.service = startCli(['start'], env)
      const exited = p.service.exited.then((r) => assert.fail(`modelwatch start exited ${r.code}: ${r.stderr}`))
      // The API starts last, so its /healthz answering means every service is up.
      await Promise.race([waitForHealth(apiPort), exited])
    },
    async stop() {
      const service = p.service
      if (service === undefined) return
      p.service = undefined
      service.child.kill('SIGTERM')
      const result = await service.exited
      assert.equal(result.code, 0, result.stderr)
    },
    async api(method, path, body) {
      const response = await fetch(`http://127.0.0.1:${apiPort}${path}`, {
        method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      const text = await response.text()
      assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`)
      return (text === '' ? undefined : JSON.parse(text)) as never
    },
    passes: () => scrapeCounter(healthPort, 'modelwatch_monitor_passes_total'),
    until(read, done, what) {
      const service = p.service
      if (service === undefined) return waitFor(read, done, what, 60_000)
      const exited = service.exited.then((r) => assert.fail(`modelwatch start exited ${r.code} while waiting for ${what}: ${r.stderr}`))
      return Promise.race([waitFor(read, done, what, 60_000), exited])
    },
    async send(at, n, score) {
      producer ??= await createProducer({
        brokers: stackFromEnv().brokers, format: 'json',
        topics: { predictions: env.MODELWATCH_TOPIC_PREDICTIONS ?? '', groundTruth: env.MODELWATCH_TOPIC_GROUND_TRUTH ?? '' },
      })
      await producer.sendPredictions(Array.from({ length: n }, () => ({
        event_id: `e${++sequence}`, model: MODEL, model_version: '1', timestamp: at,
        numeric_features: { tenure: 12 }, categorical_features: { plan: 'pro' },
        prediction: { score, predicted_class: score >= 0.5 ? '1' : '0' },
      })))
    },
  }
  cleanups.push(async () => {
    await p.stop().catch(() => undefined)
    await producer?.disconnect()
  })
  return p
}

/**
 * Registers the model, the channels and the monitors through the API: `churn.score-high` and any others named,
 * and the default volume monitor replaced by one that inhibits nothing (a minute without events during the test
 * would otherwise fire the critical volume-drop, which mutes the model's other alerts: docs/alerting.md).
 */
async function configure(p: Pipeline, channels: ChannelSpecInput[], monitors: Record<string, string[]>): Promise<void> {
  await p.api('POST', '/v1/models', { name: MODEL, task: 'binary_classification', positive_class: '1', default_window: '1m', features: [{ name: 'tenure', kind: 'numeric' }, { name: 'plan', kind: 'categorical' }] })
  for (const channel of channels) await p.api('PUT', `/v1/channels/${channel.name}`, channel)
  const rule = (name: string, to: string[]): MonitorSpecInput => ({
    name, model: MODEL, statistic: 'prediction_score_mean', condition: { above: 0.8 }, min_samples: 10, severity: 'critical', channels: to, repeat_interval: '1h',
  })
  for (const [name, to] of Object.entries(monitors)) await p.api('PUT', `/v1/monitors/${name}`, rule(name, to))
  await p.api('PUT', `/v1/monitors/${MODEL}.volume-drop`, { name: `${MODEL}.volume-drop`, model: MODEL, statistic: 'volume', condition: { below: 0 }, severity: 'info' })
}

/**
 * The start of the previous minute, once at least `need` ms are left in the current one: breaching events
 * stamped there stay judged (a window that ended at most one window ago) until the current minute ends.
 */
async function previousMinute(need: number): Promise<number> {
  const left = MINUTE - (Date.now() % MINUTE)
  if (left < need) await sleep(left + 50)
  return Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE
}

/** Waits until `n` more monitor passes have finished, so whatever was stored before has been judged. */
async function passesAfter(p: Pipeline, n: number): Promise<void> {
  const from = await p.passes()
  await p.until(() => p.passes(), (v) => v >= from + n, `${n} more monitor passes`)
}

type Payload = { id: string; status: string; alerts: { monitor: string; status: string; evidence: { value: number | null; window_start: string; window_end: string } }[] }
const payload = (r: Received): Payload => JSON.parse(r.body) as Payload
const signed = (r: Received): boolean => verifySignature({ header: r.headers['modelwatch-signature'] as string | undefined, body: Buffer.from(r.body), secret: SECRET }).ok

interface ListedAlert { fingerprint: string; monitor: string; status: string }
interface AlertEvent { event: string; muted_by: string; notification_ids: string[] }
interface Delivery { id: string; channel: string; status: string; attempts: number }

// The two scenarios use separate processes and topics; running them side by side halves the wall time.
describe('alerting pipeline (Kafka → modelwatch start → receivers)', { concurrency: 2 }, () => {
  // Its steps build on each other, so they run in order (a suite inherits its parent's concurrency otherwise).
  describe('one breach, two channels, and a silenced twin monitor', { concurrency: 1 }, () => {
    let p: Pipeline
    let hook: Receiver
    let slack: Receiver
    let muted: Receiver
    let breachWindow: number
    let firingId = ''

    before(async () => {
      ;[hook, slack, muted] = await Promise.all([startReceiver(), startReceiver(), startReceiver()])
      cleanups.push(() => hook.close(), () => slack.close(), () => muted.close())
      p = await pipeline({ MODELWATCH_CHANNEL_SECRET_SLACK: `${slack.url}/services/T0/B0/x` })
      await p.start()
      await configure(p, [
        { name: 'hook', type: 'webhook', url: `${hook.url}/hook`, signing_secret_env: 'MODELWATCH_CHANNEL_SECRET_HOOK' },
        { name: 'slack', type: 'slack', url_env: 'MODELWATCH_CHANNEL_SECRET_SLACK' },
        { name: 'muted', type: 'webhook', url: `${muted.url}/hook` },
      ], { 'churn.score-high': ['hook', 'slack'], 'churn.score-high-silenced': ['muted'] })
      await p.api('POST', '/v1/silences', {
        id: 'maintenance', matchers: [{ name: 'monitor', value: 'churn.score-high-silenced' }], ends_at: new Date(Date.now() + 3_600_000).toISOString(), comment: 'planned retraining',
      })
    })

    it('a breach sends one notification per channel, the webhook one signed with its id as Idempotency-Key', async () => {
      breachWindow = await previousMinute(30_000)
      await p.send(breachWindow + 1_000, 20, 0.95)
      await p.until(async () => hook.requests.length + slack.requests.length, (n) => n >= 2, 'the firing notification on both channels')

      const [fired] = hook.requests
      assert.ok(fired !== undefined)
      assert.ok(signed(fired), 'the signature verifies')
      const firing = payload(fired)
      firingId = firing.id
      assert.equal(firing.status, 'firing')
      assert.equal(fired.headers['idempotency-key'], firing.id)
      assert.deepEqual(firing.alerts.map((a) => [a.monitor, a.status, a.evidence.value?.toFixed(6)]), [['churn.score-high', 'firing', '0.950000']])
      const [slackFired] = slack.requests
      assert.ok(slackFired !== undefined)
      assert.match(slackFired.body, /"blocks"/)
      assert.match(slackFired.body, /churn\.score-high/)
    })

    it('the silenced twin monitor fires too, and its channel hears nothing', async () => {
      const { items } = await p.until(() => p.api<{ items: ListedAlert[] }>('GET', '/v1/alerts?status=firing'), (r) => r.items.length >= 2, 'both alerts firing')
      assert.deepEqual(items.map((a) => a.monitor).sort(), ['churn.score-high', 'churn.score-high-silenced'])
      await passesAfter(p, 1)
      assert.equal(muted.requests.length, 0)
    })

    it('a sustained breach sends nothing more before the repeat interval', async () => {
      // More high scores in the same window, judged again by later passes.
      await p.send(breachWindow + 2_000, 20, 0.9)
      await passesAfter(p, 3)
      assert.equal(hook.requests.length, 1, `no second webhook notification before repeat_interval: ${hook.requests.map((r) => r.body).join('\n')}`)
      assert.equal(slack.requests.length, 1, 'no second Slack message before repeat_interval')
    })

    it('recovery in a later window sends one resolve per channel, and none for the silenced alert', async () => {
      await p.send(Date.now(), 20, 0.2)
      await p.until(async () => hook.requests.length + slack.requests.length, (n) => n >= 4, 'the resolve notification on both channels')
      const resolved = payload(hook.requests[1] as Received)
      assert.equal(resolved.status, 'resolved')
      assert.notEqual(resolved.id, firingId)
      // The evidence of a resolve is the window that recovered, not the one that breached.
      const [evidence] = resolved.alerts.map((a) => a.evidence)
      assert.deepEqual([evidence?.value?.toFixed(6), Date.parse(evidence?.window_end ?? '') - Date.parse(evidence?.window_start ?? '')], ['0.200000', MINUTE])
      assert.ok(Date.parse(evidence?.window_start ?? '') > breachWindow)
      assert.match((slack.requests[1] as Received).body, /resolved/i)
      await passesAfter(p, 2)
      assert.equal(hook.requests.length, 2, 'one firing and one resolve, nothing else')
      assert.equal(slack.requests.length, 2)
      assert.equal(muted.requests.length, 0)

      const { items } = await p.api<{ items: ListedAlert[] }>('GET', '/v1/alerts?monitor=churn.score-high-silenced')
      assert.equal(items.length, 1)
      const silenced = await p.api<{ status: string; events: AlertEvent[] }>('GET', `/v1/alerts/${items[0]?.fingerprint ?? ''}`)
      assert.equal(silenced.status, 'resolved')
      assert.deepEqual(silenced.events.map((e) => [e.event, e.muted_by, e.notification_ids.length]), [['firing', 'silence:maintenance', 0], ['resolved', '', 0]])
      const deliveries = await p.api<{ items: Delivery[] }>('GET', '/v1/deliveries')
      assert.deepEqual(deliveries.items.map((d) => [d.channel, d.status]).sort(), [['hook', 'delivered'], ['hook', 'delivered'], ['slack', 'delivered'], ['slack', 'delivered']])
      await p.stop()
    })
  })

  describe('a receiver down across a restart', () => {
    it('gets the notification once after the service restarts, with one Idempotency-Key', async () => {
      // A port nothing listens on: every attempt before the restart is refused.
      const [hookPort = 0] = await freePorts(1)
      const p = await pipeline()
      await p.start()
      await configure(p, [{ name: 'hook', type: 'webhook', url: `http://127.0.0.1:${hookPort}/hook`, signing_secret_env: 'MODELWATCH_CHANNEL_SECRET_HOOK' }], { 'churn.score-high': ['hook'] })
      const breachWindow = await previousMinute(30_000)
      await p.send(breachWindow + 1_000, 20, 0.95)
      await p.until(() => scrapeCounter(p.healthPort, 'modelwatch_deliveries_total'), (n) => n >= 2, 'two refused delivery attempts')
      await p.stop()

      const hook = await startReceiver(hookPort)
      cleanups.push(() => hook.close())
      await p.start()
      await p.until(async () => hook.requests.length, (n) => n >= 1, 'the delivery resumed after the restart')
      // Later passes judge the same breach again and polls read the outbox again: neither sends it twice.
      await passesAfter(p, 2)
      assert.equal(hook.requests.length, 1, 'delivered exactly once')
      const [delivered] = hook.requests as [Received]
      const notification = payload(delivered)
      assert.equal(notification.status, 'firing')
      assert.equal(delivered.headers['idempotency-key'], notification.id)
      assert.ok(signed(delivered), 'the signature verifies')

      const { items } = await p.api<{ items: Delivery[] }>('GET', '/v1/deliveries')
      assert.deepEqual(items.map((d) => [d.id, d.status]), [[notification.id, 'delivered']], 'one delivery in the outbox')
      assert.ok(Number(items[0]?.attempts) >= 3, `refused attempts before the restart, then the successful one (attempts ${items[0]?.attempts})`)
      await p.stop()
    })
  })
})
