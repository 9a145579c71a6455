/**
 * Retraining closes the loop, in process against the real engine with real HTTP on 127.0.0.1: production
 * version 1 drifts; the monitor pass computes the drift, the drift monitor fires and its signed webhook reaches
 * a retraining receiver (a real HTTP server), which verifies the signature and, through the API (a real
 * listening server), registers version 2 with version 1's reference and puts it in shadow. Version 2's shadow
 * predictions arrive (same event_ids as production); at the next closed window the comparison runs by itself,
 * the sequential test concludes the new version is better, and the promotion webhook arrives with the evidence.
 * Windows are one hour in the recent past (the monitor pass compares ingestion times with its own clock);
 * only the comparison's pass moves the clock to the end of the current hour.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { saveChannel } from '../../services/alerting/channels-store.js'
import { deliverDue } from '../../services/alerting/delivery-worker.js'
import { monitorSpecSchema } from '../../services/alerting/monitor-spec.js'
import { saveMonitors } from '../../services/alerting/monitors-store.js'
import { SIGNATURE_HEADER, verifySignature } from '../../services/alerting/notifiers/webhook-signature.js'
import type { WebhookPayload } from '../../services/alerting/notifiers/webhook-payload.js'
import { enqueueNotifications } from '../../services/alerting/outbox.js'
import { runAlerting } from '../../services/alerting/run-alerting.js'
import { createApp } from '../../services/api/app.js'
import { clickHouseEventSink } from '../../services/api/event-sink.js'
import { runComparisons } from '../../services/compare/comparison-runs.js'
import { currentStages } from '../../services/compare/version-stages.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig, type Config } from '../../services/core/config.js'
import { listen, type Listening } from '../../services/core/http-listen.js'
import { createLogger } from '../../services/core/logger.js'
import { MetricsRegistry } from '../../services/core/metrics.js'
import { saveModel } from '../../services/monitor/models/registry.js'
import { runMonitorPass } from '../../services/monitor/pass.js'
import { testDataDir, uniqueName } from '../support/harness.js'
import { seedShadow } from '../support/shadow-seed.js'

const HOUR = 3_600_000
const TOKEN = 'retrain-token-0123456789abcdef'
const SECRET = 'retrain-signing-secret-0123456789'
const log = createLogger('warn')

describe('retraining closes the loop', () => {
  let ch: ClickHouse
  let config: Config
  let api: Listening
  let receiver: Server
  let receiverUrl = ''
  /** Every payload the retraining receiver verified, in arrival order. */
  const payloads: WebhookPayload[] = []
  const refused: string[] = []
  let retrained: Promise<void> | undefined

  /** The retraining pipeline: on the first drift alert, register version 2 with the alert's reference and shadow it. */
  async function retrain(payload: WebhookPayload): Promise<void> {
    const call = async (method: string, path: string, body: unknown): Promise<void> => {
      const res = await fetch(`http://127.0.0.1:${api.port}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
      assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.text()}`)
    }
    const referenceId = payload.alerts[0]?.evidence.reference_id ?? ''
    await call('POST', `/v1/models/${payload.model}/versions`, { version: '2', reference: { reference_id: referenceId } })
    await call('PUT', `/v1/models/${payload.model}/versions/2/stage`, { stage: 'shadow', reason: `retrained after ${payload.reason}` })
  }

  before(async () => {
    config = loadConfig({
      MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('retraining'), MODELWATCH_API_TOKENS: `pipeline:write:${TOKEN}`,
      MODELWATCH_API_RATE_LIMIT: '0', MODELWATCH_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8,::1',
    })
    ch = await openClickHouse(config.clickhouse)
    await migrate(ch)
    api = await listen(createApp({ config, ch, log, metrics: new MetricsRegistry(), events: clickHouseEventSink(ch), checks: [] }).fetch, '127.0.0.1', 0)
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks)
        const header = req.headers[SIGNATURE_HEADER.toLowerCase()]
        const verified = verifySignature({ header: typeof header === 'string' ? header : undefined, body, secret: SECRET })
        if (!verified.ok) {
          refused.push(verified.reason)
          res.writeHead(400).end(verified.reason)
          return
        }
        const payload = JSON.parse(body.toString('utf8')) as WebhookPayload
        payloads.push(payload)
        // Acknowledged at once; the pipeline's work happens after the answer, as a real one would queue it.
        if (retrained === undefined && payload.status === 'firing' && payload.alerts.some((a) => a.statistic.startsWith('drift:'))) retrained = retrain(payload)
        res.writeHead(202).end()
      })
    })
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
    const address = receiver.address()
    receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/retrain`
  })
  after(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()))
    await new Promise<void>((resolve) => api.server.close(() => resolve()))
    await ch.close()
  })

  const deliver = () => deliverDue({ ch, config, log, metrics: new MetricsRegistry(), env: { MODELWATCH_CHANNEL_SECRET_RETRAIN: SECRET } })
  const alerting = (now: number) => runAlerting(ch, { log, now: () => now, defaultChannels: ['retrain'], handOver: async (n) => void (await enqueueNotifications(ch, n)) })

  it('drift alert → retraining webhook → new version in shadow → comparison → promotion notification with the evidence', async () => {
    const hour = Math.floor(Date.now() / HOUR) * HOUR
    await saveModel(ch, { name: 'churn', task: 'binary_classification', positive_class: '1', default_window: '1h', features: [{ name: 'x', kind: 'numeric' }] })
    await saveChannel(ch, { name: 'retrain', type: 'webhook', url: receiverUrl, signing_secret_env: 'MODELWATCH_CHANNEL_SECRET_RETRAIN' })
    // Version 1 in production: a reference hour, then an hour whose feature x moved by three standard deviations.
    await seedShadow(ch, { model: 'churn', versions: [['1', 0.3]], start: hour - 2 * HOUR, ms: HOUR, events: 400, seed: 1, prefix: 'ref' })
    await seedShadow(ch, { model: 'churn', versions: [['1', 0.3]], start: hour - HOUR, ms: HOUR, events: 400, seed: 2, prefix: 'drift', shift: 3 })
    const setup = async (method: string, path: string, body: unknown) => {
      const res = await fetch(`http://127.0.0.1:${api.port}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
      assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.text()}`)
    }
    await setup('POST', '/v1/models/churn/versions', { version: '1', reference: { window: { from: new Date(hour - 2 * HOUR).toISOString(), to: new Date(hour - HOUR).toISOString() } } })
    await setup('PUT', '/v1/models/churn/versions/1/stage', { stage: 'production', reason: 'first model' })
    await saveMonitors(ch, [monitorSpecSchema.parse({ name: 'churn.x-drift', model: 'churn', statistic: 'drift:drift_score', column: 'x', condition: { drifted: true }, channels: ['retrain'] })], { origin: 'apply', now: Date.now() })

    // The drift: a monitor pass, the rules, the delivery; the receiver then retrains.
    const now = Date.now()
    await runMonitorPass(ch, log, { now: () => now })
    await runComparisons(ch, { log, now: () => now })
    const first = await alerting(now)
    assert.ok(first.notifications.some((n) => n.alerts.some((a) => a.monitor === 'churn.x-drift')), 'the drift monitor fires')
    await deliver()
    assert.deepEqual(refused, [])
    assert.ok(retrained !== undefined, 'the receiver got the drift alert')
    await retrained
    const shadow = (await currentStages(ch, 'churn')).get('2')
    assert.equal(shadow?.stage, 'shadow')
    assert.equal(shadow?.changedBy, 'pipeline')

    // Shadow traffic: both versions score the same events after the stage change, until the hour ends.
    const from = Date.parse(shadow.changedAt) + 1
    await seedShadow(ch, { model: 'churn', versions: [['1', 0.3], ['2', 1.5]], start: from, ms: hour + HOUR - 1 - from, events: 600, seed: 3, prefix: 'shadow' })

    // The next closed window: the comparison runs by itself and the promotion monitor created for version 2 fires.
    const closed = hour + HOUR + 30_000
    const compared = await runComparisons(ch, { log, now: () => closed })
    assert.equal(compared.evaluated, 1)
    assert.equal(compared.concluded, 1)
    assert.deepEqual(compared.stageChanges, [], 'auto-promote is off by default')
    const second = await alerting(closed)
    assert.ok(second.notifications.some((n) => n.alerts.some((a) => a.monitor === 'churn.challenger-2.better')))
    await deliver()
    const promotion = payloads.find((p) => p.monitor === 'churn.challenger-2.better')
    assert.ok(promotion !== undefined, 'the promotion webhook arrived')
    assert.equal(promotion.status, 'firing')
    assert.equal(promotion.model_version, '2')
    assert.match(promotion.reason, /compare:accuracy sequential test concluded: challenger better than production/)
    const evidence = promotion.alerts[0]?.evidence.comparison
    assert.ok(evidence !== undefined && evidence.sequential !== null)
    assert.deepEqual([evidence.champion.version, evidence.challenger.version, evidence.metric, evidence.paired], ['1', '2', 'accuracy', true])
    assert.equal(evidence.champion.n, 600)
    assert.equal(evidence.sequential.concluded, 'better')
    assert.ok((evidence.difference ?? 0) > 0 && (evidence.difference_low ?? 0) > 0)
    assert.ok((evidence.sequential.p_value ?? 1) <= (evidence.sequential.alpha ?? 0))
    assert.equal(evidence.period_start, new Date(from - 1).toISOString())
    assert.equal(evidence.period_end, new Date(hour + HOUR).toISOString())
  })
})
