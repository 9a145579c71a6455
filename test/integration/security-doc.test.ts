/**
 * docs/security.md lists every route with the scope it needs; this keeps that table equal to what the API serves:
 * the OpenAPI document (each route's required scope is in its description), plus the routes it does not list
 * (the document itself and the status page's assets).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createApp } from '../../services/api/app.js'
import { clickHouseEventSink } from '../../services/api/event-sink.js'
import { STATUS_PAGE_PATHS } from '../../services/api/routes/status-page.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { loadConfig } from '../../services/core/config.js'
import { createLogger } from '../../services/core/logger.js'
import { MetricsRegistry } from '../../services/core/metrics.js'
import { PACKAGE_ROOT } from '../../services/core/package-root.js'
import { testDataDir, uniqueName } from '../support/harness.js'

const TOKEN = 'security-doc-token-0123456789'

describe('docs/security.md', () => {
  let ch: ClickHouse
  before(async () => {
    ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('security_doc') }).clickhouse)
  })
  after(async () => ch.close())

  it('lists every route the API serves with the scope it needs, and no other', async () => {
    const config = loadConfig({ MODELWATCH_API_TOKENS: `doc:read:${TOKEN}` })
    const app = createApp({ config, ch, log: createLogger('silent'), metrics: new MetricsRegistry(), events: clickHouseEventSink(ch), checks: [] })
    const doc = (await (await app.request('/openapi.json', { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { paths: Record<string, Record<string, { description?: string }>> }
    const served = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, op]) => `${method.toUpperCase()} ${path} ${/Needs a token with scope (read|write|admin)/.exec(op.description ?? '')?.[1] ?? 'none'}`))
    assert.ok(STATUS_PAGE_PATHS.every((p) => p === '/' || p.startsWith('/status-page/')), 'the status page serves / and /status-page/ only')
    served.push('GET /openapi.json read', 'GET / none', 'GET /status-page/{asset} none')

    const text = readFileSync(join(PACKAGE_ROOT, 'docs', 'security.md'), 'utf8')
    const documented = [...text.matchAll(/^\| `(GET|POST|PUT|DELETE) ([^`]+)` \| (none|read|write|admin)\b/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`)
    assert.deepEqual([...documented].sort(), [...served].sort())
  })
})
