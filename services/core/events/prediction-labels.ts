/**
 * The label of a prediction, defined once for every reader (the monitor's windows, comparisons, window
 * references). A prediction of model M for event e takes, among the `ground_truth` rows of event e that name
 * M or name no model (`model = ''`), the one with the latest `timestamp`: a later label replaces an earlier
 * one whether or not it names the model, and a label naming another model never reaches M's predictions.
 * At equal timestamps the label naming M wins over the model-less one, then the one ingested last.
 *
 * `ground_truth` is keyed by (model, event_id) (schemas/clickhouse/010_labels_per_model.sql), so
 * `model IN (M, '') AND event_id IN (…)` reads only the granules of those events. The rows are collapsed
 * with argMax rather than FINAL: exact whether or not merges have run, and a corrected label and its
 * correction may sit in different parts. The `labelled_predictions` view states the same rule in SQL for the
 * console; test/integration/label-join.test.ts holds every reader to it.
 */

/** The ground_truth rows that may label model M's predictions; `modelParam` names a String query parameter holding M. */
export function labelModelsSql(modelParam: string): string {
  return `model IN ({${modelParam}:String}, '')`
}

/**
 * The labels of model M's predictions of the events `eventIdsSql` selects (a subquery returning `event_id`):
 * one row per labelled event with `event_id`, `label_class`, `label_value`, `label_timestamp` (all Nullable,
 * so an event without a label reads NULL through a LEFT JOIN). Join it on event_id to predictions of M only.
 *
 * @example
 * const labels = predictionLabelsSql('model', 'SELECT event_id FROM predictions WHERE model = {model:String}')
 * const sql = `SELECT p.*, l.label_class FROM predictions AS p FINAL LEFT JOIN (${labels}) AS l ON l.event_id = p.event_id WHERE p.model = {model:String}`
 */
export function predictionLabelsSql(modelParam: string, eventIdsSql: string): string {
  return `
    SELECT event_id, label.1 AS label_class, label.2 AS label_value, label.3 AS label_timestamp
    FROM (
      SELECT event_id, argMax((label_class, label_value, toNullable(timestamp)), (timestamp, model != '', ingested_at)) AS label
      FROM ground_truth
      WHERE ${labelModelsSql(modelParam)} AND event_id IN (${eventIdsSql})
      GROUP BY event_id
    )`
}
