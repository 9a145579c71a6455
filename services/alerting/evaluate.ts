/**
 * One evaluation of one monitor: read its latest windows (monitor-series.ts), then decide per series
 * (version × segment × column) whether the latest eligible window breaches, holds, or lacks data.
 * `evaluateSeries` is the pure part; `evaluateMonitor` adds the reading.
 *
 * Which window is judged: the latest one that is final (final_only) or else the latest one computed, as long
 * as it ended at most one window ago. Volume judges the last closed window, counting a window with no row as
 * 0 events, so a model that stops sending is a volume drop, not missing data.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import type { ModelSpec } from '../monitor/models/model-spec.js'
import { versionReferences } from '../monitor/references/index.js'
import { evaluateComparisonMonitor } from './comparison-series.js'
import { judge, type Outcome } from './conditions.js'
import { previousWindows, statisticKind, type MonitorSpec } from './monitor-spec.js'
import { readSeries, type SeriesPoint } from './monitor-series.js'
import type { ComparisonEvidence } from './notification.js'
import type { ReferenceBaselines } from './reference-baseline.js'

export interface Observation {
  model_version: string
  segment: string
  column: string
  outcome: Outcome
  value: number | null
  baseline: number | null
  /** The judged window; undefined when no window was eligible. */
  point?: SeriesPoint
  reason?: string
  /** Comparison monitors: the evaluation judged, for the notification. */
  comparison?: ComparisonEvidence
}

export interface SeriesContext {
  now: number
  windowSeconds: number
  /** The reference-data value of the statistic for `against: reference`, per version. */
  referenceValue?: (version: string) => Promise<number | null>
}

/**
 * Observations for every series in `points` (all points of one monitor, any order).
 *
 * @example
 * const observations = await evaluateSeries(monitor, points, { now: Date.now(), windowSeconds: 3600 })
 */
export async function evaluateSeries(monitor: MonitorSpec, points: SeriesPoint[], ctx: SeriesContext): Promise<Observation[]> {
  const bySeries = new Map<string, SeriesPoint[]>()
  for (const p of points) {
    const key = `${p.model_version}\t${p.segment}\t${p.column}`
    bySeries.set(key, [...(bySeries.get(key) ?? []), p])
  }
  const out: Observation[] = []
  for (const series of bySeries.values()) {
    series.sort((a, b) => a.window_start - b.window_start)
    out.push(await evaluateOne(monitor, series, ctx))
  }
  return out
}

async function evaluateOne(monitor: MonitorSpec, series: SeriesPoint[], ctx: SeriesContext): Promise<Observation> {
  const first = series[0] as SeriesPoint
  const id = { model_version: first.model_version, segment: first.segment, column: first.column }
  const w = ctx.windowSeconds * 1000
  const previousCount = previousWindows(monitor.condition)
  const insufficient = (reason: string, point?: SeriesPoint): Observation => ({ ...id, outcome: 'insufficient', value: point?.value ?? null, baseline: null, reason, ...(point === undefined ? {} : { point }) })

  if (statisticKind(monitor.statistic).kind === 'volume') {
    const start = Math.floor(ctx.now / w) * w - w
    const at = (s: number): SeriesPoint => series.find((p) => p.window_start === s) ?? { ...id, window_start: s, window_end: s + w, value: 0, n: 0, is_final: false }
    const point = at(start)
    const previous = Array.from({ length: previousCount }, (_, k) => at(start - (k + 1) * w).value ?? 0)
    const judged = judge(monitor.condition, { value: point.value, baselineValues: previous })
    return { ...id, outcome: judged.outcome, value: point.value, baseline: judged.baseline, point, ...(judged.reason === undefined ? {} : { reason: judged.reason }) }
  }

  const eligible = series.filter((p) => (!monitor.final_only || p.is_final) && p.window_start <= ctx.now)
  const point = eligible[eligible.length - 1]
  if (point === undefined) return insufficient(monitor.final_only ? 'no final window yet' : 'no window')
  if (!monitor.final_only && point.window_end < ctx.now - w) return insufficient('no recent window', point)
  if ((point.n ?? 0) < monitor.min_samples) return insufficient(`${point.n ?? 0} samples, fewer than min_samples ${monitor.min_samples}`, point)

  let baselineValues: number[] = []
  const condition = monitor.condition
  if (('drop' in condition || 'rise' in condition) && condition.against === 'reference') {
    const value = ctx.referenceValue === undefined ? null : await ctx.referenceValue(point.model_version)
    baselineValues = value === null ? [] : [value]
  } else if (previousCount > 0) {
    baselineValues = eligible
      .filter((p) => p.window_start < point.window_start && p.window_start >= point.window_start - previousCount * w && (p.n ?? 0) >= monitor.min_samples)
      .flatMap((p) => (p.value === null ? [] : [p.value]))
  }
  const judged = judge(condition, { value: point.value, baselineValues, ...(point.drifted === undefined ? {} : { drifted: point.drifted }) })
  return { ...id, outcome: judged.outcome, value: point.value, baseline: judged.baseline, point, ...(judged.reason === undefined ? {} : { reason: judged.reason }) }
}

/**
 * Reads and judges one monitor.
 *
 * @example
 * const observations = await evaluateMonitor(ch, monitor, model, { now: Date.now(), baselines: referenceBaselines(ch) })
 */
export async function evaluateMonitor(
  ch: ClickHouse,
  monitor: MonitorSpec,
  model: ModelSpec,
  options: { now: number; baselines: ReferenceBaselines },
): Promise<Observation[]> {
  if (statisticKind(monitor.statistic).kind === 'compare') return evaluateComparisonMonitor(ch, monitor, model, options.now)
  const windowSeconds = monitor.window ?? model.default_window
  const w = windowSeconds * 1000
  const lookback = (previousWindows(monitor.condition) + 2) * w + (monitor.final_only ? model.final_max_delay * 1000 : 0)
  const points = await readSeries(ch, monitor, { windowSeconds, fromMs: options.now - lookback, toMs: options.now })
  const kind = statisticKind(monitor.statistic)
  const references = kind.kind === 'performance' ? await versionReferences(ch, model.name) : new Map<string, string>()
  for (const p of points) if (p.reference_id === undefined) p.reference_id = references.get(p.model_version) ?? ''
  const referenceValue = async (version: string): Promise<number | null> => {
    const referenceId = references.get(version)
    return referenceId === undefined || kind.kind !== 'performance' ? null : options.baselines(model, referenceId, kind.metric)
  }
  return evaluateSeries(monitor, points, { now: options.now, windowSeconds, referenceValue })
}
