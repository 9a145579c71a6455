/**
 * Comparison monitors (`compare:<metric>`): what they read and how they judge. The series of a comparison
 * monitor is one challenger version (the alert's model_version) in one segment; its point is the latest
 * evaluation in comparison_results (services/compare/comparison-runs.ts writes one per closed window), with
 * value = the difference challenger − champion, n = the smaller of the two versions' rows, and the whole
 * comparison as evidence. `{concluded: better|worse}` judges the sequential test on the key metric's row;
 * `{above: X}` / `{below: X}` judge the difference. A challenger no longer compared (promoted, archived)
 * writes no new rows, leaves the lookback and its alert resolves.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import type { ComparisonRow } from '../compare/comparison-rows.js'
import type { ModelSpec } from '../monitor/models/model-spec.js'
import { judge } from './conditions.js'
import type { Observation } from './evaluate.js'
import { statisticKind, type MonitorSpec } from './monitor-spec.js'
import type { ComparisonEvidence } from './notification.js'

/** Windows back from now an evaluation stays current: one is written per closed window. */
const LOOKBACK_WINDOWS = 2

/**
 * Observations from comparison rows (any order): the latest evaluation per challenger and segment.
 *
 * @example
 * const observations = judgeComparisons(monitor, rows)
 */
export function judgeComparisons(monitor: MonitorSpec, rows: readonly ComparisonRow[]): Observation[] {
  const latest = new Map<string, ComparisonRow>()
  for (const r of rows) {
    const key = `${r.challenger}\t${r.segment}`
    const seen = latest.get(key)
    if (seen === undefined || r.period_end > seen.period_end || (r.period_end === seen.period_end && r.computed_at > seen.computed_at)) latest.set(key, r)
  }
  return [...latest.values()].map((r) => {
    const n = Math.min(r.n_champion, r.n_challenger)
    const point = {
      model_version: r.challenger, segment: r.segment, column: '', window_start: r.period_start, window_end: r.period_end,
      value: r.difference, n, is_final: true, reference_id: '', n_reference: r.n_champion,
    }
    const id = { model_version: r.challenger, segment: r.segment, column: '', point, comparison: toEvidence(r) }
    if (n < monitor.min_samples) return { ...id, outcome: 'insufficient', value: r.difference, baseline: null, reason: `${n} samples, fewer than min_samples ${monitor.min_samples}` }
    // Only the key metric's row carries the sequential test (sequential_alpha is set there alone).
    const judged = judge(monitor.condition, { value: r.difference, ...(r.sequential_alpha === null ? {} : { concluded: r.sequential_concluded }) })
    return { ...id, outcome: judged.outcome, value: r.difference, baseline: judged.baseline, ...(judged.reason === undefined ? {} : { reason: judged.reason }) }
  })
}

/**
 * Reads and judges one comparison monitor.
 *
 * @example
 * const observations = await evaluateComparisonMonitor(ch, monitor, model, Date.now())
 */
export async function evaluateComparisonMonitor(ch: ClickHouse, monitor: MonitorSpec, model: ModelSpec, now: number): Promise<Observation[]> {
  const kind = statisticKind(monitor.statistic)
  if (kind.kind !== 'compare') throw new Error(`${monitor.statistic} is not a compare:<metric> statistic`)
  const w = (monitor.window ?? model.default_window) * 1000
  const result = await ch.client.query({
    // Aliases other than the columns' names: WHERE would otherwise compare the milliseconds with a DateTime64.
    query: `SELECT * EXCEPT (period_start, period_end, computed_at), toUnixTimestamp64Milli(period_start) AS start_ms,
        toUnixTimestamp64Milli(period_end) AS end_ms, toUnixTimestamp64Milli(computed_at) AS computed_ms
      FROM comparison_results FINAL
      WHERE model = {model:String} AND metric = {metric:String}
        AND ({any_version:UInt8} OR challenger = {version:String})
        AND ({any_segment:UInt8} OR segment = {segment:String})
        AND period_end >= fromUnixTimestamp64Milli({from:Int64}) AND period_end <= fromUnixTimestamp64Milli({to:Int64})`,
    query_params: {
      model: monitor.model, metric: kind.metric, any_version: monitor.version === undefined ? 1 : 0, version: monitor.version ?? '',
      any_segment: monitor.segment === '*' ? 1 : 0, segment: monitor.segment === '*' ? '' : (monitor.segment ?? ''),
      from: now - LOOKBACK_WINDOWS * w, to: now,
    },
    format: 'JSONEachRow',
  })
  type Stored = Omit<ComparisonRow, 'period_start' | 'period_end' | 'computed_at'> & { start_ms: number; end_ms: number; computed_ms: number }
  const rows = (await result.json<Stored>()).map(({ start_ms, end_ms, computed_ms, ...r }): ComparisonRow => ({
    ...r, period_start: Number(start_ms), period_end: Number(end_ms), computed_at: Number(computed_ms), n_champion: Number(r.n_champion), n_challenger: Number(r.n_challenger),
  }))
  return judgeComparisons(monitor, rows)
}

function toEvidence(r: ComparisonRow): ComparisonEvidence {
  return {
    metric: r.metric,
    champion: { version: r.champion, value: r.value_champion, low: r.value_champion_low, high: r.value_champion_high, n: r.n_champion },
    challenger: { version: r.challenger, value: r.value_challenger, low: r.value_challenger_low, high: r.value_challenger_high, n: r.n_challenger },
    difference: r.difference, difference_low: r.difference_low, difference_high: r.difference_high,
    p_value: r.p_value, p_value_adjusted: r.p_value_adjusted, verdict: r.verdict,
    sequential: r.sequential_alpha === null ? null : { p_value: r.sequential_p_value, low: r.sequential_low, high: r.sequential_high, alpha: r.sequential_alpha, concluded: r.sequential_concluded },
    paired: Boolean(r.paired),
    period_start: r.period_start,
    period_end: r.period_end,
  }
}
