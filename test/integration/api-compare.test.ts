/**
 * The comparison and stage routes through the API on the real engine (createApp + app.request): a comparison of
 * a truly better version with its verdicts, the request validated like the CLI's, scopes enforced, stage changes
 * recorded with the token's name and reason and listed as current stages.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createApp } from '../../services/api/app.js'
import type { ApiApp } from '../../services/api/deps.js'
import { clickHouseEventSink } from '../../services/api/event-sink.js'
import type { ComparisonReport } from '../../services/compare/compare-versions.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { createLogger } from '../../services/core/logger.js'
import { MetricsRegistry } from '../../services/core/metrics.js'
import { seedComparison } from '../support/compare-seed.js'
import { testDataDir, uniqueName } from '../support/harness.js'

const READ = 'read-token-0123456789abcdef'
const WRITE = 'write-token-0123456789abcdef'
const HOUR = 3_600_000
const START = Date.UTC(2026, 2, 1, 10)
const PERIOD = `from=${new Date(START).toISOString()}&to=${new Date(START + HOUR).toISOString()}`

describe('API: compare and stages', () => {
  let ch: ClickHouse
  let app: ApiApp

  before(async () => {
    const config = loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('api_compare'), MODELWATCH_API_TOKENS: `reader:read:${READ},pipeline:write:${WRITE}`, MODELWATCH_API_RATE_LIMIT: '0' })
    ch = await openClickHouse(config.clickhouse)
    await migrate(ch)
    await seedComparison(ch, START, 600)
    app = createApp({ config, ch, log: createLogger('warn'), metrics: new MetricsRegistry(), events: clickHouseEventSink(ch), checks: [] })
  })

  after(async () => ch.close())

  const request = async <T>(path: string, token: string | undefined, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) }
    const res = await app.request(path, { ...init, headers })
    return { status: res.status, body: (await res.json()) as T }
  }

  it('GET /compare answers the report: a truly better version b is better, with intervals and adjusted p-values', async () => {
    const { status, body } = await request<ComparisonReport>(`/v1/models/churn/compare?a=1&b=2&${PERIOD}`, READ)
    assert.equal(status, 200, JSON.stringify(body))
    assert.equal(body.paired, false)
    assert.deepEqual(body.counts, { a: { predictions: 600, labelled: 600 }, b: { predictions: 600, labelled: 600 }, pairs: 0 })
    const auc = body.metrics.find((m) => m.metric === 'roc_auc')
    assert.equal(auc?.verdict, 'better')
    assert.ok(auc?.differenceInterval !== null && (auc?.differenceInterval?.lower ?? 0) > 0)
    assert.equal(body.sequential.alpha, 0.05)
  })

  it('GET /compare validates the request: a missing version, a bad instant or mde, one version twice, an unknown model', async () => {
    const missing = await request<{ errors?: unknown[] }>(`/v1/models/churn/compare?a=1&${PERIOD}`, READ)
    assert.equal(missing.status, 422)
    const badTime = await request<{ detail: string }>('/v1/models/churn/compare?a=1&b=2&from=yesterday', READ)
    assert.equal(badTime.status, 422)
    assert.match(JSON.stringify(badTime.body), /ISO 8601/)
    const badMde = await request('/v1/models/churn/compare?a=1&b=2&mde=2', READ)
    assert.equal(badMde.status, 422)
    const same = await request<{ detail: string }>(`/v1/models/churn/compare?a=1&b=1&${PERIOD}`, READ)
    assert.ok(same.status >= 400 && same.status < 500, String(same.status))
    assert.match(same.body.detail, /two different versions/)
    const unknown = await request(`/v1/models/nope/compare?a=1&b=2&${PERIOD}`, READ)
    assert.equal(unknown.status, 404)
    const anonymous = await request(`/v1/models/churn/compare?a=1&b=2&${PERIOD}`, undefined)
    assert.equal(anonymous.status, 401)
  })

  it('PUT /versions/{version}/stage records who (the token name), when and why; GET /stages lists the latest per version', async () => {
    const first = await request<{ stage: string; changed_by: string; reason: string }>('/v1/models/churn/versions/2/stage', WRITE, { method: 'PUT', body: JSON.stringify({ stage: 'shadow', reason: 'retrained on February data' }) })
    assert.equal(first.status, 200, JSON.stringify(first.body))
    assert.deepEqual({ stage: first.body.stage, changed_by: first.body.changed_by, reason: first.body.reason }, { stage: 'shadow', changed_by: 'pipeline', reason: 'retrained on February data' })
    await new Promise((resolve) => setTimeout(resolve, 5)) // distinct changed_at
    const canary = await request<{ stage: string }>('/v1/models/churn/versions/2/stage', WRITE, { method: 'PUT', body: JSON.stringify({ stage: 'canary', reason: 'compare says better' }) })
    assert.equal(canary.body.stage, 'challenger')
    const { status, body } = await request<{ items: { version: string; stage: string; reason: string }[] }>('/v1/models/churn/stages', READ)
    assert.equal(status, 200, JSON.stringify(body))
    assert.deepEqual(body.items.map((i) => [i.version, i.stage, i.reason]), [['2', 'challenger', 'compare says better']])
  })

  it('is in the OpenAPI document with its query parameters', async () => {
    const res = await app.request('/openapi.json', { headers: { authorization: `Bearer ${READ}` } })
    const doc = (await res.json()) as { paths: Record<string, Record<string, { parameters?: { name: string }[] }>> }
    const names = (doc.paths['/v1/models/{model}/compare']?.get?.parameters ?? []).map((p) => p.name).sort()
    assert.deepEqual(names, ['a', 'alpha', 'b', 'from', 'mde', 'model', 'paired', 'power', 'segment', 'to'])
    assert.ok(doc.paths['/v1/models/{model}/versions/{version}/stage']?.put !== undefined)
  })

  it('PUT /stage refuses a read token, an unknown stage, a missing reason and an unknown model', async () => {
    const body = JSON.stringify({ stage: 'production', reason: 'ok' })
    assert.equal((await request('/v1/models/churn/versions/2/stage', READ, { method: 'PUT', body })).status, 403)
    const badStage = await request('/v1/models/churn/versions/2/stage', WRITE, { method: 'PUT', body: JSON.stringify({ stage: 'live', reason: 'x' }) })
    assert.equal(badStage.status, 422)
    assert.match(JSON.stringify(badStage.body), /shadow, challenger, production, archived/)
    const noReason = await request('/v1/models/churn/versions/2/stage', WRITE, { method: 'PUT', body: JSON.stringify({ stage: 'production', reason: ' ' }) })
    assert.equal(noReason.status, 422)
    assert.match(JSON.stringify(noReason.body), /reason is needed/)
    assert.equal((await request('/v1/models/nope/versions/2/stage', WRITE, { method: 'PUT', body })).status, 404)
  })
})
