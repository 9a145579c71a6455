/**
 * Notification channels: where notifications go. Declared in monitors.yaml (`modelwatch apply`) or through the API.
 * Secrets are never part of a channel: a channel names the environment variable that holds its secret
 * (a Slack webhook URL, an HMAC signing key, a bearer token for a receiver), read when a message is sent.
 */
import { z } from 'zod'

const name = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'channel names are letters, digits, _ . - (at most 128)')
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'must be the name of an environment variable (A-Z, 0-9, _)')

export const slackChannelSchema = z.object({
  name,
  type: z.literal('slack'),
  /** Environment variable holding the incoming-webhook URL (the URL is the secret). */
  url_env: envName,
})

export const emailChannelSchema = z.object({
  name,
  type: z.literal('email'),
  to: z.array(z.email()).min(1, 'an email channel needs at least one address'),
})

export const webhookChannelSchema = z.object({
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

export const channelSpecSchema = z.discriminatedUnion('type', [slackChannelSchema, emailChannelSchema, webhookChannelSchema])

export type ChannelSpecInput = z.input<typeof channelSpecSchema>
export type ChannelSpec = z.output<typeof channelSpecSchema>
