/**
 * Drift statistics over bins for one window, read from the per-minute counts (a merge of a few thousand rows,
 * whatever the window's size) and the reference's stored counts. The statistics go through the same SQL as the
 * raw-row queries (binDistancesSql, categoricalStatisticsSql), so equal counts give bit-identical values; the
 * caller compares the counts with its raw query's before trusting them (see drift/window-drift.ts).
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { categoricalStatisticsSql, type CategoricalStatisticsRow } from '../drift/categorical.js'
import { binDistancesSql } from '../drift/distances-sql.js'
import { REFERENCE_ROWS_COLUMN } from './reference-profile.js'

/** One version's window against its stored reference; from and to are ms since the epoch, whole minutes. */
export interface AggregateWindow {
  model: string
  version: string
  referenceId: string
  from: number
  to: number
}

/** What the aggregates give per numeric column. */
export interface NumericBinsRow {
  column: string
  /** Predictions in the window as the aggregates counted them (all of them, not only this column's). */
  rows_current: number
  n_reference: number
  n_current: number
  reference_bins: number[]
  current_bins: number[]
  psi: number | null
  jensen_shannon: number | null
  /** Share of the current non-missing values outside the reference's [min, max]; null without any. */
  out_of_range_share: number | null
}

/** Categorical statistics plus the window's prediction count as the aggregates saw it. */
export type CategoricalCountsRow = CategoricalStatisticsRow

// Scalars and the union of both sides' counts, shared by the two queries. minute_counts is read without FINAL:
// SummingMergeTree rows only ever add up, so sum(n) is the same before and after merges.
const WINDOW_SQL = `
WITH
  -- (a scalar subquery is Nullable; ifNull keeps the counts UInt64 like the raw query's)
  ifNull((SELECT sum(n) FROM minute_counts
   WHERE model = {model:String} AND model_version = {version:String} AND column = '__events__'
     AND minute >= toDateTime(intDiv({from:Int64}, 1000), 'UTC') AND minute < toDateTime(intDiv({to:Int64}, 1000), 'UTC')), 0) AS events,
  ifNull((SELECT sum(n) FROM reference_counts FINAL WHERE reference_id = {ref:String} AND column = '${REFERENCE_ROWS_COLUMN}'), 0) AS reference_rows,
  counts AS (
    SELECT 0 AS side, column, bucket, n FROM reference_counts FINAL
    WHERE reference_id = {ref:String} AND column IN {columns:Array(String)}
    UNION ALL
    SELECT 1 AS side, column, bucket, n FROM minute_counts
    WHERE model = {model:String} AND model_version = {version:String} AND column IN {columns:Array(String)} AND reference_id = {bins_ref:String}
      AND minute >= toDateTime(intDiv({from:Int64}, 1000), 'UTC') AND minute < toDateTime(intDiv({to:Int64}, 1000), 'UTC')
  )`

/** Bin i of one side: bucket i, with below in bin 0 and above in bin 9 (they hold no other values). */
const binsSql = (side: 0 | 1): string =>
  `[${Array.from({ length: 10 }, (_, i) => {
    const buckets = [...(i === 0 ? ["'below'"] : []), `'${i}'`, ...(i === 9 ? ["'above'"] : [])]
    return `sumIf(n, side = ${side} AND bucket IN (${buckets.join(', ')}))`
  }).join(', ')}]`

const NUMERIC_SQL = `${WINDOW_SQL}
SELECT column, events AS rows_current, n_reference, n_current, reference_bins, current_bins, psi, jensen_shannon,
  if(n_current = 0, NULL, current_out_of_range / n_current) AS out_of_range_share
FROM (${binDistancesSql(`
  SELECT column,
    ${binsSql(0)} AS reference_bins,
    ${binsSql(1)} AS current_bins,
    arraySum(reference_bins) AS n_reference,
    arraySum(current_bins) AS n_current,
    sumIf(n, side = 1 AND bucket IN ('below', 'above')) AS current_out_of_range
  FROM counts
  GROUP BY column`)})`

// The missing values enter as category NULL, rows minus values, as the raw query groups them; every asked column
// gets that row, so a column without any value still reports its counts.
const CATEGORICAL_SQL = `${WINDOW_SQL}
${categoricalStatisticsSql(`
  SELECT column, toNullable(bucket) AS category, sumIf(n, side = 0) AS reference_count, sumIf(n, side = 1) AS current_count
  FROM counts
  GROUP BY column, bucket
  UNION ALL
  SELECT l.column, CAST(NULL, 'Nullable(String)'), toUInt64(reference_rows - least(reference_rows, s.r)), toUInt64(events - least(events, s.c))
  FROM (SELECT arrayJoin({columns:Array(String)}) AS column) AS l
  LEFT JOIN (SELECT column, sumIf(n, side = 0) AS r, sumIf(n, side = 1) AS c FROM counts GROUP BY column) AS s ON s.column = l.column`)}`

function params(window: AggregateWindow, columns: string[], binsRef: string): Record<string, unknown> {
  return { model: window.model, version: window.version, ref: window.referenceId, bins_ref: binsRef, from: window.from, to: window.to, columns }
}

/**
 * PSI, JS and out-of-range share of numeric `columns` from the aggregates; columns the reference has no edges
 * for are absent.
 *
 * @example
 * const rows = await numericWindowBins(ch, { model: 'churn', version: '3', referenceId, from, to }, ['age'])
 */
export async function numericWindowBins(ch: ClickHouse, window: AggregateWindow, columns: string[]): Promise<NumericBinsRow[]> {
  if (columns.length === 0) return []
  const result = await ch.client.query({ query: NUMERIC_SQL, query_params: params(window, columns, window.referenceId), format: 'JSONEachRow' })
  return result.json<NumericBinsRow>()
}

/**
 * Categorical statistics of `columns` from the aggregates, one row per column asked.
 *
 * @example
 * const rows = await categoricalWindowCounts(ch, { model: 'churn', version: '3', referenceId, from, to }, ['plan'])
 */
export async function categoricalWindowCounts(ch: ClickHouse, window: AggregateWindow, columns: string[]): Promise<CategoricalCountsRow[]> {
  if (columns.length === 0) return []
  const result = await ch.client.query({ query: CATEGORICAL_SQL, query_params: params(window, columns, ''), format: 'JSONEachRow' })
  return result.json<CategoricalCountsRow>()
}
