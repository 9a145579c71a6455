/**
 * The broker and the schema registry go away mid-stream and come back on the same ports (a private stack
 * started here, never the shared one): while one is down, /healthz says which; nothing is dead-lettered
 * for the outage; afterwards every event is stored exactly once.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Kafka, logLevel, type Producer } from 'kafkajs'
import { startLocalStack, type LocalStack } from '../../services/cli/local-stack.js'
import { createSchemaRegistry } from '../../services/core/kafka/schema-registry.js'
import { sleep } from '../../services/core/retry.js'
import { SchemaType } from '@kafkajs/confluent-schema-registry'
import { groundTruthAvroSchema, predictionAvroSchema } from '../../services/producer/schemas.js'
import { count, startTestIngest, testEnv, waitFor, type RunningIngest } from '../support/harness.js'

const T0 = Date.UTC(2026, 10, 1)

interface Health {
  status: string
  dependencies: Record<'kafka' | 'schemaRegistry' | 'clickhouse', { ok: boolean; lastError?: string }>
  paused: Record<string, string>
}

async function healthOf(run: RunningIngest): Promise<{ code: number; body: Health }> {
  const response = await fetch(`http://127.0.0.1:${run.ingest.healthPort}/healthz`)
  return { code: response.status, body: (await response.json()) as Health }
}

const prediction = (i: number): object => ({ event_id: `o-${i}`, model: 'churn', model_version: '1', timestamp: T0 + i, numeric_features: { i }, prediction: { score: 0.5 } })

describe('broker and registry outages', () => {
  let stack: LocalStack

  before(async () => {
    stack = await startLocalStack({ persistRegistry: true })
  })

  after(async () => {
    await stack?.stop()
  })

  const envFor = (): NodeJS.ProcessEnv => 
    // kafkajs logs every refused connection at error level; the outages here are on purpose.
    testEnv({ KAFKA_BROKERS: stack.brokers.join(','), SCHEMA_REGISTRY_URL: stack.registryUrl, MODELWATCH_BATCH_LINGER_MS: '100', MODELWATCH_LOG_LEVEL: 'fatal' })
  const kafkaClient = (): Kafka => new Kafka({ clientId: 'outage-test', brokers: stack.brokers, logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 100 } })

  it('broker stopped and restarted while a producer keeps sending: health says Kafka is down, then every event is stored once', { timeout: 240_000 }, async () => {
    const EVENTS = 3_000
    const run = await startTestIngest(envFor())
    const topic = run.config.topics.predictions
    const producer: Producer = kafkaClient().producer()
    await producer.connect()
    let sent = 0
    let stopSending = false
    // The producer an application would run: each chunk is retried until the broker takes it.
    const sending = (async () => {
      while (sent < EVENTS && !stopSending) {
        const chunk = Array.from({ length: Math.min(100, EVENTS - sent) }, (_, k) => ({ key: `o-${sent + k}`, value: JSON.stringify(prediction(sent + k)) }))
        try {
          await producer.send({ topic, messages: chunk, acks: -1 })
          sent += chunk.length
          await sleep(50)
        } catch {
          await sleep(500)
        }
      }
    })()
    try {
      await waitFor(async () => run.ingest.health.stored.get({ table: 'predictions' }), (n) => n >= 500, 'some events stored before the outage', 60_000)
      await stack.stopKafka()
      const down = await waitFor(() => healthOf(run), (h) => !h.body.dependencies.kafka.ok, 'health saying Kafka is down', 30_000)
      assert.equal(down.code, 503)
      assert.equal(down.body.status, 'degraded')
      assert.ok(down.body.dependencies.clickhouse.ok && down.body.dependencies.schemaRegistry.ok, 'only Kafka is blamed')
      const sentWhileDown = sent
      await sleep(2_000)
      assert.equal(sent, sentWhileDown, 'the producer could not send while the broker was down')

      await stack.startKafka()
      await waitFor(() => healthOf(run), (h) => h.code === 200 && h.body.dependencies.kafka.ok, 'health recovered', 60_000)
      await sending
      assert.equal(sent, EVENTS)
      await waitFor(() => count(run.ch, 'SELECT count() AS n FROM predictions FINAL'), (n) => n === EVENTS, `all ${EVENTS} events stored`, 120_000)
      assert.equal(await count(run.ch, 'SELECT uniqExact(event_id) AS n FROM predictions'), EVENTS)
      assert.equal(await count(run.ch, "SELECT sum(numeric_features['i']) AS n FROM predictions FINAL"), ((EVENTS - 1) * EVENTS) / 2)
      assert.equal(await count(run.ch, 'SELECT count() AS n FROM dead_letters FINAL'), 0)
    } finally {
      stopSending = true
      await sending
      await producer.disconnect()
      await run.stop()
    }
  })

  it('registry stopped and restarted with Avro events: the partition waits, health names the registry, nothing is dead-lettered, all stored once', { timeout: 240_000 }, async () => {
    const run = await startTestIngest(envFor())
    const { predictions: predictionTopic, groundTruth: labelTopic } = run.config.topics
    const registry = createSchemaRegistry({ url: stack.registryUrl })
    const register = async (subject: string, schema: object): Promise<number> =>
      (await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject })).id
    const predictionId = await register(`${predictionTopic}-value`, predictionAvroSchema)
    const labelId = await register(`${labelTopic}-value`, groundTruthAvroSchema)
    const producer = kafkaClient().producer()
    await producer.connect()
    try {
      const predictions = async (from: number, n: number): Promise<void> => {
        const messages = await Promise.all(Array.from({ length: n }, async (_, k) => ({ value: await registry.encode(predictionId, { ...prediction(from + k), categorical_features: {}, segments: {}, prediction: { score: 0.5, probabilities: null, predicted_class: null, value: null } }) })))
        await producer.send({ topic: predictionTopic, messages })
      }
      // Labels are encoded now, while the registry is up; ingest has not seen their schema id yet.
      const labels = await Promise.all(Array.from({ length: 200 }, async (_, i) => ({ value: await registry.encode(labelId, { event_id: `o-${i}`, model: 'churn', timestamp: T0 + 60_000 + i, label: { class: '1', value: null } }) })))
      await predictions(0, 200)
      await waitFor(async () => run.ingest.health.stored.get({ table: 'predictions' }), (n) => n === 200, 'predictions stored before the outage')

      await stack.stopRegistry()
      await producer.send({ topic: labelTopic, messages: labels })
      // Predictions keep flowing: their schema is known; only the labels' partition must wait.
      await predictions(200, 200)
      const down = await waitFor(() => healthOf(run), (h) => !h.body.dependencies.schemaRegistry.ok, 'health naming the registry', 30_000)
      assert.equal(down.code, 503)
      assert.equal(down.body.dependencies.kafka.ok, true)
      assert.match(down.body.paused[`${labelTopic}/0`] ?? '', /schemaRegistry unavailable/)
      await waitFor(async () => run.ingest.health.stored.get({ table: 'predictions' }), (n) => n === 400, 'predictions stored during the outage')
      assert.equal(run.ingest.health.stored.get({ table: 'ground_truth' }), 0, 'no label stored without its schema')
      assert.equal(await count(run.ch, 'SELECT count() AS n FROM dead_letters FINAL'), 0, 'nothing dead-lettered for the outage')

      await stack.startRegistry()
      await waitFor(() => count(run.ch, 'SELECT count() AS n FROM labelled_predictions WHERE label_class IS NOT NULL'), (n) => n === 200, 'all labels stored after the registry is back', 60_000)
      const healthy = await waitFor(() => healthOf(run), (h) => h.code === 200, 'health recovered')
      assert.deepEqual(healthy.body.paused, {})
      assert.equal(await count(run.ch, 'SELECT count() AS n FROM predictions FINAL'), 400)
      assert.equal(await count(run.ch, 'SELECT count() AS n FROM ground_truth FINAL'), 200)
      assert.equal(await count(run.ch, 'SELECT count() AS n FROM dead_letters FINAL'), 0)
    } finally {
      await producer.disconnect()
      await run.stop()
    }
  })
})
