/**
 * Alerting against the real engine: monitor results are written straight into window_metrics, drift_metrics
 * and data_quality (the monitor itself is tested elsewhere), then runAlerting is run repeatedly with an
 * injected clock, and the alerts table, its history and the notifications are checked. Windows are one hour
 * (model `churn`); `at(k)` is 30 s after window k closed, when the monitor pass that computed it has run.
 * Each test has its own database.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { saveMonitors, deleteMonitors, listMonitors } from '../../services/alerting/monitors-store.js'
import { monitorSpecSchema, type MonitorSpecInput } from '../../services/alerting/monitor-spec.js'
import type { Notification } from '../../services/alerting/notification.js'
import { runAlerting } from '../../services/alerting/run-alerting.js'
import { silenceSpecSchema } from '../../services/alerting/silences.js'
import { saveSilences } from '../../services/alerting/silences-store.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { createLogger } from '../../services/core/logger.js'
import { saveModel } from '../../services/monitor/models/registry.js'
import { writeResults, emptyResults, type WindowKey } from '../../services/monitor/window-results.js'
import { count, rows, testDataDir, uniqueName } from '../support/harness.js'

const HOUR = 3_600_000
const T0 = Date.UTC(2026, 10, 2, 0)
const start = (k: number): number => T0 + k * HOUR
const at = (k: number, minutes = 0): number => start(k + 1) + 30_000 + minutes * 60_000
const log = createLogger('warn')
const key = (k: number, version = '1'): WindowKey => ({ model: 'churn', model_version: version, segment: '', window_seconds: 3600, window_start: start(k), window_end: start(k + 1) })

async function withEngine(test: (ch: ClickHouse) => Promise<void>): Promise<void> {
  const ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('alerting') }).clickhouse)
  try {
    await migrate(ch)
    await saveModel(ch, { name: 'churn', task: 'binary_classification', positive_class: '1', features: Array.from({ length: 15 }, (_, i) => ({ name: `f${String(i).padStart(2, '0')}`, kind: 'numeric' as const })) })
    await test(ch)
  } finally {
    await ch.close()
  }
}

const monitor = (input: Partial<MonitorSpecInput>) => monitorSpecSchema.parse({ name: 'auc', model: 'churn', statistic: 'accuracy', condition: { below: 0.8 }, channels: ['ops'], ...input })
const run = (ch: ClickHouse, now: number) => runAlerting(ch, { log, now: () => now, createDefaults: false })

/** Accuracy of window k with `labelled` samples; final unless said otherwise. */
async function accuracy(ch: ClickHouse, k: number, value: number, options: { labelled?: number; final?: boolean; computedAt?: number } = {}): Promise<void> {
  const results = emptyResults()
  const is_final = options.final === false ? 0 : 1
  const computed_at = options.computedAt ?? at(k)
  for (const [metric, v] of [['accuracy', value], ['count', 1000], ['labelled', options.labelled ?? 1000]] as const) results.windowMetrics.push({ ...key(k), metric, value: v, is_final, computed_at })
  await writeResults(ch, results)
}

/** Drift rows of window k: `drifting` columns with psi 0.5, the others 0.01, plus the dataset verdict. */
async function drift(ch: ClickHouse, k: number, drifting: number): Promise<void> {
  const results = emptyResults()
  const common = { reference_id: 'ref1', n_reference: 5000, n_current: 1000, missing_share: 0, jensen_shannon: null, ks_statistic: null, ks_p_value: null, wasserstein: null, wasserstein_normed: null, chi2_statistic: null, chi2_p_value: null, new_category_share: null, drift_method: 'psi', computed_at: at(k) }
  for (let i = 0; i < 15; i++) {
    const psi = i < drifting ? 0.5 : 0.01
    results.driftMetrics.push({ ...key(k), ...common, column: `f${String(i).padStart(2, '0')}`, kind: 'numeric', psi, drift_score: psi, drifted: psi > 0.2 ? 1 : 0 })
  }
  results.driftMetrics.push({ ...key(k), ...common, column: '__dataset__', kind: 'dataset', psi: null, drift_score: drifting / 15, drifted: drifting >= 8 ? 1 : 0 })
  await writeResults(ch, results)
}

async function events(ch: ClickHouse, k: number, n: number): Promise<void> {
  const results = emptyResults()
  results.dataQuality.push({ ...key(k), column: '__events__', metric: 'events', value: n, computed_at: at(k) })
  await writeResults(ch, results)
}

const statuses = (ch: ClickHouse) => rows<{ monitor: string; column: string; status: string }>(ch, 'SELECT monitor, column, status FROM alerts FINAL ORDER BY monitor, column')
const history = (ch: ClickHouse, monitor: string) =>
  rows<{ event: string; muted_by: string; n: number }>(ch, 'SELECT event, muted_by, length(notification_ids) AS n FROM alert_events WHERE monitor = {monitor:String} ORDER BY at, event', { monitor })
const only = (notifications: Notification[]) => notifications.map((n) => [n.channel, n.status, n.alerts.map((a) => a.column || a.monitor).join(',')])

describe('alerting against the engine', () => {
  it('walks pending → firing → repeat → resolved, notifying exactly once per transition', async () => {
    await withEngine(async (ch) => {
      await saveMonitors(ch, [monitor({ for: 2, repeat_interval: '2h' })], { origin: 'apply', now: T0 })
      await accuracy(ch, 0, 0.7)
      let r = await run(ch, at(0))
      assert.deepEqual([r.notifications.length, r.pending, r.firing], [0, 1, 0])
      await accuracy(ch, 1, 0.7)
      r = await run(ch, at(1))
      assert.deepEqual(only(r.notifications), [['ops', 'firing', 'auc']])
      const [firing] = r.notifications[0]?.alerts ?? []
      assert.deepEqual([firing?.value, firing?.threshold, firing?.condition, firing?.window_start, firing?.is_final], [0.7, 0.8, 'below 0.8', start(1), true])
      // Later passes of the same window, and the next window within repeat_interval: nothing new to say,
      // and nothing new to write.
      const written = await count(ch, 'SELECT count() AS n FROM alerts')
      assert.equal((await run(ch, at(1, 1))).notifications.length, 0)
      assert.equal(await count(ch, 'SELECT count() AS n FROM alerts'), written)
      await accuracy(ch, 2, 0.72)
      assert.equal((await run(ch, at(2))).notifications.length, 0)
      await accuracy(ch, 3, 0.71)
      assert.deepEqual(only((await run(ch, at(3))).notifications), [['ops', 'firing', 'auc']], 'repeated after 2 h')
      await accuracy(ch, 4, 0.9)
      r = await run(ch, at(4))
      assert.deepEqual(only(r.notifications), [['ops', 'resolved', 'auc']])
      assert.equal((await run(ch, at(4, 5))).notifications.length, 0)
      assert.deepEqual(await statuses(ch), [{ monitor: 'auc', column: '', status: 'resolved' }])
      assert.deepEqual((await history(ch, 'auc')).map((e) => `${e.event}:${e.n}`), ['pending:0', 'firing:1', 'repeat:1', 'resolved:1'])
    })
  })

  it('groups 15 drifting features into one notification per channel, and resolves them together', async () => {
    await withEngine(async (ch) => {
      await saveMonitors(ch, [monitor({ name: 'feature-drift', statistic: 'drift:psi', column: '*', condition: { drifted: true }, channels: ['ops', 'ml-team'] })], { origin: 'apply', now: T0 })
      await drift(ch, 0, 15)
      const r = await run(ch, at(0))
      assert.deepEqual(r.notifications.map((n) => [n.channel, n.group_key, n.alerts.length]), [
        ['ml-team', 'monitor=feature-drift,model=churn,version=1', 15],
        ['ops', 'monitor=feature-drift,model=churn,version=1', 15],
      ])
      assert.equal(r.notifications[0]?.alerts[0]?.reference_id, 'ref1')
      assert.equal(r.firing, 15)
      await drift(ch, 1, 0)
      const resolved = await run(ch, at(1))
      assert.deepEqual(resolved.notifications.map((n) => [n.channel, n.status, n.alerts.length]), [['ml-team', 'resolved', 15], ['ops', 'resolved', 15]])
    })
  })

  it('keeps a silenced alert firing without notifying, and notifies once the silence ends', async () => {
    await withEngine(async (ch) => {
      await saveMonitors(ch, [monitor({})], { origin: 'apply', now: T0 })
      await saveSilences(ch, [silenceSpecSchema.parse({ id: 'deploy', matchers: [{ name: 'monitor', value: 'auc' }, { name: 'severity', op: '=~', value: 'warn.*' }], starts_at: T0, ends_at: at(1) })], T0)
      await accuracy(ch, 0, 0.5)
      const silenced = await run(ch, at(0))
      assert.deepEqual([silenced.notifications.length, silenced.firing, silenced.muted], [0, 1, 1])
      assert.deepEqual(await history(ch, 'auc'), [{ event: 'firing', muted_by: 'silence:deploy', n: 0 }])
      await accuracy(ch, 1, 0.5)
      assert.deepEqual(only((await run(ch, at(1))).notifications), [['ops', 'firing', 'auc']])
    })
  })

  it('honours min_samples and final_only: no alert until a final window has enough labels', async () => {
    await withEngine(async (ch) => {
      await saveMonitors(ch, [monitor({ min_samples: 200, final_only: true })], { origin: 'apply', now: T0 })
      await accuracy(ch, 0, 0.5, { labelled: 50, final: false })
      let r = await run(ch, at(0))
      assert.deepEqual([r.notifications.length, r.insufficient, (await statuses(ch)).length], [0, 1, 0])
      await accuracy(ch, 0, 0.5, { labelled: 150, final: true, computedAt: at(0, 10) })
      r = await run(ch, at(0, 11))
      assert.deepEqual([r.notifications.length, r.insufficient], [0, 1], '150 labels are fewer than 200')
      await accuracy(ch, 0, 0.6, { labelled: 900, final: true, computedAt: at(0, 20) })
      r = await run(ch, at(0, 21))
      assert.deepEqual(only(r.notifications), [['ops', 'firing', 'auc']])
      assert.equal(r.notifications[0]?.alerts[0]?.n_current, 900)
    })
  })

  it('fires a critical volume alert when traffic stops, and resolves it when traffic is back', async () => {
    await withEngine(async (ch) => {
      await saveMonitors(ch, [monitor({ name: 'volume', statistic: 'volume', condition: { drop: 50, windows: 3 }, severity: 'critical' })], { origin: 'apply', now: T0 })
      for (const k of [0, 1, 2]) await events(ch, k, 1000)
      const r = await run(ch, at(3))
      assert.deepEqual(only(r.notifications), [['ops', 'firing', 'volume']])
      assert.deepEqual([r.notifications[0]?.alerts[0]?.value, r.notifications[0]?.alerts[0]?.window_start], [0, start(3)])
      await events(ch, 4, 900)
      assert.deepEqual(only((await run(ch, at(4))).notifications), [['ops', 'resolved', 'volume']])
    })
  })

  it('lets a firing critical volume alert inhibit the model version\'s other alerts', async () => {
    await withEngine(async (ch) => {
      await saveMonitors(ch, [
        monitor({ name: 'volume', statistic: 'volume', condition: { drop: 50, windows: 3 }, severity: 'critical' }),
        monitor({ name: 'dataset-drift', statistic: 'drift:drift_score', column: '__dataset__', condition: { drifted: true } }),
      ], { origin: 'apply', now: T0 })
      // A trickle of traffic in window 3: its drift is noise the volume alert already explains.
      for (const k of [0, 1, 2]) await events(ch, k, 1000)
      await events(ch, 3, 40)
      await drift(ch, 3, 10)
      const r = await run(ch, at(3))
      assert.deepEqual(only(r.notifications), [['ops', 'firing', 'volume']])
      assert.equal(r.notifications[0]?.alerts[0]?.value, 40)
      assert.match((await history(ch, 'dataset-drift'))[0]?.muted_by ?? '', /^inhibited:[0-9a-f]{16}$/)
      assert.deepEqual((await statuses(ch)).map((s) => [s.monitor, s.status]), [['dataset-drift', 'firing'], ['volume', 'firing']])
    })
  })

  it('compares a metric with its value on the reference data for against: reference', async () => {
    await withEngine(async (ch) => {
      const reference = Array.from({ length: 100 }, (_, i) => ({ reference_id: 'ref1', numeric_features: {}, categorical_features: {}, score: 0.9, probabilities: {}, predicted_class: '1', value: null, label_class: i < 95 ? '1' : '0', label_value: null }))
      await ch.client.insert({ table: 'reference_rows', values: reference, format: 'JSONEachRow' })
      await ch.client.insert({ table: 'reference_sets', values: [{ reference_id: 'ref1', model: 'churn', kind: 'upload', source: 'fixture.csv', row_count: 100 }], format: 'JSONEachRow' })
      await ch.client.insert({ table: 'model_versions', values: [{ model: 'churn', version: '1', reference_id: 'ref1', note: '' }], format: 'JSONEachRow' })
      await saveMonitors(ch, [monitor({ condition: { drop: 10, against: 'reference' } })], { origin: 'apply', now: T0 })
      await accuracy(ch, 0, 0.8)
      const r = await run(ch, at(0))
      assert.deepEqual(only(r.notifications), [['ops', 'firing', 'auc']], '0.8 is more than 10% below the reference accuracy 0.95')
      const [row] = await rows<{ baseline: number; reference_id: string }>(ch, 'SELECT baseline, reference_id FROM alerts FINAL')
      assert.deepEqual(row, { baseline: 0.95, reference_id: 'ref1' })
    })
  })

  it('creates default monitors for a new model once; a deleted default stays deleted', async () => {
    await withEngine(async (ch) => {
      const first = await runAlerting(ch, { log, now: () => at(0), defaultChannels: ['ops'] })
      assert.equal(first.defaultsCreated, 4)
      const names = (await listMonitors(ch)).map((m) => `${m.spec.name}:${m.origin}:${m.spec.channels.join(',')}`)
      assert.deepEqual(names, ['churn.dataset-drift:default:ops', 'churn.key-metric-drop:default:ops', 'churn.missing-share-rise:default:ops', 'churn.volume-drop:default:ops'])
      await deleteMonitors(ch, [{ name: 'churn.volume-drop', model: 'churn' }], { origin: 'api', now: at(0, 1) })
      const second = await runAlerting(ch, { log, now: () => at(0, 2) })
      assert.deepEqual([second.defaultsCreated, second.monitors], [0, 3])
    })
  })
})
