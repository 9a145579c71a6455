/**
 * Whether the brokers answer, for /healthz: a metadata request every few seconds. The consumer alone would
 * say so late: kafkajs retries a lost broker for tens of seconds before its consumer reports a crash.
 */
import type { Admin, Kafka } from 'kafkajs'
import { ModelwatchError } from '../core/errors.js'
import type { Logger } from '../core/logger.js'
import type { IngestHealth } from './health.js'

export interface KafkaWatch {
  stop(): Promise<void>
}

export interface KafkaWatchOptions {
  intervalMs?: number
  /** A probe slower than this counts as a failure (a broker that accepts connections but does not answer). */
  timeoutMs?: number
}

/**
 * Probes the cluster until stopped, marking the `kafka` dependency of `health` up or down after each probe.
 *
 * @example
 * const watch = watchKafka(kafka, health, log)
 * // … on shutdown
 * await watch.stop()
 */
export function watchKafka(kafka: Kafka, health: IngestHealth, log: Logger, options: KafkaWatchOptions = {}): KafkaWatch {
  const intervalMs = options.intervalMs ?? 2_000
  const timeoutMs = options.timeoutMs ?? 5_000
  // No retries: each probe is one attempt, and the next probe is the retry.
  const admin: Admin = kafka.admin({ retry: { retries: 0 } })
  let stopped = false
  let timer: NodeJS.Timeout | undefined

  async function probe(): Promise<void> {
    let timeout: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        admin.connect().then(() => admin.describeCluster()),
        new Promise((_, reject) => {
          timeout = setTimeout(() => reject(new ModelwatchError('KAFKA_UNAVAILABLE', `no metadata from the brokers within ${timeoutMs} ms`, { retriable: true })), timeoutMs)
        }),
      ])
      if (!health.dependencies.kafka.ok) log.info('Kafka answers again')
      health.markDependency('kafka', true)
    } catch (error) {
      if (health.dependencies.kafka.ok) log.warn({ err: error }, 'Kafka does not answer')
      health.markDependency('kafka', false, error)
    } finally {
      clearTimeout(timeout)
    }
  }

  const loop = async (): Promise<void> => {
    await probe()
    if (!stopped) timer = setTimeout(() => void loop(), intervalMs)
  }
  void loop()

  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await admin.disconnect()
    },
  }
}
