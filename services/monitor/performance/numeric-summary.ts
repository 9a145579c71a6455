/**
 * The numeric side of the prediction distribution: mean, population standard deviation and exact quantiles
 * of a score, confidence or value, as SQL select items and the parser of what they return.
 */
import { QUANTILES, type NumericSummary } from './metrics.js'

/**
 * Select items summarising the nullable Float64 expression `expr` (NULLs are skipped) as `<prefix>_n`,
 * `_mean`, `_std`, `_q`. `quantilesExactInclusive` interpolates linearly between order statistics
 * (Hyndman–Fan type 7, numpy's default); `stddevPopStable` is Welford's, population (÷ n).
 *
 * @example
 * const items = summarySql('s', 'score') // "count(score) AS s_n, avg(score) AS s_mean, …"
 */
export function summarySql(prefix: string, expr: string): string {
  const levels = QUANTILES.join(', ')
  return [
    `count(${expr}) AS ${prefix}_n`,
    `avg(${expr}) AS ${prefix}_mean`,
    `stddevPopStable(${expr}) AS ${prefix}_std`,
    `quantilesExactInclusive(${levels})(${expr}) AS ${prefix}_q`,
  ].join(',\n    ')
}

/**
 * Reads the columns `summarySql(prefix, …)` produced; null when no row had a value.
 *
 * @example
 * parseSummary({ s_n: 2, s_mean: 0.5, s_std: 0.5, s_q: [0.05, 0.25, 0.5, 0.75, 0.95] }, 's')
 */
export function parseSummary(row: Record<string, unknown>, prefix: string): NumericSummary | null {
  const count = Number(row[`${prefix}_n`] ?? 0)
  if (count === 0) return null
  const q = row[`${prefix}_q`]
  const at = (i: number): number => (Array.isArray(q) ? Number(q[i]) : Number.NaN)
  return {
    count,
    mean: Number(row[`${prefix}_mean`]),
    std: Number(row[`${prefix}_std`]),
    p05: at(0),
    p25: at(1),
    p50: at(2),
    p75: at(3),
    p95: at(4),
  }
}
