/**
 * The pure parts of automatic champion/challenger comparisons: when a comparison is due (once per closed window
 * of the model, since the challenger's stage began), how a comparison monitor judges stored evaluations, its
 * validation, the monitors a new challenger gets, and the evidence in the webhook payload and message text.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { judgeComparisons } from '../../services/alerting/comparison-series.js'
import { challengerMonitors } from '../../services/alerting/default-monitors.js'
import { monitorSpecSchema } from '../../services/alerting/monitor-spec.js'
import { comparisonText } from '../../services/alerting/notifiers/message-text.js'
import { webhookPayload } from '../../services/alerting/notifiers/webhook-payload.js'
import { dueComparisons, pairKey } from '../../services/compare/comparison-plan.js'
import type { ComparisonRow } from '../../services/compare/comparison-rows.js'
import type { Stage, StageRecord } from '../../services/compare/version-stages.js'
import { modelSpecSchema } from '../../services/monitor/models/model-spec.js'
import { sampleAlert, sampleNotification } from '../support/notify-fixtures.js'

const HOUR = 3_600_000
const T0 = Date.UTC(2026, 10, 2, 0)
const stage = (version: string, s: Stage, at: number): [string, StageRecord] => [version, { model: 'churn', version, stage: s, changedBy: 't', reason: 'r', changedAt: new Date(at).toISOString() }]
const stages = new Map([stage('1', 'production', T0 - HOUR), stage('2', 'shadow', T0 + 10 * 60_000), stage('0', 'archived', T0 - 2 * HOUR)])
const plan = (now: number, last = new Map<string, number>()) => dueComparisons({ model: 'churn', stages, lastEvaluated: last, windowSeconds: 3600, now })

const row = (over: Partial<ComparisonRow> = {}): ComparisonRow => ({
  model: 'churn', champion: '1', challenger: '2', segment: '', paired: 1, metric: 'accuracy', period_start: T0, period_end: T0 + HOUR,
  n_champion: 500, n_challenger: 500, value_champion: 0.8, value_champion_low: 0.76, value_champion_high: 0.84, value_challenger: 0.86,
  value_challenger_low: 0.83, value_challenger_high: 0.89, difference: 0.06, difference_low: 0.03, difference_high: 0.09, p_value: 0.0002,
  p_value_adjusted: 0.0004, verdict: 'better', sequential_p_value: 0.004, sequential_low: 0.01, sequential_high: 0.11, sequential_alpha: 0.05,
  sequential_concluded: 'better', samples_needed: 0, computed_at: T0 + HOUR + 30_000, ...over,
})
const better = monitorSpecSchema.parse({ name: 'p', model: 'churn', statistic: 'compare:accuracy', condition: { concluded: 'better' } })

describe('dueComparisons', () => {
  it('compares each shadow or challenger version with production once a window closed after its stage began', () => {
    assert.deepEqual(plan(T0 + 50 * 60_000), [], 'the window the stage began in is still open')
    assert.deepEqual(plan(T0 + HOUR + 1), [{ model: 'churn', champion: '1', challenger: '2', from: T0 + 10 * 60_000, to: T0 + HOUR }])
  })
  it('is not due again until the next window closes', () => {
    const last = new Map([[pairKey('1', '2'), T0 + HOUR]])
    assert.deepEqual(plan(T0 + HOUR + 20 * 60_000, last), [])
    assert.equal(plan(T0 + 2 * HOUR, last)[0]?.to, T0 + 2 * HOUR)
  })
  it('needs a production version', () => {
    assert.deepEqual(dueComparisons({ model: 'churn', stages: new Map([stage('2', 'shadow', T0)]), lastEvaluated: new Map(), windowSeconds: 3600, now: T0 + 5 * HOUR }), [])
  })
})

describe('comparison monitors', () => {
  it('breach when the sequential test concluded as the condition says, judging the latest evaluation per challenger', () => {
    const [obs] = judgeComparisons(better, [row({ period_end: T0 + HOUR, sequential_concluded: '' }), row({ period_end: T0 + 2 * HOUR })])
    assert.equal(obs?.outcome, 'breach')
    assert.equal(obs?.model_version, '2')
    assert.equal(obs?.value, 0.06)
    assert.equal(obs?.comparison?.sequential?.concluded, 'better')
    assert.equal(judgeComparisons(better, [row({ period_end: T0 + 3 * HOUR, sequential_concluded: '' }), row({ period_end: T0 + 2 * HOUR })])[0]?.outcome, 'ok')
  })
  it('are insufficient on a metric without the sequential test, or below min_samples', () => {
    assert.equal(judgeComparisons(better, [row({ sequential_alpha: null, sequential_concluded: '' })])[0]?.outcome, 'insufficient')
    assert.equal(judgeComparisons({ ...better, min_samples: 1000 }, [row()])[0]?.outcome, 'insufficient')
  })
  it('judge {above: X} on the difference', () => {
    const spec = monitorSpecSchema.parse({ name: 'p', model: 'churn', statistic: 'compare:roc_auc', condition: { above: 0.05 } })
    assert.equal(judgeComparisons(spec, [row({ metric: 'roc_auc' })])[0]?.outcome, 'breach')
  })
  it('reject an unknown metric, a column, drift conditions, and {concluded} on other statistics', () => {
    const problems = (input: object) => monitorSpecSchema.safeParse({ name: 'p', model: 'churn', ...input }).error?.issues.map((i) => i.message) ?? []
    assert.match(problems({ statistic: 'compare:f1', condition: { concluded: 'better' } }).join(), /compare:f1 is not a compared metric/)
    assert.match(problems({ statistic: 'compare:accuracy', column: 'x', condition: { concluded: 'better' } }).join(), /has no columns/)
    assert.match(problems({ statistic: 'compare:accuracy', condition: { drop: 10 } }).join(), /takes \{concluded: better\|worse\}/)
    assert.match(problems({ statistic: 'accuracy', condition: { concluded: 'worse' } }).join(), /applies to compare:<metric> statistics only/)
  })
  it('a new challenger gets a promote and a rollback monitor on the key metric, with names safe for any version', () => {
    const model = modelSpecSchema.parse({ name: 'churn', task: 'regression', features: [{ name: 'x', kind: 'numeric' }] })
    const specs = challengerMonitors(model, '2026-11/retrain #4', { channels: ['ml'] })
    assert.deepEqual(specs.map((s) => [s.statistic, s.version, s.condition, s.severity, s.channels]), [
      ['compare:mae', '2026-11/retrain #4', { concluded: 'better' }, 'info', ['ml']],
      ['compare:mae', '2026-11/retrain #4', { concluded: 'worse' }, 'warning', ['ml']],
    ])
    assert.match(specs[0]?.name ?? '', /^churn\.challenger-2026-11_retrain__4-[0-9a-f]{8}\.better$/)
  })
})

describe('comparison evidence for receivers', () => {
  const evidence = judgeComparisons(better, [row()])[0]?.comparison
  it('adds a comparison block to the webhook evidence of comparison alerts only', () => {
    assert.ok(evidence !== undefined)
    const alert = sampleAlert({ statistic: 'compare:accuracy', model_version: '2', comparison: evidence })
    const [withBlock] = webhookPayload(sampleNotification('n1', 'hook', 'firing', [alert]), {}).alerts
    assert.deepEqual(withBlock?.evidence.comparison, { ...evidence, period_start: '2026-11-02T00:00:00.000Z', period_end: '2026-11-02T01:00:00.000Z' })
    const [plain] = webhookPayload(sampleNotification('n2', 'hook'), {}).alerts
    assert.equal(plain !== undefined && 'comparison' in plain.evidence, false)
  })
  it('says both versions, the difference, the p-values and the period in one sentence', () => {
    assert.ok(evidence !== undefined)
    assert.equal(comparisonText(evidence), 'accuracy: champion v1 0.8 [0.76, 0.84] (n 500) vs challenger v2 0.86 [0.83, 0.89] (n 500), difference 0.06 [0.03, 0.09], p 0.0002 (adjusted 0.0004), sequential p 0.004 (α 0.05), paired, 2026-11-02 00:00 → 2026-11-02 01:00 UTC')
  })
})
