/**
 * What every command that touches data needs: the validated config, the logger, and the engine opened once.
 */
import { openClickHouse, type ClickHouse } from '../core/clickhouse/client.js'
import { loadConfig, type Config } from '../core/config.js'
import { createLogger, type Logger } from '../core/logger.js'
import type { ServiceContext } from '../core/service.js'
import { MetricsRegistry } from '../core/metrics.js'
import { createServiceSignals } from '../core/signal.js'

export interface CommandContext extends ServiceContext {
  close(): Promise<void>
}

export async function openContext(env: NodeJS.ProcessEnv, overrides: { logLevel?: string } = {}): Promise<CommandContext> {
  const config: Config = loadConfig(env)
  const log: Logger = createLogger(overrides.logLevel ?? config.logLevel).child({ pid: process.pid })
  const ch: ClickHouse = await openClickHouse(config.clickhouse)
  log.debug({ mode: ch.mode, location: ch.location, database: ch.database }, 'clickhouse opened')
  return { config, log, ch, signals: createServiceSignals(), metrics: new MetricsRegistry(), close: () => ch.close() }
}
