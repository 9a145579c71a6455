/**
 * Models and monitoring results through the API on the real engine (createApp + app.request): a model
 * created, listed, read and replaced; an invalid one refused with the zod path; versions with their
 * references; and the result tables read with FINAL and every filter, on rows placed in the tables.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createApp } from '../../services/api/app.js'
import type { ApiApp } from '../../services/api/deps.js'
import { clickHouseEventSink } from '../../services/api/event-sink.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate, readMigrations } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { createLogger } from '../../services/core/logger.js'
import { MetricsRegistry } from '../../services/core/metrics.js'
import { testDataDir, uniqueName } from '../support/harness.js'

const READ = 'read-token-0123456789abcdef'
const WRITE = 'write-token-0123456789abcdef'
const HOUR = 3_600_000
const H0 = Date.UTC(2026, 2, 1, 10)
const iso = (ms: number) => new Date(ms).toISOString()

const CHURN = {
  name: 'churn',
  task: 'binary_classification',
  positive_class: '1',
  features: [{ name: 'tenure', kind: 'numeric' }, { name: 'plan', kind: 'categorical' }],
  default_window: '1h',
}

describe('API: models and results', () => {
  let ch: ClickHouse
  let app: ApiApp

  before(async () => {
    const config = loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('api_models'), MODELWATCH_API_TOKENS: `r:read:${READ},w:write:${WRITE}`, MODELWATCH_API_RATE_LIMIT: '0' })
    ch = await openClickHouse(config.clickhouse)
    // The tables this API reads are migrations 001-003; later ones belong to services built alongside.
    await migrate(ch, (await readMigrations()).filter((m) => m.version <= 3))
    app = createApp({ config, ch, log: createLogger('warn'), metrics: new MetricsRegistry(), events: clickHouseEventSink(ch), checks: [] })
  })

  after(async () => ch.close())

  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const res = await app.request(path, { headers: { authorization: `Bearer ${READ}` } })
    return { status: res.status, body: (await res.json()) as T }
  }
  const post = (path: string, body: unknown) =>
    app.request(path, { method: 'POST', headers: { authorization: `Bearer ${WRITE}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })

  it('creates a model (201), lists it, reads it back in the shape it was posted, and replaces it (200)', async () => {
    const created = await post('/v1/models', CHURN)
    assert.equal(created.status, 201)
    const expected = { ...CHURN, final_coverage: 0.95, final_max_delay: '7d', drift: {} }
    assert.deepEqual(await created.json(), expected)
    assert.deepEqual(await get('/v1/models'), { status: 200, body: { items: [expected] } })
    assert.deepEqual(await get('/v1/models/churn'), { status: 200, body: expected })
    const replaced = await post('/v1/models', { ...expected, default_window: '30m' })
    assert.equal(replaced.status, 200)
    assert.equal(((await replaced.json()) as { default_window: string }).default_window, '30m')
    assert.equal((await get<{ default_window: string }>('/v1/models/churn')).body.default_window, '30m')
    assert.equal((await post('/v1/models', CHURN)).status, 200)
  })

  it('refuses an invalid model with 422 listing each problem with its path, and stores nothing', async () => {
    const res = await post('/v1/models', { name: 'bad model', task: 'binary_classification', features: [{ name: 'x', kind: 'numbers' }], default_window: 'hourly' })
    assert.equal(res.status, 422)
    assert.equal(res.headers.get('content-type'), 'application/problem+json')
    const body = (await res.json()) as { code: string; detail: string; errors: { in: string; path: string; message: string }[] }
    assert.equal(body.code, 'REQUEST_INVALID')
    const byPath = Object.fromEntries(body.errors.map((e) => [e.path, e.message]))
    assert.match(byPath['/name'] ?? '', /model names are letters, digits/)
    assert.match(byPath['/features/0/kind'] ?? '', /expected one of "numeric"\|"categorical"/)
    assert.match(byPath['/default_window'] ?? '', /must be a duration like 30s, 5m, 1h or 7d, got "hourly"/)
    assert.ok(body.errors.every((e) => e.in === 'body'))
    assert.match(body.detail, /^the body is invalid: \/name: model names/)
    assert.equal((await get('/v1/models/bad%20model')).status, 422, 'an impossible name in the path is refused too')
    assert.deepEqual((await get<{ items: { name: string }[] }>('/v1/models')).body.items.map((m) => m.name), ['churn'])
  })

  it('lists versions with their current reference and the span of their predictions, and the references', async () => {
    await ch.client.insert({ table: 'reference_sets', values: [{ reference_id: 'ref_a', model: 'churn', kind: 'upload', source: 'train.csv', row_count: 500 }], format: 'JSONEachRow' })
    await ch.client.insert({ table: 'model_versions', values: [{ model: 'churn', version: '1', reference_id: 'ref_a', note: 'upload' }], format: 'JSONEachRow' })
    const prediction = (id: string, version: string, at: number) => ({
      event_id: id, model: 'churn', model_version: version, timestamp: at, numeric_features: { tenure: 1 }, categorical_features: { plan: 'pro' },
      score: 0.5, probabilities: {}, predicted_class: '1', value: null, segments: {}, source: 'http', kafka_partition: -1, kafka_offset: -1,
    })
    await ch.client.insert({ table: 'predictions', values: [prediction('a', '1', H0), prediction('b', '1', H0 + HOUR), prediction('c', '2', H0 + 2 * HOUR)], format: 'JSONEachRow' })
    const { status, body } = await get<{ items: Record<string, unknown>[] }>('/v1/models/churn/versions')
    assert.equal(status, 200)
    assert.equal(body.items.length, 2)
    assert.deepEqual({ ...body.items[0], assigned_at: typeof body.items[0]?.assigned_at }, {
      version: '1', reference_id: 'ref_a', reference: 'upload train.csv', assigned_at: 'string', first_event_at: iso(H0), last_event_at: iso(H0 + HOUR),
    })
    assert.deepEqual(body.items[1], { version: '2', reference_id: null, reference: null, assigned_at: null, first_event_at: iso(H0 + 2 * HOUR), last_event_at: iso(H0 + 2 * HOUR) })
    const refs = await get<{ items: Record<string, unknown>[] }>('/v1/models/churn/references')
    assert.deepEqual(refs.body.items.map(({ created_at: _, ...r }) => r), [{ id: 'ref_a', kind: 'upload', description: 'upload train.csv', row_count: 500, versions: ['1'] }])
    assert.equal((await get('/v1/models/nobody/versions')).status, 404)
  })

  describe('results', () => {
    before(async () => {
      const base = (start: number, version = '1', segment = '') => ({ model: 'churn', model_version: version, segment, window_seconds: 3600, window_start: start, window_end: start + HOUR })
      // Two computations of the 10:00 window: the later one (computed_at) is what FINAL reads.
      await ch.client.insert({
        table: 'window_metrics',
        format: 'JSONEachRow',
        values: [
          { ...base(H0), metric: 'accuracy', value: 0.5, is_final: 0, computed_at: H0 + HOUR },
          { ...base(H0), metric: 'accuracy', value: 0.75, is_final: 1, computed_at: H0 + 2 * HOUR },
          { ...base(H0), metric: 'count', value: 200, is_final: 1, computed_at: H0 + 2 * HOUR },
          { ...base(H0 + HOUR), metric: 'accuracy', value: null, is_final: 0, computed_at: H0 + 2 * HOUR },
          { ...base(H0 + HOUR, '1', 'region=eu'), metric: 'accuracy', value: 0.9, is_final: 0, computed_at: H0 + 2 * HOUR },
          { ...base(H0 + 2 * HOUR, '2'), metric: 'accuracy', value: 0.6, is_final: 0, computed_at: H0 + 3 * HOUR },
        ],
      })
      const drift = (column: string, drifted: number) => ({
        ...base(H0), reference_id: 'ref_a', column, kind: 'numeric', n_reference: 500, n_current: 200, missing_share: 0, psi: 0.3, jensen_shannon: 0.2, ks_statistic: 0.4,
        ks_p_value: 0.001, wasserstein: 1.5, wasserstein_normed: 0.3, chi2_statistic: null, chi2_p_value: null, new_category_share: null, drift_method: 'wasserstein', drift_score: 0.3, drifted, computed_at: H0 + HOUR,
      })
      await ch.client.insert({ table: 'drift_metrics', format: 'JSONEachRow', values: [drift('tenure', 1), drift('__prediction__', 0)] })
      await ch.client.insert({
        table: 'data_quality',
        format: 'JSONEachRow',
        values: [
          { ...base(H0), column: 'tenure', metric: 'missing_share', value: 0.1, computed_at: H0 + HOUR },
          { ...base(H0), column: 'plan', metric: 'new_category_share', value: 0.02, computed_at: H0 + HOUR },
          { ...base(H0), column: '__events__', metric: 'events', value: 200, computed_at: H0 + HOUR },
        ],
      })
    })

    type Items = { items: Record<string, unknown>[]; truncated: boolean }
    const values = (body: Items, ...keys: string[]) => body.items.map((row) => keys.map((k) => row[k]).join(' '))

    it('reads window metrics with FINAL, newest window first, every filter applied', async () => {
      const all = await get<Items>('/v1/models/churn/windows?metric=accuracy')
      assert.deepEqual(values(all.body, 'model_version', 'segment', 'window_start', 'value', 'is_final'), [
        `2  ${iso(H0 + 2 * HOUR)} 0.6 false`,
        `1  ${iso(H0 + HOUR)}  false`,
        `1 region=eu ${iso(H0 + HOUR)} 0.9 false`,
        `1  ${iso(H0)} 0.75 true`,
      ])
      assert.equal(all.body.truncated, false)
      const filtered = await get<Items>(`/v1/models/churn/windows?version=1&segment=&window=1h&from=${iso(H0)}&to=${iso(H0 + HOUR)}&final=true`)
      assert.deepEqual(values(filtered.body, 'metric', 'value'), ['accuracy 0.75', 'count 200'])
      assert.deepEqual(Object.keys(filtered.body.items[0] ?? {}).sort(), ['computed_at', 'is_final', 'metric', 'model', 'model_version', 'segment', 'value', 'window_end', 'window_seconds', 'window_start'])
      const limited = await get<Items>('/v1/models/churn/windows?limit=2')
      assert.deepEqual([limited.body.items.length, limited.body.truncated], [2, true])
      assert.equal((await get<Items>('/v1/models/churn/windows?window=5m')).body.items.length, 0)
    })

    it('reads drift and data quality by column and metric', async () => {
      const drift = await get<Items>('/v1/models/churn/drift?drifted=true')
      assert.deepEqual(values(drift.body, 'column', 'drifted', 'wasserstein_normed', 'chi2_p_value'), ['tenure true 0.3 '])
      assert.equal((await get<Items>('/v1/models/churn/drift?column=__prediction__')).body.items.length, 1)
      const quality = await get<Items>('/v1/models/churn/data-quality?column=tenure')
      assert.deepEqual(values(quality.body, 'column', 'metric', 'value'), ['tenure missing_share 0.1'])
      assert.deepEqual(values((await get<Items>('/v1/models/churn/data-quality?metric=events')).body, 'column', 'value'), ['__events__ 200'])
    })

    it('treats filter values as values, never SQL, and refuses what a table does not have', async () => {
      const injected = await get<Items>(`/v1/models/churn/windows?metric=${encodeURIComponent("accuracy' OR 1=1 --")}`)
      assert.deepEqual([injected.status, injected.body.items.length], [200, 0])
      const wrong = await get<{ errors: { path: string }[] }>('/v1/models/churn/windows?final=yes')
      assert.equal(wrong.status, 422)
      assert.deepEqual(wrong.body.errors.map((e) => e.path), ['/final'])
      assert.equal((await get('/v1/models/nobody/drift')).status, 404)
    })
  })
})
