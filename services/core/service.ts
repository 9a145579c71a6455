/**
 * What every service hands back when started, so one process can run several and stop them in order.
 */
import type { ClickHouse } from './clickhouse/client.js'
import type { Config } from './config.js'
import type { Logger } from './logger.js'
import type { MetricsRegistry } from './metrics.js'
import type { ServiceSignals } from './signal.js'

export interface RunningService {
  name: string
  stop(): Promise<void>
}

/** What the entry point opens once and passes to each service it starts. */
export interface ServiceContext {
  config: Config
  ch: ClickHouse
  log: Logger
  /** How services of this process tell each other that something changed. */
  signals: ServiceSignals
  /** The process's one metrics registry: every service's series on every /metrics endpoint of the process. */
  metrics: MetricsRegistry
}
