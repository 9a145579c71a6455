/**
 * The monitors every new model gets, so a model is watched before anyone writes a rule: dataset drift, a
 * drop of its key metric, a volume drop (critical: it inhibits the model's other alerts) and a rise of
 * missing values. Named `<model>.<what>`; created once per model (a deleted default stays deleted).
 */
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
