/**
 * The retraining loop through the API on the real engine: a version registered with a reference (an existing
 * id, a rolling one), a reference file uploaded as a raw CSV body under its own size limit, conflicts refused
 * without replace, and the next monitor pass comparing the new version against the reference it was given.
 */
import assert from 'node:assert/strict'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createApp } from '../../services/api/app.js'
import type { ApiApp } from '../../services/api/deps.js'
import { clickHouseEventSink } from '../../services/api/event-sink.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig, type Config } from '../../services/core/config.js'
import { createLogger } from '../../services/core/logger.js'
import { MetricsRegistry } from '../../services/core/metrics.js'
import { saveModel } from '../../services/monitor/models/registry.js'
import { runMonitorPass } from '../../services/monitor/pass.js'
import { churnModel, fixture } from '../fixtures/references/fixtures.js'
import { count, rows, testDataDir, uniqueName } from '../support/harness.js'

const READ = 'read-token-0123456789abcdef'
const WRITE = 'write-token-0123456789abcdef'
const HOUR = 3_600_000
// Windows in the recent past: the pass compares ingestion times (set by the engine's clock) with its own.
const H10 = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR
const log = createLogger('warn')

/** A reference CSV for the churn fixture model: `n` rows, tenure around `shift`. */
const csv = (n: number, shift = 0): string =>
  ['tenure_months,monthly_spend,plan,score,predicted_class,label', ...Array.from({ length: n }, (_, i) => `${shift + (i % 10)},${20 + i},${i % 2 === 0 ? 'pro' : 'basic'},0.${i % 9 + 1},${i % 2},${i % 3 === 0 ? 1 : 0}`)].join('\n') + '\n'

type Body = Record<string, unknown> & { items?: Record<string, unknown>[]; errors?: { path: string; message: string }[] }

describe('API: registering versions and their references', () => {
  let ch: ClickHouse
  let app: ApiApp
  let config: Config

  before(async () => {
    config = loadConfig({
      MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('api_versions'), MODELWATCH_API_TOKENS: `r:read:${READ},w:write:${WRITE}`,
      MODELWATCH_API_RATE_LIMIT: '0', MODELWATCH_API_MAX_BODY_BYTES: '512', MODELWATCH_API_MAX_UPLOAD_BYTES: '8192',
    })
    ch = await openClickHouse(config.clickhouse)
    await migrate(ch)
    await saveModel(ch, { ...churnModel('churn'), default_window: '1h' })
    app = createApp({ config, ch, log, metrics: new MetricsRegistry(), events: clickHouseEventSink(ch), checks: [] })
  })
  after(async () => ch.close())

  const send = async (method: string, path: string, body: BodyInit | undefined, headers: Record<string, string> = {}, token = WRITE): Promise<{ status: number; body: Body }> => {
    const init: RequestInit & { duplex?: 'half' } = { method, headers: { authorization: `Bearer ${token}`, ...headers } }
    if (body !== undefined) init.body = body
    if (body instanceof ReadableStream) init.duplex = 'half'
    const res = await app.request(path, init)
    const text = await res.text()
    return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Body) }
  }
  const post = (body: unknown, token = WRITE) => send('POST', '/v1/models/churn/versions', JSON.stringify(body), { 'content-type': 'application/json' }, token)
  const upload = (version: string, text: string, query = '', type = 'text/csv; charset=utf-8') => send('PUT', `/v1/models/churn/versions/${version}/reference${query}`, text, { 'content-type': type })
  const assignments = () => count(ch, "SELECT count() AS n FROM model_versions WHERE model = 'churn'")
  let uploaded = ''

  it('uploads a CSV reference as a raw body, larger than the API body limit but within the upload limit, and cleans up', async () => {
    const file = csv(60)
    assert.ok(file.length > 512 && file.length < 8192)
    const res = await upload('1', file, '?filename=train.csv')
    assert.equal(res.status, 201)
    assert.deepEqual({ ...res.body, reference_id: typeof res.body.reference_id }, {
      model: 'churn', version: '1', reference_id: 'string', reference: 'upload train.csv', rows: 60, created: true, assigned: true, replaced: null, ignored_columns: [],
    })
    uploaded = String(res.body.reference_id)
    const again = await upload('1', file)
    assert.deepEqual([again.status, again.body.created, again.body.assigned], [200, false, false])
    assert.deepEqual(await readdir(join(config.clickhouse.dataDir, 'uploads')), [], 'the temporary files are gone')
  })

  it('refuses uploads of another media type (415), over the upload limit (413, declared or streamed), or that break the model (422), storing nothing', async () => {
    const before = await assignments()
    const sets = await count(ch, "SELECT count() AS n FROM reference_sets WHERE model = 'churn'")
    const wrongType = await upload('2', csv(5), '', 'application/json')
    assert.deepEqual([wrongType.status, wrongType.body.code], [415, 'REQUEST_MALFORMED'])
    assert.match(String(wrongType.body.detail), /Content-Type must be one of text\/csv, application\/vnd\.apache\.parquet/)
    const big = csv(1000)
    assert.ok(big.length > 8192)
    assert.deepEqual([(await upload('2', big)).status], [413])
    const streamed = new ReadableStream<Uint8Array>({ start(controller) { controller.enqueue(new TextEncoder().encode(big)); controller.close() } })
    const res = await send('PUT', '/v1/models/churn/versions/2/reference', streamed, { 'content-type': 'text/csv' })
    assert.deepEqual([res.status, res.body.code], [413, 'PAYLOAD_TOO_LARGE'])
    const missing = await upload('2', 'tenure_months,plan\n1,pro\n')
    assert.equal(missing.status, 422)
    assert.match(String(missing.body.detail), /monthly_spend/)
    assert.equal((await send('PUT', '/v1/models/churn/versions/2/reference', csv(5), { 'content-type': 'text/csv' }, READ)).status, 403)
    assert.equal((await send('PUT', '/v1/models/nobody/versions/2/reference', csv(5), { 'content-type': 'text/csv' })).status, 404)
    assert.equal(await assignments(), before)
    assert.equal(await count(ch, "SELECT count() AS n FROM reference_sets WHERE model = 'churn'"), sets)
    assert.deepEqual(await readdir(join(config.clickhouse.dataDir, 'uploads')), [])
  })

  it('refuses a garbage, truncated or empty file with 422 problem+json saying what is wrong with the file, never a reader\'s internal message', async () => {
    const arrow = await readFile(fixture('churn.arrow'))
    const stream = await readFile(fixture('churn-stream.ipc'))
    const parquet = await readFile(fixture('churn.parquet'))
    const garbage = Buffer.from('this is not a data file, only words \u0000\u0001\u00ff and more words '.repeat(4), 'latin1')
    const ARROW_FILE = 'application/vnd.apache.arrow.file'
    const ARROW_STREAM = 'application/vnd.apache.arrow.stream'
    const PARQUET = 'application/vnd.apache.parquet'
    // a stream that opens like one (continuation, a plausible length) but whose schema message is nonsense
    const badSchema = Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 16, 0, 0, 0]), Buffer.alloc(16, 7), Buffer.alloc(8)])
    // an IPC file whose magic and footer length are intact but whose footer is not (apache-arrow throws a TypeError)
    const garbageFooter = Buffer.from(arrow).fill(0x41, arrow.length - 300, arrow.length - 10)
    const cases: [string, string, Buffer, RegExp][] = [
      ['garbage Arrow file', ARROW_FILE, garbage, /^reference file upload\.arrow is not an Arrow IPC file or stream: it starts with neither ARROW1/],
      ['garbage Arrow stream', ARROW_STREAM, garbage, /^reference file upload\.arrow is not an Arrow IPC file or stream/],
      ['three bytes of Arrow', ARROW_STREAM, Buffer.from([1, 2, 3]), /is not an Arrow IPC file or stream/],
      ['a Parquet file sent as Arrow', ARROW_FILE, parquet, /is not an Arrow IPC file or stream/],
      ['an Arrow stream with a nonsense schema message', ARROW_STREAM, badSchema, /^reference file upload\.arrow is not an Arrow IPC file or stream: Expected Schema Message in stream/],
      ['an Arrow file with a garbage footer', ARROW_FILE, garbageFooter, /^reference file upload\.arrow is not an Arrow IPC file or stream: its schema cannot be read \(the file is damaged\)$/],
      ['Arrow file cut at 300 bytes', ARROW_FILE, arrow.subarray(0, 300), /^reference file upload\.arrow is truncated or damaged: an Arrow IPC file ends with its footer and ARROW1/],
      ['Arrow file cut at 900 bytes', ARROW_FILE, arrow.subarray(0, 900), /is truncated or damaged: an Arrow IPC file ends with/],
      ['Arrow stream cut in a record batch', ARROW_STREAM, stream.subarray(0, 900), /^reference file upload\.arrow is truncated: it ends in the middle of its data$/],
      ['garbage Parquet', PARQUET, garbage, /^reference file upload\.parquet is not a Parquet file: it does not start with PAR1$/],
      ['Parquet cut short', PARQUET, parquet.subarray(0, 1500), /^reference file upload\.parquet is truncated or damaged: a Parquet file ends with its footer and PAR1/],
      ['binary data as CSV', 'text/csv', garbage, /^reference file upload\.csv is not CSV text: it holds binary data \(a NUL byte at offset 36\)$/],
      ['an Arrow file as CSV', 'text/csv', arrow, /is not CSV text: it holds binary data/],
      ['empty body', ARROW_FILE, Buffer.alloc(0), /^the request body is empty; send the reference file as the body$/],
    ]
    for (const [what, type, body, expected] of cases) {
      const res = await app.request('/v1/models/churn/versions/5/reference', { method: 'PUT', headers: { authorization: `Bearer ${WRITE}`, 'content-type': type }, body: new Uint8Array(body) })
      const problem = (await res.json()) as Body
      assert.equal(res.status, 422, what)
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, what)
      assert.equal(problem.code, 'REQUEST_INVALID', what)
      assert.match(String(problem.detail), expected, what)
      assert.doesNotMatch(String(problem.detail), /Cannot read properties|reading '|typed array|in file\/uri|\/tmp\//, what)
    }
    assert.equal(await count(ch, "SELECT count() AS n FROM model_versions WHERE model = 'churn' AND version = '5'"), 0)
    assert.deepEqual(await readdir(join(config.clickhouse.dataDir, 'uploads')), [])
  })

  it('registers a version with a rolling reference; the same again changes nothing; another needs replace (409)', async () => {
    const created = await post({ version: '2', reference: { rolling: { windows: 3 } } })
    assert.deepEqual([created.status, created.body.reference, created.body.assigned], [201, 'rolling: the previous 3 windows', true])
    assert.deepEqual([(await post({ version: '2', reference: { rolling: { windows: 3 } } })).status], [200])
    const before = await assignments()
    const conflict = await post({ version: '2', reference: { reference_id: uploaded } })
    assert.deepEqual([conflict.status, conflict.body.code], [409, 'CONFLICT'])
    assert.match(String(conflict.body.detail), new RegExp(`version 2 of churn already compares against reference ${String(created.body.reference_id)} \\(rolling: the previous 3 windows\\); send replace: true`))
    assert.equal((await post({ version: '2', reference: { rolling: { windows: 5 } } })).status, 409)
    assert.equal(await assignments(), before, 'nothing changed')
    const replaced = await post({ version: '2', reference: { reference_id: uploaded }, replace: true })
    assert.deepEqual([replaced.status, replaced.body.replaced, replaced.body.reference_id], [201, created.body.reference_id, uploaded])
  })

  it('refuses invalid registrations with the zod path, unknown references and models, and read tokens', async () => {
    const invalid = await post({ version: '', reference: { rolling: { windows: 0 } } })
    assert.equal(invalid.status, 422)
    assert.deepEqual(invalid.body.errors?.map((e) => e.path).sort(), ['/reference/rolling/windows', '/version'])
    const unknown = await post({ version: '4', reference: { reference_id: 'ffffffffffffffff' } })
    assert.deepEqual([unknown.status, unknown.body.detail], [422, 'reference.reference_id: churn has no reference "ffffffffffffffff"; GET /v1/models/churn/references lists them'])
    const otherVersion = await post({ version: '4', reference: { window: { version: '1', from: '2026-01-01', to: '2026-01-02' } } })
    assert.match(String(otherVersion.body.detail), /^reference\.window\.version: /)
    const empty = await post({ version: '4', reference: { window: { from: '2020-01-01', to: '2020-01-02' } } })
    assert.deepEqual([empty.status, empty.body.code], [422, 'REQUEST_INVALID'])
    assert.match(String(empty.body.detail), /no predictions of churn version 4/)
    assert.equal((await send('POST', '/v1/models/nobody/versions', JSON.stringify({ version: '1', reference: { rolling: { windows: 3 } } }), { 'content-type': 'application/json' })).status, 404)
    assert.equal((await post({ version: '4', reference: { rolling: { windows: 3 } } }, READ)).status, 403)
    assert.equal(await count(ch, "SELECT count() AS n FROM model_versions WHERE model = 'churn' AND version = '4'"), 0)
  })

  it('makes the next monitor pass compare the registered version against its reference', async () => {
    const predictions = Array.from({ length: 200 }, (_, i) => ({
      event_id: `v3-${i}`, model: 'churn', model_version: '3', timestamp: H10 + i * 1000, numeric_features: { tenure_months: 50 + (i % 10), monthly_spend: 20 + i }, categorical_features: { plan: 'pro' },
      score: 0.5, probabilities: {}, predicted_class: '1', value: null, segments: {}, source: 'http', kafka_partition: -1, kafka_offset: -1,
    }))
    await ch.client.insert({ table: 'predictions', values: predictions, format: 'JSONEachRow' })
    const registered = await post({ version: '3', reference: { reference_id: uploaded } })
    assert.equal(registered.status, 201)
    await runMonitorPass(ch, log, { visibilityMarginMs: 0 })
    const drift = await rows<{ reference_id: string; n_reference: number; drifted: number }>(ch,
      "SELECT reference_id, n_reference, drifted FROM drift_metrics FINAL WHERE model = 'churn' AND model_version = '3' AND column = 'tenure_months' AND segment = ''")
    assert.deepEqual(drift, [{ reference_id: uploaded, n_reference: 60, drifted: 1 }], 'tenure 50-59 against a reference of 0-9')
    const versions = await send('GET', '/v1/models/churn/versions', undefined, {}, READ)
    assert.deepEqual(versions.body.items?.map((v) => [v.version, v.reference_id]), [['1', uploaded], ['2', uploaded], ['3', uploaded]])
  })
})
