/**
 * The alerting service: delivers the notifications the rule engine queued in the outbox (Slack, email,
 * webhooks), with retries, until delivered or dead. Rules themselves are evaluated by the monitor right after
 * each pass (services/monitor/main.ts), so alerts follow the windows they judge. Started by `modelwatch monitor`
 * and `modelwatch start`; run one per database (deliveries are not claimed, so two workers could both send one;
 * receivers deduplicate on the Idempotency-Key). The only alerting file that reads the environment: channels
 * name the variables that hold their secrets.
 */
import type { RunningService, ServiceContext } from '../core/service.js'
import { startDeliveryWorker } from './delivery-worker.js'

/**
 * @example
 * const alerting = await startAlerting(ctx)
 */
export async function startAlerting({ config, ch, log, metrics, signals }: ServiceContext): Promise<RunningService> {
  return startDeliveryWorker({ ch, config, log, metrics, env: process.env, notificationsQueued: signals.notificationsQueued })
}
