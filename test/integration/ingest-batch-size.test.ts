/**
 * MODELWATCH_BATCH_SIZE bounds what ingest holds, against the real broker and embedded engine: a backlog much
 * larger than a batch, spread over several partitions whose fetches each exceed a batch, is stored in batches
 * of at most that many messages, every event exactly once, and the offsets committed cover it all.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { capturedLog, committedTotal, count, rawKafka, startTestIngest, testEnv, waitFor, type RunningIngest } from '../support/harness.js'

const BATCH_SIZE = 200
const PARTITIONS = 3
const EVENTS = 1_500 // 500 a partition: each partition's first fetch holds more than a batch

describe('ingest: batches never exceed MODELWATCH_BATCH_SIZE', () => {
  let run: RunningIngest
  const { log, lines } = capturedLog('info')
  const env = testEnv({ MODELWATCH_BATCH_SIZE: String(BATCH_SIZE), MODELWATCH_BATCH_LINGER_MS: '200' })

  before(async () => {
    const kafka = rawKafka()
    const admin = kafka.admin()
    await admin.connect()
    try {
      await admin.createTopics({ topics: [{ topic: String(env.MODELWATCH_TOPIC_PREDICTIONS), numPartitions: PARTITIONS }], waitForLeaders: true })
    } finally {
      await admin.disconnect()
    }
    // The whole backlog is there before ingest starts, so its fetches are as large as the broker serves.
    const producer = kafka.producer()
    await producer.connect()
    const messages = Array.from({ length: EVENTS }, (_, i) => ({
      partition: i % PARTITIONS,
      value: JSON.stringify({
        event_id: `bound-${i}`, model: 'churn', model_version: '1', timestamp: Date.UTC(2026, 10, 1) + i,
        numeric_features: { tenure: i }, categorical_features: { plan: 'pro' }, prediction: { score: 0.5 },
      }),
    }))
    await producer.send({ topic: String(env.MODELWATCH_TOPIC_PREDICTIONS), messages })
    await producer.disconnect()
    run = await startTestIngest(env, log)
  })

  after(async () => run.stop())

  it('stores a backlog of 7.5 batches over 3 partitions in batches of at most 200 messages, each event once', async () => {
    await waitFor(async () => run.ingest.health.stored.get({ table: 'predictions' }), (n) => n >= EVENTS, `${EVENTS} predictions stored`)
    const batches = lines.filter((line) => line.msg === 'batch stored').map((line) => Number(line.messages))
    assert.ok(batches.length >= Math.ceil(EVENTS / BATCH_SIZE), `${batches.length} batches`)
    assert.ok(batches.every((size) => size <= BATCH_SIZE), `batch sizes ${JSON.stringify(batches)}`)
    assert.equal(batches.reduce((sum, size) => sum + size, 0), EVENTS, 'every message in exactly one stored batch')
    assert.equal(run.ingest.health.stored.get({ table: 'predictions' }), EVENTS, 'nothing stored twice')
    assert.equal(await count(run.ch, "SELECT uniqExact(event_id) AS n FROM predictions WHERE startsWith(event_id, 'bound-')"), EVENTS)
    await waitFor(() => committedTotal(rawKafka(), run.config.ingest.consumerGroup, run.config.topics.predictions), (n) => n === EVENTS, 'offsets committed')
  })
})
