/**
 * Events framed with the project's own JSON Schema contracts (schemas/events/*.schema.json, draft 2020-12),
 * registered in the real registry as schema type JSON the way standard producers do it, go through ingest
 * like Avro and plain JSON: stored exactly, and nothing behind them on the partition waits.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { PACKAGE_ROOT } from '../../services/core/package-root.js'
import { createProducer } from '../../services/producer/index.js'
import { count, rawKafka, rows, stackFromEnv, startTestIngest, testEnv, uniqueName, waitFor, type RunningIngest } from '../support/harness.js'

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0)
const contract = (file: string): string => readFileSync(join(PACKAGE_ROOT, 'schemas', 'events', file), 'utf8')

/** Registers `schema` under `subject` as `schemaType` with the registry's REST API; returns its id. */
async function register(subject: string, schemaType: string, schema: string): Promise<number> {
  const { registryUrl } = stackFromEnv()
  const response = await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schemaType, schema }),
  })
  const body = (await response.json()) as { id?: number }
  assert.equal(response.status, 200, `registering ${subject}: ${JSON.stringify(body)}`)
  return body.id ?? Number.NaN
}

/** The Confluent wire format: magic byte 0, the schema id (4 bytes, big-endian), then the JSON text. */
function framed(schemaId: number, value: object): Buffer {
  const header = Buffer.alloc(5)
  header.writeInt32BE(schemaId, 1)
  return Buffer.concat([header, Buffer.from(JSON.stringify(value))])
}

describe('ingest: JSON Schema framed events', () => {
  let run: RunningIngest

  before(async () => {
    run = await startTestIngest(testEnv())
  })

  after(async () => {
    await run.stop()
  })

  it('stores a prediction and a label framed with the shipped draft 2020-12 contracts, and the messages behind them', async () => {
    const { predictions, groundTruth } = run.config.topics
    const predictionId = await register(`${predictions}-value`, 'JSON', contract('prediction.schema.json'))
    const labelId = await register(`${groundTruth}-value`, 'JSON', contract('ground-truth.schema.json'))
    const event = {
      event_id: 'js-1', model: 'churn', model_version: '4', timestamp: T0,
      numeric_features: { tenure: 14, spend: null }, categorical_features: { plan: 'pro' },
      prediction: { score: 0.82, predicted_class: '1' }, segments: { region: 'eu' },
    }
    const behind = { event_id: 'js-2', model: 'churn', model_version: '4', timestamp: T0 + 1, prediction: { score: 0.1 } }
    const producer = rawKafka().producer()
    await producer.connect()
    try {
      await producer.send({ topic: predictions, messages: [{ key: 'js-1', value: framed(predictionId, event) }, { key: 'js-2', value: JSON.stringify(behind) }] })
      await producer.send({ topic: groundTruth, messages: [{ key: 'js-1', value: framed(labelId, { event_id: 'js-1', timestamp: T0 + 60_000, label: { class: '1' } }) }] })
    } finally {
      await producer.disconnect()
    }

    await waitFor(() => count(run.ch, "SELECT count() + countIf(label_class IS NOT NULL) AS n FROM labelled_predictions WHERE startsWith(event_id, 'js-')"), (n) => n === 3, 'both predictions and the label stored', 20_000)
    const stored = await rows<Record<string, unknown>>(
      run.ch,
      `SELECT event_id, model_version, toUnixTimestamp64Milli(timestamp) AS ts, numeric_features['tenure'] AS tenure,
              mapContains(numeric_features, 'spend') AS has_spend, categorical_features['plan'] AS plan, score,
              predicted_class, segments['region'] AS region, label_class
       FROM labelled_predictions WHERE startsWith(event_id, 'js-') ORDER BY event_id`,
    )
    assert.deepEqual(stored, [
      { event_id: 'js-1', model_version: '4', ts: T0, tenure: 14, has_spend: 1, plan: 'pro', score: 0.82, predicted_class: '1', region: 'eu', label_class: '1' },
      { event_id: 'js-2', model_version: '4', ts: T0 + 1, tenure: null, has_spend: 0, plan: null, score: 0.1, predicted_class: null, region: '', label_class: null },
    ])
    assert.equal(await count(run.ch, 'SELECT count() AS n FROM dead_letters FINAL'), 0)
    const health = (await (await fetch(`http://127.0.0.1:${run.ingest.healthPort}/healthz`)).json()) as { status: string; dependencies: { schemaRegistry: { ok: boolean } } }
    assert.equal(health.dependencies.schemaRegistry.ok, true, 'the registry answered: it is not to blame')
    assert.equal(health.status, 'running')
  })

  it('stores events the TypeScript producer sends with format json-schema, registered once as type JSON', async () => {
    const { brokers, registryUrl } = stackFromEnv()
    const topics = { predictions: uniqueName('t') + '.predictions', groundTruth: run.config.topics.groundTruth }
    // Its own prediction topic: the subject of the first test already holds a JSON schema registered by hand.
    const own = await startTestIngest(testEnv({ MODELWATCH_TOPIC_PREDICTIONS: topics.predictions }))
    const producer = await createProducer({ brokers, schemaRegistry: { url: registryUrl }, format: 'json-schema', topics })
    try {
      await producer.sendPredictions(Array.from({ length: 20 }, (_, i) => ({
        event_id: `tsjs-${i}`, model: 'churn', model_version: '5', timestamp: T0 + i, numeric_features: { x: i }, prediction: { probabilities: { a: 0.25, b: 0.75 } },
      })))
      await waitFor(() => count(own.ch, "SELECT count() AS n FROM predictions FINAL WHERE startsWith(event_id, 'tsjs-')"), (n) => n === 20, '20 predictions', 20_000)
      const [sums] = await rows<Record<string, unknown>>(own.ch, "SELECT sum(numeric_features['x']) AS x, sum(probabilities['b']) AS b FROM predictions FINAL WHERE startsWith(event_id, 'tsjs-')")
      assert.deepEqual(sums, { x: 190, b: 15 })
      assert.equal(await count(own.ch, 'SELECT count() AS n FROM dead_letters FINAL'), 0)
      const subject = encodeURIComponent(`${topics.predictions}-value`)
      assert.deepEqual(await (await fetch(`${registryUrl}/subjects/${subject}/versions`)).json(), [1])
      const version = (await (await fetch(`${registryUrl}/subjects/${subject}/versions/1`)).json()) as { schemaType?: string; schema: string }
      assert.equal(version.schemaType, 'JSON')
      assert.equal((JSON.parse(version.schema) as { $schema: string }).$schema, 'https://json-schema.org/draft/2020-12/schema')
    } finally {
      await producer.disconnect()
      await own.stop()
    }
  })

  it('sets aside a message whose schema cannot be used as unusable_schema, one that breaks its writer schema as decode_failed, and moves on', async () => {
    const topic = run.config.topics.predictions
    const protobuf = await register(uniqueName('proto'), 'PROTOBUF', 'syntax = "proto3";\nmessage Prediction { string event_id = 1; }\n')
    const draft04 = await register(uniqueName('draft04'), 'JSON', JSON.stringify({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' }))
    const strict = await register(uniqueName('strict'), 'JSON', JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { event_id: { maxLength: 3 } } }))
    const event = (id: string): object => ({ event_id: id, model: 'churn', model_version: '6', timestamp: T0, prediction: { score: 0.5 } })
    const bad: [string, Buffer][] = [
      ['unusable_schema', framed(protobuf, event('us-proto'))],
      ['unusable_schema', framed(draft04, event('us-d4'))],
      ['decode_failed', framed(strict, event('us-long-id'))],
    ]
    const producer = rawKafka().producer()
    await producer.connect()
    try {
      await producer.send({ topic, messages: [...bad.map(([, value]) => ({ value })), { value: framed(strict, event('us1')) }, { value: JSON.stringify(event('us-behind')) }] })
    } finally {
      await producer.disconnect()
    }
    await waitFor(() => count(run.ch, "SELECT count() AS n FROM predictions FINAL WHERE startsWith(event_id, 'us')"), (n) => n === 2, 'the two good messages stored', 20_000)
    await waitFor(() => count(run.ch, 'SELECT count() AS n FROM dead_letters FINAL WHERE topic = {t:String}', { t: topic }), (n) => n === 3, 'three dead letters')
    const letters = await rows<{ reason: string; detail: string }>(run.ch, 'SELECT reason, detail FROM dead_letters FINAL WHERE topic = {t:String} ORDER BY offset', { t: topic })
    assert.deepEqual(letters.map((l) => l.reason), bad.map(([reason]) => reason))
    assert.match(letters[0]?.detail ?? '', /PROTOBUF.*AVRO and JSON schemas only/)
    assert.match(letters[1]?.detail ?? '', /draft-04.*not supported/)
    assert.match(letters[2]?.detail ?? '', /does not match its writer schema: \/event_id/)
    assert.equal(run.ingest.health.deadLettered.get({ reason: 'unusable_schema' }), 2)
    assert.equal(run.ingest.health.dependencies.schemaRegistry.ok, true)
  })
})
