/**
 * Shared set-up for integration and end-to-end tests: unique names (each test its own topics, consumer
 * group and database), the ingest service started in this process on the embedded engine, and polling.
 * The broker and registry come from KAFKA_BROKERS / SCHEMA_REGISTRY_URL, which test/run.ts sets after
 * starting the local stack (or which point at external ones).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig, type Config } from '../../services/core/config.js'
import { createLogger, type Logger } from '../../services/core/logger.js'
import { MetricsRegistry } from '../../services/core/metrics.js'
import { createServiceSignals } from '../../services/core/signal.js'
import { sleep } from '../../services/core/retry.js'
import { startIngest, type IngestService } from '../../services/ingest/main.js'

export function stackFromEnv(): { brokers: string[]; registryUrl: string } {
  const brokers = process.env.KAFKA_BROKERS
  const registryUrl = process.env.SCHEMA_REGISTRY_URL
  if (brokers === undefined || registryUrl === undefined) {
    throw new Error('KAFKA_BROKERS and SCHEMA_REGISTRY_URL are not set: run the tests with `npm test` (test/run.ts starts the local stack)')
  }
  return { brokers: brokers.split(','), registryUrl }
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`
}

/** A per-test environment: own topics, group and database; small batches so tests see data quickly. */
export function testEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { brokers, registryUrl } = stackFromEnv()
  const id = uniqueName('t')
  return {
    KAFKA_BROKERS: brokers.join(','),
    SCHEMA_REGISTRY_URL: registryUrl,
    MODELWATCH_TOPIC_PREDICTIONS: `${id}.predictions`,
    MODELWATCH_TOPIC_GROUND_TRUTH: `${id}.ground-truth`,
    MODELWATCH_TOPIC_DLQ: `${id}.dlq`,
    MODELWATCH_CONSUMER_GROUP: `${id}-ingest`,
    CLICKHOUSE_DATABASE: id,
    MODELWATCH_BATCH_LINGER_MS: '200',
    MODELWATCH_HEALTH_PORT: '0',
    MODELWATCH_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...overrides,
  }
}

/** One embedded data directory per test process (the engine is a process singleton over its path). */
let processDataDir: string | undefined
export function testDataDir(): string {
  processDataDir ??= mkdtempSync(join(tmpdir(), 'modelwatch-test-'))
  return processDataDir
}

export interface RunningIngest {
  config: Config
  ch: ClickHouse
  ingest: IngestService
  /** Stops ingest and closes the engine. */
  stop(): Promise<void>
}

/** Migrates and starts ingest in this process; by default on the embedded engine in testDataDir(), logging to stdout. */
export async function startTestIngest(env: NodeJS.ProcessEnv, log?: Logger): Promise<RunningIngest> {
  const config = loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), ...env })
  const ch = await openClickHouse(config.clickhouse)
  log ??= createLogger(config.logLevel)
  await migrate(ch)
  const ingest = await startIngest({ config, ch, log, signals: createServiceSignals(), metrics: new MetricsRegistry() })
  return {
    config,
    ch,
    ingest,
    async stop() {
      await ingest.stop()
      await ch.close()
    },
  }
}

/** Polls `read` until `done` holds for its value, or fails with the last value seen. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: T = await read()
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`)
    await sleep(100)
    last = await read()
  }
  return last
}

/** Runs a query with parameters and returns its rows. */
export async function rows<T extends Record<string, unknown>>(ch: ClickHouse, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const result = await ch.client.query({ query, query_params: params, format: 'JSONEachRow' })
  return result.json<T>()
}

export async function count(ch: ClickHouse, query: string, params: Record<string, unknown> = {}): Promise<number> {
  const [row] = await rows<{ n: number }>(ch, query, params)
  return Number(row?.n ?? Number.NaN)
}

/** A plain kafkajs client, for raw produces (malformed bytes) and reading the dead-letter topic. */
export function rawKafka(): Kafka {
  return new Kafka({ clientId: 'modelwatch-test', brokers: stackFromEnv().brokers, logLevel: logLevel.NOTHING })
}

/** A logger at `level` whose JSON lines are kept in `lines` (parsed), for tests that read what a service logged. */
export function capturedLog(level: string): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const log = createLogger(level, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) })
  return { log, lines }
}

/** Committed offsets of the group, summed over the topic's partitions (-1 = none counts as 0). */
export async function committedTotal(kafka: Kafka, groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] })
    return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0)
  } finally {
    await admin.disconnect()
  }
}

/** At least `expected` messages of the topic, read from the beginning by a group of its own (in offset order within a partition). */
export async function readTopic(topic: string, expected: number): Promise<KafkaMessage[]> {
  const consumer = rawKafka().consumer({ groupId: uniqueName('reader') })
  const seen: KafkaMessage[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) })
    await waitFor(async () => seen.length, (n) => n >= expected, `${expected} messages on ${topic}`)
  } finally {
    await consumer.disconnect()
  }
  return seen
}
