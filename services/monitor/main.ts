/**
 * The monitor service: on a schedule (MODELWATCH_MONITOR_SCHEDULE, every 30 s by default), and soon after ingest
 * in the same process stored new events (at most every MODELWATCH_MONITOR_MIN_GAP_MS), computes the windows
 * that changed since its last pass and writes window_metrics, drift_metrics and data_quality; then compares
 * challengers with their champion once per closed window (services/compare/comparison-runs.ts); then evaluates
 * the alert rules on them and queues the notifications (services/alerting/run-alerting.ts, outbox.ts).
 * Started by `modelwatch monitor` alone or by `modelwatch start` with the others.
 */
import { listen, type Listening } from '../core/http-listen.js'
import type { RunningService, ServiceContext } from '../core/service.js'
import { runAlerting } from '../alerting/run-alerting.js'
import { enqueueNotifications } from '../alerting/outbox.js'
import { runComparisons } from '../compare/comparison-runs.js'
import { createMonitorHealthApp, MonitorHealth, staleAfterMs } from './health-server.js'
import { runMonitorPass } from './pass.js'
import { schedulePasses } from './scheduler.js'

export interface MonitorService extends RunningService {
  health: MonitorHealth
  /** The port of the monitor's /healthz and /metrics (useful when configured as 0); undefined when off. */
  healthPort: number | undefined
}

export async function startMonitor({ config, ch, log: parent, signals, metrics }: ServiceContext): Promise<MonitorService> {
  const log = parent.child({ service: 'monitor' })
  const passes = metrics.counter('modelwatch_monitor_passes_total', 'Monitor passes, by outcome (ok, failed).')
  const windows = metrics.counter('modelwatch_monitor_windows_total', 'Windows computed by monitor passes.')
  const evaluations = metrics.counter('modelwatch_rule_evaluations_total', 'Series judged by alert rules, by outcome (judged, insufficient).')
  const notificationsQueued = metrics.counter('modelwatch_notifications_queued_total', 'Notifications handed to the outbox.')
  const comparisons = metrics.counter('modelwatch_comparisons_total', 'Champion/challenger comparisons written, by outcome (ok, failed).')
  const alerts = metrics.gauge('modelwatch_alerts', 'Alerts by status (pending, firing) after the last rule evaluation.')
  const pass = async (): Promise<void> => {
    try {
      const summary = await runMonitorPass(ch, log)
      windows.inc({}, summary.windows)
      if (summary.windows > 0) log.info(summary, 'monitor pass finished')
    } catch (error) {
      passes.inc({ outcome: 'failed' })
      throw error
    }
    passes.inc({ outcome: 'ok' })
    const compared = await runComparisons(ch, { log, autoPromote: config.compare.autoPromote })
    comparisons.inc({ outcome: 'ok' }, compared.evaluated)
    comparisons.inc({ outcome: 'failed' }, compared.failed.length)
    const alerting = await runAlerting(ch, {
      log,
      defaultChannels: config.alerting.defaultChannels,
      createDefaults: config.alerting.defaultMonitors,
      handOver: async (notifications) => void (await enqueueNotifications(ch, notifications)),
    })
    evaluations.inc({ outcome: 'judged' }, alerting.evaluated - alerting.insufficient)
    evaluations.inc({ outcome: 'insufficient' }, alerting.insufficient)
    alerts.set(alerting.pending, { status: 'pending' })
    alerts.set(alerting.firing, { status: 'firing' })
    if (alerting.notifications.length > 0) {
      notificationsQueued.inc({}, alerting.notifications.length)
      signals.notificationsQueued.notify()
    }
  }
  const health = new MonitorHealth(staleAfterMs(config.monitor.schedule))
  const tracked = (): Promise<void> => health.track(pass)
  // Listening before the first pass, which may be a long catch-up, lets probes see the monitor starting.
  let listening: Listening | undefined
  if (config.monitor.healthPort !== undefined) {
    listening = await listen(createMonitorHealthApp(health, metrics).fetch, config.host, config.monitor.healthPort)
    log.info({ url: `http://${config.host}:${listening.port}/healthz` }, 'health endpoint listening')
  }
  // A first pass right away catches up on whatever changed while the monitor was down.
  await tracked().catch((error: unknown) => log.error({ err: error }, 'first monitor pass failed'))
  const scheduler = schedulePasses(config.monitor.schedule, tracked, log, { minGapMs: config.monitor.minGapMs })
  health.status = 'running'
  const unsubscribe = signals.stored.subscribe(() => scheduler.runSoon())
  log.info({ schedule: config.monitor.schedule, minGapMs: config.monitor.minGapMs }, 'monitor started')
  return {
    name: 'monitor',
    health,
    healthPort: listening?.port,
    async stop() {
      health.status = 'stopping'
      unsubscribe()
      await scheduler.stop()
      await listening?.close()
    },
  }
}
