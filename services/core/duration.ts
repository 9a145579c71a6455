/**
 * Durations as people write them in config and on the command line: `30s`, `5m`, `1h`, `7d`.
 */
import { z } from 'zod'

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const

/**
 * @returns the duration in whole seconds, or undefined when `text` is not `<positive integer><s|m|h|d>`.
 * @example
 * parseDuration('5m') // 300
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)([smhd])$/.exec(text.trim())
  if (match === null) return undefined
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS]
  return seconds > 0 ? seconds : undefined
}

/** The shortest exact spelling: 3600 → `1h`, 90 → `90s`. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`
  }
  return `${seconds}s`
}

/**
 * A duration field of a spec (model, monitor): the text as written, parsed to whole seconds.
 *
 * @example
 * durationSchema.parse('5m') // 300
 */
export const durationSchema = z.string().transform((text, ctx) => {
  const seconds = parseDuration(text)
  if (seconds === undefined) {
    ctx.addIssue({ code: 'custom', message: `must be a duration like 30s, 5m, 1h or 7d, got ${JSON.stringify(text)}` })
    return z.NEVER
  }
  return seconds
})
