/**
 * Numeric drift statistics for every numeric column in one query: one pass over the rows groups each column's
 * values, one sort per column merges both sides, and everything else is read off that merged order.
 * Definitions (docs/statistics.md, "Numeric columns"):
 *
 *   missing      NULL, NaN and ±Inf; excluded, counted per side.
 *   KS D         sup |F_ref − F_cur| over the merged sorted values, evaluated at the last value of each tie group;
 *                exact: kept as the integer max |cum_ref · n_cur − cum_cur · n_ref| = D · n_ref · n_cur.
 *   Wasserstein  ∫ |F_ref − F_cur| dx = Σ |F_ref(x_i) − F_cur(x_i)| · (x_(i+1) − x_i) over the merged values
 *                (steps inside a tie group are 0), as scipy.stats.wasserstein_distance.
 *   bins         edges = reference quantiles at 0.1 … 0.9, linear interpolation bit for bit as numpy
 *                (h = (n − 1) q, lerp with numpy's t >= 0.5 form); bin of v = number of edges < v.
 *   PSI, JS      on the 10 bin proportions (distances-sql.ts).
 *   std          population standard deviation of the reference (two-pass, as numpy.std).
 *
 * Why one sort: ClickHouse sorts arrays fast but cannot look values up in another array without copying it,
 * so the two sides are merged by sorting them together. Each value becomes a 64-bit key that orders like the
 * value, with the side in the lowest bit (ties: reference first). A double needs all 64 bits, but negative and
 * non-negative values each need only 63, so they are sorted as two arrays and concatenated; that keeps the
 * merge exact for every finite double.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { withSource, type DriftSource } from '../sql-source.js'
import { binDistancesSql } from './distances-sql.js'

/** The 9 inner bin edges: reference quantiles at these levels (as SQL literals, so both sides see the same doubles). */
const DECILES = ['0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9'] as const

/** Bin edge k: numpy's linear quantile of the sorted reference at `level` (h = (n − 1) · level, lerp in numpy's form). */
function edgeSql(k: number, level: string): string {
  const lo = `toUInt64(greatest(floor((n_reference - 1) * ${level}), 0))`
  return `((n_reference - 1) * ${level}) AS h${k}, h${k} - floor(h${k}) AS t${k},
      reference[${lo} + 1] AS a${k}, reference[least(${lo} + 1, n_reference - 1) + 1] AS b${k},
      if(t${k} >= 0.5, b${k} - (b${k} - a${k}) * (1 - t${k}), a${k} + (b${k} - a${k}) * t${k}) AS e${k}`
}

/**
 * How many values of each side are <= edge k. Every merged value before the first occurrence of the last reference
 * value <= edge is <= edge, every value from the first occurrence of the next reference value on is > edge
 * (found by binary search: indexOfAssumeSorted returns the first occurrence), so only the values between are
 * compared: usually a handful, all of them only when the two sides barely overlap.
 */
function edgeCountSql(k: number): string {
  return `arrayCount(v -> v <= e${k}, reference) AS reference_le${k},
      if(reference_le${k} = 0, 0, indexOfAssumeSorted(merged, reference[reference_le${k}]) - 1) AS from${k},
      if(reference_le${k} = n_reference, length(merged), indexOfAssumeSorted(merged, reference[reference_le${k} + 1]) - 1) AS to${k},
      from${k} + arrayCount(v -> v <= e${k}, arraySlice(merged, from${k} + 1, to${k} - from${k})) - reference_le${k} AS current_le${k}`
}

const each = (f: (k: number, level: string) => string, separator = ',\n      '): string => DECILES.map((level, i) => f(i + 1, level)).join(separator)

/**
 * The 9 edges as SQL, over a layer with `reference` (the sorted non-missing reference values) and `n_reference`
 * (their count): `edgeColumnsSql()` in one SELECT defines e1 … e9, `EDGES_SQL` in the next collects them. Also
 * what the per-minute aggregates bin against (services/monitor/aggregates/), so both paths share the same doubles.
 *
 * @example
 * `SELECT ${EDGES_SQL} AS edges FROM (SELECT *, ${edgeColumnsSql()} FROM sorted_reference)`
 */
export const edgeColumnsSql = (): string => each(edgeSql)
export const EDGES_SQL = `[${each((k) => `e${k}`, ', ')}]`

// Layered so each alias is a column of the layer above: ClickHouse expands an alias at every use, and chained
// aliases of big array expressions would otherwise grow the query tree past its limit. Lambdas capture only
// scalars (a captured array would be copied once per element).
const NUMERIC_SQL = `
SELECT
  column, rows_reference, rows_current, n_reference, n_current,
  ks_numerator, wasserstein, reference_std, edges, reference_bins, current_bins, psi, jensen_shannon
FROM (${binDistancesSql(`
    SELECT *,
      ${EDGES_SQL} AS edges,
      arrayPopFront(arrayDifference([0, ${each((k) => `toInt64(reference_le${k})`, ', ')}, toInt64(n_reference)])) AS reference_bins,
      arrayPopFront(arrayDifference([0, ${each((k) => `toInt64(current_le${k})`, ', ')}, toInt64(n_current)])) AS current_bins
    FROM (
      SELECT *,
        ${each(edgeCountSql)}
      FROM (
        SELECT *,
          -- KS: the largest gap where the next value differs (the end of a tie group)
          arrayMax(arrayFilter((g, s) -> s > 0, scaled_gap, steps)) AS ks_numerator,
          arrayDotProduct(scaled_gap, steps) / (n_reference * n_current) AS wasserstein,
          sqrt(arrayAvg(arrayMap(v -> (v - reference_mean) * (v - reference_mean), reference))) AS reference_std,
          ${edgeColumnsSql()}
        FROM (
          SELECT *,
            -- |F_ref − F_cur| · n_ref · n_cur at each merged value, exact in integers: each reference value
            -- adds n_cur, each current value subtracts n_ref
            arrayMap(g -> abs(g), arrayCumSum(arrayMap(s -> if(s = 1, minus_n_reference, plus_n_current), sides))) AS scaled_gap,
            -- distance from each merged value to the next: 0 inside a tie group, and 0 after the last value
            -- (where the gap is 0 too); arrayDifference gives the distance to the previous one, rotated into place
            arrayRotateLeft(arrayDifference(merged), 1) AS steps,
            arrayFilter((v, s) -> s = 0, merged, sides) AS reference,
            arrayAvg(reference) AS reference_mean
          FROM (
            SELECT *,
              arraySum(sides) AS n_current,
              length(sides) - n_current AS n_reference,
              toInt64(n_current) AS plus_n_current,
              -toInt64(n_reference) AS minus_n_reference
            FROM (
              -- both sides merged in value order (negatives first; decoding undoes the key: shift back, flip negatives
              -- back, which also restores their sign bit), and the side of each value (0 reference, 1 current)
              SELECT column, rows_reference, rows_current,
                arrayConcat(
                  arrayMap(k -> reinterpretAsFloat64(bitNot(bitShiftRight(k, 1))), negative_keys),
                  arrayMap(k -> reinterpretAsFloat64(bitShiftRight(k, 1)), non_negative_keys)) AS merged,
                arrayConcat(arrayMap(k -> toUInt8(bitAnd(k, 1)), negative_keys), arrayMap(k -> toUInt8(bitAnd(k, 1)), non_negative_keys)) AS sides
              FROM (
                -- the one pass over the rows
                SELECT
                  column,
                  countIf(side = 0) AS rows_reference,
                  count() - rows_reference AS rows_current,
                  arraySort(groupArrayIf(key, present AND value < 0)) AS negative_keys,
                  arraySort(groupArrayIf(key, present AND value >= 0)) AS non_negative_keys
                FROM (
                  SELECT
                    column, side,
                    isNotNull(num) AND isFinite(assumeNotNull(num)) AS present,
                    assumeNotNull(num) AS value, -- (arbitrary where NULL; those rows are not present)
                    -- key = 63 bits that order like the value within its sign, then the side: v >= 0 keeps its bits (sign
                    -- bit 0, shifted out); v < 0 flips them, reversing the magnitude order (sign bit 1 -> 0, shifted out).
                    -- −0 is not < 0: the shift drops its sign bit, so it ties with +0
                    bitOr(bitShiftLeft(if(value < 0, bitNot(reinterpretAsUInt64(value)), reinterpretAsUInt64(value)), 1), side != 0) AS key
                  FROM src
                  WHERE column IN {numeric_columns:Array(String)}
                )
                GROUP BY column
              )
            )
          )
        )
      )
    )
  `)}
)`

/** What the numeric query returns per column, before p-values and decisions. */
export interface NumericStatisticsRow {
  column: string
  rows_reference: number
  rows_current: number
  n_reference: number
  n_current: number
  /** D · n_reference · n_current, an integer. */
  ks_numerator: number
  wasserstein: number | null
  reference_std: number | null
  edges: (number | null)[]
  reference_bins: number[]
  current_bins: number[]
  psi: number | null
  jensen_shannon: number | null
}

/**
 * Runs the numeric drift query over `columns` (names of numeric columns in the source).
 * Values are as ClickHouse computes them; NaN and infinities come back as null. Callers check the counts
 * before reading the statistics (an empty side makes them meaningless).
 *
 * @example
 * const rows = await numericStatistics(ch, source, ['age', 'income'])
 */
export async function numericStatistics(ch: ClickHouse, source: DriftSource, columns: string[]): Promise<NumericStatisticsRow[]> {
  if (columns.length === 0) return []
  const { query, params } = withSource(source, NUMERIC_SQL, { numeric_columns: columns })
  const result = await ch.client.query({ query, query_params: params, format: 'JSONEachRow' })
  return result.json<NumericStatisticsRow>()
}
