/**
 * Every bound on user input that reaches a hot path, at the API on the real engine (docs/limits.md): at the
 * limit the request is accepted, one past it is refused with a problem naming the limit. Counts of stored
 * things (models, monitors, silences, channels, challengers) are settings, set small here; sizes are
 * constants. The tests run in order and share one database.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MAX_SILENCE_MATCHERS } from '../../services/alerting/silences.js'
import { MAX_ALERTS } from '../../services/api/routes/alerts.js'
import { MAX_DELIVERIES } from '../../services/api/routes/deliveries.js'
import { MAX_LIMIT } from '../../services/api/routes/results.js'
import { MAX_SILENCES_LISTED } from '../../services/api/routes/silences.js'
import { createApp } from '../../services/api/app.js'
import type { ApiApp } from '../../services/api/deps.js'
import { clickHouseEventSink } from '../../services/api/event-sink.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig, type Config } from '../../services/core/config.js'
import { createLogger } from '../../services/core/logger.js'
import { MAX_MATCHER_PATTERN_LENGTH } from '../../services/core/matcher-regex.js'
import { MetricsRegistry } from '../../services/core/metrics.js'
import { MAX_MODEL_FEATURES } from '../../services/monitor/models/model-spec.js'
import { testDataDir, uniqueName } from '../support/harness.js'

const WRITE = 'write-token-0123456789abcdef'
const ADMIN = 'admin-token-0123456789abcdef'
const DAY = 86_400_000
const NOW = Date.UTC(2026, 10, 2, 12)
const BODY_LIMIT = 4096
const UPLOAD_LIMIT = 2048
const MAX_EVENTS = 5

interface Problem { status: number; code?: string; detail?: string; errors?: { path: string; message: string }[]; truncated?: boolean }

describe('API: bounds on user input', () => {
  let ch: ClickHouse
  let config: Config
  /** The app with small count limits and a body limit large enough for the size bounds. */
  let app: ApiApp
  /** The same, with small body, upload and batch limits. */
  let small: ApiApp
  /** The API's clock; a silence expired now ends a millisecond after it started, so expiring moves on. */
  let clock = NOW

  before(async () => {
    const env = {
      MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('api_limits'), MODELWATCH_API_TOKENS: `w:write:${WRITE},boss:admin:${ADMIN}`, MODELWATCH_API_RATE_LIMIT: '0',
      MODELWATCH_MAX_MODELS: '2', MODELWATCH_MAX_MONITORS: '2', MODELWATCH_MAX_SILENCES: '2', MODELWATCH_MAX_CHANNELS: '2', MODELWATCH_MAX_CHALLENGERS: '2', MODELWATCH_MAX_QUERY_RANGE: '30d',
    }
    config = loadConfig(env)
    ch = await openClickHouse(config.clickhouse)
    await migrate(ch)
    const deps = { ch, log: createLogger('warn'), events: clickHouseEventSink(ch), checks: [], now: () => clock }
    app = createApp({ ...deps, metrics: new MetricsRegistry(), config })
    small = createApp({ ...deps, metrics: new MetricsRegistry(), config: loadConfig({ ...env, MODELWATCH_API_MAX_BODY_BYTES: String(BODY_LIMIT), MODELWATCH_API_MAX_UPLOAD_BYTES: String(UPLOAD_LIMIT), MODELWATCH_API_MAX_EVENTS: String(MAX_EVENTS) }) })
  })
  after(async () => ch.close())

  const call = async (method: string, path: string, body?: unknown, options: { token?: string; target?: ApiApp; raw?: string; type?: string } = {}): Promise<Problem & Record<string, unknown>> => {
    const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? WRITE}` }
    const text = options.raw ?? (body === undefined ? undefined : JSON.stringify(body))
    if (text !== undefined) headers['content-type'] = options.type ?? 'application/json'
    const res = await (options.target ?? app).request(path, { method, headers, ...(text === undefined ? {} : { body: text }) })
    const answer = await res.text()
    return { ...(answer === '' ? {} : (JSON.parse(answer) as Record<string, unknown>)), status: res.status }
  }
  const refused = (res: Problem, status: number, code: string, limit: RegExp) => {
    assert.equal(res.status, status, JSON.stringify(res))
    assert.equal(res.code, code)
    assert.match(`${res.detail ?? ''} ${(res.errors ?? []).map((e) => e.message).join(' ')}`, limit)
  }
  const model = (name: string, features = 1) => ({ name, task: 'regression', features: Array.from({ length: features }, (_, i) => ({ name: `f${i}`, kind: 'numeric' })) })
  const silence = (id: string, matchers: object[] = [{ name: 'model', value: 'm1' }]) => ({ id, matchers, ends_at: new Date(NOW + DAY).toISOString() })

  it('models: MODELWATCH_MAX_MODELS registered, replacing one still allowed; MAX_MODEL_FEATURES features each', async () => {
    assert.equal((await call('POST', '/v1/models', model('m1'))).status, 201)
    assert.equal((await call('POST', '/v1/models', model('m2'))).status, 201)
    refused(await call('POST', '/v1/models', model('m3')), 409, 'LIMIT_EXCEEDED', /at most 2 registered models \(MODELWATCH_MAX_MODELS\): 2 exist and this would add 1/)
    assert.equal((await call('POST', '/v1/models', model('m1', MAX_MODEL_FEATURES))).status, 200)
    refused(await call('POST', '/v1/models', model('m1', MAX_MODEL_FEATURES + 1)), 422, 'REQUEST_INVALID', /at most 1000 features \(MAX_MODEL_FEATURES\)/)
  })

  it('models: windows of at least MIN_MODEL_WINDOW_SECONDS, and final_max_delay of at most MAX_WINDOWS_UNTIL_FINAL windows', async () => {
    const windowed = (default_window: string, final_max_delay: string) => call('POST', '/v1/models', { ...model('m1'), default_window, final_max_delay })
    assert.equal((await windowed('1m', '10080m')).status, 200)
    refused(await windowed('59s', '1h'), 422, 'REQUEST_INVALID', /a window is at least 1m \(MIN_MODEL_WINDOW_SECONDS\)/)
    refused(await windowed('1m', '10081m'), 422, 'REQUEST_INVALID', /spans at most 10080 windows \(MAX_WINDOWS_UNTIL_FINAL\): at most 7d with 1m windows/)
  })

  it('monitors: MODELWATCH_MAX_MONITORS live ones; replacing one still allowed', async () => {
    const monitor = (name: string) => ({ name, model: 'm2', statistic: 'mae', condition: { above: 1 } })
    assert.equal((await call('PUT', '/v1/monitors/a', monitor('a'))).status, 201)
    assert.equal((await call('PUT', '/v1/monitors/b', monitor('b'))).status, 201)
    refused(await call('PUT', '/v1/monitors/c', monitor('c')), 409, 'LIMIT_EXCEEDED', /at most 2 live monitors \(MODELWATCH_MAX_MONITORS\)/)
    assert.equal((await call('PUT', '/v1/monitors/a', { ...monitor('a'), condition: { above: 2 } })).status, 200)
  })

  it(`silences: ${MAX_SILENCE_MATCHERS} matchers and ${MAX_MATCHER_PATTERN_LENGTH}-character patterns, MODELWATCH_MAX_SILENCES not ended; an expired one makes room`, async () => {
    const many = (n: number) => Array.from({ length: n }, () => ({ name: 'model', value: 'm1' }))
    refused(await call('POST', '/v1/silences', silence('x', many(MAX_SILENCE_MATCHERS + 1))), 422, 'REQUEST_INVALID', /at most 32 matchers \(MAX_SILENCE_MATCHERS\)/)
    const pattern = (n: number) => [{ name: 'monitor', op: '=~', value: 'a'.repeat(n) }]
    const long = await call('POST', '/v1/silences', silence('x', pattern(MAX_MATCHER_PATTERN_LENGTH + 1)))
    refused(long, 422, 'REQUEST_INVALID', /257 characters long; at most 256 \(MAX_MATCHER_PATTERN_LENGTH\)/)
    assert.equal(long.errors?.[0]?.path, '/matchers/0/value')
    refused(await call('POST', '/v1/silences', silence('x', [{ name: 'monitor', op: '=~', value: '(?=a)a' }])), 422, 'REQUEST_INVALID', /not an RE2 regular expression/)
    assert.equal((await call('POST', '/v1/silences', silence('s1', many(MAX_SILENCE_MATCHERS)))).status, 201)
    assert.equal((await call('POST', '/v1/silences', silence('s2', pattern(MAX_MATCHER_PATTERN_LENGTH)))).status, 201)
    refused(await call('POST', '/v1/silences', silence('s3')), 409, 'LIMIT_EXCEEDED', /at most 2 silences that have not ended \(MODELWATCH_MAX_SILENCES\).*expire one/)
    assert.equal((await call('DELETE', '/v1/silences/s1')).status, 200)
    clock += 1000
    assert.equal((await call('POST', '/v1/silences', silence('s3'))).status, 201)
  })

  it('channels: MODELWATCH_MAX_CHANNELS; replacing one still allowed', async () => {
    const channel = (name: string) => ({ name, type: 'email', to: ['oncall@example.com'] })
    assert.equal((await call('PUT', '/v1/channels/c1', channel('c1'), { token: ADMIN })).status, 201)
    assert.equal((await call('PUT', '/v1/channels/c2', channel('c2'), { token: ADMIN })).status, 201)
    refused(await call('PUT', '/v1/channels/c3', channel('c3'), { token: ADMIN }), 409, 'LIMIT_EXCEEDED', /at most 2 notification channels \(MODELWATCH_MAX_CHANNELS\)/)
    assert.equal((await call('PUT', '/v1/channels/c1', channel('c1'), { token: ADMIN })).status, 200)
  })

  it('stages: MODELWATCH_MAX_CHALLENGERS versions in shadow or challenger; archiving one makes room', async () => {
    const stage = (version: string, to: string) => call('PUT', `/v1/models/m2/versions/${version}/stage`, { stage: to, reason: 'test' })
    assert.equal((await stage('1', 'production')).status, 200)
    assert.equal((await stage('2', 'shadow')).status, 200)
    assert.equal((await stage('3', 'challenger')).status, 200)
    refused(await stage('4', 'challenger'), 409, 'LIMIT_EXCEEDED', /at most 2 versions of one model in shadow or challenger \(MODELWATCH_MAX_CHALLENGERS\)/)
    assert.equal((await stage('2', 'challenger')).status, 200, 'a version already there moves freely')
    assert.equal((await stage('2', 'archived')).status, 200)
    assert.equal((await stage('4', 'challenger')).status, 200)
  })

  it('compare: a period of MODELWATCH_MAX_QUERY_RANGE, not a millisecond more', async () => {
    const period = (ms: number) => `/v1/models/m2/compare?a=1&b=3&from=${new Date(NOW - ms).toISOString()}&to=${new Date(NOW).toISOString()}`
    assert.equal((await call('GET', period(30 * DAY))).status, 200)
    refused(await call('GET', period(30 * DAY + 1)), 422, 'REQUEST_INVALID', /is longer than 30d \(MODELWATCH_MAX_QUERY_RANGE\)/)
  })

  it('lists: limit up to each list\'s maximum, not one more', async () => {
    for (const [path, max] of [['/v1/models/m2/windows', MAX_LIMIT], ['/v1/alerts', MAX_ALERTS], ['/v1/deliveries', MAX_DELIVERIES], ['/v1/silences', MAX_SILENCES_LISTED]] as const) {
      assert.equal((await call('GET', `${path}?limit=${max}`)).status, 200, path)
      refused(await call('GET', `${path}?limit=${max + 1}`), 422, 'REQUEST_INVALID', new RegExp(`<=${max}`))
    }
    const listed = await call('GET', '/v1/silences?state=all&limit=1')
    assert.deepEqual([(listed.items as unknown[]).length, listed.truncated], [1, true])
  })

  it('bodies: MODELWATCH_API_MAX_BODY_BYTES bytes accepted, one more refused with 413', async () => {
    const padded = (bytes: number) => {
      const text = JSON.stringify(silence('body'))
      return text + ' '.repeat(bytes - Buffer.byteLength(text))
    }
    const options = { target: small, raw: padded(BODY_LIMIT + 1) }
    refused(await call('POST', '/v1/silences', undefined, options), 413, 'PAYLOAD_TOO_LARGE', /larger than 4096 bytes \(MODELWATCH_API_MAX_BODY_BYTES\)/)
    assert.equal((await call('DELETE', '/v1/silences/s2')).status, 200)
    clock += 1000
    assert.equal((await call('POST', '/v1/silences', undefined, { ...options, raw: padded(BODY_LIMIT) })).status, 201)
  })

  it('HTTP ingest: MODELWATCH_API_MAX_EVENTS events in one request, one more refused', async () => {
    const events = (n: number) => Array.from({ length: n }, (_, i) => ({ event_id: `e${i}`, model: 'm2', model_version: '1', timestamp: NOW, prediction: { value: 1 } }))
    assert.equal((await call('POST', '/v1/events/predictions', events(MAX_EVENTS), { target: small })).status, 200)
    refused(await call('POST', '/v1/events/predictions', events(MAX_EVENTS + 1), { target: small }), 422, 'REQUEST_INVALID', /<=5/)
  })

  it('reference uploads: MODELWATCH_API_MAX_UPLOAD_BYTES bytes accepted, one more refused with 413', async () => {
    const csv = (bytes: number) => {
      const head = 'f0,pad\n'
      const rows = Array.from({ length: 50 }, (_, i) => `${i},x\n`).join('')
      return `${head}${i0pad(bytes - head.length - rows.length)}${rows}`
    }
    const i0pad = (n: number) => `0,${'p'.repeat(n - 3)}\n`
    const upload = (bytes: number) => call('PUT', '/v1/models/m2/versions/1/reference', undefined, { target: small, raw: csv(bytes), type: 'text/csv' })
    refused(await upload(UPLOAD_LIMIT + 1), 413, 'PAYLOAD_TOO_LARGE', /larger than 2048 bytes \(MODELWATCH_API_MAX_UPLOAD_BYTES\)/)
    const stored = await upload(UPLOAD_LIMIT)
    assert.equal(stored.status, 201, JSON.stringify(stored))
  })
})
