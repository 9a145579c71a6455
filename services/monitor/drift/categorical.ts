/**
 * Categorical drift statistics for every categorical column in one query. Definitions (docs/statistics.md,
 * "Categorical columns"):
 *
 *   missing             NULL; excluded, counted per side.
 *   bins                the union of categories seen in the reference and the current values.
 *   PSI, JS             on the category proportions (distances-sql.ts).
 *   chi-square          over the reference categories only: observed = current counts, expected = reference counts
 *                       scaled to the current count of those categories (so both sum to the same total, as
 *                       scipy.stats.chisquare requires); statistic Σ (obs − exp)² / exp, df = reference categories − 1.
 *   new_category_share  current values whose category the reference never saw / current non-missing values.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { withSource, type DriftSource } from '../sql-source.js'
import { jensenShannonSql, psiSql } from './distances-sql.js'

/**
 * The statistics over a relation of counts: one row per (column, category) with `reference_count` and
 * `current_count`, the missing values as category NULL. Raw rows (below) and the per-minute aggregates
 * (services/monitor/aggregates/) both feed it, so the two paths agree bit for bit; categories are ordered by
 * name so every sum adds in the same order whatever order the groups arrive in.
 *
 * @example
 * categoricalStatisticsSql('SELECT column, category, reference_count, current_count FROM counts')
 */
export function categoricalStatisticsSql(counts: string): string {
  return `
SELECT
  column, rows_reference, rows_current, n_reference, n_current, categories, reference_categories,
  psi, jensen_shannon, chi2_statistic, new_category_share
FROM (
  SELECT
    column,
    sum(reference_count) AS rows_reference,
    sum(current_count) AS rows_current,
    -- one array element per category, in category order (the missing values' NULL group left out)
    arraySort(t -> t.1, groupArrayIf((assumeNotNull(category), reference_count, current_count), category IS NOT NULL)) AS by_category,
    arrayMap(t -> t.2, by_category) AS r,
    arrayMap(t -> t.3, by_category) AS c,
    arraySum(r) AS n_reference,
    arraySum(c) AS n_current,
    length(r) AS categories,
    arrayCount(x -> x > 0, r) AS reference_categories,
    arrayMap(x -> x / n_reference, r) AS p,
    arrayMap(x -> x / n_current, c) AS q,
    ${psiSql('p', 'q')} AS psi,
    ${jensenShannonSql('p', 'q')} AS jensen_shannon,
    -- current values in reference categories: the total both observed and expected counts sum to
    arraySum((x, y) -> if(x > 0, y, 0), r, c) AS current_in_reference,
    arraySum((x, y) -> if(x > 0, pow(y - x * current_in_reference / n_reference, 2) / (x * current_in_reference / n_reference), 0), r, c) AS chi2_statistic,
    (n_current - current_in_reference) / n_current AS new_category_share
  FROM (${counts})
  GROUP BY column
)`
}

const CATEGORICAL_SQL = categoricalStatisticsSql(`
    SELECT column, cat AS category, countIf(side = 0) AS reference_count, count() - reference_count AS current_count
    FROM src
    WHERE column IN {categorical_columns:Array(String)}
    GROUP BY column, category`)

/** What the categorical query returns per column, before the p-value and the decision. */
export interface CategoricalStatisticsRow {
  column: string
  rows_reference: number
  rows_current: number
  n_reference: number
  n_current: number
  /** Categories seen on either side. */
  categories: number
  /** Categories seen in the reference: the chi-square test has this minus one degrees of freedom. */
  reference_categories: number
  psi: number | null
  jensen_shannon: number | null
  chi2_statistic: number | null
  new_category_share: number | null
}

/**
 * Runs the categorical drift query over `columns` (names of categorical columns in the source).
 *
 * @example
 * const rows = await categoricalStatistics(ch, source, ['plan', 'country'])
 */
export async function categoricalStatistics(ch: ClickHouse, source: DriftSource, columns: string[]): Promise<CategoricalStatisticsRow[]> {
  if (columns.length === 0) return []
  const { query, params } = withSource(source, CATEGORICAL_SQL, { categorical_columns: columns })
  const result = await ch.client.query({ query, query_params: params, format: 'JSONEachRow' })
  return result.json<CategoricalStatisticsRow>()
}
