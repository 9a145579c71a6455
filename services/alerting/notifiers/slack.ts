/**
 * The Slack notifier: the Block Kit message (slack-message.ts) posted to the channel's incoming webhook. The
 * webhook URL is the secret, read from the variable the channel names; errors name the channel, never the URL.
 */
import { credentialParts } from '../channel-redaction.js'
import type { ChannelSpec } from '../channel-spec.js'
import { DeliveryError, secretFrom } from '../delivery-error.js'
import { postJson } from './http-post.js'
import type { Notifier } from './notifier.js'
import { slackMessage } from './slack-message.js'

type SlackChannel = Extract<ChannelSpec, { type: 'slack' }>

/**
 * @example
 * await sendSlack(notification, { name: 'ops', type: 'slack', url_env: 'MODELWATCH_CHANNEL_SECRET_SLACK_OPS' }, ctx)
 */
export const sendSlack: Notifier<SlackChannel> = async (notification, spec, ctx) => {
  const url = URL.parse(secretFrom(ctx.env, { field: 'url_env', variable: spec.url_env }, `slack channel ${spec.name}`))
  // The error must not quote the variable's value: for Slack the URL is the credential.
  if (url === null) throw new DeliveryError(`slack channel ${spec.name}: environment variable ${spec.url_env} does not hold a URL`, { retriable: false })
  const body = JSON.stringify(slackMessage(notification, ctx.config))
  const { status } = await postJson(url, body, `slack channel ${spec.name}`, { headers: {}, policy: { allowedNetworks: ctx.config.delivery.allowedNetworks }, signal: ctx.signal, secrets: credentialParts(url) })
  return { responseStatus: status }
}
