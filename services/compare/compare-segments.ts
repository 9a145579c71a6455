/**
 * Comparisons of several segments at once with the Benjamini–Hochberg adjustment across every metric of every
 * segment, so that looking at ten segments does not find a "better" one by chance: each segment is compared as
 * `compareVersions` does, then the adjusted p-values and verdicts are recomputed over all of them together.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import { benjaminiHochberg } from './benjamini-hochberg.js'
import { compareVersions, type CompareOptions, type ComparisonReport } from './compare-versions.js'
import { decideVerdict } from './verdict.js'

/**
 * One report per segment ('' is all traffic), p-values adjusted across all of them.
 *
 * @example
 * const [eu, us] = await compareSegments(ch, { model: 'churn', a: '3', b: '4', from, to }, ['region=eu', 'region=us'])
 */
export async function compareSegments(ch: ClickHouse, options: Omit<CompareOptions, 'segment'>, segments: readonly string[]): Promise<ComparisonReport[]> {
  const reports: ComparisonReport[] = []
  // one after another: each comparison already keeps the engine busy
  for (const segment of segments) reports.push(await compareVersions(ch, { ...options, segment }))
  const metrics = reports.flatMap((r) => r.metrics.map((m) => ({ report: r, metric: m })))
  // metrics without enough data took no part in the per-report adjustment and take none here
  const adjusted = benjaminiHochberg(metrics.map(({ metric }) => (metric.verdict === 'not_enough_data' || metric.pValue === null ? Number.NaN : metric.pValue)))
  return reports.map((report) => ({
    ...report,
    metrics: report.metrics.map((metric) => {
      const i = metrics.findIndex((m) => m.metric === metric)
      const p = adjusted[i] ?? Number.NaN
      if (metric.verdict === 'not_enough_data') return metric
      const verdict = decideVerdict({ enoughData: true, adjustedPValue: p, difference: metric.difference ?? Number.NaN, higherIsBetter: metric.higherIsBetter, alpha: report.alpha })
      return { ...metric, adjustedPValue: Number.isFinite(p) ? p : null, verdict }
    }),
  }))
}
