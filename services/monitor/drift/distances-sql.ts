/**
 * SQL expressions shared by the numeric and the categorical query: distances between two arrays of bin
 * proportions (p: reference, q: current, aligned bin by bin). Written once so both kinds agree to the last digit.
 * The arguments are names of array columns (code constants, never user input).
 */

/** Floor applied to both proportions before PSI, so empty bins give a large but finite contribution. */
export const PSI_FLOOR = 1e-4

/**
 * Population stability index: Σ (q − p) · ln(q / p), p and q each floored at 1e-4, not renormalised.
 *
 * @example
 * `${psiSql('p', 'q')} AS psi`
 */
export function psiSql(p: string, q: string): string {
  return `arraySum((a, b) -> (greatest(b, ${PSI_FLOOR}) - greatest(a, ${PSI_FLOOR})) * log(greatest(b, ${PSI_FLOOR}) / greatest(a, ${PSI_FLOOR})), ${p}, ${q})`
}

/**
 * Jensen–Shannon distance, natural log, unfloored proportions: sqrt((KL(p‖m) + KL(q‖m)) / 2) with m = (p + q) / 2
 * and 0 · ln 0 = 0 (scipy.spatial.distance.jensenshannon). Rounding can leave the sum a hair below zero for identical
 * distributions; it is clamped at 0 so the square root stays defined.
 *
 * @example
 * `${jensenShannonSql('p', 'q')} AS jensen_shannon`
 */
export function jensenShannonSql(p: string, q: string): string {
  const kl = (x: string) => `arraySum((a, b) -> if(${x} > 0, ${x} * log(${x} / ((a + b) / 2)), 0), ${p}, ${q})`
  return `sqrt(greatest(0, (${kl('a')} + ${kl('b')}) / 2))`
}

/**
 * The layer that turns bin counts into PSI and JS, around a query that returns `reference_bins`, `current_bins`
 * (aligned count arrays), `n_reference` and `n_current`. The raw-row query (numeric.ts) and the per-minute
 * aggregates (services/monitor/aggregates/) both go through it, so the two paths agree bit for bit.
 *
 * @example
 * binDistancesSql('SELECT column, [1, 2] AS reference_bins, [2, 1] AS current_bins, 3 AS n_reference, 3 AS n_current')
 */
export function binDistancesSql(inner: string): string {
  return `
  SELECT *,
    arrayMap(c -> c / n_reference, reference_bins) AS p,
    arrayMap(c -> c / n_current, current_bins) AS q,
    ${psiSql('p', 'q')} AS psi,
    ${jensenShannonSql('p', 'q')} AS jensen_shannon
  FROM (${inner})`
}
