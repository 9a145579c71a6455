/**
 * Multiclass classification metrics per grp, in three queries over the source: counts with log loss, Brier,
 * ECE and the confidence distribution; the confusion matrix (which also gives the predicted-class shares);
 * one-vs-rest ROC AUC.
 *
 * A row's predicted class is predicted_class when given, else the arg-max of its probabilities (a tie goes
 * to the smallest class name). A class missing from a non-empty probability map has probability 0.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import type { PerformanceSource } from '../sql-source.js'
import { eceSql } from './calibration.js'
import { compareLabels, multiclassScores, ratioOrNull } from './class-scores.js'
import { LOG_LOSS_EPS, type ClassShare, type ConfusionEntry, type MulticlassClassificationMetrics } from './metrics.js'
import { parseSummary, summarySql } from './numeric-summary.js'
import { queryRows } from './query.js'

/**
 * One row per prediction. label_key is the label without NULL (use it only where label IS NOT NULL);
 * has_p = the row has probabilities; confidence = its highest probability; top = that probability's class;
 * scored = labelled with probabilities.
 */
const ROWS = `
SELECT
    grp,
    label_class AS label,
    assumeNotNull(label_class) AS label_key,
    CAST(probabilities AS Map(String, Float64)) AS probs,
    notEmpty(probs) AS has_p,
    if(has_p, arrayMax(mapValues(probs)), NULL) AS confidence,
    if(has_p, arrayMin(arrayFilter((k, v) -> v = confidence, mapKeys(probs), mapValues(probs))), NULL) AS top,
    coalesce(predicted_class, top) AS predicted,
    label IS NOT NULL AND has_p AS scored
FROM src`

const SUMMARY = `
SELECT
    grp,
    count() AS count,
    countIf(label IS NOT NULL) AS labelled,
    countIf(scored) AS n_scored,
    -- log loss = mean −ln(clip(p_label, eps, 1 − eps)); probabilities as given, not renormalised
    avgIf(-log(least(greatest(probs[label_key], {perf_eps:Float64}), 1 - {perf_eps:Float64})), scored) AS log_loss,
    -- Brier = mean Σ_k (p_k − y_k)²: the map's classes, plus 1 when the label's class is missing from it
    avgIf(arraySum(arrayMap((k, v) -> pow(v - (k = label_key), 2), mapKeys(probs), mapValues(probs))) + NOT mapContains(probs, label_key), scored) AS brier,
    -- ECE over confidence vs "the arg-max class is the label"
    ${eceSql('assumeNotNull(confidence)', '(assumeNotNull(top) = label_key)', 'scored', 'n_scored')} AS ece,
    -- prediction distribution: all rows, labelled or not
    ${summarySql('confidence', 'confidence')}
FROM (${ROWS})
GROUP BY grp
ORDER BY grp`

/** Rows with a predicted class, by label (NULL = unlabelled) and prediction: the confusion matrix and the class shares. */
const CONFUSION = `
SELECT grp, label, assumeNotNull(predicted) AS predicted_class, count() AS n
FROM (${ROWS})
WHERE predicted IS NOT NULL
GROUP BY grp, label, predicted_class`

/**
 * One-vs-rest AUC per (grp, class k), for every k in a scored row's map or label. Each scored row enters
 * class k's arrays once, with s = p_k and y = (label = k), when k is in its map or is its label; every other
 * scored row of the group has p_k = 0 and a label other than k, so it is added as one of `absent` zeros.
 * (No join to a per-group class list: one scan, and arrays of numbers only.) arrayAUC is exact with ties:
 * see roc-auc.ts.
 */
const ONE_VS_REST = `
SELECT
    grp,
    cls,
    positives,
    scored_in_grp - positives AS negatives,
    scored_in_grp - n AS absent,
    if(positives = 0 OR negatives = 0, NULL,
       arrayAUC(arrayConcat(ss, arrayWithConstant(absent, 0.)), arrayConcat(ys, arrayWithConstant(absent, toUInt8(0))))) AS auc
FROM
(
    SELECT grp, cls, ss, ys, n, positives, sum(positives) OVER (PARTITION BY grp) AS scored_in_grp -- each row is positive for its label only
    FROM
    (
        SELECT grp, cls, groupArray(s) AS ss, groupArray(toUInt8(label_key = cls)) AS ys, count() AS n, sum(label_key = cls) AS positives
        FROM
        (
            SELECT grp, probs, label_key, mapContains(probs, label_key) AS has_label
            FROM (${ROWS})
            WHERE scored
        )
        -- one row per class in the map, plus the label's class (p = 0) when the map lacks it
        ARRAY JOIN
            if(has_label, mapKeys(probs), arrayPushBack(mapKeys(probs), label_key)) AS cls,
            if(has_label, mapValues(probs), arrayPushBack(mapValues(probs), 0.)) AS s
        GROUP BY grp, cls
    )
)`

interface AucRow {
  grp: string
  cls: string
  positives: number
  negatives: number
  auc: number | null
}

interface SummaryRow extends Record<string, unknown> {
  grp: string
  count: number
  labelled: number
  n_scored: number
  log_loss: number | null
  brier: number | null
  ece: number | null
}

interface ConfusionRow {
  grp: string
  label: string | null
  predicted_class: string
  n: number
}

/**
 * Multiclass metrics for every grp of the source that has rows.
 *
 * @example
 * const byGroup = await multiclassClassificationMetrics(ch, source, ['cat', 'dog', 'fox'])
 * byGroup.get('w1')?.f1Macro
 */
export async function multiclassClassificationMetrics(ch: ClickHouse, source: PerformanceSource, classes: string[] = []): Promise<Map<string, MulticlassClassificationMetrics>> {
  // Independent scans: a ClickHouse server runs them side by side.
  const [summaries, cells, aucs] = await Promise.all([
    queryRows<SummaryRow>(ch, source, SUMMARY, { perf_eps: LOG_LOSS_EPS }, 'multiclass summary'),
    queryRows<ConfusionRow>(ch, source, CONFUSION, {}, 'multiclass confusion'),
    queryRows<AucRow>(ch, source, ONE_VS_REST, {}, 'multiclass ROC AUC'),
  ])
  const cellsBy = byGroup(cells)
  const aucsBy = byGroup(aucs)
  const out = new Map<string, MulticlassClassificationMetrics>()
  for (const r of summaries) {
    const mine = cellsBy.get(r.grp) ?? []
    const confusion = confusionOf(mine)
    const { perClass, ...scores } = multiclassScores(confusion)
    const scored = r.n_scored > 0
    out.set(r.grp, {
      kind: 'multiclass_classification',
      count: r.count,
      labelled: r.labelled,
      labelCoverage: ratioOrNull(r.labelled, r.count),
      evaluated: confusion.reduce((sum, c) => sum + c.count, 0),
      ...scores,
      perClass,
      confusion,
      scored: r.n_scored,
      rocAucMacro: scored ? macroAuc(aucsBy.get(r.grp) ?? [], classes) : null,
      logLoss: scored ? r.log_loss : null,
      brier: scored ? r.brier : null,
      ece: scored ? r.ece : null,
      prediction: { confidence: parseSummary(r, 'confidence'), classes: sharesOf(mine) },
    })
  }
  return out
}

function byGroup<T extends { grp: string }>(rows: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const row of rows) {
    const list = out.get(row.grp)
    if (list === undefined) out.set(row.grp, [row])
    else list.push(row)
  }
  return out
}

function confusionOf(cells: ConfusionRow[]): ConfusionEntry[] {
  return cells
    .flatMap((c) => (c.label === null ? [] : [{ label: c.label, predicted: c.predicted_class, count: c.n }]))
    .sort((a, b) => compareLabels(a.label, b.label) || compareLabels(a.predicted, b.predicted))
}

function sharesOf(cells: ConfusionRow[]): ClassShare[] {
  const counts = new Map<string, number>()
  for (const c of cells) counts.set(c.predicted_class, (counts.get(c.predicted_class) ?? 0) + c.n)
  const total = cells.reduce((sum, c) => sum + c.n, 0)
  return [...counts.entries()].sort(([a], [b]) => compareLabels(a, b)).map(([label, count]) => ({ label, count, share: count / total }))
}

/**
 * Mean of the per-class AUCs over K = the group's classes ∪ the task's; null when any class's AUC is undefined
 * (a declared class that never occurs has no positives) or there are fewer than two classes.
 */
function macroAuc(rows: AucRow[], declared: string[]): number | null {
  const seen = new Set(rows.map((r) => r.cls))
  if (declared.some((c) => !seen.has(c))) return null
  if (rows.length < 2 || rows.some((r) => r.auc === null)) return null
  return rows.reduce((sum, r) => sum + (r.auc ?? 0), 0) / rows.length
}
