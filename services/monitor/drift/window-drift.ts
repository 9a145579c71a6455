/**
 * Drift of one monitor window from two paths (docs/statistics.md, "Which path computes what"):
 *   raw rows     KS and Wasserstein of every numeric column (they need the values), and with them the exact
 *                counts of the window: rows (predictions, FINAL) and non-missing values per column;
 *   aggregates   PSI, JS, chi-square, new-category, missing and out-of-range shares of the features, merged from
 *                the per-minute counts (services/monitor/aggregates/).
 * Ingest is at least once, and a redelivery cut into other batches is counted twice by the materialized views
 * though FINAL sees it once. So the aggregates' counts are compared with the raw ones, and a column whose counts
 * differ gets its bins from raw rows: published values are always the exact ones.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { outOfRangeShares } from '../data-quality/out-of-range.js'
import { LABEL_COLUMN, PREDICTION_COLUMN, type DriftColumn, type DriftSource } from '../sql-source.js'
import { categoricalWindowCounts, numericWindowBins, type AggregateWindow } from '../aggregates/window-counts.js'
import { categoricalStatistics, type CategoricalStatisticsRow } from './categorical.js'
import { driftReport, type NumericInputs } from './index.js'
import { numericStatistics } from './numeric.js'
import type { DriftOptions, DriftReport } from './report.js'

export interface WindowDrift {
  report: DriftReport
  /** Out-of-range share of each numeric feature (every numeric column but the prediction and the label). */
  outOfRange: Map<string, number | null>
  /** Columns whose bin statistics came from the aggregates; every other column's came from raw rows. */
  fromAggregates: string[]
}

export interface WindowAggregates {
  window: AggregateWindow
  /** The columns the aggregates hold: the model's features. */
  columns: string[]
}

/**
 * The window's drift report, bins from the aggregates where they agree with the raw counts. Without
 * `aggregates` (a rolling reference, a window not made of whole minutes) everything comes from raw rows.
 *
 * @example
 * const { report, outOfRange } = await computeWindowDrift(ch, source, columns, options, { window, columns: ['age', 'plan'] })
 */
export async function computeWindowDrift(ch: ClickHouse, source: DriftSource, columns: DriftColumn[], options: DriftOptions, aggregates: WindowAggregates | undefined): Promise<WindowDrift> {
  const held = new Set(aggregates?.columns ?? [])
  const numeric = columns.filter((c) => c.kind === 'numeric').map((c) => c.name)
  const categorical = columns.filter((c) => c.kind === 'categorical').map((c) => c.name)
  const numericHeld = numeric.filter((c) => held.has(c))
  const categoricalHeld = categorical.filter((c) => held.has(c))

  const numericRows: NumericInputs[] = await numericStatistics(ch, source, numeric)
  const categoricalRaw = await categoricalStatistics(ch, source, categorical.filter((c) => !held.has(c)))
  // The exact number of predictions in the window: every prediction gives every feature a row, missing or not
  // (the label only labelled ones).
  const exactRows = [...numericRows, ...categoricalRaw].find((r) => r.column !== LABEL_COLUMN)?.rows_current
  const fromAggregates: string[] = []
  const outOfRange = new Map<string, number | null>()

  if (aggregates !== undefined) {
    for (const bins of await numericWindowBins(ch, aggregates.window, numericHeld)) {
      const raw = numericRows.find((r) => r.column === bins.column)
      if (raw === undefined || bins.rows_current !== raw.rows_current || bins.n_current !== raw.n_current || bins.n_reference !== raw.n_reference) continue
      Object.assign(raw, { psi: bins.psi, jensen_shannon: bins.jensen_shannon })
      outOfRange.set(bins.column, bins.out_of_range_share)
      fromAggregates.push(bins.column)
    }
  }
  const categoricalRows: CategoricalStatisticsRow[] = [...categoricalRaw]
  let categoricalFallback = categoricalHeld
  if (aggregates !== undefined && exactRows !== undefined && categoricalHeld.length > 0) {
    const merged = await categoricalWindowCounts(ch, aggregates.window, categoricalHeld)
    // the aggregates' rows_current is their prediction count; equal to the exact one, no event was counted twice
    const agreeing = merged.filter((r) => r.rows_current === exactRows && r.rows_reference > 0)
    categoricalRows.push(...agreeing)
    fromAggregates.push(...agreeing.map((r) => r.column))
    categoricalFallback = categoricalHeld.filter((c) => !agreeing.some((r) => r.column === c))
  }
  categoricalRows.push(...(await categoricalStatistics(ch, source, categoricalFallback)))

  const rawOutOfRange = numeric.filter((c) => c !== PREDICTION_COLUMN && c !== LABEL_COLUMN && !outOfRange.has(c))
  if (rawOutOfRange.length > 0) {
    const shares = await outOfRangeShares(ch, source)
    for (const c of rawOutOfRange) outOfRange.set(c, shares.get(c) ?? null)
  }
  return { report: driftReport(columns, numericRows, categoricalRows, options), outOfRange, fromAggregates }
}
