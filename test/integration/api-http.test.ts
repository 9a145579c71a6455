/**
 * The API's common behaviour, on the real engine through createApp + app.request (no port): bearer auth with
 * scopes, problem+json for every refusal (401, 403, 404, 405, 413, 415, 400, 422, 429), the probes, /metrics
 * and the OpenAPI document.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createApp } from '../../services/api/app.js'
import type { ApiApp } from '../../services/api/deps.js'
import { clickHouseEventSink } from '../../services/api/event-sink.js'
import { clickHouseCheck, type ReadinessCheck } from '../../services/api/readiness.js'
import { STATUS_PAGE_PATHS } from '../../services/api/routes/status-page.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate, readMigrations } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { createLogger } from '../../services/core/logger.js'
import { MetricsRegistry } from '../../services/core/metrics.js'
import { testDataDir, uniqueName } from '../support/harness.js'

const READ = 'read-token-0123456789abcdef'
const WRITE = 'write-token-0123456789abcdef'
const ADMIN = 'admin-token-0123456789abcdef'
const TOKENS = `reader:read:${READ},writer:write:${WRITE},boss:admin:${ADMIN}`
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

interface Problem {
  type: string
  title: string
  status: number
  detail: string
  instance: string
  code: string
  requestId: string
  errors?: { in: string; path: string; message: string; index?: number }[]
}

async function problemOf(res: Response, status: number): Promise<Problem> {
  assert.equal(res.status, status)
  assert.equal(res.headers.get('content-type'), 'application/problem+json')
  const body = (await res.json()) as Problem
  assert.equal(body.status, status)
  assert.match(body.type, /^urn:modelwatch:problem:[a-z-]+$/)
  assert.ok(body.title.length > 0 && body.detail.length > 0 && body.requestId.length > 0, JSON.stringify(body))
  assert.equal(res.headers.get('x-request-id'), body.requestId)
  return body
}

describe('API: auth, problems, probes, OpenAPI', () => {
  let ch: ClickHouse
  let app: ApiApp
  let metrics: MetricsRegistry
  let clock = 1_000_000
  const logLines: string[] = []
  const failing: ReadinessCheck = { name: 'kafka', check: async () => { if (kafkaDown) throw new Error('broker unreachable') } }
  let kafkaDown = false

  before(async () => {
    const config = loadConfig({
      MODELWATCH_DATA_DIR: testDataDir(),
      CLICKHOUSE_DATABASE: uniqueName('api_http'),
      MODELWATCH_API_TOKENS: TOKENS,
      MODELWATCH_API_RATE_LIMIT: '5',
      MODELWATCH_API_MAX_BODY_BYTES: '2048',
    })
    ch = await openClickHouse(config.clickhouse)
    // The tables this API reads are migrations 001-003; later ones belong to services built alongside.
    await migrate(ch, (await readMigrations()).filter((m) => m.version <= 3))
    const log = createLogger('info', { write: (line: string) => void logLines.push(line) })
    metrics = new MetricsRegistry()
    // The rate limit is tested with its own clock; every other request moves time on a minute so it never bites.
    app = createApp({ config, ch, log, metrics, events: clickHouseEventSink(ch), checks: [clickHouseCheck(ch), failing], now: () => clock })
  })

  after(async () => ch.close())

  const get = (path: string, headers: Record<string, string> = bearer(READ)) => {
    clock += 60_000
    return app.request(path, { headers })
  }

  it('answers /healthz and /readyz without a token; /readyz is 503 naming a failing dependency', async () => {
    assert.deepEqual(await (await get('/healthz', {})).json(), { status: 'ok' })
    const ready = await get('/readyz', {})
    assert.equal(ready.status, 200)
    const body = (await ready.json()) as { ready: boolean; checks: Record<string, { ok: boolean }> }
    assert.equal(body.ready, true)
    assert.deepEqual(Object.keys(body.checks).sort(), ['clickhouse', 'kafka'])
    kafkaDown = true
    try {
      const down = await get('/readyz', {})
      assert.equal(down.status, 503)
      const checks = ((await down.json()) as { checks: Record<string, { ok: boolean; error?: string }> }).checks
      assert.deepEqual(checks.kafka && { ok: checks.kafka.ok, error: checks.kafka.error }, { ok: false, error: 'broker unreachable' })
      assert.equal(checks.clickhouse?.ok, true)
    } finally {
      kafkaDown = false
    }
  })

  it('refuses a missing token with 401, a challenge and problem+json', async () => {
    const res = await get('/v1/models', {})
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="modelwatch"')
    const body = await problemOf(res, 401)
    assert.equal(body.code, 'UNAUTHENTICATED')
    assert.equal(body.instance, '/v1/models')
  })

  it('refuses an unknown token, a near miss and a malformed header with 401', async () => {
    for (const header of [`Bearer ${READ}x`, `Bearer ${READ.slice(0, -1)}`, 'Bearer', `Basic ${READ}`, READ]) {
      const body = await problemOf(await get('/v1/models', { authorization: header }), 401)
      assert.equal(body.code, 'UNAUTHENTICATED', header)
    }
  })

  it('refuses a token whose scope is too low with 403 and stores nothing', async () => {
    const res = await app.request('/v1/models', {
      method: 'POST',
      headers: { ...bearer(READ), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'forbidden_model', task: 'regression', features: [{ name: 'x', kind: 'numeric' }] }),
    })
    const body = await problemOf(res, 403)
    assert.equal(body.code, 'FORBIDDEN')
    assert.match(body.detail, /needs scope write; token reader has scope read/)
    const list = (await (await get('/v1/models')).json()) as { items: { name: string }[] }
    assert.deepEqual(list.items.map((m) => m.name), [])
  })

  it('lets a higher scope do what a lower one may: admin and write read, admin writes', async () => {
    for (const token of [READ, WRITE, ADMIN]) assert.equal((await get('/v1/models', bearer(token))).status, 200)
  })

  it('logs each request with the token name, never the token', async () => {
    await get('/v1/models', bearer(WRITE))
    await get('/v1/models', { authorization: `Bearer ${ADMIN}zz` })
    const lines = logLines.join('')
    for (const secret of [READ, WRITE, ADMIN]) assert.ok(!lines.includes(secret), 'a token reached the log')
    const line = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'request' && l.token === 'writer')
    assert.deepEqual(line && { route: line.route, status: line.status, method: line.method }, { route: '/v1/models', status: 200, method: 'GET' })
  })

  it('answers 404 for an unknown route and 405 with Allow for a known one with the wrong method', async () => {
    const missing = await problemOf(await get('/v1/nothing-here'), 404)
    assert.equal(missing.code, 'NOT_FOUND')
    const res = await app.request('/v1/models', { method: 'DELETE', headers: bearer(ADMIN) })
    assert.equal(res.headers.get('allow'), 'GET, HEAD, POST')
    assert.equal((await problemOf(res, 405)).code, 'METHOD_NOT_ALLOWED')
    assert.equal((await problemOf(await get('/v1/models/nope'), 404)).code, 'NOT_FOUND')
  })

  it('refuses a body over MODELWATCH_API_MAX_BODY_BYTES with 413, declared or streamed', async () => {
    const big = JSON.stringify({ name: 'big', task: 'regression', features: [{ name: 'x'.repeat(3000), kind: 'numeric' }] })
    const declared = await app.request('/v1/models', { method: 'POST', headers: { ...bearer(WRITE), 'content-type': 'application/json' }, body: big })
    assert.equal((await problemOf(declared, 413)).code, 'PAYLOAD_TOO_LARGE')
    const stream = new ReadableStream({ start: (c) => { c.enqueue(new TextEncoder().encode(big)); c.close() } })
    const streamed = await app.request('/v1/models', { method: 'POST', headers: { ...bearer(WRITE), 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit)
    assert.equal((await problemOf(streamed, 413)).code, 'PAYLOAD_TOO_LARGE')
  })

  it('refuses malformed JSON with 400 and a non-JSON content type with 415, as problems', async () => {
    const post = (body: string, type: string) => app.request('/v1/models', { method: 'POST', headers: { ...bearer(WRITE), 'content-type': type }, body })
    assert.equal((await problemOf(await post('{"name": ', 'application/json'), 400)).code, 'REQUEST_MALFORMED')
    assert.equal((await problemOf(await post('name=x', 'text/plain'), 415)).code, 'REQUEST_MALFORMED')
  })

  it('refuses a bad query parameter with 422 naming it and the precise reason', async () => {
    const body = await problemOf(await get('/v1/models/churn/windows?limit=0&from=yesterday'), 422)
    assert.equal(body.code, 'REQUEST_INVALID')
    const byPath = Object.fromEntries((body.errors ?? []).map((e) => [`${e.in}${e.path}`, e.message]))
    assert.match(byPath['query/limit'] ?? '', />=1/)
    assert.match(byPath['query/from'] ?? '', /from must be an ISO 8601 date or time with a zone/)
  })

  it('limits each token to MODELWATCH_API_RATE_LIMIT a minute with 429 and Retry-After, per token', async () => {
    clock += 120_000
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await app.request('/v1/models', { headers: bearer(READ) })).status)
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429])
    const limited = await app.request('/v1/models', { headers: bearer(READ) })
    assert.equal(limited.headers.get('retry-after'), '12')
    assert.equal((await problemOf(limited, 429)).code, 'RATE_LIMITED')
    assert.equal((await app.request('/v1/models', { headers: bearer(WRITE) })).status, 200, 'another token has its own bucket')
    assert.equal((await app.request('/healthz')).status, 200, 'probes are not limited')
    clock += 12_000
    assert.equal((await app.request('/v1/models', { headers: bearer(READ) })).status, 200, 'a request is back after Retry-After')
  })

  it('serves Prometheus metrics to a read token, counting requests by route and status', async () => {
    assert.equal((await get('/metrics', {})).status, 401)
    const text = await (await get('/metrics')).text()
    assert.match(text, /# TYPE modelwatch_api_requests_total counter/)
    assert.match(text, /modelwatch_api_requests_total\{method="GET",route="\/v1\/models",status="200"\} \d+/)
    assert.match(text, /modelwatch_api_requests_total\{method="GET",route="\/v1\/models",status="401"\} \d+/)
    assert.match(text, /modelwatch_api_request_seconds_total\{method="GET",route="\/v1\/models"\} [\d.e-]+/)
  })

  it('serves an OpenAPI 3 document listing every route, with security and problem responses', async () => {
    assert.equal((await get('/openapi.json', {})).status, 401)
    const doc = (await (await get('/openapi.json')).json()) as OpenApiDoc
    assert.match(doc.openapi, /^3\.0\.\d$/)
    assert.equal(typeof doc.info.title, 'string')
    assert.equal(typeof doc.info.version, 'string')
    const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    // The status page's files are not API operations; everything else is documented.
    const routes = app.routes.filter((r) => r.method !== 'ALL' && r.path !== '/openapi.json' && !STATUS_PAGE_PATHS.includes(r.path)).map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`)
    assert.deepEqual([...new Set(routes)].sort(), operations.sort())
    for (const expected of ['POST /v1/models', 'GET /v1/models/{model}/versions', 'GET /v1/models/{model}/drift', 'POST /v1/events/predictions', 'GET /readyz']) {
      assert.ok(operations.includes(expected), expected)
    }
    assert.deepEqual(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer', description: doc.components.securitySchemes.bearer?.description })
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        assert.ok(Object.keys(op.responses).length > 0, `${method} ${path} has responses`)
        for (const [status, response] of Object.entries(op.responses)) assert.equal(typeof response.description, 'string', `${method} ${path} ${status}`)
        const parameters = op.parameters ?? []
        for (const name of path.match(/\{(\w+)\}/g) ?? []) assert.ok(parameters.some((p) => p.in === 'path' && `{${p.name}}` === name && p.required), `${method} ${path} declares ${name}`)
        const isPublic = path === '/healthz' || path === '/readyz'
        assert.equal(op.security === undefined, isPublic, `${method} ${path} security`)
        if (!isPublic) assert.ok(op.responses['401'] && op.responses['403'], `${method} ${path} documents 401 and 403`)
      }
    }
    const body = doc.paths['/v1/events/predictions']?.post?.requestBody?.content['application/json']?.schema
    assert.equal(body?.type, 'array')
    assert.deepEqual(body?.items?.required, ['event_id', 'model', 'model_version', 'timestamp', 'prediction'])
    assert.ok(doc.components.schemas.Problem, 'Problem schema is a component')
  })
})

interface OpenApiDoc {
  openapi: string
  info: { title: string; version: string }
  paths: Record<string, Record<string, {
    responses: Record<string, { description: string }>
    parameters?: { in: string; name: string; required?: boolean }[]
    security?: unknown[]
    requestBody?: { content: Record<string, { schema: { type?: string; items?: { required?: string[] } } }> }
  }>>
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { type: string; scheme: string; description?: string }> }
}
