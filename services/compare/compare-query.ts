/**
 * The SQL of a comparison: labelled predictions of two versions of one model over a period and a segment,
 * each event once (predictions FINAL, each with its label as every reader takes it: core/events/prediction-labels.ts),
 * reduced to sufficient statistics per version (unpaired) or per pair of predictions sharing an event_id (paired:
 * a shadow version scored the same request). Query parameters only.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import { isNetworkError, ModelwatchError } from '../core/errors.js'
import { predictionLabelsSql } from '../core/events/prediction-labels.js'
import { DECISION_THRESHOLD, LOG_LOSS_EPS } from '../monitor/performance/metrics.js'
import type { ModelTask } from '../monitor/models/model-spec.js'

/** What is compared: two versions of one model, a half-open period [from, to) in ms, a segment ('' = all traffic, or 'key=value'). */
export interface ComparisonScope {
  model: string
  a: string
  b: string
  from: number
  to: number
  segment: string
  /** Binary classification: the label counted as positive. */
  positiveClass?: string
}

/** Named parameters of the scope (prefix cmp_), shared by every query below. */
export function scopeParams(scope: ComparisonScope): Record<string, unknown> {
  const at = scope.segment.indexOf('=')
  return {
    cmp_model: scope.model,
    cmp_a: scope.a,
    cmp_b: scope.b,
    cmp_from: scope.from,
    cmp_to: scope.to,
    cmp_segment_key: at < 0 ? '' : scope.segment.slice(0, at),
    cmp_segment_value: at < 0 ? '' : scope.segment.slice(at + 1),
    cmp_positive: scope.positiveClass ?? '',
    cmp_threshold: DECISION_THRESHOLD,
    cmp_eps: LOG_LOSS_EPS,
  }
}

const PREDICTIONS = `
  SELECT event_id, model_version AS version, score, probabilities, predicted_class, value
  FROM predictions FINAL
  WHERE model = {cmp_model:String} AND model_version IN ({cmp_a:String}, {cmp_b:String})
    AND timestamp >= fromUnixTimestamp64Milli({cmp_from:Int64}) AND timestamp < fromUnixTimestamp64Milli({cmp_to:Int64})
    AND ({cmp_segment_key:String} = '' OR (mapContains(segments, {cmp_segment_key:String}) AND segments[{cmp_segment_key:String}] = {cmp_segment_value:String}))`

/**
 * Predictions of each version in scope, labelled or not, and the events both versions scored (the pairs): from the
 * predictions alone, so deciding the pairing costs no join with the labels.
 */
export const SCOPE_COUNTS = `
  SELECT countIf(has_a) AS predictions_a, countIf(has_b) AS predictions_b, countIf(has_a AND has_b) AS pairs
  FROM (
    SELECT event_id, max(version = {cmp_a:String}) AS has_a, max(version = {cmp_b:String}) AS has_b
    FROM (${PREDICTIONS}) GROUP BY event_id
  )`

/** The events either version scored in the period: those whose labels a comparison reads. */
const EVENTS = `
  SELECT event_id FROM predictions
  WHERE model = {cmp_model:String} AND model_version IN ({cmp_a:String}, {cmp_b:String})
    AND timestamp >= fromUnixTimestamp64Milli({cmp_from:Int64}) AND timestamp < fromUnixTimestamp64Milli({cmp_to:Int64})`

/** Labelled predictions of both versions: the prediction columns, label_class, label_value. */
const LABELLED = `
  SELECT p.*, l.label_class AS label_class, l.label_value AS label_value
  FROM (${PREDICTIONS}) AS p
  INNER JOIN (${predictionLabelsSql('cmp_model', EVENTS)}) AS l ON l.event_id = p.event_id`

/**
 * One row per labelled prediction with the task's outcome columns:
 *  - classification: y (binary: label is the positive class; multiclass: the label), yhat (predicted positive /
 *    predicted class; NULL when the row has no prediction), correct, and for binary s (score, or the positive
 *    class's probability) with its log loss;
 *  - regression: e = label − prediction.
 * Definitions as the monitor's (docs/statistics.md, Performance metrics).
 */
export function outcomesSql(task: ModelTask): string {
  switch (task) {
    case 'binary_classification':
      return `
        SELECT event_id, version,
          coalesce(score, if(mapContains(probabilities, {cmp_positive:String}), probabilities[{cmp_positive:String}], NULL)) AS s,
          toUInt8(label_class = {cmp_positive:String}) AS y,
          multiIf(predicted_class IS NOT NULL, predicted_class = {cmp_positive:String}, s IS NOT NULL, s >= {cmp_threshold:Float64}, NULL) AS yhat,
          if(yhat IS NULL, NULL, toUInt8(yhat = y)) AS correct,
          if(s IS NULL, NULL, -log(least(greatest(if(y = 1, s, 1 - s), {cmp_eps:Float64}), 1 - {cmp_eps:Float64}))) AS loss
        FROM (${LABELLED}) WHERE label_class IS NOT NULL`
    case 'multiclass_classification':
      // arg-max class, a tie going to the smallest class name (as the monitor)
      return `
        SELECT event_id, version, label_class AS y,
          coalesce(predicted_class, if(empty(probabilities), NULL, arraySort((k, v) -> (-v, k), mapKeys(probabilities), mapValues(probabilities))[1])) AS yhat,
          if(yhat IS NULL, NULL, toUInt8(yhat = y)) AS correct
        FROM (${LABELLED}) WHERE label_class IS NOT NULL`
    case 'regression':
      return `
        SELECT event_id, version, label_value - value AS e
        FROM (${LABELLED}) WHERE label_value IS NOT NULL AND value IS NOT NULL`
  }
}

/**
 * The paired rows: one per event scored by both versions, each of `columns` (of outcomesSql) as column_a and
 * column_b (the label is shared, so y_a = y_b).
 */
export function pairedSql(task: ModelTask, columns: readonly string[]): string {
  const rows = outcomesSql(task)
  const side = (v: 'a' | 'b'): string => `(SELECT * FROM (${rows}) WHERE version = {cmp_${v}:String})`
  const select = columns.flatMap((c) => [`ra.${c} AS ${c}_a`, `rb.${c} AS ${c}_b`]).join(', ')
  return `SELECT ${select} FROM ${side('a')} AS ra INNER JOIN ${side('b')} AS rb ON ra.event_id = rb.event_id`
}

/**
 * Runs a comparison query; a failure is CLICKHOUSE_QUERY_FAILED, retriable only when the engine was unreachable.
 *
 * @example
 * const rows = await queryComparison<{ version: string; predictions: number }>(ch, SCOPE_COUNTS, scopeParams(scope), 'counts')
 */
export async function queryComparison<T>(ch: ClickHouse, query: string, params: Record<string, unknown>, what: string): Promise<T[]> {
  try {
    const result = await ch.client.query({ query, query_params: params, format: 'JSONEachRow' })
    return await result.json<T>()
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new ModelwatchError('CLICKHOUSE_QUERY_FAILED', `comparison query (${what}) failed: ${message}`, { retriable: isNetworkError(error), cause: error })
  }
}
