/**
 * Notification channels: where notifications go. Declared in monitors.yaml (`modelwatch apply`) or through the API.
 * Secrets are never part of a channel: a channel names the environment variable that holds its secret
 * (a Slack webhook URL, an HMAC signing key, a bearer token for a receiver), read when a message is sent. It may
 * only name a variable set aside for channel secrets (MODELWATCH_CHANNEL_SECRET_*, core/channel-secrets.ts).
 */
import { z } from 'zod'
import { CHANNEL_SECRET_NAME, CHANNEL_SECRET_RULE } from '../core/channel-secrets.js'

const name = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'channel names are letters, digits, _ . - (at most 128)')
/** What a channel may name now. */
const secretName = z.string().regex(CHANNEL_SECRET_NAME, CHANNEL_SECRET_RULE)
/** What a channel stored before the rule may name: it is still listed, and its deliveries fail (delivery-error.ts). */
const storedSecretName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'must be the name of an environment variable (A-Z, 0-9, _)')

/** The three kinds of channel, with `envName` as the rule for the fields that name a secret's variable. */
function channelSchemas(envName: z.ZodString) {
  const slack = z.object({
    name,
    type: z.literal('slack'),
    /** Environment variable holding the incoming-webhook URL (the URL is the secret). */
    url_env: envName,
  })
  const email = z.object({
    name,
    type: z.literal('email'),
    to: z.array(z.email()).min(1, 'an email channel needs at least one address'),
  })
  const webhook = z.object({
    name,
    type: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }),
    /** `generic` posts modelwatch's documented payload; the others shape it for a known receiver. */
    template: z.enum(['generic', 'github_repository_dispatch', 'airflow_dag_run']).default('generic'),
    /** Environment variable holding the HMAC-SHA256 signing key. Unset: requests are not signed. */
    signing_secret_env: envName.optional(),
    /** Environment variable holding a bearer token sent as `Authorization` (GitHub, Airflow). */
    token_env: envName.optional(),
  })
  return z.discriminatedUnion('type', [slack, email, webhook])
}

/** A channel as the API, `modelwatch apply` and the store accept it. */
export const channelSpecSchema = channelSchemas(secretName)
/** A channel as read back from the store: one saved before the channel-secret rule still parses. */
export const storedChannelSpecSchema = channelSchemas(storedSecretName)

export type ChannelSpecInput = z.input<typeof channelSpecSchema>
export type ChannelSpec = z.output<typeof channelSpecSchema>

/** The fields of a channel that name a secret's variable, and the variable each names. */
export interface SecretReference {
  field: 'url_env' | 'signing_secret_env' | 'token_env'
  variable: string
}

/**
 * Every variable a channel reads a secret from, with the field that names it.
 *
 * @example
 * secretReferences({ name: 'ops', type: 'slack', url_env: 'MODELWATCH_CHANNEL_SECRET_SLACK_OPS' })
 * // [{ field: 'url_env', variable: 'MODELWATCH_CHANNEL_SECRET_SLACK_OPS' }]
 */
export function secretReferences(spec: ChannelSpec): SecretReference[] {
  switch (spec.type) {
    case 'slack':
      return [{ field: 'url_env', variable: spec.url_env }]
    case 'email':
      return []
    case 'webhook': {
      const refs: SecretReference[] = []
      if (spec.signing_secret_env !== undefined) refs.push({ field: 'signing_secret_env', variable: spec.signing_secret_env })
      if (spec.token_env !== undefined) refs.push({ field: 'token_env', variable: spec.token_env })
      return refs
    }
  }
}
