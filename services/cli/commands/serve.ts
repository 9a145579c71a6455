import { migrate } from '../../core/clickhouse/migrations.js'
import type { RunningService, ServiceContext } from '../../core/service.js'
import { stopAll, stopOnSignal } from '../../core/shutdown.js'
import { startAlerting } from '../../alerting/main.js'
import { startApi } from '../../api/main.js'
import { startIngest } from '../../ingest/main.js'
import { startMonitor } from '../../monitor/main.js'
import { openContext } from '../context.js'

export type ServiceName = 'ingest' | 'monitor' | 'alerting' | 'api'

/** Every service, in start order; `modelwatch start` runs them all in one process (one embedded engine). */
export const SERVICES: Record<ServiceName, (ctx: ServiceContext) => Promise<RunningService>> = {
  ingest: startIngest,
  monitor: startMonitor,
  alerting: startAlerting,
  api: startApi,
}

/**
 * `modelwatch start` / `modelwatch ingest` / `modelwatch monitor` / `modelwatch api`: migrates, starts the services, runs until SIGTERM/SIGINT, then
 * stops them in reverse order and exits 0.
 */
export async function serveCommand(env: NodeJS.ProcessEnv, names: ServiceName[]): Promise<void> {
  const ctx = await openContext(env)
  const running: RunningService[] = []
  try {
    const { applied } = await migrate(ctx.ch)
    ctx.log.info({ mode: ctx.ch.mode, location: ctx.ch.location, applied }, 'schema up to date')
    for (const name of names) running.push(await SERVICES[name](ctx))
  } catch (error) {
    await stopAll(running, ctx.log, ctx.close)
    throw error
  }
  await stopOnSignal(running, ctx.log, ctx.close)
}
