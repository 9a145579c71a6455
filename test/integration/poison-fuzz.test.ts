/**
 * Poison messages, fuzzed: thousands of valid Avro, JSON Schema and JSON events, mutated at random from a
 * fixed seed (test/support/poison-messages.ts), produced to three-partition topics of the real broker and
 * consumed by `modelwatch ingest` as a child process, where a crash would show. Every message must end
 * either stored or dead-lettered with a reason, never both, never twice; the dead-letter topic keeps the
 * original bytes; the group's lag reaches 0 on every partition; the process stays up and exits 0 on SIGTERM.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { Message } from 'kafkajs'
import { freePorts } from '../../services/cli/free-ports.js'
import { openClickHouse } from '../../services/core/clickhouse/client.js'
import { loadConfig } from '../../services/core/config.js'
import { avroType } from '../../services/core/kafka/avro-type.js'
import { DEAD_LETTER_HEADERS } from '../../services/ingest/dead-letter.js'
import { REJECT_REASONS } from '../../services/ingest/reject-reasons.js'
import { groundTruthAvroSchema, groundTruthJsonSchema, predictionAvroSchema, predictionJsonSchema } from '../../services/producer/schemas.js'
import { scrapeCounter, startCli, waitForHealth } from '../support/cli-process.js'
import { rawKafka, readTopic, rows, stackFromEnv, testEnv, uniqueName, waitFor } from '../support/harness.js'
import { poisonMessages, type PoisonMessage, type PoisonSchemas, type PoisonTopic } from '../support/poison-messages.js'

const MESSAGES = 3_000
const SEED = 20_261_101
const PARTITIONS = 3
const MAX_EVENT_BYTES = 65_536

/** Registers a schema under a subject of its own; returns its id. */
async function register(schemaType: string, schema: string): Promise<number> {
  const { registryUrl } = stackFromEnv()
  const response = await fetch(`${registryUrl}/subjects/${uniqueName('fuzz')}-value/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schemaType, schema }),
  })
  const { id } = (await response.json()) as { id: number }
  assert.equal(response.status, 200)
  return id
}

/** `topic/partition/offset` of a message. */
const at = (topic: string, partition: number | string, offset: number | string): string => `${topic}/${partition}/${offset}`

describe('poison messages (fuzz)', () => {
  it(`ends each of ${MESSAGES} mutated messages stored or dead-lettered with a reason, with no stall and no crash`, { timeout: 170_000 }, async () => {
    const [healthPort = 0] = await freePorts(1)
    const env = testEnv({
      MODELWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'modelwatch-fuzz-')),
      MODELWATCH_HEALTH_PORT: String(healthPort),
      MODELWATCH_BATCH_SIZE: '1000',
      MODELWATCH_BATCH_LINGER_MS: '100',
      MODELWATCH_MAX_EVENT_BYTES: String(MAX_EVENT_BYTES),
    })
    const topics: Record<PoisonTopic, string> = { predictions: env.MODELWATCH_TOPIC_PREDICTIONS ?? '', groundTruth: env.MODELWATCH_TOPIC_GROUND_TRUTH ?? '' }
    const deadLetterTopic = env.MODELWATCH_TOPIC_DLQ ?? ''
    const schemas: PoisonSchemas = {
      avro: {
        predictions: { id: await register('AVRO', JSON.stringify(predictionAvroSchema)), type: avroType(predictionAvroSchema) },
        groundTruth: { id: await register('AVRO', JSON.stringify(groundTruthAvroSchema)), type: avroType(groundTruthAvroSchema) },
      },
      jsonSchema: { predictions: await register('JSON', predictionJsonSchema), groundTruth: await register('JSON', groundTruthJsonSchema) },
      unusableId: await register('PROTOBUF', 'syntax = "proto3";\nmessage Nothing {}\n'),
      maxEventBytes: MAX_EVENT_BYTES,
    }
    const messages = poisonMessages(MESSAGES, SEED, schemas)

    const kafka = rawKafka()
    const admin = kafka.admin()
    await admin.connect()
    // Three partitions each, created before ingest would create them with the broker's default of one.
    await admin.createTopics({ topics: Object.values(topics).map((topic) => ({ topic, numPartitions: PARTITIONS })), waitForLeaders: true }).catch(async (error: unknown) => {
      await admin.disconnect()
      throw error
    })
    const producer = kafka.producer()
    const ingest = startCli(['ingest'], env)
    let exitedEarly = false
    void ingest.exited.then(() => (exitedEarly = true))
    /** What was produced where: `topic/partition/offset` → the message. */
    const produced = new Map<string, PoisonMessage>()
    try {
      await waitForHealth(healthPort)
      await producer.connect()
      const started = Date.now()
      // Sent in requests under the broker's 1 MB limit (oversized and bomb messages are up to 130 KB each).
      const pending: Record<PoisonTopic, { m: PoisonMessage; partition: number }[]> = { predictions: [], groundTruth: [] }
      const flush = async (topic: PoisonTopic): Promise<void> => {
        const batch = pending[topic]
        pending[topic] = []
        if (batch.length === 0) return
        const metadata = await producer.send({ topic: topics[topic], messages: batch.map(({ m, partition }): Message => ({ key: m.key, value: m.value, partition })) })
        for (const { partition, baseOffset } of metadata) {
          batch.filter((x) => x.partition === partition).forEach(({ m }, k) => produced.set(at(topics[topic], partition, Number(baseOffset) + k), m))
        }
      }
      for (const [i, m] of messages.entries()) {
        pending[m.topic].push({ m, partition: i % PARTITIONS })
        const bytes = pending[m.topic].reduce((sum, x) => sum + (x.m.value?.length ?? 0), 0)
        if (bytes > 400_000 || pending[m.topic].length >= 500) await flush(m.topic)
      }
      await flush('predictions')
      await flush('groundTruth')
      assert.equal(produced.size, MESSAGES)

      // Stall check: every partition's committed offset reaches its end (lag 0), while the process stays up.
      const lag = async (): Promise<number> => {
        let behind = 0
        for (const topic of Object.values(topics)) {
          const ends = await admin.fetchTopicOffsets(topic)
          const [committed] = await admin.fetchOffsets({ groupId: env.MODELWATCH_CONSUMER_GROUP ?? '', topics: [topic] })
          for (const { partition, high } of ends) {
            const done = Number(committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1)
            behind += Number(high) - Math.max(0, done)
          }
        }
        return exitedEarly ? Number.NaN : behind
      }
      await waitFor(lag, (n) => n === 0, 'lag 0 on every partition (NaN: ingest exited)', 120_000).catch((error: Error) => {
        const { stdout, stderr } = ingest.output()
        throw new Error(`${error.message}\ningest's last output:\n${(stdout + stderr).slice(-4000)}`)
      })
      const seconds = (Date.now() - started) / 1000
      const handled = (await scrapeCounter(healthPort, 'modelwatch_ingest_events_stored_total')) + (await scrapeCounter(healthPort, 'modelwatch_ingest_dead_letters_total'))
      assert.equal(handled, MESSAGES, 'stored + dead-lettered, as counted by ingest itself')
      assert.equal((await fetch(`http://127.0.0.1:${healthPort}/healthz`)).status, 200)
      process.stdout.write(`# fuzz: ${MESSAGES} messages produced and handled in ${seconds.toFixed(1)} s\n`)
    } finally {
      await producer.disconnect()
      await admin.disconnect()
      ingest.child.kill('SIGTERM')
      // A process that cannot stop (a blocked event loop) must not hold the test run: SIGKILL after 30 s.
      setTimeout(() => ingest.child.kill('SIGKILL'), 30_000).unref()
    }
    const exit = await ingest.exited
    assert.equal(exit.code, 0, `ingest exits 0 on SIGTERM; stderr: ${exit.stderr.slice(-3000)}`)
    assert.doesNotMatch(exit.stdout + exit.stderr, /"level":60|uncaught|unhandled/i, 'no fatal log line, no uncaught error')

    // Accounting in ClickHouse: stored and dead-lettered offsets partition the produced ones exactly.
    const ch = await openClickHouse(loadConfig(env).clickhouse)
    try {
      const stored = [
        ...(await rows<{ p: number; o: string }>(ch, 'SELECT kafka_partition AS p, toString(kafka_offset) AS o FROM predictions')).map((r) => at(topics.predictions, r.p, r.o)),
        ...(await rows<{ p: number; o: string }>(ch, 'SELECT kafka_partition AS p, toString(kafka_offset) AS o FROM ground_truth')).map((r) => at(topics.groundTruth, r.p, r.o)),
      ]
      const letters = await rows<{ topic: string; partition: number; offset: string; reason: string; detail: string }>(
        ch, 'SELECT topic, partition, toString(offset) AS offset, reason, detail FROM dead_letters',
      )
      const deadLettered = letters.map((l) => at(l.topic, l.partition, l.offset))
      assert.equal(new Set(stored).size, stored.length, 'no event stored twice')
      assert.equal(new Set(deadLettered).size, deadLettered.length, 'no message dead-lettered twice')
      const outcome = new Set([...stored, ...deadLettered])
      assert.equal(stored.length + deadLettered.length, outcome.size, 'no message both stored and dead-lettered')
      assert.deepEqual([...outcome].sort(), [...produced.keys()].sort(), 'every produced message has exactly one outcome')

      for (const letter of letters) {
        assert.ok(letter.reason in REJECT_REASONS, `known reason: ${letter.reason}`)
        assert.doesNotMatch(letter.detail, /unexpected decoder error/, `a decoder bug surfaced on ${at(letter.topic, letter.partition, letter.offset)}`)
      }
      const perReason = new Map<string, number>()
      for (const { reason } of letters) perReason.set(reason, (perReason.get(reason) ?? 0) + 1)
      process.stdout.write(`# fuzz: ${stored.length} stored; dead letters by reason: ${JSON.stringify(Object.fromEntries([...perReason].sort()))}\n`)
      // The mutations reach every path they aim at, not just the first check.
      for (const reason of ['bad_magic_byte', 'unknown_schema_id', 'unusable_schema', 'decode_failed', 'invalid_json', 'non_finite_number', 'missing_field', 'wrong_type', 'invalid_value', 'oversized', 'empty_message']) {
        assert.ok((perReason.get(reason) ?? 0) > 0, `some messages dead-lettered as ${reason}`)
      }
      assert.ok(stored.length > MESSAGES / 10, 'a good share stored')

      // The dead-letter topic: one message per row, with its reason and the original bytes.
      const onTopic = await readTopic(deadLetterTopic, letters.length)
      const reasonAt = new Map(letters.map((l) => [at(l.topic, l.partition, l.offset), l.reason]))
      assert.equal(onTopic.length, letters.length)
      for (const message of onTopic) {
        const header = (name: string): string => message.headers?.[name]?.toString() ?? ''
        const source = at(header(DEAD_LETTER_HEADERS.topic), header(DEAD_LETTER_HEADERS.partition), header(DEAD_LETTER_HEADERS.offset))
        assert.equal(header(DEAD_LETTER_HEADERS.reason), reasonAt.get(source), `reason of ${source}`)
        const original = produced.get(source)?.value ?? null
        assert.ok(original === null ? message.value === null || message.value.length === 0 : message.value?.equals(original), `original bytes of ${source}`)
      }
    } finally {
      await ch.close()
    }
  })
})
