/**
 * `compareVersions`: is version b better than version a, by how much, how sure are we, and when can the test
 * stop. Over one period and segment it compares every metric the model's task supports (unpaired for split
 * traffic, paired for shadow traffic), adjusts the p-values across metrics (Benjamini–Hochberg), gives each a
 * verdict and the samples still needed, and reports the always-valid sequential test on the primary metric.
 * Definitions: docs/statistics.md, "Comparing versions".
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import { ModelwatchError } from '../core/errors.js'
import { getModel } from '../monitor/models/registry.js'
import type { ModelTask } from '../monitor/models/model-spec.js'
import { benjaminiHochberg } from './benjamini-hochberg.js'
import { pairedClassification } from './classification-paired.js'
import { unpairedClassification } from './classification-unpaired.js'
import { queryComparison, SCOPE_COUNTS, scopeParams, type ComparisonScope } from './compare-query.js'
import type { Interval } from './interval.js'
import { finiteOrNull, HIGHER_IS_BETTER, intervalOrNull, type ComparisonSettings, type MetricComparison, type MetricDraft, type MetricName } from './metric-comparison.js'
import { regressionComparison } from './regression-comparison.js'
import { mixtureSprt } from './sequential.js'
import type { SequentialInput } from './sequential-input.js'
import { decideVerdict } from './verdict.js'

export type PairingChoice = 'auto' | 'yes' | 'no'

export interface CompareOptions {
  model: string
  /** The baseline (champion) version. */
  a: string
  /** The candidate (challenger) version; differences are b − a. */
  b: string
  /** Period, ms since the epoch, half-open [from, to). */
  from: number
  to: number
  /** '' for all traffic, or one segment tag 'key=value'. */
  segment?: string
  /** auto: paired when at least half of each version's events were scored by both versions. */
  paired?: PairingChoice
  /** Minimum detectable effect relative to a's value; default 0.05. */
  mde?: number
  /** Default 0.05. */
  alpha?: number
  /** Default 0.8. */
  power?: number
}

export interface SequentialReport {
  metric: MetricName
  /** continue: look again later; b_better / b_worse: the test concluded; not_enough_data: below the minimums. */
  state: 'continue' | 'b_better' | 'b_worse' | 'not_enough_data'
  difference: number | null
  /** The (1 − α) confidence sequence for b − a. */
  interval: Interval | null
  /** Always-valid p-value. */
  pValue: number | null
  logLikelihoodRatio: number | null
  logThreshold: number
  tau: number | null
  /** P(ever concluding when the versions are equal) ≤ alpha, however often the comparison is looked at. */
  alpha: number
}

export interface ComparisonReport {
  model: string
  task: ModelTask
  a: string
  b: string
  from: string
  to: string
  segment: string
  paired: boolean
  alpha: number
  power: number
  mde: number
  /** predictions: in scope, labelled or not; labelled: the labelled rows compared (paired: those both versions scored); pairs: events both versions scored. */
  counts: { a: { predictions: number; labelled: number }; b: { predictions: number; labelled: number }; pairs: number }
  metrics: MetricComparison[]
  sequential: SequentialReport
}

/**
 * @example
 * const report = await compareVersions(ch, { model: 'churn', a: '3', b: '4', from: Date.parse('2026-11-01'), to: Date.now() })
 * report.metrics.find((m) => m.metric === 'roc_auc')?.verdict // 'better'
 */
export async function compareVersions(ch: ClickHouse, options: CompareOptions): Promise<ComparisonReport> {
  const settings: ComparisonSettings = { alpha: options.alpha ?? 0.05, power: options.power ?? 0.8, mde: options.mde ?? 0.05 }
  checkOptions(options, settings)
  const spec = await getModel(ch, options.model)
  const scope: ComparisonScope = { model: spec.name, a: options.a, b: options.b, from: options.from, to: options.to, segment: options.segment ?? '', positiveClass: spec.positive_class }
  const params = scopeParams(scope)
  const [scoped] = await queryComparison<{ predictions_a: number; predictions_b: number; pairs: number }>(ch, SCOPE_COUNTS, params, 'counts')
  const predictionsA = scoped?.predictions_a ?? 0
  const predictionsB = scoped?.predictions_b ?? 0
  const pairs = scoped?.pairs ?? 0
  const choice = options.paired ?? 'auto'
  const paired = choice === 'yes' || (choice === 'auto' && pairs > 0 && 2 * pairs >= Math.max(predictionsA, predictionsB))
  const versions = { a: options.a, b: options.b }

  const { drafts, sequential, labelled } =
    spec.task === 'regression' ? await regressionComparison(ch, params, versions, paired, settings)
      : paired ? await pairedClassification(ch, spec.task, params, settings)
        : await unpairedClassification(ch, spec.task, params, versions, settings)

  return {
    model: spec.name, task: spec.task, a: options.a, b: options.b,
    from: new Date(options.from).toISOString(), to: new Date(options.to).toISOString(), segment: scope.segment,
    paired, ...settings,
    counts: {
      a: { predictions: predictionsA, labelled: labelled.a },
      b: { predictions: predictionsB, labelled: labelled.b },
      pairs,
    },
    metrics: finish(drafts, settings.alpha),
    sequential: sequentialReport(sequential, settings),
  }
}

/** Benjamini–Hochberg across the metrics whose data meet the minimums, then each metric's verdict. */
function finish(drafts: MetricDraft[], alpha: number): MetricComparison[] {
  const adjusted = benjaminiHochberg(drafts.map((d) => (d.enoughData ? d.result.pValue : Number.NaN)))
  return drafts.map((d, i) => {
    const higherIsBetter = HIGHER_IS_BETTER[d.metric]
    const adjustedPValue = adjusted[i] ?? Number.NaN
    return {
      metric: d.metric, higherIsBetter, test: d.result.test, a: d.a, b: d.b,
      difference: finiteOrNull(d.result.difference),
      differenceInterval: intervalOrNull(d.result.interval),
      pValue: finiteOrNull(d.result.pValue),
      adjustedPValue: finiteOrNull(adjustedPValue),
      verdict: decideVerdict({ enoughData: d.enoughData, adjustedPValue, difference: d.result.difference, higherIsBetter, alpha }),
      samplesNeeded: d.samplesNeeded,
    }
  })
}

/** The mixture's τ is the minimum detectable effect in absolute terms. */
function sequentialReport(input: SequentialInput, settings: ComparisonSettings): SequentialReport {
  const tau = settings.mde * Math.abs(input.scale)
  const s = mixtureSprt({ difference: input.difference, variance: input.variance, tau, alpha: settings.alpha })
  const higherIsBetter = HIGHER_IS_BETTER[input.metric]
  const state = !input.enoughData || !Number.isFinite(s.pValue) ? 'not_enough_data'
    : !s.concluded ? 'continue'
      : (s.difference > 0) === higherIsBetter ? 'b_better' : 'b_worse'
  return {
    metric: input.metric, state,
    difference: finiteOrNull(s.difference), interval: intervalOrNull(s.interval), pValue: finiteOrNull(s.pValue),
    logLikelihoodRatio: finiteOrNull(s.logLikelihoodRatio), logThreshold: s.logThreshold, tau: finiteOrNull(tau), alpha: settings.alpha,
  }
}

function checkOptions(o: CompareOptions, s: ComparisonSettings): void {
  const problem = o.a === o.b ? `versions a and b are both ${JSON.stringify(o.a)}; compare two different versions`
    : !(Number.isFinite(o.from) && Number.isFinite(o.to) && o.from < o.to) ? 'the period must end after it starts (from < to)'
      : !(s.alpha > 0 && s.alpha < 0.5) ? `alpha must be between 0 and 0.5, got ${s.alpha}`
        : !(s.power > 0.5 && s.power < 1) ? `power must be between 0.5 and 1, got ${s.power}`
          : !(s.mde > 0 && s.mde < 1) ? `mde (relative to version a's value) must be between 0 and 1, got ${s.mde}`
            : o.segment !== undefined && o.segment !== '' && !/^[^=]+=.*$/.test(o.segment) ? `segment must be key=value, got ${JSON.stringify(o.segment)}`
              : undefined
  if (problem !== undefined) throw new ModelwatchError('USAGE', problem)
}
