/**
 * The ingest service: Kafka (predictions, ground truth) → ClickHouse, bad messages → dead-letter topic.
 * Started by `modelwatch ingest` alone or by `modelwatch start` with the others.
 */
import { requireKafka } from '../core/config.js'
import { listen } from '../core/http-listen.js'
import { createKafka } from '../core/kafka/client.js'
import { createWriterSchemas } from '../core/kafka/writer-schemas.js'
import type { RunningService, ServiceContext } from '../core/service.js'
import { createIngestConsumer } from './consumer.js'
import { IngestHealth } from './health.js'
import { createHealthApp } from './health-server.js'
import { watchKafka } from './kafka-health.js'

export interface IngestService extends RunningService {
  health: IngestHealth
  /** The port /healthz and /metrics listen on (useful when configured as 0). */
  healthPort: number
}

export async function startIngest({ config, ch, log: parent, signals, metrics }: ServiceContext): Promise<IngestService> {
  const log = parent.child({ service: 'ingest' })
  const kafka = createKafka(requireKafka(config, 'modelwatch ingest'), log)
  const health = new IngestHealth(metrics)
  const registry = config.registry === undefined
    ? undefined
    : createWriterSchemas(config.registry, { onReachability: (reachable, error) => health.markDependency('schemaRegistry', reachable, error) })
  const consumer = createIngestConsumer({ kafka, ch, registry, topics: config.topics, settings: config.ingest, health, log, onStored: () => signals.stored.notify() })
  const { server, port: healthPort } = await listen(createHealthApp(health).fetch, config.host, config.ingest.healthPort)
  log.info({ url: `http://${config.host}:${healthPort}/healthz` }, 'health endpoint listening')
  try {
    await consumer.start()
  } catch (error) {
    server.close()
    throw error
  }
  const kafkaWatch = watchKafka(kafka, health, log)
  return {
    name: 'ingest',
    health,
    healthPort,
    async stop() {
      await kafkaWatch.stop()
      await consumer.stop()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
