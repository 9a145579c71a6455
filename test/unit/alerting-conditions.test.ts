/**
 * Conditions (services/alerting/conditions.ts) and the choice of the judged window (evaluateSeries), on
 * hand-made series: hourly windows, the clock 30 s after the last one closed.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { judge } from '../../services/alerting/conditions.js'
import { evaluateSeries } from '../../services/alerting/evaluate.js'
import { monitorSpecSchema, type MonitorSpecInput } from '../../services/alerting/monitor-spec.js'
import type { SeriesPoint } from '../../services/alerting/monitor-series.js'

const HOUR = 3_600_000
const T0 = 100 * HOUR
const monitor = (over: Partial<MonitorSpecInput>) => monitorSpecSchema.parse({ name: 'm', model: 'churn', statistic: 'accuracy', condition: { below: 0.8 }, ...over })
/** Window k (0-based) of one series, value v, n samples. */
const point = (k: number, value: number | null, extra: Partial<SeriesPoint> = {}): SeriesPoint => ({
  model_version: '1', segment: '', column: '', window_start: T0 + k * HOUR, window_end: T0 + (k + 1) * HOUR, value, n: 500, is_final: true, ...extra,
})

describe('conditions', () => {
  it('above and below are strict', () => {
    assert.equal(judge({ above: 0.2 }, { value: 0.2 }).outcome, 'ok')
    assert.equal(judge({ above: 0.2 }, { value: 0.21 }).outcome, 'breach')
    assert.equal(judge({ below: 0.8 }, { value: 0.8 }).outcome, 'ok')
    assert.equal(judge({ below: 0.8 }, { value: 0.79 }).outcome, 'breach')
  })

  it('an undefined statistic is insufficient data, not a recovery', () => {
    assert.equal(judge({ below: 0.8 }, { value: null }).outcome, 'insufficient')
  })

  it('a drop compares with the mean of the baseline: 20% below a mean of 0.9 is under 0.72', () => {
    const drop = { drop: 20, against: 'previous' as const, windows: 3, min_change: 0 }
    assert.deepEqual(judge(drop, { value: 0.71, baselineValues: [0.8, 0.9, 1.0] }), { outcome: 'breach', baseline: 0.9 })
    assert.equal(judge(drop, { value: 0.73, baselineValues: [0.8, 0.9, 1.0] }).outcome, 'ok')
    assert.equal(judge(drop, { value: 0.5, baselineValues: [] }).outcome, 'insufficient')
  })

  it('a rise needs min_change too: missing share 0.001 → 0.004 quadruples but is no news with min_change 0.05', () => {
    const rise = { rise: 100, against: 'previous' as const, windows: 6, min_change: 0.05 }
    assert.equal(judge(rise, { value: 0.004, baselineValues: [0.001] }).outcome, 'ok')
    assert.equal(judge(rise, { value: 0.2, baselineValues: [0.05, 0.07] }).outcome, 'breach')
  })

  it('drifted follows the engine decision', () => {
    assert.equal(judge({ drifted: true }, { value: 0.3, drifted: true }).outcome, 'breach')
    assert.equal(judge({ drifted: true }, { value: 0.3, drifted: false }).outcome, 'ok')
  })
})

describe('the judged window', () => {
  const now = T0 + 5 * HOUR + 30_000

  it('is the latest window, and the previous N windows are the baseline', async () => {
    const m = monitor({ condition: { drop: 10, windows: 3 } })
    const points = [point(0, 0.1), point(1, 0.9), point(2, 0.9), point(3, 0.9), point(4, 0.7)]
    const [obs] = await evaluateSeries(m, points, { now, windowSeconds: 3600 })
    assert.deepEqual([obs?.outcome, obs?.baseline, obs?.point?.window_start], ['breach', 0.9, T0 + 4 * HOUR])
  })

  it('with final_only, is the latest final window', async () => {
    const m = monitor({ final_only: true })
    const points = [point(3, 0.9), point(4, 0.5, { is_final: false })]
    const [obs] = await evaluateSeries(m, points, { now, windowSeconds: 3600 })
    assert.deepEqual([obs?.outcome, obs?.value], ['ok', 0.9])
  })

  it('with too few samples, is insufficient data', async () => {
    const [obs] = await evaluateSeries(monitor({ min_samples: 1000 }), [point(4, 0.5)], { now, windowSeconds: 3600 })
    assert.equal(obs?.outcome, 'insufficient')
    assert.match(obs?.reason ?? '', /500 samples, fewer than min_samples 1000/)
  })

  it('is insufficient data when the latest window ended more than a window ago', async () => {
    const [obs] = await evaluateSeries(monitor({}), [point(2, 0.5)], { now, windowSeconds: 3600 })
    assert.deepEqual([obs?.outcome, obs?.reason], ['insufficient', 'no recent window'])
  })

  it('for volume, is the last closed window, and a window without rows counts as 0 events', async () => {
    const m = monitor({ statistic: 'volume', condition: { drop: 50, windows: 3 } })
    const events = [point(1, 1000), point(2, 1000), point(3, 1000)].map((p) => ({ ...p, n: p.value }))
    const [obs] = await evaluateSeries(m, events, { now, windowSeconds: 3600 })
    assert.deepEqual([obs?.outcome, obs?.value, obs?.baseline, obs?.point?.window_start], ['breach', 0, 1000, T0 + 4 * HOUR])
  })

  it('judges every series on its own: one observation per version, segment and column', async () => {
    const m = monitor({ statistic: 'drift:psi', column: '*', condition: { above: 0.2 } })
    const points = ['a', 'b', 'c'].map((column, i) => point(4, i / 10, { column }))
    const observations = await evaluateSeries(m, points, { now, windowSeconds: 3600 })
    assert.deepEqual(observations.map((o) => [o.column, o.outcome]), [['a', 'ok'], ['b', 'ok'], ['c', 'ok']])
  })

  it('compares with the reference value for against: reference', async () => {
    const m = monitor({ statistic: 'roc_auc', condition: { drop: 10, against: 'reference' } })
    const [obs] = await evaluateSeries(m, [point(4, 0.7)], { now, windowSeconds: 3600, referenceValue: async () => 0.9 })
    assert.deepEqual([obs?.outcome, obs?.baseline], ['breach', 0.9])
  })
})
