/**
 * What a monitor (an alert rule) is: which model, which statistic of the monitor's tables, which window, and
 * when it breaches. Validated at the edge (`modelwatch apply`, the API) with this schema and stored as JSON
 * in the `monitors` table (monitors-store.ts). The rule format is documented in docs/alerting.md.
 */
import { z } from 'zod'
import { HIGHER_IS_BETTER } from '../compare/metric-comparison.js'
import { durationSchema, formatDuration } from '../core/duration.js'

const duration = durationSchema

/** The drift_metrics columns a `drift:<field>` statistic may name. */
export const DRIFT_FIELDS = [
  'psi', 'jensen_shannon', 'ks_statistic', 'ks_p_value', 'wasserstein', 'wasserstein_normed', 'chi2_statistic',
  'chi2_p_value', 'new_category_share', 'missing_share', 'drift_score', 'drifted',
] as const
export type DriftField = (typeof DRIFT_FIELDS)[number]

/** The comparison_results metrics a `compare:<metric>` statistic may name (services/compare). */
export const COMPARE_METRICS = Object.keys(HIGHER_IS_BETTER)

/** `20`, `20%` and `'20%'` all mean twenty per cent. */
const percent = z.union([
  z.number().positive('must be above 0%'),
  z.string().regex(/^\d+(\.\d+)?%$/, 'must be a percentage like 20%').transform((s) => Number(s.slice(0, -1))),
]).pipe(z.number().positive('must be above 0%'))

const relative = z.object({
  against: z.enum(['reference', 'previous']).default('previous'),
  /** How many previous windows the mean is taken over (`against: previous`). */
  windows: z.number().int().min(1).max(100).default(6),
  /** The absolute change that must also be exceeded; keeps a share rising from 0 to 0.001 from alerting. */
  min_change: z.number().nonnegative().default(0),
})

export const conditionSchema = z.union([
  z.strictObject({ above: z.number() }),
  z.strictObject({ below: z.number() }),
  /** The engine's own per-column drift decision (drift_metrics.drifted), with the statistic's value as evidence. */
  z.strictObject({ drifted: z.literal(true) }),
  relative.extend({ drop: percent }).strict(),
  relative.extend({ rise: percent }).strict(),
  /** The champion/challenger sequential test concluded this way (comparison_results.sequential_concluded). */
  z.strictObject({ concluded: z.enum(['better', 'worse']) }),
], { error: 'condition must be one of {above: X}, {below: X}, {drifted: true}, {drop: N%, against, windows}, {rise: N%, against, windows}, {concluded: better|worse}' })

const statistic = z.string().regex(/^(volume|drift:[a-z0-9_]+|dq:[a-z0-9_:]+|[A-Za-z0-9_:>.=-]+)$/, 'must be a performance metric (e.g. roc_auc), drift:<field>, dq:<metric>, compare:<metric> or volume')

/** Most channels one monitor notifies: each is a delivery per notification. */
export const MAX_MONITOR_CHANNELS = 32

const identifier = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'names are letters, digits, _ . - (at most 128)')

export const monitorSpecSchema = z
  .strictObject({
    /** Up to 160 characters, so `<model>.<what>` default names fit every model name. */
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,160}$/, 'monitor names are letters, digits, _ . - (at most 160)'),
    model: identifier,
    /** Unset: every version, each its own alert. */
    version: z.string().min(1).optional(),
    /** Unset: all traffic (segment ''); `key=value`: one segment; `*`: every segment, each its own alert. */
    segment: z.string().min(1).optional(),
    statistic,
    /** For drift and data-quality statistics: a column name, or `*` for every column (each its own alert). */
    column: z.string().min(1).optional(),
    /** Unset: the model's default window. */
    window: duration.optional(),
    condition: conditionSchema,
    min_samples: z.number().int().nonnegative().default(0),
    final_only: z.boolean().default(false),
    /** Consecutive breaching windows before the alert fires; 1 fires on the first. */
    for: z.number().int().min(1).max(1000).default(1),
    severity: z.enum(['critical', 'warning', 'info']).default('warning'),
    channels: z.array(identifier).max(MAX_MONITOR_CHANNELS, `a monitor notifies at most ${MAX_MONITOR_CHANNELS} channels (MAX_MONITOR_CHANNELS)`).default([]),
    repeat_interval: duration.default(4 * 3600),
    labels: z.record(z.string(), z.string()).default({}),
    description: z.string().optional(),
  })
  .superRefine((spec, ctx) => {
    const kind = statisticKind(spec.statistic)
    if (kind.kind === 'drift' && !(DRIFT_FIELDS as readonly string[]).includes(kind.field)) {
      ctx.addIssue({ code: 'custom', path: ['statistic'], message: `drift:${kind.field} is not a drift_metrics column; one of ${DRIFT_FIELDS.join(', ')}` })
    }
    if ((kind.kind === 'drift' || (kind.kind === 'dq' && !kind.metric.startsWith('rejected:') && kind.metric !== 'events')) && spec.column === undefined) {
      ctx.addIssue({ code: 'custom', path: ['column'], message: `${spec.statistic} needs a column (a feature name, or '*' for every column)` })
    }
    if ((kind.kind === 'performance' || kind.kind === 'volume' || kind.kind === 'compare') && spec.column !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['column'], message: `${spec.statistic} has no columns; remove column` })
    }
    if (kind.kind === 'compare' && !COMPARE_METRICS.includes(kind.metric)) {
      ctx.addIssue({ code: 'custom', path: ['statistic'], message: `compare:${kind.metric} is not a compared metric; one of ${COMPARE_METRICS.join(', ')}` })
    }
    if (kind.kind === 'compare' && ('drifted' in spec.condition || 'drop' in spec.condition || 'rise' in spec.condition)) {
      ctx.addIssue({ code: 'custom', path: ['condition'], message: `${spec.statistic} takes {concluded: better|worse}, or {above: X} / {below: X} on the difference challenger − champion` })
    }
    if ('concluded' in spec.condition && kind.kind !== 'compare') {
      ctx.addIssue({ code: 'custom', path: ['condition'], message: '{concluded: better|worse} applies to compare:<metric> statistics only' })
    }
    if ('drifted' in spec.condition && kind.kind !== 'drift') {
      ctx.addIssue({ code: 'custom', path: ['condition'], message: '{drifted: true} applies to drift:<field> statistics only' })
    }
    if (('drop' in spec.condition || 'rise' in spec.condition) && spec.condition.against === 'reference' && kind.kind !== 'performance') {
      ctx.addIssue({ code: 'custom', path: ['condition', 'against'], message: 'against: reference compares a performance metric with its value on the reference data; use against: previous for drift, data quality and volume' })
    }
  })

export type MonitorSpecInput = z.input<typeof monitorSpecSchema>
export type MonitorSpec = z.output<typeof monitorSpecSchema>
export type Condition = MonitorSpec['condition']

export type StatisticKind =
  | { kind: 'performance'; metric: string }
  | { kind: 'drift'; field: string }
  | { kind: 'dq'; metric: string }
  | { kind: 'volume' }
  | { kind: 'compare'; metric: string }

/**
 * @example
 * statisticKind('drift:psi') // { kind: 'drift', field: 'psi' }
 */
export function statisticKind(statistic: string): StatisticKind {
  if (statistic === 'volume') return { kind: 'volume' }
  if (statistic.startsWith('drift:')) return { kind: 'drift', field: statistic.slice('drift:'.length) }
  if (statistic.startsWith('dq:')) return { kind: 'dq', metric: statistic.slice('dq:'.length) }
  if (statistic.startsWith('compare:')) return { kind: 'compare', metric: statistic.slice('compare:'.length) }
  return { kind: 'performance', metric: statistic }
}

/**
 * The condition as receivers read it, and the number it is judged against.
 *
 * @example
 * describeCondition({ drop: 20, against: 'previous', windows: 6, min_change: 0 }) // { text: 'drops 20% against the mean of the previous 6 windows', threshold: 20 }
 */
export function describeCondition(condition: Condition): { text: string; threshold: number } {
  if ('above' in condition) return { text: `above ${condition.above}`, threshold: condition.above }
  if ('below' in condition) return { text: `below ${condition.below}`, threshold: condition.below }
  if ('drifted' in condition) return { text: 'drifted (the engine\'s per-column decision)', threshold: 1 }
  // The threshold of a concluded test is a difference of 0: the sign is what was established.
  if ('concluded' in condition) return { text: `sequential test concluded: challenger ${condition.concluded} than production`, threshold: 0 }
  const [verb, pct] = 'drop' in condition ? ['drops', condition.drop] : ['rises', condition.rise]
  const against = condition.against === 'reference' ? 'its value on the reference data' : `the mean of the previous ${condition.windows} windows`
  const floor = condition.min_change > 0 ? ` (and by at least ${condition.min_change})` : ''
  return { text: `${verb} ${pct}% against ${against}${floor}`, threshold: pct }
}

/** How many windows before the evaluated one a monitor needs (the baseline of `against: previous`). */
export function previousWindows(condition: Condition): number {
  return ('drop' in condition || 'rise' in condition) && condition.against === 'previous' ? condition.windows : 0
}

/** The spec as it is written back to YAML or JSON: durations spelled as durations. */
export function monitorSpecToInput(spec: MonitorSpec): MonitorSpecInput {
  const { window, repeat_interval: repeat, ...rest } = spec
  return { ...rest, ...(window === undefined ? {} : { window: formatDuration(window) }), repeat_interval: formatDuration(repeat) }
}
