/**
 * The baseline of `against: reference`: a performance metric computed over the version's reference rows
 * with the same SQL as the monitor's windows. Rolling references have no rows of their own, so they give none.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import { metricValues } from '../monitor/metric-rows.js'
import type { ModelSpec } from '../monitor/models/model-spec.js'
import { performanceTask } from '../monitor/pass.js'
import { computePerformance } from '../monitor/performance/index.js'

/** Memoises per (reference, metric) for one evaluation run: every segment of a version shares its reference. */
export type ReferenceBaselines = (model: ModelSpec, referenceId: string, metric: string) => Promise<number | null>

/**
 * @example
 * const baseline = referenceBaselines(ch)
 * const auc = await baseline(model, 'ab12cd34ef56ab78', 'roc_auc')
 */
export function referenceBaselines(ch: ClickHouse): ReferenceBaselines {
  const cache = new Map<string, Promise<Map<string, number | null>>>()
  return async (model, referenceId, metric) => {
    const key = `${model.name}\t${referenceId}`
    let values = cache.get(key)
    if (values === undefined) {
      values = computeAll(ch, model, referenceId)
      cache.set(key, values)
    }
    return (await values).get(metric) ?? null
  }
}

async function computeAll(ch: ClickHouse, model: ModelSpec, referenceId: string): Promise<Map<string, number | null>> {
  const source = {
    sql: `SELECT 'reference' AS grp, score, probabilities, predicted_class, value, label_class, label_value
      FROM reference_rows WHERE reference_id = {reference_id:String}`,
    params: { reference_id: referenceId },
  }
  const byGroup = await computePerformance(ch, source, performanceTask(model))
  const metrics = byGroup.get('reference')
  return new Map(metrics === undefined ? [] : metricValues(metrics).map((m) => [m.metric, m.value]))
}
