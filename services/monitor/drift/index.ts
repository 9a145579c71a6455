/**
 * Drift between a reference and a current sample, every column at once: two queries (numeric, categorical)
 * compute the statistics in ClickHouse; this module adds the p-values and the decisions. The definitions are
 * in docs/statistics.md and beside each query.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { ModelwatchError } from '../../core/errors.js'
import type { DriftColumn, DriftSource } from '../sql-source.js'
import { categoricalStatistics, type CategoricalStatisticsRow } from './categorical.js'
import { chiSquareSurvival } from './chi-square.js'
import { datasetDrift, decide, resolveRule, type DecisionInputs, type ResolvedRule } from './decision.js'
import { ksPValue } from './kolmogorov-smirnov.js'
import { numericStatistics, type NumericStatisticsRow } from './numeric.js'
import type { CategoricalColumnDrift, ColumnDrift, DriftOptions, DriftReport, NumericColumnDrift } from './report.js'

export type * from './report.js'
export { DEFAULT_THRESHOLDS, DEFAULT_LARGE_REFERENCE, DEFAULT_DATASET_DRIFT_SHARE, resolveRule } from './decision.js'

/** Normed Wasserstein divides by the reference's standard deviation, floored here so constant columns stay finite. */
export const STD_FLOOR = 0.001

/**
 * Drift statistics and decisions for `columns`, in their order. A column with no non-missing value on one side
 * gets null statistics and is not drifted; a column the source does not contain at all counts as empty.
 *
 * @example
 * const report = await computeDrift(ch, source, [{ name: 'age', kind: 'numeric' }, { name: 'plan', kind: 'categorical' }])
 * report.columns[0]?.drift_score // normed Wasserstein distance of age (reference > 1000 values)
 */
export async function computeDrift(ch: ClickHouse, source: DriftSource, columns: DriftColumn[], options: DriftOptions = {}): Promise<DriftReport> {
  const names = new Set<string>()
  for (const column of columns) {
    if (names.has(column.name)) throw new ModelwatchError('USAGE', `drift column ${JSON.stringify(column.name)} is listed twice`)
    names.add(column.name)
    resolveRule({ ...column, nReference: 0 }, options) // a rule that cannot apply fails before the queries run
  }
  const numeric = columns.filter((c) => c.kind === 'numeric').map((c) => c.name)
  const categorical = columns.filter((c) => c.kind === 'categorical').map((c) => c.name)
  const numericRows = await numericStatistics(ch, source, numeric)
  const categoricalRows = await categoricalStatistics(ch, source, categorical)
  return driftReport(columns, numericRows, categoricalRows, options)
}

/** Statistics per column as the two queries return them; the numeric rows need only these fields. */
export type NumericInputs = Pick<NumericStatisticsRow, 'column' | 'rows_current' | 'n_reference' | 'n_current' | 'ks_numerator' | 'wasserstein' | 'reference_std' | 'psi' | 'jensen_shannon'>

/**
 * The report from statistics rows, wherever they were computed (raw rows, or bins from the per-minute aggregates):
 * p-values, decisions and the dataset verdict. A column without a row counts as empty.
 *
 * @example
 * const report = driftReport([{ name: 'age', kind: 'numeric' }], numericRows, [], {})
 */
export function driftReport(columns: DriftColumn[], numericRows: NumericInputs[], categoricalRows: CategoricalStatisticsRow[], options: DriftOptions = {}): DriftReport {
  const numericByName = new Map(numericRows.map((row) => [row.column, row]))
  const categoricalByName = new Map(categoricalRows.map((row) => [row.column, row]))
  const results: ColumnDrift[] = columns.map((column) =>
    column.kind === 'numeric'
      ? numericDrift(column.name, numericByName.get(column.name), options)
      : categoricalDrift(column.name, categoricalByName.get(column.name), options),
  )
  return { columns: results, ...datasetDrift(results.map((c) => c.drifted), options) }
}

/** Missing current values over all current rows; null without current rows. */
function missingShare(rowsCurrent: number, nCurrent: number): number | null {
  return rowsCurrent === 0 ? null : (rowsCurrent - nCurrent) / rowsCurrent
}

/** A finite number, or null (ClickHouse's NaN and infinities arrive as null already; this also catches the rest). */
function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

/** The fields every column reports, whatever its kind, with the decision taken on `stats`. */
function commonFields(name: string, nReference: number, nCurrent: number, rowsCurrent: number, rule: ResolvedRule, stats: DecisionInputs & { psi: number | null; jensen_shannon: number | null }) {
  const { score, drifted } = decide(rule, stats)
  return {
    name,
    n_reference: nReference,
    n_current: nCurrent,
    missing_share: missingShare(rowsCurrent, nCurrent),
    psi: stats.psi,
    jensen_shannon: stats.jensen_shannon,
    drifted,
    drift_method: rule.method,
    drift_score: score,
  }
}

function numericDrift(name: string, row: NumericInputs | undefined, options: DriftOptions): NumericColumnDrift {
  const nReference = row?.n_reference ?? 0
  const nCurrent = row?.n_current ?? 0
  const rule = resolveRule({ name, kind: 'numeric', nReference }, options)
  const computable = row !== undefined && nReference > 0 && nCurrent > 0
  const d = computable ? row.ks_numerator / (nReference * nCurrent) : null
  const wasserstein = computable ? finite(row.wasserstein) : null
  const std = computable ? finite(row.reference_std) : null
  const stats = {
    psi: computable ? finite(row.psi) : null,
    jensen_shannon: computable ? finite(row.jensen_shannon) : null,
    ks: { statistic: d, p_value: d === null ? null : finite(ksPValue(d, nReference, nCurrent)) },
    wasserstein,
    wasserstein_normed: wasserstein === null || std === null ? null : wasserstein / Math.max(std, STD_FLOOR),
  }
  return {
    ...commonFields(name, nReference, nCurrent, row?.rows_current ?? 0, rule, stats),
    kind: 'numeric',
    ks: stats.ks,
    wasserstein: stats.wasserstein,
    wasserstein_normed: stats.wasserstein_normed,
  }
}

function categoricalDrift(name: string, row: CategoricalStatisticsRow | undefined, options: DriftOptions): CategoricalColumnDrift {
  const nReference = row?.n_reference ?? 0
  const nCurrent = row?.n_current ?? 0
  const rule = resolveRule({ name, kind: 'categorical', nReference }, options)
  const computable = row !== undefined && nReference > 0 && nCurrent > 0
  // Without a current value in a reference category there is nothing to test (the expected counts are all 0).
  const statistic = computable && row.new_category_share !== 1 ? finite(row.chi2_statistic) : null
  const df = (row?.reference_categories ?? 0) - 1
  const stats = {
    psi: computable ? finite(row.psi) : null,
    jensen_shannon: computable ? finite(row.jensen_shannon) : null,
    chi2: { statistic, p_value: statistic === null || df < 1 ? null : finite(chiSquareSurvival(statistic, df)) },
  }
  return {
    ...commonFields(name, nReference, nCurrent, row?.rows_current ?? 0, rule, stats),
    kind: 'categorical',
    chi2: stats.chi2,
    new_category_share: nCurrent > 0 ? finite(row?.new_category_share) : null,
  }
}
