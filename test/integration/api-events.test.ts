/**
 * HTTP ingest through the API: without Kafka, events are stored straight into ClickHouse exactly once (a
 * retried request, or a later one repeating event ids, adds nothing under FINAL), and a request with any
 * invalid item is refused whole with each bad item's index and reason; with Kafka, events are produced to
 * the configured topics as JSON keyed by event_id, for ingest to store.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createApp } from '../../services/api/app.js'
import type { ApiApp } from '../../services/api/deps.js'
import { clickHouseEventSink, type EventSink } from '../../services/api/event-sink.js'
import { kafkaEventSink } from '../../services/api/kafka-event-sink.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate, readMigrations } from '../../services/core/clickhouse/migrations.js'
import { loadConfig, type Config } from '../../services/core/config.js'
import { createKafka } from '../../services/core/kafka/client.js'
import { createLogger } from '../../services/core/logger.js'
import { MetricsRegistry } from '../../services/core/metrics.js'
import { count, rawKafka, rows, testDataDir, testEnv, uniqueName, waitFor } from '../support/harness.js'

const WRITE = 'write-token-0123456789abcdef'
const READ = 'read-token-0123456789abcdef'
const NOW = Date.UTC(2026, 2, 1, 12)
const log = createLogger('warn')

const prediction = (id: string, score = 0.8) => ({
  event_id: id, model: 'churn', model_version: '1', timestamp: NOW, numeric_features: { tenure: 14 }, categorical_features: { plan: 'pro' },
  prediction: { score, predicted_class: '1' }, segments: { region: 'eu' },
})
const label = (id: string, cls: string) => ({ event_id: id, model: 'churn', timestamp: NOW + 60_000, label: { class: cls } })

function buildApp(config: Config, ch: ClickHouse, events: EventSink): { app: ApiApp; metrics: MetricsRegistry } {
  const metrics = new MetricsRegistry()
  return { app: createApp({ config, ch, log, metrics, events, checks: [] }), metrics }
}

const send = (app: ApiApp, path: string, body: unknown, token = WRITE) =>
  app.request(path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })

describe('API: HTTP ingest', () => {
  let ch: ClickHouse
  let config: Config

  before(async () => {
    config = loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('api_events'), MODELWATCH_API_TOKENS: `w:write:${WRITE},r:read:${READ}`, MODELWATCH_API_MAX_EVENTS: '50' })
    ch = await openClickHouse(config.clickhouse)
    // The tables this API writes are migrations 001-003; later ones belong to services built alongside.
    await migrate(ch, (await readMigrations()).filter((m) => m.version <= 3))
  })

  after(async () => ch.close())

  describe('without Kafka: straight into ClickHouse', () => {
    let app: ApiApp
    let metrics: MetricsRegistry
    before(() => ({ app, metrics } = buildApp(config, ch, clickHouseEventSink(ch))))

    it('stores predictions with source http and partition/offset -1, once however often the request is retried', async () => {
      const batch = [prediction('p1'), prediction('p2'), prediction('p3')]
      for (let attempt = 0; attempt < 3; attempt++) {
        const res = await send(app, '/v1/events/predictions', batch)
        assert.equal(res.status, 200)
        assert.deepEqual(await res.json(), { accepted: 3, destination: 'clickhouse' })
      }
      // The same ids again in another batch: a different insert, collapsed by the sorting key under FINAL.
      assert.equal((await send(app, '/v1/events/predictions', [prediction('p2'), prediction('p1')])).status, 200)
      assert.equal(await count(ch, "SELECT count() AS n FROM predictions FINAL WHERE model = 'churn'"), 3)
      assert.equal(await count(ch, "SELECT count() AS n FROM predictions WHERE model = 'churn'"), 5, 'the exact retries were dropped by the deduplication token')
      const [row] = await rows(ch, "SELECT source, kafka_partition, kafka_offset, score, numeric_features['tenure'] AS tenure, segments['region'] AS region FROM predictions FINAL WHERE event_id = 'p1'")
      assert.deepEqual(row, { source: 'http', kafka_partition: -1, kafka_offset: -1, score: 0.8, tenure: 14, region: 'eu' })
      assert.match(metrics.render(), /modelwatch_api_events_total\{kind="prediction",destination="clickhouse"\} 11/)
    })

    it('stores ground truth the same way, and joins it to its prediction', async () => {
      for (let attempt = 0; attempt < 2; attempt++) assert.equal((await send(app, '/v1/events/ground-truth', [label('p1', '1'), label('p2', '0')])).status, 200)
      assert.equal(await count(ch, "SELECT count() AS n FROM ground_truth FINAL WHERE model = 'churn'"), 2)
      const joined = await rows(ch, "SELECT event_id, label_class FROM labelled_predictions WHERE model = 'churn' ORDER BY event_id")
      assert.deepEqual(joined, [{ event_id: 'p1', label_class: '1' }, { event_id: 'p2', label_class: '0' }, { event_id: 'p3', label_class: null }])
    })

    it('refuses a request with invalid items whole: 422 with each bad index and reason, nothing stored', async () => {
      const batch = [
        prediction('ok1'),
        { ...prediction('bad1'), timestamp: Math.floor(NOW / 1000) },
        prediction('ok2'),
        { ...prediction('bad2'), prediction: {} },
        { ...prediction('bad3'), numeric_features: { tenure: 'fourteen' } },
      ]
      const res = await send(app, '/v1/events/predictions', batch)
      assert.equal(res.status, 422)
      assert.equal(res.headers.get('content-type'), 'application/problem+json')
      const body = (await res.json()) as { code: string; detail: string; errors: { index: number; path: string; message: string }[] }
      assert.equal(body.code, 'REQUEST_INVALID')
      assert.match(body.detail, /^3 items of the body are invalid: \/1\/timestamp: must be ms since the Unix epoch/)
      assert.deepEqual(body.errors.map((e) => [e.index, e.path]), [[1, '/1/timestamp'], [3, '/3/prediction'], [4, '/4/numeric_features/tenure']])
      assert.match(body.errors[1]?.message ?? '', /needs at least one of score, probabilities, predicted_class, value/)
      assert.match(body.errors[2]?.message ?? '', /expected number, received string/)
      assert.equal(await count(ch, "SELECT count() AS n FROM predictions WHERE event_id IN ('ok1', 'ok2')"), 0)
    })

    it('refuses an empty array, more than MODELWATCH_API_MAX_EVENTS items, a non-array and a read token', async () => {
      const problem = async (res: Response) => [res.status, ((await res.json()) as { code: string }).code]
      assert.deepEqual(await problem(await send(app, '/v1/events/predictions', [])), [422, 'REQUEST_INVALID'])
      const many = Array.from({ length: 51 }, (_, i) => prediction(`m${i}`))
      const tooMany = await send(app, '/v1/events/predictions', many)
      assert.equal(tooMany.status, 422)
      assert.match(((await tooMany.json()) as { detail: string }).detail, /at most 50|<=50/)
      assert.deepEqual(await problem(await send(app, '/v1/events/ground-truth', label('x', '1'))), [422, 'REQUEST_INVALID'])
      assert.deepEqual(await problem(await send(app, '/v1/events/ground-truth', [label('x', '1')], READ)), [403, 'FORBIDDEN'])
      assert.equal(await count(ch, "SELECT count() AS n FROM ground_truth WHERE event_id = 'x' OR event_id LIKE 'm%'"), 0)
    })
  })

  describe('with Kafka: produced to the topics', () => {
    it('produces each event as JSON keyed by event_id to the configured topic, answering 202', async () => {
      const env = testEnv()
      const kafkaConfig = loadConfig({ ...env, MODELWATCH_DATA_DIR: testDataDir(), MODELWATCH_API_TOKENS: `w:write:${WRITE}` })
      const kafka = createKafka(kafkaConfig.kafka ?? assert.fail('testEnv sets KAFKA_BROKERS'), log)
      const sink = await kafkaEventSink(kafka, kafkaConfig.topics)
      const { app } = buildApp(kafkaConfig, ch, sink)
      const consumer = rawKafka().consumer({ groupId: uniqueName('api-events-check') })
      try {
        const res = await send(app, '/v1/events/predictions', [prediction('k1'), prediction('k2', 0.1)])
        assert.equal(res.status, 202)
        assert.deepEqual(await res.json(), { accepted: 2, destination: 'kafka' })
        assert.equal((await send(app, '/v1/events/ground-truth', [label('k1', '1')])).status, 202)
        const seen: { topic: string; key: string; value: Record<string, unknown> }[] = []
        await consumer.connect()
        await consumer.subscribe({ topics: [kafkaConfig.topics.predictions, kafkaConfig.topics.groundTruth], fromBeginning: true })
        await consumer.run({ eachMessage: async ({ topic, message }) => void seen.push({ topic, key: message.key?.toString() ?? '', value: JSON.parse(message.value?.toString() ?? 'null') as Record<string, unknown> }) })
        await waitFor(async () => seen.length, (n) => n >= 3, 'three messages on the topics')
        const byKey = Object.fromEntries(seen.map((m) => [`${m.topic === kafkaConfig.topics.predictions ? 'p' : 'g'}:${m.key}`, m.value]))
        assert.deepEqual(Object.keys(byKey).sort(), ['g:k1', 'p:k1', 'p:k2'])
        assert.deepEqual((byKey['p:k2'] as { prediction: unknown }).prediction, { score: 0.1, predicted_class: '1', probabilities: null, value: null })
        assert.deepEqual((byKey['g:k1'] as { label: unknown }).label, { class: '1', value: null })
      } finally {
        await consumer.disconnect()
        await sink.close()
      }
    })
  })
})
