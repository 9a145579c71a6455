/**
 * Champion/challenger comparisons that run by themselves, on the real engine: shadow predictions (same
 * event_ids as production) placed straight in the tables, runComparisons and runAlerting with an injected
 * clock over one-hour windows. Checks: one comparison row per metric per closed window (not per pass), an
 * equal challenger never fires the promotion monitor, a better one fires it exactly once with the evidence,
 * auto-promote is off by default and, on, changes the stages with who and why; promoting by hand archives the
 * previous production version. Each test has its own database.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Notification } from '../../services/alerting/notification.js'
import { runAlerting } from '../../services/alerting/run-alerting.js'
import { runComparisons } from '../../services/compare/comparison-runs.js'
import { currentStages, recordStage, stageHistory } from '../../services/compare/version-stages.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { createLogger } from '../../services/core/logger.js'
import { saveModel } from '../../services/monitor/models/registry.js'
import { count, rows, testDataDir, uniqueName } from '../support/harness.js'
import { seedShadow } from '../support/shadow-seed.js'

const HOUR = 3_600_000
const T0 = Date.UTC(2026, 10, 2, 0)
const log = createLogger('warn')
/** 30 s after the k-th hour since T0 closed, and `minutes` later within the same window. */
const at = (k: number, minutes = 0): number => T0 + k * HOUR + 30_000 + minutes * 60_000

async function withEngine(test: (ch: ClickHouse) => Promise<void>): Promise<void> {
  const ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('promote') }).clickhouse)
  try {
    await migrate(ch)
    await saveModel(ch, { name: 'churn', task: 'binary_classification', positive_class: '1', features: [{ name: 'x', kind: 'numeric' }] })
    await recordStage(ch, { model: 'churn', version: '1', stage: 'production', changedBy: 'test', reason: 'first' }, { now: T0 - HOUR })
    await recordStage(ch, { model: 'churn', version: '2', stage: 'shadow', changedBy: 'test', reason: 'retrained' }, { now: T0 })
    await test(ch)
  } finally {
    await ch.close()
  }
}

/** One monitor-pass tail as services/monitor/main.ts runs it: comparisons, then the rules. */
async function pass(ch: ClickHouse, now: number, autoPromote?: boolean): Promise<Notification[]> {
  await runComparisons(ch, { log, now: () => now, ...(autoPromote === undefined ? {} : { autoPromote }) })
  return (await runAlerting(ch, { log, now: () => now, defaultChannels: ['ops'] })).notifications
}

const promotions = (notifications: Notification[]) => notifications.filter((n) => n.status === 'firing' && n.alerts.some((a) => a.monitor === 'churn.challenger-2.better'))

describe('comparisons after monitor passes', () => {
  it('writes one row per metric per closed window, not one per pass', async () => {
    await withEngine(async (ch) => {
      await seedShadow(ch, { model: 'churn', versions: [['1', 0.8], ['2', 0.8]], start: T0, ms: 3 * HOUR, events: 300, seed: 7 })
      await runComparisons(ch, { log, now: () => T0 + 20 * 60_000 })
      assert.equal(await count(ch, 'SELECT count() AS n FROM comparison_results'), 0, 'no window has closed since the shadow stage began')
      for (const now of [at(1), at(1, 5), at(1, 20), at(2), at(2, 1), at(3)]) await runComparisons(ch, { log, now: () => now })
      const written = await rows<{ period_end: string; n: number; key: number }>(ch, `SELECT toString(period_end) AS period_end, count() AS n, countIf(sequential_alpha IS NOT NULL) AS key
        FROM comparison_results GROUP BY period_end ORDER BY period_end`)
      assert.deepEqual(written.map((r) => r.period_end), ['2026-11-02 01:00:00.000', '2026-11-02 02:00:00.000', '2026-11-02 03:00:00.000'])
      for (const r of written) {
        assert.equal(r.n, 4, 'paired binary: accuracy, recall, roc_auc, log_loss')
        assert.equal(r.key, 1, 'the sequential test on the key metric only')
      }
      const [last] = await rows<{ paired: number; champion: string; challenger: string; period_start: string; n_champion: number }>(ch,
        `SELECT paired, champion, challenger, toString(period_start) AS period_start, n_champion FROM comparison_results WHERE metric = 'accuracy' ORDER BY period_end DESC LIMIT 1`)
      assert.deepEqual(last, { paired: 1, champion: '1', challenger: '2', period_start: '2026-11-02 00:00:00.000', n_champion: 300 })
    })
  })

  it('never fires the promotion monitor for an equally good challenger', async () => {
    await withEngine(async (ch) => {
      await seedShadow(ch, { model: 'churn', versions: [['1', 0.8], ['2', 0.8]], start: T0, ms: 6 * HOUR, events: 3000, seed: 11 })
      const fired: Notification[] = []
      for (let k = 1; k <= 6; k++) fired.push(...(await pass(ch, at(k))))
      assert.deepEqual(promotions(fired), [])
      assert.equal(await count(ch, "SELECT count() AS n FROM monitors FINAL WHERE name IN ('churn.challenger-2.better', 'churn.challenger-2.worse')"), 2, 'the comparison monitors were created for the shadow version')
      assert.equal(await count(ch, "SELECT count() AS n FROM comparison_results WHERE sequential_concluded != ''"), 0)
    })
  })

  it('fires the promotion monitor exactly once for a better challenger, with the evidence, and leaves the stages alone by default', async () => {
    await withEngine(async (ch) => {
      await seedShadow(ch, { model: 'churn', versions: [['1', 0.3], ['2', 1.5]], start: T0, ms: 4 * HOUR, events: 800, seed: 5 })
      const fired: Notification[] = []
      for (const now of [at(1), at(1, 10), at(2), at(2, 10), at(3), at(4)]) fired.push(...(await pass(ch, now)))
      const promoted = promotions(fired)
      assert.equal(promoted.length, 1)
      const alert = promoted[0]?.alerts[0]
      assert.equal(promoted[0]?.channel, 'ops')
      assert.equal(alert?.model_version, '2')
      assert.equal(alert?.statistic, 'compare:accuracy')
      const c = alert?.comparison
      assert.ok(c !== undefined && c.sequential !== null)
      assert.equal(c.champion.version, '1')
      assert.equal(c.challenger.version, '2')
      assert.equal(c.sequential.concluded, 'better')
      assert.ok((c.difference ?? 0) > 0.1 && (c.sequential.low ?? 0) > 0, 'the confidence sequence excludes 0')
      assert.ok((c.sequential.p_value ?? 1) <= 0.05)
      assert.equal(c.paired, true)
      assert.equal(c.period_start, T0)
      assert.deepEqual([...(await currentStages(ch, 'churn')).values()].map((r) => [r.version, r.stage]), [['1', 'production'], ['2', 'shadow']], 'auto-promote is off by default')
    })
  })

  it('with auto-promote on, makes the better challenger production and archives the champion, with the evidence as the reason', async () => {
    await withEngine(async (ch) => {
      await seedShadow(ch, { model: 'churn', versions: [['1', 0.3], ['2', 1.5]], start: T0, ms: 2 * HOUR, events: 400, seed: 5 })
      const first = await runComparisons(ch, { log, now: () => at(1), autoPromote: true })
      assert.deepEqual(first.stageChanges.map((c) => [c.version, c.stage, c.changedBy]), [['2', 'production', 'modelwatch']])
      assert.deepEqual([...(await currentStages(ch, 'churn')).values()].map((r) => [r.version, r.stage]), [['1', 'archived'], ['2', 'production']])
      const [change] = await stageHistory(ch, 'churn', '2').then((h) => h.filter((r) => r.stage === 'production'))
      assert.match(change?.reason ?? '', /^automatic promotion: .*accuracy .*difference .*always-valid p .*paired/)
      const [archived] = (await stageHistory(ch, 'churn', '1')).filter((r) => r.stage === 'archived')
      assert.equal(archived?.changedBy, 'modelwatch')
      assert.match(archived?.reason ?? '', /^replaced by version 2 in production: automatic promotion/)
      const later = await runComparisons(ch, { log, now: () => at(2), autoPromote: true })
      assert.equal(later.evaluated, 0, 'no challenger left to compare')
    })
  })

  it('with auto-promote on, archives a worse challenger', async () => {
    await withEngine(async (ch) => {
      await seedShadow(ch, { model: 'churn', versions: [['1', 1.5], ['2', 0.3]], start: T0, ms: HOUR, events: 400, seed: 3 })
      const run = await runComparisons(ch, { log, now: () => at(1), autoPromote: true })
      assert.deepEqual(run.stageChanges.map((c) => [c.version, c.stage]), [['2', 'archived']])
      assert.match((await currentStages(ch, 'churn')).get('2')?.reason ?? '', /^automatic rollback: /)
      assert.equal((await currentStages(ch, 'churn')).get('1')?.stage, 'production')
    })
  })

  it('archives the previous production version when one is promoted by hand', async () => {
    await withEngine(async (ch) => {
      await recordStage(ch, { model: 'churn', version: '2', stage: 'production', changedBy: 'cli:ana', reason: 'looks good' }, { now: T0 + HOUR })
      const stages = await currentStages(ch, 'churn')
      assert.deepEqual([...stages.values()].map((r) => [r.version, r.stage, r.changedBy]), [['1', 'archived', 'cli:ana'], ['2', 'production', 'cli:ana']])
      assert.equal(stages.get('1')?.reason, 'replaced by version 2 in production: looks good')
    })
  })
})
