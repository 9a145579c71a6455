/**
 * Whether a column drifted, and whether the dataset did: the rules of Evidently's data-drift preset by default,
 * every method and threshold overridable per call and per column. Pure logic; the statistics come from SQL.
 */
import { ModelwatchError } from '../../core/errors.js'
import type { ColumnDrift, DriftMethod, DriftOptions, DriftRule } from './report.js'

/** Evidently's defaults: 0.1 for the distances and PSI, 0.05 for the tests' p-values. */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  wasserstein: 0.1,
  jensen_shannon: 0.1,
  psi: 0.1,
  ks: 0.05,
  chi2: 0.05,
}

/** Above this many non-missing reference values the default decides by distance, otherwise by test. */
export const DEFAULT_LARGE_REFERENCE = 1000
export const DEFAULT_DATASET_DRIFT_SHARE = 0.5

const METHODS_BY_KIND: Readonly<Record<ColumnDrift['kind'], readonly DriftMethod[]>> = {
  numeric: ['wasserstein', 'jensen_shannon', 'psi', 'ks'],
  categorical: ['jensen_shannon', 'psi', 'chi2'],
}

/** p-value methods drift below the threshold; distance methods at or above it. */
const IS_TEST: Readonly<Record<DriftMethod, boolean>> = { wasserstein: false, jensen_shannon: false, psi: false, ks: true, chi2: true }

export interface ResolvedRule {
  method: DriftMethod
  threshold: number
}

/**
 * The rule for one column: its own override, else its kind's override, else the default by reference size
 * (numeric: Wasserstein (normed) above `largeReference` values, KS at or below; categorical: Jensen–Shannon / chi-square).
 * A method that does not apply to the column's kind is a usage error.
 *
 * @example
 * resolveRule({ name: 'age', kind: 'numeric', nReference: 5000 }) // { method: 'wasserstein', threshold: 0.1 }
 */
export function resolveRule(column: { name: string; kind: ColumnDrift['kind']; nReference: number }, options: DriftOptions = {}): ResolvedRule {
  const override: DriftRule | undefined = options.columns?.[column.name] ?? options[column.kind]
  const large = column.nReference > (options.largeReference ?? DEFAULT_LARGE_REFERENCE)
  const method: DriftMethod = override?.method ?? defaultMethod(column.kind, large)
  if (!METHODS_BY_KIND[column.kind].includes(method)) {
    throw new ModelwatchError('USAGE', `drift method ${method} does not apply to ${column.kind} column ${JSON.stringify(column.name)} (use one of ${METHODS_BY_KIND[column.kind].join(', ')})`)
  }
  const threshold = override?.threshold ?? options.thresholds?.[method] ?? DEFAULT_THRESHOLDS[method]
  if (!Number.isFinite(threshold)) throw new ModelwatchError('USAGE', `drift threshold for column ${JSON.stringify(column.name)} must be a finite number, got ${threshold}`)
  return { method, threshold }
}

function defaultMethod(kind: ColumnDrift['kind'], largeReference: boolean): DriftMethod {
  if (kind === 'numeric') return largeReference ? 'wasserstein' : 'ks'
  return largeReference ? 'jensen_shannon' : 'chi2'
}

/** The statistics a decision can read. */
export interface DecisionInputs {
  wasserstein_normed?: number | null
  jensen_shannon: number | null
  psi: number | null
  ks?: { p_value: number | null }
  chi2?: { p_value: number | null }
}

/**
 * The score a rule reads, and whether it crosses the threshold. A statistic that could not be computed
 * (null: no values on a side, or no degrees of freedom) never counts as drift.
 *
 * @example
 * decide({ method: 'ks', threshold: 0.05 }, { jensen_shannon: 0.2, psi: 0.3, ks: { p_value: 0.01 } }) // { score: 0.01, drifted: true }
 */
export function decide(rule: ResolvedRule, stats: DecisionInputs): { score: number | null; drifted: boolean } {
  const score = scoreOf(rule.method, stats)
  if (score === null || !Number.isFinite(score)) return { score: null, drifted: false }
  return { score, drifted: IS_TEST[rule.method] ? score < rule.threshold : score >= rule.threshold }
}

function scoreOf(method: DriftMethod, stats: DecisionInputs): number | null {
  switch (method) {
    case 'wasserstein':
      return stats.wasserstein_normed ?? null
    case 'jensen_shannon':
      return stats.jensen_shannon
    case 'psi':
      return stats.psi
    case 'ks':
      return stats.ks?.p_value ?? null
    case 'chi2':
      return stats.chi2?.p_value ?? null
  }
}

/**
 * Share of drifted columns, and dataset drift when it reaches `datasetDriftShare` (Evidently's DatasetDriftMetric).
 *
 * @example
 * datasetDrift([true, false, true, false]) // { drifted_share: 0.5, dataset_drift: true }
 */
export function datasetDrift(drifted: boolean[], options: DriftOptions = {}): { drifted_share: number | null; dataset_drift: boolean } {
  if (drifted.length === 0) return { drifted_share: null, dataset_drift: false }
  const share = drifted.filter(Boolean).length / drifted.length
  return { drifted_share: share, dataset_drift: share >= (options.datasetDriftShare ?? DEFAULT_DATASET_DRIFT_SHARE) }
}
