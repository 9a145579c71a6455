/**
 * Why one delivery attempt failed, and what to do about it: retry (a 5xx, 408, 429, a timeout, a network error)
 * or give up (a 4xx the receiver will answer again, a missing secret, a variable that is not a channel secret, a
 * refused URL). The worker records the
 * message as the delivery's `last_error`, so it never carries a secret or a Slack URL.
 */
import { CHANNEL_SECRET_PREFIX, isChannelSecretName } from '../core/channel-secrets.js'
import { ModelwatchError } from '../core/errors.js'
import type { SecretReference } from './channel-spec.js'

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
 * The value of the environment variable a channel names for its secret. A name outside the channel-secret prefix
 * (a channel stored before the rule) is refused without reading the variable, and a missing value is refused too:
 * both are permanent delivery errors naming the field and the variable, never a value.
 *
 * @example
 * const token = secretFrom(env, { field: 'token_env', variable: 'MODELWATCH_CHANNEL_SECRET_RETRAIN_TOKEN' }, 'webhook channel retrain')
 */
export function secretFrom(env: Readonly<Record<string, string | undefined>>, ref: SecretReference, what: string): string {
  if (!isChannelSecretName(ref.variable)) {
    throw new DeliveryError(
      `${what}: ${ref.field} names ${ref.variable}, which is not a channel secret variable (${CHANNEL_SECRET_PREFIX}*); it was not read. Put the secret in a ${CHANNEL_SECRET_PREFIX} variable and save the channel again`,
      { retriable: false },
    )
  }
  const value = env[ref.variable]
  if (value === undefined || value === '') throw new DeliveryError(`${what}: environment variable ${ref.variable} is not set`, { retriable: false })
  return value
}
