/**
 * The delivery worker: polls the outbox for due deliveries (every MODELWATCH_DELIVERY_POLL_MS, and at once when
 * the rule engine signals new notifications) and hands them to per-channel queues (delivery-dispatcher.ts), so
 * a hanging receiver never holds up another channel. State lives only in ClickHouse: a new worker on the same
 * database resumes whatever is pending or retrying. Delivery is at least once; receivers deduplicate on the
 * Idempotency-Key (the notification id).
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import type { Config } from '../core/config.js'
import type { Logger } from '../core/logger.js'
import type { MetricsRegistry } from '../core/metrics.js'
import type { RunningService } from '../core/service.js'
import type { Signal } from '../core/signal.js'
import { attemptDelivery, deliveriesCounter, type AttemptContext } from './delivery-attempt.js'
import { createDispatcher } from './delivery-dispatcher.js'
import { createMailer } from './notifiers/email.js'
import { dueDeliveries, type Delivery, type DeliveryStatus } from './outbox.js'

export interface DeliveryDeps {
  ch: ClickHouse
  config: Pick<Config, 'delivery' | 'publicUrl' | 'grafanaUrl' | 'smtp'>
  log: Logger
  metrics: MetricsRegistry
  /** Where channels' secrets are looked up by name: `process.env` in main, a plain object in tests. */
  env: Readonly<Record<string, string | undefined>>
  /** Wakes the worker as soon as notifications are queued (`modelwatch start`); optional. */
  notificationsQueued?: Signal
  now?: () => number
  random?: () => number
}

/** Due deliveries read per poll; the rest wait for the next one. */
const POLL_LIMIT = 1000

function attemptContext(deps: DeliveryDeps, stopping: AbortSignal): AttemptContext {
  const { smtp, delivery } = deps.config
  return {
    ch: deps.ch,
    config: deps.config,
    env: deps.env,
    log: deps.log,
    counter: deliveriesCounter(deps.metrics),
    mailer: smtp === undefined ? undefined : createMailer(smtp, delivery.timeoutMs),
    stopping,
    now: deps.now ?? Date.now,
    random: deps.random ?? Math.random,
  }
}

/**
 * One pass: attempts every delivery due now (per-channel concurrency as configured) and waits for them.
 * For tests and one-off runs; the service uses `startDeliveryWorker`.
 *
 * @example
 * const outcomes = await deliverDue({ ch, config, log, metrics, env: process.env })
 * // Map { 'n-1' => 'delivered', 'n-2' => 'retrying' }
 */
export async function deliverDue(deps: DeliveryDeps): Promise<Map<string, DeliveryStatus>> {
  const ctx = attemptContext(deps, new AbortController().signal)
  const outcomes = new Map<string, DeliveryStatus>()
  try {
    const dispatcher = createDispatcher<Delivery>(deps.config.delivery.concurrency, async (d) => {
      const status = await attemptDelivery(d, ctx)
      if (status !== undefined) outcomes.set(d.id, status)
    })
    for (const d of await dueDeliveries(deps.ch, ctx.now(), POLL_LIMIT)) dispatcher.offer(d)
    await dispatcher.idle()
  } finally {
    ctx.mailer?.close()
  }
  return outcomes
}

/**
 * Starts the worker. `stop()` stops polling, aborts in-flight attempts (they stay pending and resume after a
 * restart) and waits for them to return.
 *
 * @example
 * const worker = startDeliveryWorker({ ch, config, log, metrics, env: process.env, notificationsQueued: signals.notificationsQueued })
 * await worker.stop()
 */
export function startDeliveryWorker(deps: DeliveryDeps): RunningService {
  const log = deps.log.child({ service: 'alerting', component: 'delivery' })
  const stopper = new AbortController()
  const ctx = attemptContext({ ...deps, log }, stopper.signal)
  // Deliveries that finished while a poll was reading: its rows may predate their new state, so it skips them.
  let finishedDuringPoll: Set<string> | undefined
  const dispatcher = createDispatcher<Delivery>(
    deps.config.delivery.concurrency,
    async (d) => {
      try {
        await attemptDelivery(d, ctx)
      } finally {
        finishedDuringPoll?.add(d.id)
      }
    },
    (error, d) => log.error({ err: error, delivery: d.id, channel: d.channel }, 'delivery attempt could not be recorded; it is retried'),
  )

  let polling = false
  let again = false
  const poll = async (): Promise<void> => {
    if (polling) {
      again = true
      return
    }
    polling = true
    try {
      do {
        again = false
        finishedDuringPoll = new Set()
        const due = await dueDeliveries(deps.ch, ctx.now(), POLL_LIMIT)
        const stale = finishedDuringPoll
        finishedDuringPoll = undefined
        if (stopper.signal.aborted) return
        for (const d of due) if (!stale.has(d.id)) dispatcher.offer(d)
      } while (again && !stopper.signal.aborted)
    } catch (error) {
      log.error({ err: error }, 'reading due deliveries failed; trying again at the next poll')
    } finally {
      polling = false
    }
  }

  const timer = setInterval(() => void poll(), deps.config.delivery.pollMs)
  const unsubscribe = deps.notificationsQueued?.subscribe(() => void poll())
  void poll()
  log.info({ poll_ms: deps.config.delivery.pollMs, concurrency: deps.config.delivery.concurrency, max_attempts: deps.config.delivery.maxAttempts }, 'delivery worker started')

  return {
    name: 'delivery',
    async stop() {
      clearInterval(timer)
      unsubscribe?.()
      stopper.abort(new Error('the delivery worker is stopping'))
      dispatcher.clear()
      await dispatcher.idle()
      ctx.mailer?.close()
      log.info('delivery worker stopped')
    },
  }
}
