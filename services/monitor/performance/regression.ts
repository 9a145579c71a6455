/**
 * Regression metrics per grp, in one query over the source. Rows with both a label (label_value) and a
 * prediction (value) are evaluated; e = y − ŷ.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import type { PerformanceSource } from '../sql-source.js'
import { ratioOrNull } from './class-scores.js'
import type { RegressionMetrics } from './metrics.js'
import { parseSummary, summarySql } from './numeric-summary.js'
import { queryRows } from './query.js'

const SUMMARY = `
SELECT
    grp,
    count() AS count,
    countIf(label_value IS NOT NULL) AS labelled,
    countIf(ev) AS evaluated,
    -- MAE = mean |e|
    avgIf(abs(label_value - value), ev) AS mae,
    -- RMSE = sqrt(mean e²)
    sqrt(avgIf(pow(label_value - value, 2), ev)) AS rmse,
    -- MAPE = mean |e| / |y| over rows with y ≠ 0; rows with y = 0 are counted, not scored
    avgIf(abs(label_value - value) / abs(label_value), ev AND label_value != 0) AS mape,
    countIf(ev AND label_value = 0) AS mape_ignored,
    -- R² = 1 − SS_res / SS_tot, SS_tot = n · population variance of y (Welford's, stable); undefined for constant y
    sumIf(pow(label_value - value, 2), ev) AS ss_res,
    varPopStableIf(label_value, ev) * evaluated AS ss_tot,
    minIf(label_value, ev) = maxIf(label_value, ev) AS constant_labels,
    -- prediction distribution: all rows, labelled or not
    ${summarySql('value', 'value')}
FROM (SELECT *, label_value IS NOT NULL AND value IS NOT NULL AS ev FROM src)
GROUP BY grp
ORDER BY grp`

interface SummaryRow extends Record<string, unknown> {
  grp: string
  count: number
  labelled: number
  evaluated: number
  mae: number | null
  rmse: number | null
  mape: number | null
  mape_ignored: number
  ss_res: number | null
  ss_tot: number | null
  constant_labels: number | null
}

/**
 * Regression metrics for every grp of the source that has rows.
 *
 * @example
 * const byGroup = await regressionMetrics(ch, source)
 * byGroup.get('w1')?.rmse
 */
export async function regressionMetrics(ch: ClickHouse, source: PerformanceSource): Promise<Map<string, RegressionMetrics>> {
  const rows = await queryRows<SummaryRow>(ch, source, SUMMARY, {}, 'regression')
  const out = new Map<string, RegressionMetrics>()
  for (const r of rows) {
    const evaluated = r.evaluated > 0
    const r2 = evaluated && r.constant_labels === 0 && r.ss_res !== null && r.ss_tot !== null && r.ss_tot > 0 ? 1 - r.ss_res / r.ss_tot : null
    out.set(r.grp, {
      kind: 'regression',
      count: r.count,
      labelled: r.labelled,
      labelCoverage: ratioOrNull(r.labelled, r.count),
      evaluated: r.evaluated,
      mae: evaluated ? r.mae : null,
      rmse: evaluated ? r.rmse : null,
      mape: evaluated && r.evaluated > r.mape_ignored ? r.mape : null,
      mapeIgnored: r.mape_ignored,
      r2,
      prediction: { value: parseSummary(r, 'value') },
    })
  }
  return out
}
