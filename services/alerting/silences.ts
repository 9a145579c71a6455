/**
 * Silences, as in Alertmanager: matchers over an alert's labels and a time range. A silenced alert still
 * changes state (and its history says why it was quiet); only its notifications are held back. Matchers are
 * all required (AND); `=~` is a regular expression anchored at both ends. Stored by silences-store.ts.
 */
import { z } from 'zod'

/** The labels a matcher can name. */
export const SILENCE_LABELS = ['monitor', 'model', 'version', 'segment', 'column', 'severity'] as const
export type SilenceLabel = (typeof SILENCE_LABELS)[number]

export const matcherSchema = z
  .strictObject({
    name: z.enum(SILENCE_LABELS),
    op: z.enum(['=', '!=', '=~']).default('='),
    value: z.string(),
  })
  .superRefine((m, ctx) => {
    if (m.op !== '=~') return
    try {
      new RegExp(`^(?:${m.value})$`)
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `not a regular expression: ${(error as Error).message}` })
    }
  })

const instant = z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))])

export const silenceSpecSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'silence ids are letters, digits, _ . - (at most 128)'),
    matchers: z.array(matcherSchema).min(1, 'a silence needs at least one matcher'),
    /** ms since the epoch or an ISO 8601 time with offset. */
    starts_at: instant,
    ends_at: instant,
    created_by: z.string().default(''),
    comment: z.string().default(''),
  })
  .refine((s) => s.ends_at > s.starts_at, { path: ['ends_at'], message: 'ends_at must be after starts_at' })

export type Matcher = z.output<typeof matcherSchema>
export type SilenceSpecInput = z.input<typeof silenceSpecSchema>
export type Silence = z.output<typeof silenceSpecSchema>

export type SilenceLabels = Record<SilenceLabel, string>

/**
 * Whether one matcher holds for an alert's labels.
 *
 * @example
 * matches({ name: 'column', op: '=~', value: 'plan|tenure' }, labels) // true for column 'plan'
 */
export function matches(matcher: Matcher, labels: SilenceLabels): boolean {
  const actual = labels[matcher.name]
  switch (matcher.op) {
    case '=':
      return actual === matcher.value
    case '!=':
      return actual !== matcher.value
    case '=~':
      return new RegExp(`^(?:${matcher.value})$`).test(actual)
  }
}

/**
 * The first silence active at `now` whose matchers all hold, or undefined.
 *
 * @example
 * const silence = activeSilence(silences, { monitor: 'drift', model: 'churn', version: '3', segment: '', column: 'plan', severity: 'warning' }, Date.now())
 */
export function activeSilence(silences: readonly Silence[], labels: SilenceLabels, now: number): Silence | undefined {
  return silences.find((s) => s.starts_at <= now && now < s.ends_at && s.matchers.every((m) => matches(m, labels)))
}
