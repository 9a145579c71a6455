/**
 * The status page in headless Chromium against the real pipeline: the embedded engine seeded by the real pieces
 * (registry, reference upload, stored predictions and labels, a monitor pass, an alerting run: see
 * test/support/dashboard-seed.ts), ingest on the test broker (so /metrics has a dead letter to show) and the API,
 * started in this process as `modelwatch start` starts them. A screenshot is saved to test-artifacts/.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startApi, type ApiService } from '../../services/api/main.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { createLogger } from '../../services/core/logger.js'
import { MetricsRegistry } from '../../services/core/metrics.js'
import { createServiceSignals } from '../../services/core/signal.js'
import { startIngest, type IngestService } from '../../services/ingest/main.js'
import { HTTP_SOURCE, predictionRow } from '../../services/ingest/rows.js'
import { runMonitorPass } from '../../services/monitor/pass.js'
import { SEED, seedDashboards } from '../support/dashboard-seed.js'
import { rawKafka, testDataDir, testEnv, waitFor } from '../support/harness.js'

const CHROMIUM = '/usr/bin/chromium'
const TOKEN = 'status-page-reader-0123456789'
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url))
/** A version name that is markup: the page must show it as text and never run it. */
const MARKUP_VERSION = '<img src=x onerror="document.title=`pwned`">'

describe('the status page', () => {
  let ch: ClickHouse
  let ingest: IngestService
  let api: ApiService
  let browser: Browser
  let base: string
  /** Script errors and Content-Security-Policy violations seen by any page of the test. */
  const pageProblems: string[] = []

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium is not installed (${CHROMIUM} is missing): run deploy/local/install.sh, or apt-get install chromium`)
    const env = testEnv({ MODELWATCH_DATA_DIR: testDataDir(), MODELWATCH_API_PORT: '0', MODELWATCH_API_TOKENS: `page:read:${TOKEN}` })
    const config = loadConfig(env)
    const log = createLogger(config.logLevel)
    ch = await openClickHouse(config.clickhouse)
    await migrate(ch)
    const { hour } = await seedDashboards(ch, log)
    const markup = Array.from({ length: 20 }, (_, i) => predictionRow({
      event_id: `markup-${i}`, model: SEED.model, model_version: MARKUP_VERSION, timestamp: hour - 3_600_000 + i * 60_000,
      numeric_features: { tenure: 10 }, categorical_features: { plan: 'pro' }, prediction: { score: 0.7, predicted_class: '1', probabilities: {}, value: null }, segments: {},
    }, HTTP_SOURCE))
    await ch.insertJsonEachRow('predictions', markup, {})
    await runMonitorPass(ch, log, { visibilityMarginMs: 0 })
    const ctx = { config, ch, log, signals: createServiceSignals(), metrics: new MetricsRegistry() }
    ingest = await startIngest(ctx)
    api = await startApi(ctx)
    base = `http://127.0.0.1:${api.port}`
    // One malformed message through the real consumer, so the page's dead-letter table has a reason to show.
    const producer = rawKafka().producer()
    await producer.connect()
    await producer.send({ topic: config.topics.predictions, messages: [{ key: 'bad-1', value: '{"model": "churn",' }] })
    await producer.disconnect()
    await waitFor(async () => ctx.metrics.render(), (text) => /modelwatch_ingest_dead_letters_total\{reason="invalid_json"\} 1/.test(text), 'the dead letter counted', 60_000)
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
  })

  after(async () => {
    await browser?.close()
    await api?.stop()
    await ingest?.stop()
    await ch?.close()
  })

  async function open(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    page.on('pageerror', (error) => pageProblems.push(`script error: ${error.message}`))
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) pageProblems.push(message.text())
    })
    return page
  }

  it('is served without a token under a Content-Security-Policy that allows no inline script', async () => {
    const page = await open()
    const response = await page.goto(`${base}/`)
    assert.equal(response?.status(), 200)
    const csp = response.headers()['content-security-policy'] ?? ''
    assert.match(csp, /script-src 'self'/)
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/)
    await page.getByRole('heading', { name: 'Enter a read token' }).waitFor()
    assert.equal(await page.locator('#status').isVisible(), false, 'no data is shown before a token is given')
    await page.close()
  })

  it('refuses a token in the URL, and serves only its own assets without a token', async () => {
    const res = await fetch(`${base}/?token=${TOKEN}`)
    const body = (await res.json()) as { code: string; errors: { in: string; path: string }[] }
    assert.deepEqual([res.status, body.code, body.errors[0]?.in, body.errors[0]?.path], [422, 'REQUEST_INVALID', 'query', '/token'])
    for (const [path, type] of [['/status-page/app.js', 'text/javascript'], ['/status-page/chart.js', 'text/javascript'], ['/status-page/style.css', 'text/css']]) {
      const asset = await fetch(`${base}${path}`)
      assert.deepEqual([asset.status, asset.headers.get('content-type')?.split(';')[0], asset.headers.get('x-content-type-options')], [200, type, 'nosniff'], path)
    }
    for (const path of ['/status-page/', '/status-page/index.html', '/v1/models', '/metrics']) assert.equal((await fetch(`${base}${path}`)).status, 401, path)
  })

  it('says plainly when the token is wrong and keeps asking for one', async () => {
    const page = await open()
    await page.goto(`${base}/`)
    await page.getByLabel('API token').fill('not-the-right-token-0000')
    await page.getByRole('button', { name: 'Show status' }).click()
    const error = page.locator('#sign-in-error')
    await error.waitFor()
    assert.match(await error.innerText(), /The API refused the token\. \/v1\/models answered 401: the bearer token is not valid/)
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'the refused token is not kept')
    assert.equal(await page.locator('#status').isVisible(), false)
    await page.close()
  })

  it('shows the seeded models, a drift table marking the drifted features, the firing alert and pipeline health', async () => {
    const page = await open()
    await page.goto(`${base}/`)
    // Keyboard only: focus the token field, type, submit with Enter.
    await page.getByLabel('API token').focus()
    await page.keyboard.type(TOKEN)
    await page.keyboard.press('Enter')
    await page.locator('#updated').filter({ hasText: 'Updated' }).waitFor()
    assert.doesNotMatch(page.url(), /token|status-page-reader/, 'the token never reaches the address')
    assert.equal(await page.locator('#status-error').isVisible(), false, await page.locator('#status-error').innerText())

    const models = await tableText(page, '#models')
    // Versions in the API's order (by name); the markup one is a row of text like the others.
    assert.deepEqual(models.map((r) => r.slice(0, 3)), [MARKUP_VERSION, '1', SEED.versions[1]].map((v) => [SEED.model, 'binary classification', v]))
    assert.equal(await page.locator('img').count(), 0, 'a version name is shown as text, never parsed as markup')
    assert.notEqual(await page.title(), 'pwned')
    for (const row of models.filter((r) => r[2] !== MARKUP_VERSION)) {
      assert.equal(row[4], '200', `the latest window's volume: ${row.join(' | ')}`)
      // The latest window is half labelled with one class, so its AUC is undefined: the last known one is shown, dated.
      assert.match(row[6] ?? '', /^roc_auc 0\.\d+ \(window \d{4}-\d\d-\d\d \d\d:00 UTC\)$/, row.join(' | '))
    }

    await page.locator('#version-select').selectOption('1')
    await page.locator('#drift-summary').filter({ hasText: 'version 1,' }).waitFor()
    const drift = await tableText(page, '#drift')
    const tenure = drift.find((r) => r[0] === 'tenure')
    assert.equal(tenure?.[4], 'drifted', `tenure drifted in version 1: ${JSON.stringify(drift)}`)
    assert.equal(await page.locator('#drift tbody tr', { hasText: 'tenure' }).locator('td.drifted').count(), 1)
    assert.match(await page.locator('#drift tbody tr', { hasText: 'tenure' }).locator('td').nth(2).getAttribute('class') ?? '', /drift-[1-3]/)
    assert.match(await page.locator('#drift-summary').innerText(), /drifted: .*tenure/)

    const alerts = await tableText(page, '#alerts')
    assert.ok(alerts.some((r) => r[1] === 'firing' && r[3] === `${SEED.model} / 1`), `a firing alert on churn / 1: ${JSON.stringify(alerts)}`)

    assert.deepEqual((await tableText(page, '#dlq'))[0], ['invalid_json', '1'])
    assert.deepEqual((await tableText(page, '#readiness')).map((r) => r.slice(0, 2)), [['clickhouse', 'ok'], ['kafka', 'ok']])
    assert.equal(await page.locator('#metric-chart svg polyline').count() > 0, true, 'the key metric is charted')

    // The challenger's name holds a quote and a backslash; it is shown as text and selects its own drift rows.
    await page.locator('#version-select').selectOption(SEED.versions[1])
    await page.locator('#drift-summary').filter({ hasText: `version ${SEED.versions[1]},` }).waitFor()
    await page.locator('#version-select').selectOption('1')
    await page.locator('#drift-summary').filter({ hasText: 'version 1,' }).waitFor()

    mkdirSync(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: `${ARTIFACTS}status-page.png`, fullPage: true })
    assert.deepEqual(pageProblems, [])
    await page.close()
  })
})

/** A table's body as rows of cell texts. */
async function tableText(page: Page, selector: string): Promise<string[][]> {
  return page.locator(`${selector} tbody tr`).evaluateAll((rows) => rows.map((row) => [...row.children].map((c) => (c.textContent ?? '').trim())))
}
