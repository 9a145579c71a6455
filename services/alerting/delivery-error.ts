/**
 * Why one delivery attempt failed, and what to do about it: retry (a 5xx, 408, 429, a timeout, a network error)
 * or give up (a 4xx the receiver will answer again, a missing secret, a refused URL). The worker records the
 * message as the delivery's `last_error`, so it never carries a secret or a Slack URL.
 */
import { ModelwatchError } from '../core/errors.js'

export class DeliveryError extends ModelwatchError {
  /** The receiver's HTTP status, or the SMTP reply code, when it answered. */
  readonly responseStatus: number | undefined
  /** How long the receiver asked us to wait (Retry-After), when it did. */
  readonly retryAfterMs: number | undefined

  constructor(message: string, options: { retriable: boolean; responseStatus?: number; retryAfterMs?: number; cause?: unknown }) {
    super('DELIVERY_FAILED', message, { retriable: options.retriable, cause: options.cause })
    this.name = 'DeliveryError'
    this.responseStatus = options.responseStatus
    this.retryAfterMs = options.retryAfterMs
  }
}

/**
 * The value of an environment variable a channel names for its secret; a missing one is a permanent delivery
 * error naming the variable (never a value).
 *
 * @example
 * const url = secretFrom(env, 'SLACK_ALERTS_URL', 'channel ops-slack')
 */
export function secretFrom(env: Readonly<Record<string, string | undefined>>, name: string, what: string): string {
  const value = env[name]
  if (value === undefined || value === '') throw new DeliveryError(`${what}: environment variable ${name} is not set`, { retriable: false })
  return value
}
