/**
 * Binary classification metrics per grp, in one query over the source (one scan, GROUP BY grp).
 *
 * A row's label is positive when label_class = positiveClass (any other class is negative). Its predicted
 * class is predicted_class when given (positive when it equals positiveClass), else score ≥ 0.5.
 * Its score is `score`, or probabilities[positiveClass] when only the map was sent.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import type { PerformanceSource } from '../sql-source.js'
import { eceSql } from './calibration.js'
import { binaryScores, ratioOrNull } from './class-scores.js'
import { DECISION_THRESHOLD, LOG_LOSS_EPS, type BinaryClassificationMetrics } from './metrics.js'
import { parseSummary, summarySql } from './numeric-summary.js'
import { queryRows } from './query.js'
import { rocAucSql } from './roc-auc.js'

/**
 * One row per prediction: s = score, y = 1 / 0 / NULL (positive label / other label / unlabelled),
 * yhat = predicted positive (NULL when neither a class nor a score was given), scored = labelled with a score.
 */
const ROWS = `
SELECT
    grp,
    coalesce(score, if(mapContains(probabilities, {perf_positive:String}), probabilities[{perf_positive:String}], NULL)) AS s,
    label_class = {perf_positive:String} AS y,
    multiIf(predicted_class IS NOT NULL, predicted_class = {perf_positive:String}, s IS NOT NULL, s >= {perf_threshold:Float64}, NULL) AS yhat,
    y IS NOT NULL AND s IS NOT NULL AS scored,
    assumeNotNull(s) AS s_,
    assumeNotNull(y) AS y_
FROM src`

const METRICS = `
SELECT
    grp,
    count() AS count,
    countIf(y IS NOT NULL) AS labelled,
    -- confusion matrix: labelled rows with a predicted class
    countIf(y = 1 AND yhat = 1) AS tp,
    countIf(y = 0 AND yhat = 1) AS fp,
    countIf(y = 1 AND yhat = 0) AS fn,
    countIf(y = 0 AND yhat = 0) AS tn,
    -- probability metrics: labelled rows with a score (s_, y_ are s, y without NULL there)
    countIf(scored) AS n_scored,
    -- log loss = mean −ln(clip(p_true, eps, 1 − eps)), p_true = s for a positive label, 1 − s for a negative one
    avgIf(-log(least(greatest(if(y_ = 1, s_, 1 - s_), {perf_eps:Float64}), 1 - {perf_eps:Float64})), scored) AS log_loss,
    -- Brier score = mean (s − y)²
    avgIf(pow(s_ - y_, 2), scored) AS brier,
    ${eceSql('s_', 'y_', 'scored', 'n_scored')} AS ece,
    ${rocAucSql('s_', 'y_', 'scored')} AS roc_auc,
    -- prediction distribution: all rows, labelled or not
    ${summarySql('score', 's')},
    countIf(yhat IS NOT NULL) AS predicted,
    countIf(yhat = 1) AS predicted_positive
FROM (${ROWS})
GROUP BY grp
ORDER BY grp`

interface MetricsRow extends Record<string, unknown> {
  grp: string
  count: number
  labelled: number
  tp: number
  fp: number
  fn: number
  tn: number
  n_scored: number
  log_loss: number | null
  brier: number | null
  ece: number | null
  roc_auc: number | null
  predicted: number
  predicted_positive: number
}

/**
 * Binary metrics for every grp of the source that has rows.
 *
 * @example
 * const byGroup = await binaryClassificationMetrics(ch, source, '1')
 * byGroup.get('2026-11-01|v7')?.rocAuc
 */
export async function binaryClassificationMetrics(ch: ClickHouse, source: PerformanceSource, positiveClass: string): Promise<Map<string, BinaryClassificationMetrics>> {
  const params = { perf_positive: positiveClass, perf_threshold: DECISION_THRESHOLD, perf_eps: LOG_LOSS_EPS }
  const rows = await queryRows<MetricsRow>(ch, source, METRICS, params, 'binary classification')
  const out = new Map<string, BinaryClassificationMetrics>()
  for (const r of rows) {
    const confusion = { tp: r.tp, fp: r.fp, fn: r.fn, tn: r.tn }
    const scored = r.n_scored > 0
    out.set(r.grp, {
      kind: 'binary_classification',
      count: r.count,
      labelled: r.labelled,
      labelCoverage: ratioOrNull(r.labelled, r.count),
      evaluated: r.tp + r.fp + r.fn + r.tn,
      ...binaryScores(confusion),
      confusion,
      scored: r.n_scored,
      rocAuc: scored ? r.roc_auc : null,
      logLoss: scored ? r.log_loss : null,
      brier: scored ? r.brier : null,
      ece: scored ? r.ece : null,
      prediction: { score: parseSummary(r, 'score'), positiveShare: ratioOrNull(r.predicted_positive, r.predicted) },
    })
  }
  return out
}
