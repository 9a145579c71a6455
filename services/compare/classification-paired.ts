/**
 * Paired comparison of classifiers (shadow traffic: the same labelled events scored by both versions):
 * accuracy, and for binary models recall (over the positive events), by McNemar's test; ROC AUC by DeLong for
 * correlated curves; log loss by the bootstrap of per-event differences. Precision is left out: its denominator
 * (the events each version predicts positive) differs between the versions, so its outcomes are not paired.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import type { ModelTask } from '../monitor/models/model-spec.js'
import { bootstrapPairedMean } from './bootstrap.js'
import { pairedSql, queryComparison } from './compare-query.js'
import { aucWithInterval, delongPaired, structuralComponents } from './delong.js'
import { logLosses } from './log-losses.js'
import { mcnemarTest, type PairedOutcomes } from './mcnemar.js'
import { detectableDifference, finiteOrNull, intervalOrNull, meanValue, toLabelled, type ComparisonSettings, type MetricDraft, type MetricName, type VersionValue } from './metric-comparison.js'
import { normalQuantile } from './normal.js'
import { wilsonInterval } from './proportions.js'
import { meansSampleSize, samplesStillNeeded, varianceScaledSampleSize } from './sample-size.js'
import { pairedDifferenceSums, sampleVariance, summary } from './sample-variance.js'
import { pairedProportionsDifference, type LabelledCounts, type SequentialInput } from './sequential-input.js'
import { MIN_LABELLED, MIN_PER_CLASS } from './verdict.js'

interface PairedCounts {
  pairs: number
  n_correct_a: number
  n_correct_b: number
  n_a_only: number
  n_b_only: number
  n_positive_pairs: number
  n_positive_correct_a: number
  n_positive_correct_b: number
  n_positive_a_only: number
  n_positive_b_only: number
}

interface PairedScores {
  scores_a: number[]
  scores_b: number[]
  labels: number[]
}

/**
 * Drafts of the paired classification metrics, and the sequential test's input (accuracy).
 *
 * @example
 * const { drafts } = await pairedClassification(ch, 'binary_classification', params, settings)
 */
export async function pairedClassification(ch: ClickHouse, task: Exclude<ModelTask, 'regression'>, params: Record<string, unknown>, settings: ComparisonSettings): Promise<{ drafts: MetricDraft[]; sequential: SequentialInput; labelled: LabelledCounts }> {
  const binary = task === 'binary_classification'
  const both = 'correct_a IS NOT NULL AND correct_b IS NOT NULL'
  const positive = binary ? `${both} AND y_a = 1` : '0'
  // binary: the pairs' scores come in the same pass, for DeLong and the bootstrap
  const scored = 's_a IS NOT NULL AND s_b IS NOT NULL'
  const scores = binary ? `, groupArrayIf(assumeNotNull(s_a), ${scored}) AS scores_a, groupArrayIf(assumeNotNull(s_b), ${scored}) AS scores_b, groupArrayIf(y_a, ${scored}) AS labels` : ''
  const [c] = await queryComparison<PairedCounts & Partial<PairedScores>>(ch, `
    SELECT countIf(${both}) AS pairs, countIf(${both} AND correct_a = 1) AS n_correct_a, countIf(${both} AND correct_b = 1) AS n_correct_b,
      countIf(${both} AND correct_a = 1 AND correct_b = 0) AS n_a_only, countIf(${both} AND correct_a = 0 AND correct_b = 1) AS n_b_only,
      countIf(${positive}) AS n_positive_pairs, countIf(${positive} AND correct_a = 1) AS n_positive_correct_a, countIf(${positive} AND correct_b = 1) AS n_positive_correct_b,
      countIf(${positive} AND correct_a = 1 AND correct_b = 0) AS n_positive_a_only, countIf(${positive} AND correct_a = 0 AND correct_b = 1) AS n_positive_b_only
      ${scores}
    FROM (${pairedSql(task, binary ? ['correct', 'y', 's'] : ['correct', 'y'])})`, params, 'paired classification')
  if (c === undefined) throw new Error('a count query returned no row')
  const enough = c.pairs >= MIN_LABELLED

  const mcnemar = (metric: MetricName, outcomes: PairedOutcomes, correctA: number, correctB: number): MetricDraft => {
    const result = mcnemarTest(outcomes, settings.alpha)
    const valueA = correctA / outcomes.pairs
    // σ of the per-pair differences D ∈ {−1, 0, 1}
    const sd = Math.sqrt(sampleVariance(pairedDifferenceSums(outcomes)))
    const required = meansSampleSize(sd, 0, detectableDifference(metric, valueA, settings.mde), settings.alpha, settings.power)
    return {
      metric, result, enoughData: enough,
      a: pairedValue(correctA, outcomes.pairs, settings.alpha),
      b: pairedValue(correctB, outcomes.pairs, settings.alpha),
      samplesNeeded: samplesStillNeeded(toLabelled(required, outcomes.pairs, c.pairs), c.pairs),
    }
  }
  const drafts = [mcnemar('accuracy', { pairs: c.pairs, aOnly: c.n_a_only, bOnly: c.n_b_only }, c.n_correct_a, c.n_correct_b)]
  if (binary) {
    drafts.push(mcnemar('recall', { pairs: c.n_positive_pairs, aOnly: c.n_positive_a_only, bOnly: c.n_positive_b_only }, c.n_positive_correct_a, c.n_positive_correct_b))
    drafts.push(...pairedScoreMetrics(c, settings))
  }
  const sequential = { metric: 'accuracy' as const, ...pairedProportionsDifference({ pairs: c.pairs, aOnly: c.n_a_only, bOnly: c.n_b_only }), scale: c.n_correct_a / c.pairs, enoughData: enough }
  return { drafts, labelled: { a: c.pairs, b: c.pairs }, sequential }
}

function pairedScoreMetrics(row: Partial<PairedScores>, settings: ComparisonSettings): MetricDraft[] {  const labels = Uint8Array.from(row?.labels ?? [])
  const a = { scores: Float64Array.from(row?.scores_a ?? []), labels }
  const b = { scores: Float64Array.from(row?.scores_b ?? []), labels }
  const n = labels.length
  const sa = structuralComponents(a)
  const sb = structuralComponents(b)
  const delong = delongPaired(sa, sb, settings.alpha)
  // the interval is d ± z·se, so its half-width gives back the variance of the difference
  const variance = ((delong.interval.upper - delong.interval.lower) / (2 * normalQuantile(1 - settings.alpha / 2))) ** 2
  const aucRequired = varianceScaledSampleSize(n, variance, detectableDifference('roc_auc', sa.auc, settings.mde), settings.alpha, settings.power)

  const lossA = logLosses(a)
  const lossB = logLosses(b)
  const differences = lossB.map((l, i) => l - (lossA[i] ?? 0))
  const d = summary(differences)
  const la = summary(lossA)
  const lb = summary(lossB)
  const lossRequired = meansSampleSize(Math.sqrt(d.variance), 0, detectableDifference('log_loss', la.mean, settings.mde), settings.alpha, settings.power)
  return [
    {
      metric: 'roc_auc', result: delong,
      a: { value: finiteOrNull(sa.auc), interval: intervalOrNull(aucWithInterval(sa, settings.alpha).interval), n },
      b: { value: finiteOrNull(sb.auc), interval: intervalOrNull(aucWithInterval(sb, settings.alpha).interval), n },
      enoughData: n >= MIN_LABELLED && Math.min(sa.v10.length, sa.v01.length) >= MIN_PER_CLASS,
      samplesNeeded: samplesStillNeeded(aucRequired, n),
    },
    {
      metric: 'log_loss', result: bootstrapPairedMean(differences, { alpha: settings.alpha }),
      a: meanValue(la.mean, la.variance, n, settings.alpha),
      b: meanValue(lb.mean, lb.variance, n, settings.alpha),
      enoughData: n >= MIN_LABELLED,
      samplesNeeded: samplesStillNeeded(lossRequired, n),
    },
  ]
}

/** A version's proportion correct over the pairs, with its Wilson interval. */
function pairedValue(correct: number, pairs: number, alpha: number): VersionValue {
  return { value: pairs > 0 ? correct / pairs : null, interval: pairs > 0 ? intervalOrNull(wilsonInterval({ successes: correct, trials: pairs }, alpha)) : null, n: pairs }
}
