/**
 * Unpaired comparison of classifiers (split traffic): accuracy (binary and multiclass), precision and recall
 * (binary) by the two-proportion z-test with Wilson and Newcombe intervals; ROC AUC by DeLong for independent
 * samples; log loss by the bootstrap. Counts come from ClickHouse; scores and labels of binary models come as
 * one array per version for DeLong and the bootstrap.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import type { ModelTask } from '../monitor/models/model-spec.js'
import { bootstrapMeanDifference } from './bootstrap.js'
import { outcomesSql, queryComparison } from './compare-query.js'
import { aucWithInterval, delongIndependent, structuralComponents } from './delong.js'
import { logLosses } from './log-losses.js'
import { detectableDifference, finiteOrNull, intervalOrNull, meanValue, toLabelled, type ComparisonSettings, type MetricDraft, type MetricName, type VersionValue } from './metric-comparison.js'
import { twoProportionTest, wilsonInterval, type Proportion } from './proportions.js'
import { proportionsSampleSize, samplesStillNeeded, varianceScaledSampleSize } from './sample-size.js'
import { summary } from './sample-variance.js'
import { proportionsDifference, type LabelledCounts, type SequentialInput } from './sequential-input.js'
import { MIN_LABELLED, MIN_PER_CLASS } from './verdict.js'

interface CountsRow {
  version: string
  labelled: number
  evaluated: number
  n_correct: number
  tp: number
  fp: number
  fn: number
}

interface ScoresRow {
  version: string
  scores: number[]
  labels: number[]
}

/**
 * Drafts of every classification metric, and the sequential test's input (accuracy).
 *
 * @example
 * const { drafts } = await unpairedClassification(ch, 'binary_classification', params, { a: 'v1', b: 'v2' }, settings)
 */
export async function unpairedClassification(ch: ClickHouse, task: Exclude<ModelTask, 'regression'>, params: Record<string, unknown>, versions: { a: string; b: string }, settings: ComparisonSettings): Promise<{ drafts: MetricDraft[]; sequential: SequentialInput; labelled: LabelledCounts }> {
  const binary = task === 'binary_classification'
  // binary: the scores and labels come in the same pass, for DeLong and the bootstrap
  const binaryColumns = `countIf(y = 1 AND yhat = 1) AS tp, countIf(y = 0 AND yhat = 1) AS fp, countIf(y = 1 AND yhat = 0) AS fn,
    groupArrayIf(assumeNotNull(s), s IS NOT NULL) AS scores, groupArrayIf(y, s IS NOT NULL) AS labels`
  const counts = await queryComparison<CountsRow & Partial<ScoresRow>>(ch, `
    SELECT version, count() AS labelled, countIf(correct IS NOT NULL) AS evaluated, countIf(correct = 1) AS n_correct,
      ${binary ? binaryColumns : '0 AS tp, 0 AS fp, 0 AS fn'}
    FROM (${outcomesSql(task)}) GROUP BY version`, params, 'classification counts')
  const empty: CountsRow = { version: '', labelled: 0, evaluated: 0, n_correct: 0, tp: 0, fp: 0, fn: 0 }
  const ca = counts.find((r) => r.version === versions.a) ?? empty
  const cb = counts.find((r) => r.version === versions.b) ?? empty
  const enough = Math.min(ca.evaluated, cb.evaluated) >= MIN_LABELLED

  const proportion = (metric: MetricName, pick: (c: CountsRow) => Proportion): MetricDraft => {
    const a = pick(ca)
    const b = pick(cb)
    const valueA = a.successes / a.trials
    const required = proportionsSampleSize(valueA, detectableDifference(metric, valueA, settings.mde), settings.alpha, settings.power)
    return {
      metric,
      result: twoProportionTest(a, b, settings.alpha),
      a: proportionValue(a, settings.alpha),
      b: proportionValue(b, settings.alpha),
      enoughData: enough,
      samplesNeeded: samplesStillNeeded(toLabelled(required, Math.min(a.trials, b.trials), Math.min(ca.labelled, cb.labelled)), Math.min(ca.labelled, cb.labelled)),
    }
  }
  const accuracy = (c: CountsRow): Proportion => ({ successes: c.n_correct, trials: c.evaluated })
  const drafts = [proportion('accuracy', accuracy)]
  if (binary) {
    drafts.push(proportion('precision', (c) => ({ successes: c.tp, trials: c.tp + c.fp })))
    drafts.push(proportion('recall', (c) => ({ successes: c.tp, trials: c.tp + c.fn })))
    drafts.push(...scoreMetrics(counts, versions, settings))
  }
  const sequential = { metric: 'accuracy' as const, ...proportionsDifference(accuracy(ca), accuracy(cb)), scale: ca.n_correct / ca.evaluated, enoughData: enough }
  return { drafts, labelled: { a: ca.labelled, b: cb.labelled }, sequential }
}

/** ROC AUC and log loss from the scored rows of each version. */
function scoreMetrics(rows: Partial<ScoresRow>[], versions: { a: string; b: string }, settings: ComparisonSettings): MetricDraft[] {  const arrays = (version: string) => {
    const row = rows.find((r) => r.version === version)
    return { scores: Float64Array.from(row?.scores ?? []), labels: Uint8Array.from(row?.labels ?? []) }
  }
  const a = arrays(versions.a)
  const b = arrays(versions.b)
  const sa = structuralComponents(a)
  const sb = structuralComponents(b)
  const aucA = aucWithInterval(sa, settings.alpha)
  const aucB = aucWithInterval(sb, settings.alpha)
  const delong = delongIndependent(sa, sb, settings.alpha)
  const perClass = Math.min(sa.v10.length, sa.v01.length, sb.v10.length, sb.v01.length)
  const scored = Math.min(a.scores.length, b.scores.length)
  const aucRequired = varianceScaledSampleSize(scored, aucA.variance + aucB.variance, detectableDifference('roc_auc', sa.auc, settings.mde), settings.alpha, settings.power)

  const lossA = logLosses(a)
  const lossB = logLosses(b)
  const la = summary(lossA)
  const lb = summary(lossB)
  const lossRequired = varianceScaledSampleSize(scored, la.variance / lossA.length + lb.variance / lossB.length, detectableDifference('log_loss', la.mean, settings.mde), settings.alpha, settings.power)
  return [
    {
      metric: 'roc_auc', result: delong,
      a: { value: finiteOrNull(sa.auc), interval: intervalOrNull(aucA.interval), n: a.scores.length },
      b: { value: finiteOrNull(sb.auc), interval: intervalOrNull(aucB.interval), n: b.scores.length },
      enoughData: scored >= MIN_LABELLED && perClass >= MIN_PER_CLASS,
      samplesNeeded: samplesStillNeeded(aucRequired, scored),
    },
    {
      metric: 'log_loss', result: bootstrapMeanDifference(lossA, lossB, { alpha: settings.alpha }),
      a: meanValue(la.mean, la.variance, lossA.length, settings.alpha),
      b: meanValue(lb.mean, lb.variance, lossB.length, settings.alpha),
      enoughData: scored >= MIN_LABELLED,
      samplesNeeded: samplesStillNeeded(lossRequired, scored),
    },
  ]
}

function proportionValue(p: Proportion, alpha: number): VersionValue {
  return { value: p.trials > 0 ? p.successes / p.trials : null, interval: p.trials > 0 ? intervalOrNull(wilsonInterval(p, alpha)) : null, n: p.trials }
}
