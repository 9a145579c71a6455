/**
 * The monitor service: on a schedule (MODELWATCH_MONITOR_SCHEDULE, every 30 s by default), and soon after ingest
 * in the same process stored new events (at most every MODELWATCH_MONITOR_MIN_GAP_MS), computes the windows
 * that changed since its last pass and writes window_metrics, drift_metrics and data_quality.
 * Started by `modelwatch monitor` alone or by `modelwatch start` with the others.
 */
import type { RunningService, ServiceContext } from '../core/service.js'
import { runMonitorPass } from './pass.js'
import { schedulePasses } from './scheduler.js'

export async function startMonitor({ config, ch, log: parent, signals }: ServiceContext): Promise<RunningService> {
  const log = parent.child({ service: 'monitor' })
  const pass = async (): Promise<void> => {
    const summary = await runMonitorPass(ch, log)
    if (summary.windows > 0) log.info(summary, 'monitor pass finished')
  }
  // A first pass right away catches up on whatever changed while the monitor was down.
  await pass().catch((error: unknown) => log.error({ err: error }, 'first monitor pass failed'))
  const scheduler = schedulePasses(config.monitor.schedule, pass, log, { minGapMs: config.monitor.minGapMs })
  const unsubscribe = signals.stored.subscribe(() => scheduler.runSoon())
  log.info({ schedule: config.monitor.schedule, minGapMs: config.monitor.minGapMs }, 'monitor started')
  return {
    name: 'monitor',
    async stop() {
      unsubscribe()
      await scheduler.stop()
    },
  }
}
