/**
 * The comparison request as the edges take it (CLI flags, API query string): text in, validated `CompareOptions`
 * out, with one precise message per problem. Shared so `modelwatch compare` and GET /v1/models/{model}/compare
 * accept exactly the same thing.
 */
import { z } from 'zod'
import { formatDuration } from '../core/duration.js'
import { ModelwatchError } from '../core/errors.js'
import { parseInstant } from '../monitor/references/window-definition.js'
import type { CompareOptions } from './compare-versions.js'

/** Default period when --from is not given: the 7 days before --to. */
export const DEFAULT_PERIOD_MS = 7 * 86_400_000

const instant = (name: string) => z.string().transform((text, ctx) => {
  try {
    return parseInstant(name, text).getTime()
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message })
    return z.NEVER
  }
})
const fraction = (name: string, lo: number, hi: number) => z.coerce.number().refine((v) => v > lo && v < hi, `${name} must be between ${lo} and ${hi} (exclusive)`)
const version = z.string().min(1, 'a version is needed').max(256)

/** Every field as text, as a query string or flags carry them. */
export const compareRequestSchema = z.object({
  a: version.describe('Baseline (champion) version'),
  b: version.describe('Candidate (challenger) version; differences are b − a'),
  from: instant('from').optional().describe('Start of the period, ISO 8601 with a zone; default: 7 days before `to`'),
  to: instant('to').optional().describe('End of the period (exclusive); default: now'),
  segment: z.string().regex(/^([^=]+=.*)?$/, 'segment must be key=value').optional().describe("One segment tag key=value; default: all traffic"),
  paired: z.enum(['auto', 'yes', 'no']).optional().describe('auto: paired when at least half of each version\'s events were scored by both'),
  mde: fraction('mde', 0, 1).optional().describe("Minimum detectable effect relative to a's value; default 0.05"),
  alpha: fraction('alpha', 0, 0.5).optional().describe('Significance level; default 0.05'),
  power: fraction('power', 0.5, 1).optional().describe('Power for the samples still needed; default 0.8'),
})

export type CompareRequest = z.output<typeof compareRequestSchema>

/**
 * The validated request as options for compareVersions. A period longer than `maxRangeMs`
 * (MODELWATCH_MAX_QUERY_RANGE) is refused (REQUEST_INVALID): a comparison reads every raw event of it.
 *
 * @example
 * toCompareOptions('churn', compareRequestSchema.parse({ a: '3', b: '4' }), Date.now(), config.limits.queryRangeMs)
 */
export function toCompareOptions(model: string, request: CompareRequest, now: number, maxRangeMs: number): CompareOptions {
  const to = request.to ?? now
  const from = request.from ?? to - DEFAULT_PERIOD_MS
  if (to - from > maxRangeMs) {
    const span = `${new Date(from).toISOString()} to ${new Date(to).toISOString()}`
    throw new ModelwatchError('REQUEST_INVALID', `the period ${span} is longer than ${formatDuration(maxRangeMs / 1000)} (MODELWATCH_MAX_QUERY_RANGE); compare a shorter period`)
  }
  return {
    model, a: request.a, b: request.b, to, from,
    segment: request.segment ?? '', paired: request.paired ?? 'auto',
    ...(request.mde === undefined ? {} : { mde: request.mde }),
    ...(request.alpha === undefined ? {} : { alpha: request.alpha }),
    ...(request.power === undefined ? {} : { power: request.power }),
  }
}
