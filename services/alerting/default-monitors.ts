/**
 * The monitors every new model gets, so a model is watched before anyone writes a rule: dataset drift, a
 * drop of its key metric, a volume drop (critical: it inhibits the model's other alerts) and a rise of
 * missing values. Named `<model>.<what>`; created once per model (a deleted default stays deleted).
 * A version that enters shadow or challenger gets two comparison monitors on the comparison's key metric:
 * `<model>.challenger-<version>.better` (promote) and `.worse` (roll back), created once per version.
 */
import { createHash } from 'node:crypto'
import type { ModelSpec } from '../monitor/models/model-spec.js'
import { monitorSpecSchema, type MonitorSpec, type MonitorSpecInput } from './monitor-spec.js'

/** The key metric per task and the direction that means worse. */
function keyMetric(model: ModelSpec): Pick<MonitorSpecInput, 'statistic' | 'condition'> {
  switch (model.task) {
    case 'binary_classification':
      return { statistic: 'roc_auc', condition: { drop: 10, against: 'previous', windows: 6 } }
    case 'multiclass_classification':
      return { statistic: 'accuracy', condition: { drop: 10, against: 'previous', windows: 6 } }
    case 'regression':
      return { statistic: 'mae', condition: { rise: 20, against: 'previous', windows: 6 } }
  }
}

/**
 * @example
 * const specs = defaultMonitors(model, { channels: ['slack-ml'] })
 */
export function defaultMonitors(model: ModelSpec, options: { channels?: readonly string[] } = {}): MonitorSpec[] {
  const channels = [...(options.channels ?? [])]
  const base = { model: model.name, channels, labels: { origin: 'default' } }
  const inputs: MonitorSpecInput[] = [
    { ...base, name: `${model.name}.dataset-drift`, statistic: 'drift:drift_score', column: '__dataset__', condition: { drifted: true }, severity: 'warning' },
    { ...base, name: `${model.name}.key-metric-drop`, ...keyMetric(model), min_samples: 100, severity: 'warning' },
    { ...base, name: `${model.name}.volume-drop`, statistic: 'volume', condition: { drop: 50, against: 'previous', windows: 6 }, severity: 'critical' },
    // Missing values doubling and by at least 5 points: a share rising from 0.1% to 0.3% is not news.
    { ...base, name: `${model.name}.missing-share-rise`, statistic: 'dq:missing_share', column: '*', condition: { rise: 100, against: 'previous', windows: 6, min_change: 0.05 }, severity: 'warning' },
  ]
  return inputs.map((input) => monitorSpecSchema.parse(input))
}

/** The metric services/compare runs the sequential test on: accuracy for classifiers, MAE for regression. */
export function comparisonKeyMetric(model: ModelSpec): string {
  return model.task === 'regression' ? 'mae' : 'accuracy'
}

/**
 * The comparison monitors of a version in shadow or challenger: one fires when the sequential test concludes
 * the version is better than production (time to promote), one when it is worse (time to roll back).
 *
 * @example
 * challengerMonitors(model, '4', { channels: ['ml-team'] }).map((m) => m.name) // ['churn.challenger-4.better', 'churn.challenger-4.worse']
 */
export function challengerMonitors(model: ModelSpec, version: string, options: { channels?: readonly string[] } = {}): MonitorSpec[] {
  const base = { model: model.name, version, channels: [...(options.channels ?? [])], statistic: `compare:${comparisonKeyMetric(model)}`, repeat_interval: '1d' }
  const prefix = `${model.name}.challenger-${nameSafe(version, 160 - model.name.length - '.challenger-.better'.length)}`
  return [
    { ...base, name: `${prefix}.better`, condition: { concluded: 'better' }, severity: 'info', labels: { origin: 'default', decision: 'promote' }, description: `Version ${version} is better than production: promote it` },
    { ...base, name: `${prefix}.worse`, condition: { concluded: 'worse' }, severity: 'warning', labels: { origin: 'default', decision: 'rollback' }, description: `Version ${version} is worse than production: roll it back` },
  ].map((input) => monitorSpecSchema.parse(input))
}

/** A version as a monitor-name part: other characters become _, and a long one is cut with a hash kept unique. */
function nameSafe(version: string, room: number): string {
  const safe = version.replace(/[^A-Za-z0-9_.-]/g, '_')
  if (safe === version && safe.length <= room) return safe
  const hash = createHash('sha256').update(version).digest('hex').slice(0, 8)
  return `${safe.slice(0, Math.max(1, room - 9))}-${hash}`
}
