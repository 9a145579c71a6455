/**
 * One attempt of one delivery: find the channel, send through its notifier within the attempt's timeout, and
 * append the outcome to the outbox: delivered; retrying at now + backoff (full jitter, or the receiver's
 * Retry-After when longer); or dead (a permanent failure, or the last allowed attempt). Counted in
 * `modelwatch_deliveries_total{channel_type,outcome}` and logged as one line without secrets.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import type { Config } from '../core/config.js'
import { describeError, isRetriable } from '../core/errors.js'
import type { Logger } from '../core/logger.js'
import type { Counter, MetricsRegistry } from '../core/metrics.js'
import { backoffDelay } from '../core/retry.js'
import type { ChannelSpec } from './channel-spec.js'
import { findChannel } from './channels-store.js'
import { DeliveryError } from './delivery-error.js'
import type { Mailer } from './notifiers/email.js'
import { sendEmail } from './notifiers/email.js'
import type { NotifierContext, SendOutcome } from './notifiers/notifier.js'
import { sendSlack } from './notifiers/slack.js'
import { sendWebhook } from './notifiers/webhook.js'
import { recordTransition, type Delivery, type DeliveryRow, type DeliveryStatus } from './outbox.js'

export interface AttemptContext {
  ch: ClickHouse
  config: Pick<Config, 'delivery' | 'publicUrl' | 'grafanaUrl'>
  env: Readonly<Record<string, string | undefined>>
  log: Logger
  counter: Counter
  mailer: Mailer | undefined
  /** Aborts in-flight attempts when the worker stops. */
  stopping: AbortSignal
  now: () => number
  random: () => number
}

const counters = new WeakMap<MetricsRegistry, Counter>()

/** The deliveries counter of a registry, registered on first use (a restarted worker shares it). */
export function deliveriesCounter(metrics: MetricsRegistry): Counter {
  let counter = counters.get(metrics)
  if (counter === undefined) {
    counter = metrics.counter('modelwatch_deliveries_total', 'Notification delivery attempts, by channel type and outcome (delivered, retrying, dead).')
    counters.set(metrics, counter)
  }
  return counter
}

function send(notification: Delivery['notification'], spec: ChannelSpec, ctx: NotifierContext): Promise<SendOutcome> {
  switch (spec.type) {
    case 'slack':
      return sendSlack(notification, spec, ctx)
    case 'email':
      return sendEmail(notification, spec, ctx)
    case 'webhook':
      return sendWebhook(notification, spec, ctx)
  }
}

/**
 * Makes one attempt and records it; resolves with the new status, or undefined when the worker stopped mid-way
 * (nothing is recorded then: the delivery keeps its state and is attempted again after a restart).
 *
 * @example
 * const status = await attemptDelivery(delivery, ctx) // 'delivered' | 'retrying' | 'dead' | undefined
 */
export async function attemptDelivery(delivery: Delivery, ctx: AttemptContext): Promise<DeliveryStatus | undefined> {
  const started = ctx.now()
  const attempts = delivery.attempts + 1
  const { maxAttempts, timeoutMs, backoffMs, backoffMaxMs } = ctx.config.delivery
  let channelType = delivery.channel_type
  let next: Pick<DeliveryRow, 'status' | 'last_error' | 'response_status' | 'next_attempt_at'>
  try {
    const spec = await findChannel(ctx.ch, delivery.channel)
    if (spec === undefined) throw new DeliveryError(`no notification channel named ${JSON.stringify(delivery.channel)} (never created, or deleted)`, { retriable: false })
    channelType = spec.type
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), ctx.stopping])
    const outcome = await send(delivery.notification, spec, { env: ctx.env, config: ctx.config, mailer: ctx.mailer, signal, now: ctx.now })
    next = { status: 'delivered', last_error: '', response_status: outcome.responseStatus ?? null, next_attempt_at: started }
  } catch (error) {
    if (ctx.stopping.aborted) {
      ctx.log.info({ delivery: delivery.id, channel: delivery.channel, attempt: attempts }, 'delivery attempt interrupted by shutdown; it resumes after restart')
      return undefined
    }
    const responseStatus = error instanceof DeliveryError ? (error.responseStatus ?? null) : null
    const message = describeError(error)
    if (!isRetriable(error) || attempts >= maxAttempts) {
      const why = isRetriable(error) ? `${message} (gave up after ${attempts} attempts)` : message
      next = { status: 'dead', last_error: why, response_status: responseStatus, next_attempt_at: started }
    } else {
      const backoff = backoffDelay(attempts, backoffMs, backoffMaxMs, ctx.random)
      const retryAfter = error instanceof DeliveryError ? (error.retryAfterMs ?? 0) : 0
      next = { status: 'retrying', last_error: message, response_status: responseStatus, next_attempt_at: ctx.now() + Math.max(backoff, retryAfter) }
    }
  }
  const { notification: _notification, ...row } = delivery
  await recordTransition(ctx.ch, { ...row, ...next, channel_type: channelType, seq: delivery.seq + 1, attempts, updated_at: ctx.now() })
  ctx.counter.inc({ channel_type: channelType || 'unknown', outcome: next.status })
  const fields = { delivery: delivery.id, channel: delivery.channel, channel_type: channelType, attempt: attempts, outcome: next.status, response_status: next.response_status, duration_ms: ctx.now() - started }
  if (next.status === 'delivered') ctx.log.info(fields, 'notification delivered')
  else ctx.log.warn({ ...fields, error: next.last_error, next_attempt_at: next.status === 'retrying' ? new Date(next.next_attempt_at).toISOString() : undefined }, 'notification delivery failed')
  return next.status
}
