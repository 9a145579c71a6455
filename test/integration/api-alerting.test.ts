/**
 * The alerting resources of the API on the real engine (createApp + app.request): channels, monitors, alerts
 * (acknowledge, resolve), silences and the delivery log. Alerts are made the way production makes them: rows
 * in window_metrics and runAlerting with an injected clock (windows of one hour; `at(k)` is 30 s after window k
 * closed), its notifications handed to the real outbox. The API runs on the same clock. The tests run in
 * order and share one database.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { enqueueNotifications } from '../../services/alerting/outbox.js'
import { runAlerting, type AlertingSummary } from '../../services/alerting/run-alerting.js'
import { createApp } from '../../services/api/app.js'
import type { ApiApp } from '../../services/api/deps.js'
import { clickHouseEventSink } from '../../services/api/event-sink.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { createLogger } from '../../services/core/logger.js'
import { MetricsRegistry } from '../../services/core/metrics.js'
import { saveModel } from '../../services/monitor/models/registry.js'
import { emptyResults, writeResults } from '../../services/monitor/window-results.js'
import { count, testDataDir, uniqueName } from '../support/harness.js'

const READ = 'read-token-0123456789abcdef'
const WRITE = 'write-token-0123456789abcdef'
const ADMIN = 'admin-token-0123456789abcdef'
const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/very-secret-part'
const HOUR = 3_600_000
const T0 = Date.UTC(2026, 10, 2, 0)
const start = (k: number): number => T0 + k * HOUR
const at = (k: number, minutes = 0): number => start(k + 1) + 30_000 + minutes * 60_000
const log = createLogger('warn')

type Body = Record<string, unknown> & { items?: Record<string, unknown>[]; errors?: { in: string; path: string; message: string }[] }

describe('API: alerting resources', () => {
  let ch: ClickHouse
  let app: ApiApp
  let clock = T0

  before(async () => {
    const config = loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('api_alerting'), MODELWATCH_API_TOKENS: `r:read:${READ},w:write:${WRITE},boss:admin:${ADMIN}`, MODELWATCH_API_RATE_LIMIT: '0' })
    ch = await openClickHouse(config.clickhouse)
    await migrate(ch)
    await saveModel(ch, { name: 'churn', task: 'binary_classification', positive_class: '1', features: [{ name: 'tenure', kind: 'numeric' }] })
    app = createApp({ config, ch, log, metrics: new MetricsRegistry(), events: clickHouseEventSink(ch), checks: [], now: () => clock, env: { MODELWATCH_CHANNEL_SECRET_SLACK_OPS: SLACK_URL } })
  })
  after(async () => ch.close())

  const call = async (method: string, path: string, options: { token?: string | undefined; body?: unknown } = {}): Promise<{ status: number; body: Body; text: string }> => {
    const headers: Record<string, string> = {}
    const token = 'token' in options ? options.token : READ
    if (token !== undefined) headers.authorization = `Bearer ${token}`
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    const res = await app.request(path, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) })
    const text = await res.text()
    return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Body), text }
  }
  const paths = (body: Body) => (body.errors ?? []).map((e) => `${e.path}: ${e.message}`)

  /** Accuracy of window k, final, with 1000 labelled rows. */
  async function accuracy(k: number, value: number): Promise<void> {
    const results = emptyResults()
    const key = { model: 'churn', model_version: '1', segment: '', window_seconds: 3600, window_start: start(k), window_end: start(k + 1) }
    for (const [metric, v] of [['accuracy', value], ['count', 1000], ['labelled', 1000]] as const) results.windowMetrics.push({ ...key, metric, value: v, is_final: 1, computed_at: at(k) })
    await writeResults(ch, results)
  }
  const evaluate = async (now: number): Promise<AlertingSummary> => {
    clock = now
    return runAlerting(ch, { log, now: () => now, createDefaults: false, handOver: async (n) => void (await enqueueNotifications(ch, n, now)) })
  }
  const notified = (r: AlertingSummary) => r.notifications.map((n) => `${n.channel}:${n.status}:${n.alerts.map((a) => a.monitor).join(',')}`)

  it('answers 401 without a valid token and 403 below the route\'s scope, changing nothing', async () => {
    assert.equal((await call('GET', '/v1/alerts', { token: undefined })).status, 401)
    assert.equal((await call('GET', '/v1/channels', { token: 'not-a-configured-token-000' })).status, 401)
    const channel = { name: 'ops', type: 'slack', url_env: 'MODELWATCH_CHANNEL_SECRET_SLACK_OPS' }
    const refused = await call('PUT', '/v1/channels/ops', { token: WRITE, body: channel })
    assert.equal(refused.status, 403, 'channels need admin')
    assert.match(String(refused.body.detail), /needs scope admin; token w has scope write/)
    assert.equal((await call('PUT', '/v1/monitors/auc', { token: READ, body: {} })).status, 403)
    assert.equal((await call('POST', '/v1/silences', { token: READ, body: {} })).status, 403)
    assert.equal((await call('POST', '/v1/alerts/0123456789abcdef/acknowledge', { token: READ })).status, 403)
    assert.equal(await count(ch, 'SELECT count() AS n FROM notification_channels'), 0)
    assert.equal(await count(ch, 'SELECT count() AS n FROM silences'), 0)
  })

  it('stores channels with scope admin and says whether their secrets are set, never what they are', async () => {
    const created = await call('PUT', '/v1/channels/ops', { token: ADMIN, body: { name: 'ops', type: 'slack', url_env: 'MODELWATCH_CHANNEL_SECRET_SLACK_OPS' } })
    assert.equal(created.status, 201)
    assert.deepEqual(created.body, { name: 'ops', type: 'slack', spec: { name: 'ops', type: 'slack', url_env: 'MODELWATCH_CHANNEL_SECRET_SLACK_OPS' }, redacted: [], secret_env: ['MODELWATCH_CHANNEL_SECRET_SLACK_OPS'], secret_configured: true, origin: 'api' })
    const hook = { name: 'retrain', type: 'webhook', url: 'https://ci.example.com/hook', signing_secret_env: 'MODELWATCH_CHANNEL_SECRET_RETRAIN' }
    assert.equal((await call('PUT', '/v1/channels/retrain', { token: ADMIN, body: hook })).status, 201)
    const replaced = await call('PUT', '/v1/channels/retrain', { token: ADMIN, body: { ...hook, template: 'airflow_dag_run' } })
    assert.equal(replaced.status, 200)
    const listed = await call('GET', '/v1/channels')
    assert.deepEqual(listed.body.items?.map((c) => [c.name, c.secret_configured]), [['ops', true], ['retrain', false]])
    assert.doesNotMatch(listed.text, /very-secret-part/)
    assert.equal((await call('GET', '/v1/channels/retrain')).body.spec && ((await call('GET', '/v1/channels/retrain')).body.spec as { template: string }).template, 'airflow_dag_run')
  })

  it('refuses invalid channels with the zod path, and unknown ones with 404', async () => {
    const invalid = await call('PUT', '/v1/channels/bad', { token: ADMIN, body: { name: 'bad', type: 'slack', url_env: 'https://hooks.slack.com/x' } })
    assert.equal(invalid.status, 422)
    assert.deepEqual(paths(invalid.body), ['/url_env: must name a variable set aside for channel secrets: MODELWATCH_CHANNEL_SECRET_ followed by A-Z, 0-9 or _'])
    const renamed = await call('PUT', '/v1/channels/bad', { token: ADMIN, body: { name: 'other', type: 'email', to: ['a@example.com'] } })
    assert.equal(renamed.status, 422)
    assert.match(String(renamed.body.detail), /\/name: must be the name in the path \("bad"\)/)
    assert.equal((await call('GET', '/v1/channels/bad')).status, 404)
    assert.equal((await call('DELETE', '/v1/channels/bad', { token: ADMIN })).status, 404)
  })

  it('creates, lists, reads, replaces and deletes monitors; refuses unknown models, metrics and channels with their paths', async () => {
    const auc = { name: 'auc', model: 'churn', statistic: 'accuracy', condition: { below: 0.8 }, channels: ['ops'], repeat_interval: '1h' }
    const created = await call('PUT', '/v1/monitors/auc', { token: WRITE, body: auc })
    assert.equal(created.status, 201)
    assert.deepEqual([created.body.origin, (created.body.spec as { repeat_interval: string }).repeat_interval], ['api', '1h'])
    assert.equal((await call('PUT', '/v1/monitors/auc-control', { token: WRITE, body: { ...auc, name: 'auc-control' } })).status, 201)
    const bad = await call('PUT', '/v1/monitors/x', { token: WRITE, body: { ...auc, name: 'x', statistic: 'roc_acu', channels: ['ops', 'nowhere'] } })
    assert.equal(bad.status, 422)
    assert.deepEqual(paths(bad.body).map((p) => p.split(':')[0]), ['/statistic', '/channels/1'])
    assert.match(paths(bad.body)[1] ?? '', /no channel named "nowhere"/)
    const noModel = await call('PUT', '/v1/monitors/x', { token: WRITE, body: { ...auc, name: 'x', model: 'fraud' } })
    assert.deepEqual(paths(noModel.body), ['/model: no model named "fraud"; create it with `modelwatch model create`'])
    const schema = await call('PUT', '/v1/monitors/x', { token: WRITE, body: { ...auc, name: 'x', condition: { drop: '-5%' } } })
    assert.deepEqual([schema.status, paths(schema.body)[0]?.split(':')[0]], [422, '/condition'])
    const wrongName = await call('PUT', '/v1/monitors/x', { token: WRITE, body: auc })
    assert.equal(wrongName.status, 422)
    assert.equal((await call('GET', '/v1/monitors/x')).status, 404, 'nothing refused was stored')
    const replaced = await call('PUT', '/v1/monitors/auc', { token: WRITE, body: { ...created.body.spec as object, repeat_interval: '1h' } })
    assert.equal(replaced.status, 200, 'a monitor read back can be put again as is')
    assert.deepEqual((await call('GET', '/v1/monitors?model=churn')).body.items?.map((m) => m.name), ['auc', 'auc-control'])
    assert.deepEqual((await call('GET', '/v1/monitors?model=fraud')).body.items, [])
    assert.equal((await call('GET', '/v1/monitors/auc')).body.statistic, 'accuracy')
    assert.equal((await call('PUT', '/v1/monitors/gone', { token: WRITE, body: { ...auc, name: 'gone' } })).status, 201)
    assert.equal((await call('DELETE', '/v1/monitors/gone', { token: WRITE })).status, 204)
    assert.equal((await call('GET', '/v1/monitors/gone')).status, 404)
    assert.equal((await call('DELETE', '/v1/monitors/gone', { token: WRITE })).status, 404)
  })

  it('refuses to delete a channel a monitor names (409)', async () => {
    const res = await call('DELETE', '/v1/channels/ops', { token: ADMIN })
    assert.equal(res.status, 409)
    assert.match(String(res.body.detail), /named by monitors auc, auc-control/)
    assert.equal((await call('DELETE', '/v1/channels/retrain', { token: ADMIN })).status, 204)
    assert.equal((await call('GET', '/v1/channels/retrain')).status, 404)
  })

  let fingerprint = ''
  let control = ''

  it('lists alerts filtered by status, model, monitor and severity; reads one with its history', async () => {
    await accuracy(0, 0.7)
    assert.deepEqual(notified(await evaluate(at(0))), ['ops:firing:auc', 'ops:firing:auc-control'])
    const firing = await call('GET', '/v1/alerts?status=firing&model=churn')
    assert.deepEqual(firing.body.items?.map((a) => [a.monitor, a.status, a.value, a.acknowledged]).sort(), [['auc', 'firing', 0.7, null], ['auc-control', 'firing', 0.7, null]])
    fingerprint = String(firing.body.items?.find((a) => a.monitor === 'auc')?.fingerprint)
    control = String(firing.body.items?.find((a) => a.monitor === 'auc-control')?.fingerprint)
    assert.equal((await call('GET', '/v1/alerts?status=resolved')).body.items?.length, 0)
    assert.equal((await call('GET', '/v1/alerts?status=resolved,firing&monitor=auc')).body.items?.length, 1)
    assert.equal((await call('GET', '/v1/alerts?status=pending&status=firing&severity=warning&limit=1')).body.truncated, true)
    assert.equal((await call('GET', `/v1/alerts?since=${new Date(at(0, 1)).toISOString()}`)).body.items?.length, 0)
    const bad = await call('GET', '/v1/alerts?status=burning&limit=5000')
    assert.equal(bad.status, 422)
    assert.deepEqual(bad.body.errors?.map((e) => `${e.in} ${e.path}`), ['query /status/0', 'query /limit'])
    const one = await call('GET', `/v1/alerts/${fingerprint}`)
    assert.deepEqual([one.body.condition, one.body.threshold, (one.body.events as { event: string }[]).map((e) => e.event)], ['below 0.8', 0.8, ['firing']])
    assert.equal((await call('GET', '/v1/alerts/0123456789abcdef')).status, 404)
    assert.equal((await call('GET', '/v1/alerts/not-a-fingerprint')).status, 422)
  })

  it('acknowledges a firing alert as the token\'s name: it keeps firing, but its repeats stop', async () => {
    clock = at(0, 5)
    const acked = await call('POST', `/v1/alerts/${fingerprint}/acknowledge`, { token: WRITE, body: { comment: 'retraining started' } })
    assert.equal(acked.status, 200)
    assert.deepEqual([acked.body.status, acked.body.acknowledged], ['firing', { by: 'w', at: new Date(at(0, 5)).toISOString(), comment: 'retraining started' }])
    assert.equal((await call('POST', `/v1/alerts/${fingerprint}/acknowledge`, { token: WRITE, body: { comment: 7 } })).status, 422)
    // Two hours on, both still breach: only the unacknowledged one repeats.
    await accuracy(1, 0.7)
    await accuracy(2, 0.7)
    assert.deepEqual(notified(await evaluate(at(2))), ['ops:firing:auc-control'])
    const events = (await call('GET', `/v1/alerts/${fingerprint}`)).body.events as { event: string; actor: string; comment: string }[]
    assert.deepEqual(events.map((e) => [e.event, e.actor, e.comment]), [['firing', '', ''], ['acknowledged', 'w', 'retraining started']])
    assert.equal((await call('POST', '/v1/alerts/0123456789abcdef/acknowledge', { token: WRITE })).status, 404)
  })

  it('resolves an alert by hand: the resolve goes through the outbox, and a persisting breach fires a new alert', async () => {
    clock = at(2, 5)
    const resolved = await call('POST', `/v1/alerts/${fingerprint}/resolve`, { token: WRITE })
    assert.equal(resolved.status, 200)
    assert.deepEqual([resolved.body.status, resolved.body.resolved_at, resolved.body.acknowledged], ['resolved', new Date(at(2, 5)).toISOString(), null])
    const again = await call('POST', `/v1/alerts/${fingerprint}/resolve`, { token: WRITE })
    assert.deepEqual([again.status, again.body.code], [409, 'CONFLICT'])
    assert.equal((await call('POST', `/v1/alerts/${fingerprint}/acknowledge`, { token: WRITE })).status, 409, 'a resolved alert cannot be acknowledged')
    const deliveries = await call('GET', '/v1/deliveries?channel=ops&group_key=monitor%3Dauc%2Cmodel%3Dchurn%2Cversion%3D1')
    assert.deepEqual(deliveries.body.items?.map((d) => [d.notification_status, d.status]), [['resolved', 'pending'], ['firing', 'pending']])
    const events = (await call('GET', `/v1/alerts/${fingerprint}`)).body.events as { event: string; actor: string; notification_ids: string[] }[]
    assert.deepEqual(events.at(-1), { ...events.at(-1), event: 'resolved', actor: 'w', notification_ids: [deliveries.body.items?.[0]?.id] })
    // Window 2 is judged again and still breaches: a new firing, notified at once.
    assert.deepEqual(notified(await evaluate(at(2, 10))), ['ops:firing:auc'])
  })

  it('creates a silence as the token\'s name that mutes the next evaluation, lists it, and expires it', async () => {
    clock = at(2, 15)
    const invalid = await call('POST', '/v1/silences', { token: WRITE, body: { matchers: [{ name: 'team', value: 'x' }], ends_at: new Date(at(5)).toISOString() } })
    assert.deepEqual([invalid.status, invalid.body.errors?.[0]?.path], [422, '/matchers/0/name'])
    const past = await call('POST', '/v1/silences', { token: WRITE, body: { matchers: [{ name: 'monitor', value: 'auc-control' }], ends_at: new Date(at(1)).toISOString() } })
    assert.equal(past.status, 422)
    const created = await call('POST', '/v1/silences', { token: WRITE, body: { id: 'deploy', matchers: [{ name: 'monitor', value: 'auc-control' }], ends_at: new Date(at(5)).toISOString(), comment: 'deploying' } })
    assert.equal(created.status, 201)
    assert.deepEqual([created.body.created_by, created.body.state, created.body.starts_at], ['w', 'active', new Date(at(2, 15)).toISOString()])
    assert.equal((await call('POST', '/v1/silences', { token: WRITE, body: { id: 'deploy', matchers: [{ name: 'model', value: 'churn' }], ends_at: new Date(at(5)).toISOString() } })).status, 409)
    await accuracy(3, 0.7)
    const r = await evaluate(at(3, 30))
    assert.deepEqual([notified(r), r.muted], [['ops:firing:auc'], 1], 'the repeat of auc-control is held back; auc, firing anew, repeats')
    assert.deepEqual((await call('GET', '/v1/silences')).body.items?.map((s) => s.id), ['deploy'])
    clock = at(3, 40)
    const expired = await call('DELETE', '/v1/silences/deploy', { token: WRITE })
    assert.deepEqual([expired.status, expired.body.state, expired.body.ends_at], [200, 'expired', new Date(at(3, 40)).toISOString()])
    assert.deepEqual((await call('GET', '/v1/silences')).body.items, [])
    assert.deepEqual((await call('GET', '/v1/silences?state=all')).body.items?.map((s) => [s.id, s.state]), [['deploy', 'expired']])
    assert.equal((await call('DELETE', '/v1/silences/deploy', { token: WRITE })).status, 404)
    assert.deepEqual(notified(await evaluate(at(3, 45))), ['ops:firing:auc-control'], 'notified once the silence ended')
    assert.ok(control !== '')
  })

  it('serves the delivery log with each delivery\'s history, filtered, and 404 for an unknown id', async () => {
    const all = await call('GET', '/v1/deliveries?status=pending&channel=ops')
    assert.ok((all.body.items?.length ?? 0) >= 5)
    const [newest] = all.body.items ?? []
    assert.deepEqual([newest?.channel, newest?.channel_type, (newest?.notification as { alerts: unknown[] }).alerts.length], ['ops', 'slack', 1])
    const one = await call('GET', `/v1/deliveries/${String(newest?.id)}`)
    assert.deepEqual((one.body.history as { seq: number; status: string }[]).map((h) => [h.seq, h.status]), [[0, 'pending']])
    assert.equal((await call('GET', '/v1/deliveries?limit=1')).body.items?.length, 1)
    assert.equal((await call('GET', '/v1/deliveries?status=lost')).status, 422)
    assert.equal((await call('GET', '/v1/deliveries/abcdef0123')).status, 404)
    assert.equal((await call('GET', '/v1/deliveries/not-hex')).status, 422)
  })

  it('documents every alerting route in /openapi.json', async () => {
    const doc = await call('GET', '/openapi.json')
    const documented = Object.keys(doc.body.paths as object)
    for (const path of ['/v1/monitors', '/v1/monitors/{name}', '/v1/alerts', '/v1/alerts/{fingerprint}', '/v1/alerts/{fingerprint}/acknowledge', '/v1/alerts/{fingerprint}/resolve',
      '/v1/silences', '/v1/silences/{id}', '/v1/channels', '/v1/channels/{name}', '/v1/deliveries', '/v1/deliveries/{id}', '/v1/models/{model}/versions/{version}/reference']) {
      assert.ok(documented.includes(path), `${path} is documented`)
    }
  })
})
