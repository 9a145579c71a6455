/**
 * The channel-secret rule. A notification channel names the environment variable that holds its secret (a
 * bearer token, a signing key, a Slack webhook URL), and the value is sent to a receiver an admin chose. So a
 * channel may only name a variable set aside for that purpose, never one modelwatch itself reads: otherwise an
 * admin token could send MODELWATCH_API_TOKENS or CLICKHOUSE_PASSWORD to a URL of its choice. The API,
 * `modelwatch apply` and the delivery worker all ask `isChannelSecretName`; config.ts keeps every variable the
 * service reads outside the prefix.
 */

/** Every variable a channel may name starts with this, and no variable modelwatch reads does. */
export const CHANNEL_SECRET_PREFIX = 'MODELWATCH_CHANNEL_SECRET_'

/** A name a channel may use: the prefix, then A-Z, 0-9 or _ (128 characters at most); zod schemas carry it into the OpenAPI document. */
export const CHANNEL_SECRET_NAME = new RegExp(`^${CHANNEL_SECRET_PREFIX}[A-Z0-9_]{1,${128 - CHANNEL_SECRET_PREFIX.length}}$`)

/** Why a name was refused, as the API and `apply` say it after the field's path. */
export const CHANNEL_SECRET_RULE = `must name a variable set aside for channel secrets: ${CHANNEL_SECRET_PREFIX} followed by A-Z, 0-9 or _`

/**
 * True when a channel may read its secret from the variable `name`.
 *
 * @example
 * isChannelSecretName('MODELWATCH_CHANNEL_SECRET_RETRAIN_TOKEN') // true
 * isChannelSecretName('MODELWATCH_API_TOKENS') // false
 */
export function isChannelSecretName(name: string): boolean {
  return CHANNEL_SECRET_NAME.test(name)
}
