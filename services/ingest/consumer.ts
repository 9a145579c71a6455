/**
 * The ingest run loop. kafkajs hands us fetched batches (`eachBatch`); each message is decoded and added
 * to the current `Batch`, and its offset resolved in memory only (auto-commit is off). A separate flusher
 * stores the batch when it is full or has lingered long enough, and only then commits its offsets. So:
 *  - a crash anywhere loses nothing: what was not stored was not committed, and is consumed again;
 *  - what is consumed again is not counted twice (see schemas/clickhouse/001_events.sql);
 *  - a poison message never stops the loop: it becomes a dead letter, stored and committed like any event;
 *  - a batch never holds more than batchSize messages: a handler that fills it waits (heart-beating) until the
 *    flusher has taken it, then goes on with the rest of the same fetch;
 *  - while ClickHouse (or the dead-letter topic) fails, the flusher retries the same batch with backoff
 *    and the topics stay paused, so memory is bounded by two batches (one being stored, one full) and the
 *    fetches in flight; the run loop keeps heart-beating.
 */
import { Partitioners, type Consumer, type EachBatchPayload, type Kafka, type KafkaMessage, type Producer } from 'kafkajs'
import type { ClickHouse } from '../core/clickhouse/client.js'
import type { Config } from '../core/config.js'
import { ModelwatchError, isRetriable } from '../core/errors.js'
import type { WriterSchemas } from '../core/kafka/writer-schemas.js'
import type { Logger } from '../core/logger.js'
import { retry, sleep } from '../core/retry.js'
import { Batch } from './batch.js'
import { decodeEvent, type DecodeOptions } from './decode.js'
import type { IngestHealth } from './health.js'
import type { Rejection } from './reject-reasons.js'
import { groundTruthRow, predictionRow, type RowSource } from './rows.js'
import { storeBatch } from './store.js'

export interface IngestDeps {
  kafka: Kafka
  ch: ClickHouse
  /** Writer schemas for wire-format messages; they report the registry's reachability to `health` themselves. */
  registry: WriterSchemas | undefined
  topics: Config['topics']
  settings: Config['ingest']
  health: IngestHealth
  log: Logger
  /** How long `stop()` keeps trying to store the last batch before abandoning it to redelivery. */
  shutdownTimeoutMs?: number
  /** Called after a batch is stored and committed (the monitor of the same process computes its windows). */
  onStored?: () => void
}

export interface IngestConsumer {
  start(): Promise<void>
  /** Stores (or abandons) the in-flight batch, commits what is stored, leaves the group. */
  stop(): Promise<void>
}

type FlushTrigger = 'size' | 'linger' | 'shutdown'

const REGISTRY_RETRY_MS = 2_000
/** Messages handled between two turns of the event loop. */
const YIELD_EVERY = 1_000
/** How often a handler waiting for the flusher to take a full batch looks up (and heart-beats). */
const ROOM_CHECK_MS = 100

export function createIngestConsumer(deps: IngestDeps): IngestConsumer {
  const { kafka, ch, topics, settings, health } = deps
  const log = deps.log.child({ component: 'consumer' })
  const consumer: Consumer = kafka.consumer({
    groupId: settings.consumerGroup,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    // 1 MB (about 2,500 events) per partition, 8 MB per response: what is fetched is held until handled, and
    // smaller responses lower peak RSS by ~150 MB.
    maxBytesPerPartition: 1024 * 1024,
    maxBytes: 8 * 1024 * 1024,
    maxWaitTimeInMs: 200,
  })
  const deadLetterProducer: Producer = kafka.producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner })
  const decodeOptions: DecodeOptions = { registry: deps.registry, maxEventBytes: settings.maxEventBytes }
  const sourceTopics = [topics.predictions, topics.groundTruth]

  let batch = new Batch()
  let stopping = false
  let flusher: Promise<void> | undefined
  let handlersInFlight = 0
  const pauseReasons = new Set<string>()
  let nudge: () => void = () => {}
  // Resolved (and replaced) whenever the flusher takes the batch, or stop() begins: wakes handlers waiting for room.
  let wake: () => void = () => {}
  let roomMade = new Promise<void>((resolve) => (wake = resolve))
  const makeRoom = (): void => {
    wake()
    roomMade = new Promise<void>((resolve) => (wake = resolve))
  }

  function setPaused(reason: string, on: boolean): void {
    const wasPaused = pauseReasons.size > 0
    if (on) pauseReasons.add(reason)
    else pauseReasons.delete(reason)
    const isPaused = pauseReasons.size > 0
    if (isPaused && !wasPaused) consumer.pause(sourceTopics.map((topic) => ({ topic })))
    if (!isPaused && wasPaused) consumer.resume(sourceTopics.map((topic) => ({ topic })))
    // Only the whole-topic entries are this function's; a partition waiting for the registry keeps its own.
    for (const topic of sourceTopics) {
      if (isPaused) health.paused.set(topic, [...pauseReasons].join(', '))
      else health.paused.delete(topic)
    }
    if (isPaused !== wasPaused) log.info({ paused: isPaused, reasons: [...pauseReasons] }, isPaused ? 'consumption paused' : 'consumption resumed')
  }

  async function handleBatch(payload: EachBatchPayload): Promise<void> {
    handlersInFlight++
    try {
      await consumeMessages(payload)
    } finally {
      handlersInFlight--
    }
  }

  async function consumeMessages({ batch: fetched, resolveOffset, heartbeat, isRunning, isStale, pause }: EachBatchPayload): Promise<void> {
    const { topic, partition } = fetched
    // Messages behind the newest in this partition, as of this fetch (kafkajs: high watermark − last offset − 1).
    health.consumerLag.set(Number(fetched.offsetLag()), { topic, partition: String(partition) })
    const gone = (): boolean => stopping || !isRunning() || isStale()
    // A fetch is taken whole, but never into a full batch: when the batch fills, the handler waits for the
    // flusher to take it and goes on with the same fetch. (Returning half-way instead left the rest to be
    // fetched and decoded again: 1.5 to 3 fetches per event.)
    let added = 0
    try {
      for (const message of fetched.messages) {
        if (batch.size >= settings.batchSize && !(await waitForRoom(heartbeat, gone))) return
        if (gone()) return
        try {
          await addMessage(topic, partition, message)
        } catch (error) {
          if (!isRetriable(error)) throw error
          log.warn({ topic, partition, offset: message.offset, err: error }, 'schema registry unavailable; partition paused')
          const resume = pause()
          const pausedPartition = `${topic}/${partition}`
          health.paused.set(pausedPartition, 'schemaRegistry unavailable')
          setTimeout(() => {
            health.paused.delete(pausedPartition)
            resume()
          }, REGISTRY_RETRY_MS).unref()
          return
        }
        resolveOffset(message.offset)
        // Let timers, /metrics and the flusher run between slices of a fetch (1,000 events are about 25 ms).
        if (++added % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve))
      }
    } finally {
      // Counted once per fetched batch: a labelled counter bumped per message cost 2% of the main thread.
      health.consumed.inc({ topic }, added)
    }
    if (batch.size >= settings.batchSize) nudge()
    await heartbeat()
  }

  /**
   * Waits until the flusher has taken the full batch, heart-beating so the group keeps the partition (a
   * rebalance makes heartbeat throw, which ends the handler; its unresolved messages are fetched again).
   * False when the consumer stops or the fetch went stale meanwhile.
   */
  async function waitForRoom(heartbeat: () => Promise<void>, gone: () => boolean): Promise<boolean> {
    while (batch.size >= settings.batchSize) {
      if (gone()) return false
      nudge()
      await Promise.race([roomMade, sleep(ROOM_CHECK_MS)])
      await heartbeat()
    }
    return true
  }

  async function addMessage(topic: string, partition: number, message: KafkaMessage): Promise<void> {
    const from: RowSource = { source: 'kafka', partition, offset: Number(message.offset) }
    let rejection: Rejection | undefined
    if (topic === topics.predictions) {
      const decoded = await decodeEvent('prediction', message.value, decodeOptions)
      if (decoded.ok) batch.predictions.push(predictionRow(decoded.event, from))
      else rejection = decoded.rejection
    } else {
      const decoded = await decodeEvent('ground_truth', message.value, decodeOptions)
      if (decoded.ok) batch.groundTruth.push(groundTruthRow(decoded.event, from))
      else rejection = decoded.rejection
    }
    if (rejection !== undefined) {
      batch.deadLetters.push({ rejection, topic, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers ?? {} })
    }
    batch.track(topic, partition, message.offset)
  }

  /** Resolves when the current batch should be stored: full, lingered, or shutting down. */
  function flushTrigger(): Promise<FlushTrigger> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        if (stopping) resolve('shutdown')
        else if (batch.size >= settings.batchSize) resolve('size')
        else if (batch.size > 0 && Date.now() - batch.createdAt >= settings.lingerMs) resolve('linger')
        else return false
        clearInterval(timer)
        return true
      }
      const timer = setInterval(check, Math.max(10, Math.min(100, settings.lingerMs / 4)))
      nudge = () => void check()
      check()
    })
  }

  async function runFlusher(): Promise<void> {
    for (;;) {
      const trigger = await flushTrigger()
      if (trigger === 'shutdown') {
        // Let a handler that is mid-batch finish adding, so its messages are stored now rather than redelivered.
        while (handlersInFlight > 0) await sleep(10)
      }
      const full = batch
      batch = new Batch()
      makeRoom()
      if (full.size > 0) await storeAndCommit(full, trigger)
      if (trigger === 'shutdown') return
    }
  }

  async function storeAndCommit(full: Batch, trigger: FlushTrigger): Promise<void> {
    const started = performance.now()
    const deadline = trigger === 'shutdown' ? AbortSignal.timeout(deps.shutdownTimeoutMs ?? 10_000) : undefined
    try {
      await retry(() => storeBatch(full, { ch, deadLetterProducer, deadLetterTopic: topics.deadLetter }), {
        attempts: Number.POSITIVE_INFINITY,
        initialDelayMs: 200,
        maxDelayMs: 10_000,
        signal: deadline,
        onRetry: (error, attempt, delayMs) => {
          const dependency = error instanceof ModelwatchError && error.code === 'KAFKA_UNAVAILABLE' ? 'deadLetterTopic' : 'clickhouse'
          health.markDependency(dependency, false, error)
          health.storeFailures.inc({ dependency })
          setPaused(`${dependency} unavailable`, true)
          log.warn({ dependency, attempt, delayMs, messages: full.size, err: error }, 'store failed; retrying the same batch')
        },
      })
    } catch (error) {
      log.error({ messages: full.size, err: error }, 'batch abandoned at shutdown; its messages will be consumed again')
      return
    }
    health.markDependency('clickhouse', true)
    health.markDependency('deadLetterTopic', true)
    setPaused('clickhouse unavailable', false)
    setPaused('deadLetterTopic unavailable', false)
    await commit(full)
    if (full.predictions.length + full.groundTruth.length > 0) deps.onStored?.()
    const ms = performance.now() - started
    health.stored.inc({ table: 'predictions' }, full.predictions.length)
    health.stored.inc({ table: 'ground_truth' }, full.groundTruth.length)
    for (const letter of full.deadLetters) health.deadLettered.inc({ reason: letter.rejection.reason })
    health.batches.inc({ trigger })
    health.lastBatchSize.set(full.size)
    health.lastInsertSeconds.set(ms / 1000)
    log.info(
      { trigger, messages: full.size, predictions: full.predictions.length, groundTruth: full.groundTruth.length, deadLetters: full.deadLetters.length, ms: Math.round(ms) },
      'batch stored',
    )
  }

  async function commit(stored: Batch): Promise<void> {
    try {
      await retry(() => consumer.commitOffsets(stored.commitOffsets()), { attempts: 3, initialDelayMs: 100, maxDelayMs: 1_000, retriable: () => true })
    } catch (error) {
      // Stored but not committed (e.g. the partition moved in a rebalance): the new owner reads these events
      // again and deduplication absorbs them. Nothing is lost; a warning is enough.
      log.warn({ offsets: stored.commitOffsets(), err: error }, 'offset commit failed after store; events will be deduplicated on redelivery')
    }
  }

  return {
    async start() {
      // Right after a topic is created (here, or by a producer that got there first) brokers may not serve its
      // partitions yet: kafkajs says so with retriable errors, which are waited out here rather than fatal.
      const settle = { attempts: 10, initialDelayMs: 250, maxDelayMs: 3_000, retriable: kafkaRetriable, onRetry: (error: unknown, attempt: number) => void log.warn({ attempt, err: error }, 'topics not ready yet; retrying') }
      await retry(() => ensureTopics(kafka, [...sourceTopics, topics.deadLetter]), settle)
      await retry(() => groupCoordinatorReady(kafka, settings.consumerGroup), settle)
      await deadLetterProducer.connect()
      await consumer.connect()
      await retry(() => consumer.subscribe({ topics: sourceTopics, fromBeginning: true }), settle)
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        // A crash kafkajs restarts from is an outage (the probe in kafka-health.ts reports it); one it does not leaves nothing consuming.
        if (payload.restart) return
        health.status = 'failed'
        log.fatal({ err: payload.error }, 'consumer stopped for good; restart the process')
      })
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 2, eachBatch: handleBatch })
      flusher = runFlusher().catch((error: unknown) => {
        log.fatal({ err: error }, 'flusher failed')
        throw error
      })
      health.status = 'running'
      log.info({ topics: sourceTopics, group: settings.consumerGroup, batchSize: settings.batchSize, lingerMs: settings.lingerMs }, 'ingest started')
    },
    async stop() {
      health.status = 'stopping'
      stopping = true
      setPaused('stopping', true)
      makeRoom()
      nudge()
      await flusher
      await consumer.disconnect()
      await deadLetterProducer.disconnect()
      health.status = 'stopped'
      log.info('ingest stopped')
    },
  }
}

/**
 * Creates the topics that are missing (the broker's default partition count), so a fresh cluster works, and
 * checks every partition has a leader (a topic another client just created may not have one yet).
 */
async function ensureTopics(kafka: Kafka, names: string[]): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const existing = new Set(await admin.listTopics())
    const missing = names.filter((name) => !existing.has(name))
    if (missing.length > 0) await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true })
    const { topics } = await admin.fetchTopicMetadata({ topics: names })
    const leaderless = topics.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0)).map((t) => t.name)
    if (leaderless.length > 0) throw new ModelwatchError('KAFKA_UNAVAILABLE', `topics without partition leaders yet: ${leaderless.join(', ')}`, { retriable: true })
  } finally {
    await admin.disconnect()
  }
}

/**
 * Waits until the group's coordinator serves it. On a new cluster the first group creates __consumer_offsets,
 * whose coordinator then loads for a moment; joining meanwhile makes the kafkajs consumer crash and restart
 * (logged as errors). kafkajs's admin retries the retriable answers (coordinator not available, loading).
 */
async function groupCoordinatorReady(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.describeGroups([groupId])
  } finally {
    await admin.disconnect()
  }
}

/**
 * kafkajs marks the errors worth waiting out (leader elections, metadata not yet propagated) with
 * `retriable: true`. (Its error classes are not reachable as ESM named exports, hence the duck typing.)
 */
function kafkaRetriable(error: unknown): boolean {
  const kafkaRetriableFlag = error instanceof Error && error.name.startsWith('KafkaJS') && 'retriable' in error && error.retriable === true
  return kafkaRetriableFlag || isRetriable(error)
}
