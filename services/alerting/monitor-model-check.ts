/**
 * Checks a monitor against the model it names, which the schema alone cannot: the model is registered, and a
 * performance statistic is a metric the monitor writes for the model's task (so `roc_acu` or `mae` on a
 * classifier is refused at apply time instead of never firing).
 */
import { metricValues } from '../monitor/metric-rows.js'
import type { ModelSpec } from '../monitor/models/model-spec.js'
import { performanceTask } from '../monitor/pass.js'
import { emptyMetrics } from '../monitor/performance/index.js'
import { statisticKind, type MonitorSpec } from './monitor-spec.js'

/** Metric families whose names carry a class, a quantile or a statistic after a prefix. */
const OPEN_ENDED = /^(label_delay_p\d+_seconds|prediction_[a-z0-9_]+|class_[a-z0-9_]+:.+|confusion:.+>.+)$/

/**
 * Problems as `field: message`; empty when the monitor fits the model.
 *
 * @example
 * monitorModelProblems(spec, models.get(spec.model)) // ['statistic: roc_acu is not a metric of binary_classification models; ...']
 */
export function monitorModelProblems(spec: MonitorSpec, model: ModelSpec | undefined): string[] {
  if (model === undefined) return [`model: no model named ${JSON.stringify(spec.model)}; create it with \`modelwatch model create\``]
  const kind = statisticKind(spec.statistic)
  if (kind.kind !== 'performance') return []
  const known = metricValues(emptyMetrics(performanceTask(model))).map((m) => m.metric)
  if (known.includes(kind.metric) || OPEN_ENDED.test(kind.metric)) return []
  return [`statistic: ${kind.metric} is not a metric of ${model.task} models; one of ${known.join(', ')}, prediction_*, class_*:<class>, label_delay_p50_seconds`]
}
