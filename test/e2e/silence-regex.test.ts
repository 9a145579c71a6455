/**
 * A write token must not be able to freeze the monitor with one silence. Silences whose `=~` matchers are
 * classic catastrophic-backtracking patterns are stored, a monitor whose name is 48 `a`s and a dash fires,
 * and the real `modelwatch monitor` process judges it: its /healthz keeps answering within a second while
 * the rules are evaluated, and the alerting run finishes (muted by the one silence that does match, which
 * comes after the catastrophic ones, so every one of them was tried).
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { monitorSpecSchema } from '../../services/alerting/monitor-spec.js'
import { saveMonitors } from '../../services/alerting/monitors-store.js'
import { silenceSpecSchema } from '../../services/alerting/silences.js'
import { saveSilences } from '../../services/alerting/silences-store.js'
import { freePorts } from '../../services/cli/free-ports.js'
import { openClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { sleep } from '../../services/core/retry.js'
import { saveModel } from '../../services/monitor/models/registry.js'
import { emptyResults, writeResults } from '../../services/monitor/window-results.js'
import { startCli } from '../support/cli-process.js'

const HOUR = 3_600_000
/** Exponential or high-polynomial on a backtracking engine when the text almost matches. */
const CATASTROPHIC = ['(a+)+$', '(a|a)*$', '(a|aa)+$', '(.*a){20}$', '([a-z]+)*$', '(\\w+\\w?)*$']
const MONITOR = `${'a'.repeat(48)}-accuracy`

describe('catastrophic silence patterns', () => {
  it('leave the monitor answering /healthz within 1 s while it judges the rules, and the run completes', async (t) => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'modelwatch-redos-')), 'data')
    const env = { MODELWATCH_DATA_DIR: dataDir, CLICKHOUSE_DATABASE: 'redos' }
    const now = Date.now()
    const ch = await openClickHouse(loadConfig(env).clickhouse)
    try {
      await migrate(ch)
      await saveModel(ch, { name: 'churn', task: 'binary_classification', positive_class: '1', features: [{ name: 'tenure', kind: 'numeric' }] })
      await saveMonitors(ch, [monitorSpecSchema.parse({ name: MONITOR, model: 'churn', statistic: 'accuracy', condition: { below: 0.8 } })], { origin: 'apply', now })
      const start = Math.floor(now / HOUR) * HOUR - HOUR
      const results = emptyResults()
      const key = { model: 'churn', model_version: '1', segment: '', window_seconds: 3600, window_start: start, window_end: start + HOUR }
      for (const [metric, value] of [['accuracy', 0.5], ['count', 1000], ['labelled', 1000]] as const) results.windowMetrics.push({ ...key, metric, value, is_final: 1, computed_at: now })
      await writeResults(ch, results)
      const silence = (id: string, value: string) => silenceSpecSchema.parse({ id, matchers: [{ name: 'monitor', op: '=~', value }], starts_at: now - HOUR, ends_at: now + HOUR })
      // Listed by id: the catastrophic ones (c-*) are tried before the one that matches (z-*).
      await saveSilences(ch, [...CATASTROPHIC.map((p, i) => silence(`c-${i}`, p)), silence('z-match', 'a+-accuracy')], now)
    } finally {
      await ch.close()
    }

    const [port = 0] = await freePorts(1)
    const monitor = startCli(['monitor'], {
      ...env, MODELWATCH_MONITOR_HEALTH_PORT: String(port), MODELWATCH_MONITOR_SCHEDULE: '0 0 * * * *', MODELWATCH_ALERT_DEFAULT_MONITORS: 'false', MODELWATCH_LOG_LEVEL: 'info',
    })
    const slowest: number[] = []
    try {
      const deadline = Date.now() + 90_000
      let run: { muted?: number; ms?: number } | undefined
      while (run === undefined && Date.now() < deadline) {
        await sleep(250)
        const sent = performance.now()
        const answer = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
          (res) => res.status,
          (error: unknown) => (error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'down'),
        )
        if (answer === 'timeout') assert.fail(`/healthz did not answer within 1 s (the event loop is blocked); monitor output:\n${monitor.output().stdout.slice(-2000)}`)
        if (answer !== 'down') slowest.push(performance.now() - sent)
        run = monitor.output().stdout.split('\n').filter((l) => l.includes('"alerting run finished"')).map((l) => JSON.parse(l) as { muted?: number; ms?: number })[0]
      }
      assert.ok(run !== undefined, `the alerting run finished; monitor output:\n${monitor.output().stdout.slice(-2000)}${monitor.output().stderr.slice(-2000)}`)
      assert.equal(run.muted, 1, 'the alert was muted by the silence that matches, after every catastrophic one was tried')
      assert.ok((run.ms ?? Infinity) < 5000, `the alerting run took ${run.ms} ms`)
      assert.ok(slowest.length > 0, '/healthz answered while the monitor started and judged the rules')
      assert.ok(Math.max(...slowest) < 1000, `slowest /healthz answer ${Math.max(...slowest)} ms`)
      t.diagnostic(`alerting run ${run.ms} ms; ${slowest.length} /healthz answers, slowest ${Math.round(Math.max(...slowest))} ms`)
    } finally {
      monitor.child.kill('SIGKILL')
      await monitor.exited
    }
  })
})
