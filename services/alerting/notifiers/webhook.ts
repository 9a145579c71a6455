/**
 * The webhook notifier: the documented payload (webhook-payload.ts), shaped by the channel's template, POSTed
 * with `Idempotency-Key: <notification id>`, a `Modelwatch-Signature` when the channel names a signing secret,
 * and a bearer token when it names one. The URL passes the SSRF guard (url-guard.ts) at connect time. An answer
 * that echoes the token or the URL's credentials has them scrubbed before it is recorded.
 */
import { credentialParts } from '../channel-redaction.js'
import type { ChannelSpec } from '../channel-spec.js'
import { DeliveryError, secretFrom } from '../delivery-error.js'
import { postJson } from './http-post.js'
import type { Notifier } from './notifier.js'
import { webhookPayload } from './webhook-payload.js'
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature.js'
import { templatedRequest } from './webhook-templates.js'

type WebhookChannel = Extract<ChannelSpec, { type: 'webhook' }>

export const USER_AGENT = 'modelwatch-webhook/1'

/**
 * @example
 * await sendWebhook(notification, { name: 'retrain', type: 'webhook', url: 'https://ci.example.com/hook', template: 'generic', signing_secret_env: 'MODELWATCH_CHANNEL_SECRET_RETRAIN' }, ctx)
 */
export const sendWebhook: Notifier<WebhookChannel> = async (notification, spec, ctx) => {
  const shownAs = `webhook channel ${spec.name}`
  const url = new URL(spec.url)
  if (spec.template === 'github_repository_dispatch' && spec.token_env === undefined) {
    throw new DeliveryError(`${shownAs}: the github_repository_dispatch template needs token_env (a token allowed to dispatch on the repository)`, { retriable: false })
  }
  const request = templatedRequest(spec.template, webhookPayload(notification, ctx.config))
  const body = JSON.stringify(request.body)
  const headers: Record<string, string> = {
    'user-agent': USER_AGENT,
    'idempotency-key': notification.id,
    ...request.headers,
  }
  const secrets = credentialParts(url)
  if (spec.token_env !== undefined) {
    const token = secretFrom(ctx.env, { field: 'token_env', variable: spec.token_env }, shownAs)
    headers.authorization = `Bearer ${token}`
    secrets.push(token)
  }
  if (spec.signing_secret_env !== undefined) {
    const secret = secretFrom(ctx.env, { field: 'signing_secret_env', variable: spec.signing_secret_env }, shownAs)
    headers[SIGNATURE_HEADER.toLowerCase()] = signatureHeader(secret, body, Math.floor(ctx.now() / 1000))
  }
  const { status } = await postJson(url, body, `${shownAs} (${url.host})`, {
    headers,
    policy: { allowedNetworks: ctx.config.delivery.allowedNetworks },
    signal: ctx.signal,
    alsoDelivered: request.alsoDelivered,
    secrets,
  })
  return { responseStatus: status }
}
