/**
 * Silences, as in Alertmanager: matchers over an alert's labels and a time range. A silenced alert still
 * changes state (and its history says why it was quiet); only its notifications are held back. Matchers are
 * all required (AND); `=~` is an RE2 regular expression anchored at both ends (services/core/matcher-regex.ts,
 * linear-time, with bounded length). Stored by silences-store.ts.
 */
import { z } from 'zod'
import { compileMatcherRegex, matchesWhole } from '../core/matcher-regex.js'

/** The labels a matcher can name. */
export const SILENCE_LABELS = ['monitor', 'model', 'version', 'segment', 'column', 'severity'] as const
export type SilenceLabel = (typeof SILENCE_LABELS)[number]

/** Most matchers in one silence; every notifying alert is checked against each of them. */
export const MAX_SILENCE_MATCHERS = 32

const matcherShape = z.strictObject({
  name: z.enum(SILENCE_LABELS),
  op: z.enum(['=', '!=', '=~']).default('='),
  value: z.string(),
})

/** A matcher as it comes in: a `=~` value must be a regular expression matcher-regex.ts accepts. */
export const matcherSchema = matcherShape.superRefine((m, ctx) => {
  if (m.op !== '=~') return
  const compiled = compileMatcherRegex(m.value)
  if (!compiled.ok) ctx.addIssue({ code: 'custom', path: ['value'], message: compiled.problem })
})

/** The matchers of a silence as they come in (the API and monitors files share it). */
export const matchersSchema = z
  .array(matcherSchema)
  .min(1, 'a silence needs at least one matcher')
  .max(MAX_SILENCE_MATCHERS, `a silence has at most ${MAX_SILENCE_MATCHERS} matchers (MAX_SILENCE_MATCHERS)`)

const instant = z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))])

const silenceShape = <M extends z.ZodType<z.output<typeof matcherShape>[], unknown>>(matchers: M) =>
  z
    .strictObject({
      id: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'silence ids are letters, digits, _ . - (at most 128)'),
      matchers,
      /** ms since the epoch or an ISO 8601 time with offset. */
      starts_at: instant,
      ends_at: instant,
      created_by: z.string().default(''),
      comment: z.string().default(''),
    })
    .refine((s) => s.ends_at > s.starts_at, { path: ['ends_at'], message: 'ends_at must be after starts_at' })

export const silenceSpecSchema = silenceShape(matchersSchema)

/**
 * A silence as stored: read back without the checks of the way in, so one saved before a check was added
 * (a pattern RE2 refuses) is still listed and can be expired; its unusable matcher matches nothing.
 */
export const storedSilenceSchema = silenceShape(z.array(matcherShape))

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
      return matchesWhole(matcher.value, actual)
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

/**
 * Why a stored silence's matchers cannot all be used (a `=~` pattern refused since it was saved); empty when they can.
 *
 * @example
 * silenceProblems(silence) // ['matchers[0]: not an RE2 regular expression: …']
 */
export function silenceProblems(silence: Silence): string[] {
  return silence.matchers.flatMap((m, i) => {
    if (m.op !== '=~') return []
    const compiled = compileMatcherRegex(m.value)
    return compiled.ok ? [] : [`matchers[${i}]: ${compiled.problem}`]
  })
}
