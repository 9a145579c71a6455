/**
 * The rule format: the monitor schema, monitors.yaml validation messages (file, entry, field path), the
 * check against the model, default monitors, and the apply plan's field-level diff.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ModelwatchError } from '../../services/core/errors.js'
import { planApply } from '../../services/alerting/apply-plan.js'
import { defaultMonitors } from '../../services/alerting/default-monitors.js'
import { monitorModelProblems } from '../../services/alerting/monitor-model-check.js'
import { describeCondition, MAX_MONITOR_CHANNELS, monitorSpecSchema, monitorSpecToInput } from '../../services/alerting/monitor-spec.js'
import { MAX_MONITORS_FILE_BYTES, parseMonitorsFile, readMonitorsFile } from '../../services/alerting/monitors-file.js'
import { modelSpecSchema } from '../../services/monitor/models/model-spec.js'

const churn = modelSpecSchema.parse({ name: 'churn', task: 'binary_classification', positive_class: '1', features: [{ name: 'tenure', kind: 'numeric' }] })

describe('monitor spec', () => {
  it('fills defaults and reads durations', () => {
    const spec = monitorSpecSchema.parse({ name: 'auc', model: 'churn', statistic: 'roc_auc', window: '1h', condition: { drop: '15%', against: 'previous' } })
    assert.deepEqual(spec.condition, { drop: 15, against: 'previous', windows: 6, min_change: 0 })
    assert.deepEqual([spec.window, spec.repeat_interval, spec.for, spec.severity, spec.min_samples, spec.final_only], [3600, 14_400, 1, 'warning', 0, false])
    assert.equal(describeCondition(spec.condition).text, 'drops 15% against the mean of the previous 6 windows')
    assert.deepEqual(monitorSpecSchema.parse(monitorSpecToInput(spec)), spec, 'the written form reads back the same')
  })

  it('refuses drift statistics without a column, unknown drift fields, and against: reference outside performance', () => {
    const issues = (input: object) => monitorSpecSchema.safeParse({ name: 'n', model: 'churn', ...input }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? []
    assert.match(issues({ statistic: 'drift:psi', condition: { above: 0.2 } }).join('\n'), /^column: drift:psi needs a column/)
    assert.match(issues({ statistic: 'drift:psy', column: '*', condition: { above: 0.2 } }).join('\n'), /statistic: drift:psy is not a drift_metrics column/)
    assert.match(issues({ statistic: 'volume', condition: { drop: 50, against: 'reference' } }).join('\n'), /condition\.against: against: reference compares a performance metric/)
    assert.match(issues({ statistic: 'roc_auc', condition: { below: 0.8 }, for: 0 }).join('\n'), /^for: /)
  })

  it(`notifies at most ${MAX_MONITOR_CHANNELS} channels`, () => {
    const spec = (n: number) => ({ name: 'auc', model: 'churn', statistic: 'roc_auc', condition: { below: 0.7 }, channels: Array.from({ length: n }, (_, i) => `c${i}`) })
    assert.equal(monitorSpecSchema.safeParse(spec(MAX_MONITOR_CHANNELS)).success, true)
    assert.match(monitorSpecSchema.safeParse(spec(MAX_MONITOR_CHANNELS + 1)).error?.issues[0]?.message ?? '', /at most 32 channels \(MAX_MONITOR_CHANNELS\)/)
  })

  it('is checked against the model: a misspelt or foreign metric is named', () => {
    const spec = monitorSpecSchema.parse({ name: 'n', model: 'churn', statistic: 'roc_acu', condition: { below: 0.8 } })
    assert.match(monitorModelProblems(spec, churn)[0] ?? '', /^statistic: roc_acu is not a metric of binary_classification models; one of count, .*roc_auc/)
    assert.deepEqual(monitorModelProblems({ ...spec, statistic: 'prediction_score_p50' }, churn), [])
    assert.match(monitorModelProblems(spec, undefined)[0] ?? '', /^model: no model named "churn"/)
  })

  it('gives a new model four default monitors fitting its task', () => {
    const specs = defaultMonitors(churn, { channels: ['ops'] })
    assert.deepEqual(specs.map((s) => [s.name, s.statistic, s.severity]), [
      ['churn.dataset-drift', 'drift:drift_score', 'warning'],
      ['churn.key-metric-drop', 'roc_auc', 'warning'],
      ['churn.volume-drop', 'volume', 'critical'],
      ['churn.missing-share-rise', 'dq:missing_share', 'warning'],
    ])
    for (const s of specs) assert.deepEqual(monitorModelProblems(s, churn), [])
    const regression = modelSpecSchema.parse({ name: 'price', task: 'regression', features: [{ name: 'x', kind: 'numeric' }] })
    assert.equal(defaultMonitors(regression)[1]?.statistic, 'mae')
  })
})

describe('monitors.yaml', () => {
  it('names the file, the entry and the field of every problem', () => {
    const text = `
monitors:
  - name: ok
    model: churn
    statistic: roc_auc
    condition: { below: 0.8 }
  - name: auc-drop
    model: churn
    statistic: roc_auc
    condition: { drop: -5 }
  - model: churn
    statistic: volume
    condition: { below: 1 }
    severity: urgent
`
    assert.throws(() => parseMonitorsFile(text, 'monitors.yaml'), (error: unknown) => {
      assert.ok(error instanceof ModelwatchError)
      assert.equal(error.code, 'MONITOR_INVALID')
      assert.match(error.message, /^monitors\.yaml: monitors\[1\] \(auc-drop\): condition\.drop: must be above 0%/)
      assert.match(error.message, /monitors\[2\]: name: /)
      assert.match(error.message, /monitors\[2\]: severity: /)
      return true
    })
  })

  it('refuses YAML syntax errors, unknown sections and duplicate names', () => {
    assert.throws(() => parseMonitorsFile('monitors: [', 'm.yaml'), /: m\.yaml: not valid YAML: .*line 1/)
    assert.throws(() => parseMonitorsFile('rules: []', 'm.yaml'), /: m\.yaml: .*rules/)
    const twice = 'monitors:\n  - {name: a, model: m, statistic: volume, condition: {below: 1}}\n  - {name: a, model: m, statistic: volume, condition: {below: 2}}\n'
    assert.throws(() => parseMonitorsFile(twice, 'm.yaml'), /monitors\[1\] \(a\): name: declared twice/)
  })

  it(`reads a file of ${MAX_MONITORS_FILE_BYTES} bytes, and refuses a larger one before reading it`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelwatch-monitors-file-'))
    const file = (bytes: number) => {
      const head = 'monitors: []\n# '
      const path = join(dir, `${bytes}.yaml`)
      writeFileSync(path, `${head}${'x'.repeat(bytes - head.length - 1)}\n`)
      return path
    }
    assert.deepEqual((await readMonitorsFile(file(MAX_MONITORS_FILE_BYTES))).monitors, [])
    await assert.rejects(readMonitorsFile(file(MAX_MONITORS_FILE_BYTES + 1)), (e: unknown) => e instanceof ModelwatchError && /is 4194305 bytes; a monitors file has at most 4194304 \(MAX_MONITORS_FILE_BYTES\)/.test(e.message))
  })

  it('reads silences and channels beside monitors', () => {
    const file = parseMonitorsFile(`
silences:
  - id: maintenance
    matchers: [{ name: model, value: churn }]
    starts_at: 2026-01-01T00:00:00Z
    ends_at: 2026-01-02T00:00:00Z
channels:
  - { name: ml-team, type: slack, url_env: MODELWATCH_CHANNEL_SECRET_SLACK_ML }
`, 'm.yaml')
    assert.deepEqual([file.monitors.length, file.silences[0]?.id, file.channels[0]?.name], [0, 'maintenance', 'ml-team'])
  })
})

describe('apply plan', () => {
  const spec = (over: object) => monitorSpecSchema.parse({ name: 'a', model: 'churn', statistic: 'roc_auc', condition: { below: 0.8 }, ...over })
  const options = { key: (m: { name: string }) => m.name, form: monitorSpecToInput, prune: false, prunable: () => true }

  it('sorts definitions into created, changed (with the fields) and unchanged; deletes only with prune', () => {
    const current = new Map([['a', spec({})], ['b', spec({ name: 'b' })], ['c', spec({ name: 'c' })]])
    const desired = [spec({ condition: { below: 0.75 }, severity: 'critical' }), spec({ name: 'b' }), spec({ name: 'd' })]
    const plan = planApply(desired, current, options)
    assert.deepEqual(plan.created.map((m) => m.name), ['d'])
    assert.deepEqual(plan.changed.map((c) => [c.item.name, c.fields]), [['a', [{ path: 'condition.below', from: 0.8, to: 0.75 }, { path: 'severity', from: 'warning', to: 'critical' }]]])
    assert.deepEqual(plan.unchanged.map((m) => m.name), ['b'])
    assert.deepEqual(plan.deleted, [])
    assert.deepEqual(planApply(desired, current, { ...options, prune: true }).deleted, ['c'])
    assert.deepEqual(planApply(desired, current, { ...options, prune: true, prunable: () => false }).deleted, [])
  })
})
