/**
 * Instants and windows as the user gives them. An instant must say its time zone (a date alone means UTC
 * midnight): `2026-03-01`, `2026-03-01T12:00:00Z`, `2026-03-01T12:00:00.000+02:00`. A local time without an
 * offset would mean different windows on different machines, so it is refused.
 */
import { UsageError } from '../../core/errors.js'

const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/

/**
 * An ISO 8601 instant with an explicit zone (or a date, read as UTC midnight).
 *
 * @example
 * parseInstant('--from', '2026-03-01').toISOString() // '2026-03-01T00:00:00.000Z'
 */
export function parseInstant(flag: string, text: string): Date {
  const date = new Date(text)
  if (!INSTANT.test(text) || Number.isNaN(date.getTime()) || !realCalendarDate(text)) {
    throw new UsageError(`${flag} must be an ISO 8601 date or time with a zone, e.g. 2026-03-01 or 2026-03-01T12:00:00Z; got ${JSON.stringify(text)}`)
  }
  return date
}

/** Date parsing rolls 2026-02-30 over to March 2; the calendar date written must exist as written. */
function realCalendarDate(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number)
  const utc = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1))
  return utc.getUTCFullYear() === year && utc.getUTCMonth() + 1 === month && utc.getUTCDate() === day
}

/**
 * Refuses a window that is empty by construction or not yet over: a fixed reference is a snapshot of the
 * past, and a window still open would freeze a part of it.
 *
 * @example
 * checkWindow(new Date('2026-01-01'), new Date('2026-01-08'), new Date()) // ok
 */
export function checkWindow(from: Date, to: Date, now: Date): void {
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new UsageError('the window needs valid --from and --to times')
  if (from.getTime() >= to.getTime()) throw new UsageError(`the window must end after it starts: --from ${from.toISOString()} is not before --to ${to.toISOString()}`)
  if (to.getTime() > now.getTime()) throw new UsageError(`the window must be in the past: --to ${to.toISOString()} is after now (${now.toISOString()})`)
}

/**
 * The largest rolling reference: a year of hourly windows.
 *
 * @example
 * checkRollingWindows(MAX_ROLLING_WINDOWS) // ok; one more is refused
 */
export const MAX_ROLLING_WINDOWS = 8_760

/**
 * Refuses a rolling window count that is not a whole number from 1 to MAX_ROLLING_WINDOWS.
 *
 * @example
 * checkRollingWindows(7) // ok
 */
export function checkRollingWindows(windows: number): void {
  if (!Number.isInteger(windows) || windows < 1 || windows > MAX_ROLLING_WINDOWS) {
    throw new UsageError(`--windows must be a whole number from 1 to ${MAX_ROLLING_WINDOWS}, got ${windows}`)
  }
}
