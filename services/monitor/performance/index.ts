/**
 * Windowed performance metrics computed in ClickHouse: `computePerformance` over a PerformanceSource,
 * one entry per grp (the caller maps window × model version × segment to grp).
 * Definitions: docs/statistics.md (Performance metrics).
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import type { PerformanceSource } from '../sql-source.js'
import { binaryClassificationMetrics } from './classification-binary.js'
import { multiclassClassificationMetrics } from './classification-multiclass.js'
import { emptyMetrics } from './empty.js'
import type { MetricsOf, PerformanceTask } from './metrics.js'
import { regressionMetrics } from './regression.js'

export * from './metrics.js'
export { emptyMetrics } from './empty.js'

export interface PerformanceOptions {
  /** Groups to report even when the source has no row for them (an empty window: count 0, metrics null). */
  groups?: string[]
}

/**
 * Metrics per grp of `source` for `task`, computed by a few GROUP BY grp queries (all groups at once).
 *
 * @example
 * const source = { sql: 'SELECT toString(toStartOfHour(timestamp)) AS grp, score, probabilities, predicted_class, value, label_class, label_value FROM labelled_predictions WHERE model = {model:String}', params: { model: 'churn' } }
 * const byHour = await computePerformance(ch, source, { kind: 'binary_classification', positiveClass: '1' })
 * for (const [hour, m] of byHour) console.log(hour, m.labelled, m.rocAuc)
 */
export async function computePerformance<T extends PerformanceTask>(
  ch: ClickHouse,
  source: PerformanceSource,
  task: T,
  options: PerformanceOptions = {},
): Promise<Map<string, MetricsOf<T>>> {
  const computed = (await byTask(ch, source, task)) as Map<string, MetricsOf<T>>
  for (const grp of options.groups ?? []) if (!computed.has(grp)) computed.set(grp, emptyMetrics(task))
  return computed
}

function byTask(ch: ClickHouse, source: PerformanceSource, task: PerformanceTask): Promise<Map<string, MetricsOf<PerformanceTask>>> {
  switch (task.kind) {
    case 'binary_classification':
      return binaryClassificationMetrics(ch, source, task.positiveClass)
    case 'multiclass_classification':
      return multiclassClassificationMetrics(ch, source, task.classes ?? [])
    case 'regression':
      return regressionMetrics(ch, source)
  }
}
