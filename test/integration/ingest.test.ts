/**
 * Ingest against the real broker, registry and embedded ClickHouse: what goes in through the producer
 * comes out of ClickHouse exactly, bad messages go to the dead-letter topic with their reason, and labels
 * join their predictions whatever the arrival order.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import type { KafkaMessage } from 'kafkajs'
import type { PredictionEventInput } from '../../services/core/events/contracts.js'
import { DEAD_LETTER_HEADERS } from '../../services/ingest/dead-letter.js'
import { createProducer, type ModelwatchProducer } from '../../services/producer/index.js'
import { predictionAvroSchema } from '../../services/producer/schemas.js'
import { count, rawKafka, readTopic, rows, stackFromEnv, startTestIngest, testEnv, waitFor, type RunningIngest } from '../support/harness.js'

const DAY_MS = 86_400_000
const T0 = Date.UTC(2026, 10, 1, 12, 0, 0)

function prediction(eventId: string, i: number, overrides: Partial<PredictionEventInput> = {}): PredictionEventInput {
  return {
    event_id: eventId,
    model: 'churn',
    model_version: '7',
    timestamp: T0 + i * 1000,
    numeric_features: { tenure: i, spend: i / 4, missing: null },
    categorical_features: { plan: i % 2 === 0 ? 'pro' : 'basic' },
    prediction: { score: (i % 100) / 100, predicted_class: i % 3 === 0 ? '1' : '0' },
    segments: { region: 'eu' },
    ...overrides,
  }
}

describe('ingest: Kafka to ClickHouse', () => {
  let run: RunningIngest
  let avro: ModelwatchProducer
  let json: ModelwatchProducer

  before(async () => {
    run = await startTestIngest(testEnv())
    const { brokers, registryUrl } = stackFromEnv()
    const topics = { predictions: run.config.topics.predictions, groundTruth: run.config.topics.groundTruth }
    avro = await createProducer({ brokers, schemaRegistry: { url: registryUrl }, topics })
    json = await createProducer({ brokers, format: 'json', topics })
  })

  after(async () => {
    await avro.disconnect()
    await json.disconnect()
    await run.stop()
  })

  it('stores Avro and JSON predictions exactly: every event once, every value as sent', async () => {
    const avroEvents = Array.from({ length: 300 }, (_, i) => prediction(`exact-a-${i}`, i))
    const jsonEvents = Array.from({ length: 100 }, (_, i) => prediction(`exact-j-${i}`, i, { model_version: '8' }))
    await avro.sendPredictions(avroEvents)
    await json.sendPredictions(jsonEvents)
    await waitFor(() => count(run.ch, "SELECT count() AS n FROM predictions FINAL WHERE startsWith(event_id, 'exact-')"), (n) => n >= 400, '400 predictions')

    const byVersion = await rows<{ v: string; n: number }>(run.ch, "SELECT model_version AS v, count() AS n FROM predictions FINAL WHERE startsWith(event_id, 'exact-') GROUP BY v ORDER BY v")
    assert.deepEqual(byVersion, [{ v: '7', n: 300 }, { v: '8', n: 100 }])
    const [row] = await rows<Record<string, unknown>>(
      run.ch,
      `SELECT event_id, model, toUnixTimestamp64Milli(timestamp) AS ts, numeric_features['tenure'] AS tenure, numeric_features['spend'] AS spend,
              numeric_features['missing'] AS missing, mapContains(numeric_features, 'missing') AS has_missing_key,
              categorical_features['plan'] AS plan, score, predicted_class, value, segments['region'] AS region, source
       FROM predictions FINAL WHERE event_id = {id:String}`,
      { id: 'exact-a-42' },
    )
    assert.deepEqual(row, {
      event_id: 'exact-a-42', model: 'churn', ts: T0 + 42_000, tenure: 42, spend: 10.5, missing: null, has_missing_key: 1,
      plan: 'pro', score: 0.42, predicted_class: '1', value: null, region: 'eu', source: 'kafka',
    })
    assert.equal(await count(run.ch, "SELECT sum(numeric_features['tenure']) AS n FROM predictions FINAL WHERE startsWith(event_id, 'exact-a-')"), (299 * 300) / 2)
  })

  it('reports consumer lag per partition on /metrics, 0 once everything is consumed', async () => {
    const topic = run.config.topics.predictions
    const lags = (): number[] =>
      run.ingest.health.metrics
        .render()
        .split('\n')
        .filter((line) => line.startsWith(`modelwatch_ingest_consumer_lag{topic="${topic}"`))
        .map((line) => Number(line.split(' ').at(-1)))
    await waitFor(async () => lags(), (values) => values.length > 0 && values.every((v) => v === 0), 'lag series at 0')
  })

  it('sets malformed messages aside with their reason, original bytes and source, and stores every good event around them', async () => {
    const { registryUrl } = stackFromEnv()
    const registry = new SchemaRegistry({ host: registryUrl })
    const topic = run.config.topics.predictions
    const { id: schemaId } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(predictionAvroSchema) },
      { subject: `${topic}-value`, compatibility: COMPATIBILITY.BACKWARD },
    )
    const wire = (payload: Buffer, id = schemaId): Buffer => {
      const header = Buffer.alloc(5)
      header.writeInt32BE(id, 1)
      return Buffer.concat([header, payload])
    }
    const nanEvent = await registry.encode(schemaId, { ...prediction('dlq-nan', 1), numeric_features: { tenure: Number.NaN } })
    const good = (i: number): Buffer => Buffer.from(JSON.stringify(prediction(`dlq-good-${i}`, i)))
    const malformed: [string, Buffer][] = [
      ['bad_magic_byte', Buffer.from([0x01, 0x02, 0x03, 0x04])],
      ['unknown_schema_id', wire(Buffer.from([0x02, 0x61]), 987_654_321)],
      ['decode_failed', wire(Buffer.from([0xff, 0xff, 0xff]))],
      ['non_finite_number', nanEvent],
      ['non_finite_number', Buffer.from('{"event_id":"x","numeric_features":{"a":Infinity}}')],
      ['invalid_json', Buffer.from('{"event_id":')],
      ['missing_field', Buffer.from(JSON.stringify({ ...prediction('dlq-missing', 1), model_version: undefined }))],
      ['wrong_type', Buffer.from(JSON.stringify({ ...prediction('dlq-type', 1), timestamp: 'yesterday' }))],
      ['oversized', Buffer.from(JSON.stringify({ ...prediction('dlq-big', 1), pad: 'x'.repeat(70_000) }))],
      ['empty_message', Buffer.alloc(0)],
    ]
    const messages = malformed.flatMap(([, value], i) => [{ value: good(2 * i) }, { value, headers: { 'x-producer': 'test' } }, { value: good(2 * i + 1) }])
    const producer = rawKafka().producer()
    await producer.connect()
    await producer.send({ topic, messages })
    await producer.disconnect()

    await waitFor(() => count(run.ch, 'SELECT count() AS n FROM dead_letters FINAL WHERE topic = {t:String}', { t: topic }), (n) => n >= malformed.length, 'dead letters')
    assert.equal(await count(run.ch, "SELECT count() AS n FROM predictions FINAL WHERE startsWith(event_id, 'dlq-good-')"), 2 * malformed.length)
    const expected = new Map<string, number>()
    for (const [reason] of malformed) expected.set(reason, (expected.get(reason) ?? 0) + 1)
    const perReason = await rows<{ reason: string; n: number }>(run.ch, 'SELECT reason, count() AS n FROM dead_letters FINAL WHERE topic = {t:String} GROUP BY reason', { t: topic })
    assert.deepEqual(new Map(perReason.map((r) => [r.reason, r.n])), expected)

    // The dead-letter topic holds the original bytes and headers, plus where they came from and why.
    const letters = await readTopic(run.config.topics.deadLetter, malformed.length)
    assert.equal(letters.length, malformed.length)
    const sourceOffset = (letter: KafkaMessage): number => Number(letter.headers?.[DEAD_LETTER_HEADERS.offset]?.toString())
    const firstOffset = sourceOffset(letters[0] ?? { headers: {} } as KafkaMessage)
    for (const [i, letter] of letters.entries()) {
      const [reason, original] = malformed[i] ?? ['', Buffer.alloc(0)]
      assert.equal(letter.headers?.[DEAD_LETTER_HEADERS.reason]?.toString(), reason)
      assert.equal(letter.headers?.[DEAD_LETTER_HEADERS.topic]?.toString(), topic)
      // Each malformed message sits between two good ones, so their source offsets are 3 apart.
      assert.equal(sourceOffset(letter) - firstOffset, 3 * i)
      assert.equal(letter.headers?.['x-producer']?.toString(), 'test')
      assert.ok((letter.value ?? Buffer.alloc(0)).equals(original), `original bytes of the ${reason} message`)
    }
    const metrics = run.ingest.health.deadLettered
    assert.equal(metrics.get({ reason: 'non_finite_number' }), 2)
  })

  it('joins labels to predictions whatever the order: label first, days late, corrected twice', async () => {
    const labelFirst = 'join-early'
    const late = 'join-late'
    const corrected = 'join-corrected'
    const unlabelled = 'join-none'
    await avro.sendGroundTruth([{ event_id: labelFirst, timestamp: T0, label: { class: '1' } }])
    await waitFor(async () => run.ingest.health.stored.get({ table: 'ground_truth' }), (n) => n === 1, 'early label stored')
    await avro.sendPredictions([prediction(labelFirst, 1), prediction(late, 2), prediction(corrected, 3), prediction(unlabelled, 4)])
    // The correction (later timestamp) is sent before the label it corrects: timestamp order wins, not arrival.
    await avro.sendGroundTruth([
      { event_id: late, timestamp: T0 + 5 * DAY_MS, label: { class: '0' } },
      { event_id: corrected, timestamp: T0 + 2 * DAY_MS, label: { class: '1' } },
      { event_id: corrected, timestamp: T0 + 1 * DAY_MS, label: { class: '0' } },
    ])
    await avro.sendGroundTruth([{ event_id: corrected, timestamp: T0 + 1 * DAY_MS, label: { class: '0' } }])
    // Five labels in all (the early one included); background merges may already have collapsed the
    // corrections in the table, so progress is read from the service's own counter.
    await waitFor(async () => run.ingest.health.stored.get({ table: 'ground_truth' }), (n) => n >= 5, 'labels stored')
    await waitFor(() => count(run.ch, "SELECT count() AS n FROM predictions FINAL WHERE startsWith(event_id, 'join-')"), (n) => n === 4, 'predictions')

    const joined = await rows<{ event_id: string; label_class: string | null; delay_days: number | null }>(
      run.ch,
      `SELECT event_id, label_class, dateDiff('day', timestamp, label_timestamp) AS delay_days
       FROM labelled_predictions WHERE startsWith(event_id, 'join-') ORDER BY event_id`,
    )
    assert.deepEqual(joined, [
      { event_id: corrected, label_class: '1', delay_days: 2 },
      { event_id: labelFirst, label_class: '1', delay_days: 0 },
      { event_id: late, label_class: '0', delay_days: 5 },
      { event_id: unlabelled, label_class: null, delay_days: null },
    ])
  })

  it('stores events written with a newer compatible schema, and refuses an incompatible one with a clear error', async () => {
    const { brokers, registryUrl } = stackFromEnv()
    const topics = { predictions: run.config.topics.predictions, groundTruth: run.config.topics.groundTruth }
    const evolved = { ...predictionAvroSchema, fields: [...predictionAvroSchema.fields, { name: 'request_country', type: ['null', 'string'], default: null }] }
    await avro.sendPredictions([prediction('evolve-v1', 1)])
    const newer = await createProducer({ brokers, schemaRegistry: { url: registryUrl }, topics, schemas: { prediction: evolved } })
    try {
      await newer.sendPredictions([{ ...prediction('evolve-v2', 2), request_country: 'DE' } as PredictionEventInput])
    } finally {
      await newer.disconnect()
    }
    await waitFor(() => count(run.ch, "SELECT count() AS n FROM predictions FINAL WHERE startsWith(event_id, 'evolve-')"), (n) => n === 2, 'both versions stored')

    const incompatible = { ...predictionAvroSchema, fields: [...predictionAvroSchema.fields, { name: 'required_without_default', type: 'string' }] }
    const refused = await createProducer({ brokers, schemaRegistry: { url: registryUrl }, topics, schemas: { prediction: incompatible } })
    try {
      await assert.rejects(refused.sendPredictions([prediction('evolve-bad', 3)]), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'SCHEMA_INCOMPATIBLE')
        assert.match(error.message, /not BACKWARD-compatible/)
        return true
      })
    } finally {
      await refused.disconnect()
    }
  })

  it('refuses an invalid event in the producer before sending anything', async () => {
    await assert.rejects(avro.sendPredictions([prediction('p-ok', 1), { ...prediction('p-bad', 2), timestamp: 12 }]), /event 1: timestamp/)
  })
})
