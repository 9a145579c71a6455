/**
 * The monitor's probe endpoint: the monitor service started in this process on the embedded engine answers
 * GET /healthz and /metrics on its own port, and closes it on stop; the judgement behind /healthz (stale,
 * failing, stopping) is checked on a MonitorHealth with a hand-driven clock.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { ConfigError } from '../../services/core/errors.js'
import { createLogger } from '../../services/core/logger.js'
import { MetricsRegistry } from '../../services/core/metrics.js'
import { createServiceSignals } from '../../services/core/signal.js'
import { createMonitorHealthApp, MIN_STALE_MS, MonitorHealth, staleAfterMs, type MonitorHealthSnapshot } from '../../services/monitor/health-server.js'
import { startMonitor, type MonitorService } from '../../services/monitor/main.js'
import { testDataDir, uniqueName, waitFor } from '../support/harness.js'

describe('monitor health endpoint (service on the embedded engine)', () => {
  let ch: ClickHouse
  let monitor: MonitorService | undefined
  const metrics = new MetricsRegistry()
  const config = loadConfig({
    MODELWATCH_DATA_DIR: testDataDir(),
    CLICKHOUSE_DATABASE: uniqueName('monitor_health'),
    MODELWATCH_MONITOR_HEALTH_PORT: '0',
    MODELWATCH_MONITOR_SCHEDULE: '* * * * * *',
    MODELWATCH_LOG_LEVEL: 'warn',
  })

  before(async () => {
    ch = await openClickHouse(config.clickhouse)
    await migrate(ch)
  })
  after(async () => {
    await monitor?.stop()
    await ch.close()
  })

  it('answers 200 on /healthz once scheduled passes run, serves the process metrics, and stops listening on stop', async () => {
    monitor = await startMonitor({ config, ch, log: createLogger(config.logLevel), signals: createServiceSignals(), metrics })
    const port = monitor.healthPort
    assert.ok(port !== undefined && port > 0, 'a port was opened')
    const base = `http://${config.host}:${port}`
    // The first pass runs at start; a second one proves the scheduler ticks.
    const body = await waitFor(
      async () => (await fetch(`${base}/healthz`)).json() as Promise<MonitorHealthSnapshot>,
      (b) => b.status === 'running' && b.lastPassOutcome === 'ok' && /modelwatch_monitor_passes_total\{outcome="ok"\} [2-9]/.test(metrics.render()),
      'two monitor passes',
    )
    const res = await fetch(`${base}/healthz`)
    assert.equal(res.status, 200)
    assert.deepEqual({ healthy: body.healthy, failures: body.consecutiveFailures, staleAfterMs: body.staleAfterMs }, { healthy: true, failures: 0, staleAfterMs: MIN_STALE_MS })
    const scraped = await fetch(`${base}/metrics`)
    assert.equal(scraped.headers.get('content-type'), 'text/plain; version=0.0.4')
    assert.match(await scraped.text(), /^modelwatch_monitor_passes_total\{outcome="ok"\} \d+$/m)

    const stopping = monitor
    monitor = undefined
    await stopping.stop()
    assert.equal(stopping.health.status, 'stopping')
    await assert.rejects(fetch(`${base}/healthz`), 'the port is closed after stop')
  })
})

describe('monitor health judgement', () => {
  const clock = (start: number) => {
    const c = { t: start, now: () => c.t }
    return c
  }
  const status = async (health: MonitorHealth) => {
    const res = await createMonitorHealthApp(health, new MetricsRegistry()).request('/healthz')
    return { code: res.status, body: (await res.json()) as MonitorHealthSnapshot }
  }

  it('turns 503 when no pass has ended for longer than the stale limit, and 200 again after one', async () => {
    const c = clock(1_000_000)
    const health = new MonitorHealth(90_000, c.now)
    health.status = 'running'
    c.t += 90_000
    assert.equal((await status(health)).code, 200)
    c.t += 1
    assert.equal((await status(health)).code, 503)
    await health.track(async () => undefined)
    const { code, body } = await status(health)
    assert.deepEqual([code, body.lastPassOutcome, body.lastPassAt], [200, 'ok', new Date(c.t).toISOString()])
  })

  it('counts a pass stuck in progress from the end of the one before, and shows when it started', async () => {
    const c = clock(0)
    const health = new MonitorHealth(60_000, c.now)
    let finish = (): void => undefined
    const stuck = health.track(() => new Promise<void>((resolve) => (finish = resolve)))
    c.t += 60_001
    const { code, body } = await status(health)
    assert.deepEqual([code, body.passRunningSince], [503, new Date(0).toISOString()])
    finish()
    await stuck
    assert.equal((await status(health)).code, 200)
  })

  it('stays 200 while passes fail (a restart would not fix ClickHouse) but reports the error and the failure count', async () => {
    const c = clock(0)
    const health = new MonitorHealth(60_000, c.now)
    const fail = () => Promise.reject(new Error('ClickHouse is unreachable'))
    await assert.rejects(health.track(fail), /unreachable/)
    await assert.rejects(health.track(fail), /unreachable/)
    const { code, body } = await status(health)
    assert.equal(code, 200)
    assert.equal(body.consecutiveFailures, 2)
    assert.equal(body.lastPassOutcome, 'failed')
    assert.match(body.lastError ?? '', /ClickHouse is unreachable/)
    await health.track(async () => undefined)
    assert.equal((await status(health)).body.consecutiveFailures, 0)
  })

  it('answers 503 once the service is stopping', async () => {
    const health = new MonitorHealth(60_000)
    health.status = 'stopping'
    assert.equal((await status(health)).code, 503)
  })

  it('allows three schedule periods, never less than a minute', () => {
    assert.equal(staleAfterMs('*/30 * * * * *'), 90_000)
    assert.equal(staleAfterMs('0 */5 * * * *'), 900_000)
    assert.equal(staleAfterMs('* * * * * *'), MIN_STALE_MS)
  })

  it('reads MODELWATCH_MONITOR_HEALTH_PORT as a port, 0, or off, and names it when it is neither', () => {
    assert.equal(loadConfig({}).monitor.healthPort, 9466)
    assert.equal(loadConfig({ MODELWATCH_MONITOR_HEALTH_PORT: '0' }).monitor.healthPort, 0)
    assert.equal(loadConfig({ MODELWATCH_MONITOR_HEALTH_PORT: 'off' }).monitor.healthPort, undefined)
    assert.throws(() => loadConfig({ MODELWATCH_MONITOR_HEALTH_PORT: 'none' }), (e: unknown) => e instanceof ConfigError && /MODELWATCH_MONITOR_HEALTH_PORT/.test(e.message))
  })
})
