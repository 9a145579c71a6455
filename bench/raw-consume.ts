/**
 * Child process of bench/ingest.ts, figure (a): how fast kafkajs alone reads the benchmark topic, with a
 * no-op `eachBatch` (auto-resolve and auto-commit left at their defaults). It runs in its own process so its
 * memory and CPU do not mix with the ingest run it is compared with.
 *
 * The consumer uses the same fetch settings and partition concurrency as the ingest consumer
 * (services/ingest/consumer.ts), so (b)/(a) measures what ingest adds on top of kafkajs, not a difference
 * in fetch sizes.
 *
 * usage: node --import tsx bench/raw-consume.ts --brokers HOST:PORT[,...] --topic T --group G --events N
 * Prints one JSON line (`RawConsumeResult`) on stdout; exit status 1 with a message on stderr on failure.
 */
import { parseArgs } from 'node:util'
import { Kafka, logLevel } from 'kafkajs'

export interface RawConsumeResult {
  events: number
  /** From the first fetched batch handed to eachBatch to the last of `events` messages. */
  seconds: number
  /** Messages after the first batch, over `seconds` (the first batch arrived at the clock's start). */
  eventsPerSecond: number
  /** From subscribe to the first batch (group join, first fetch). */
  firstBatchAfterMs: number
  /** CPU (user + system) this process used over `seconds`, in cores. */
  cores: number
  peakRssMb: number
}

const { values } = parseArgs({
  options: {
    brokers: { type: 'string' },
    topic: { type: 'string' },
    group: { type: 'string' },
    events: { type: 'string' },
    'timeout-ms': { type: 'string', default: '600000' },
  },
})
const { brokers, topic, group } = values
const events = Number(values.events)
if (brokers === undefined || topic === undefined || group === undefined || !Number.isInteger(events) || events <= 0) {
  process.stderr.write('usage: raw-consume.ts --brokers B --topic T --group G --events N\n')
  process.exit(2)
}

const timeout = setTimeout(() => {
  process.stderr.write(`raw-consume: timed out after ${values['timeout-ms']} ms\n`)
  process.exit(1)
}, Number(values['timeout-ms']))

const kafka = new Kafka({ clientId: 'modelwatch-bench-raw', brokers: brokers.split(','), logLevel: logLevel.WARN })
// Same as createIngestConsumer in services/ingest/consumer.ts.
const consumer = kafka.consumer({
  groupId: group,
  sessionTimeout: 30_000,
  heartbeatInterval: 3_000,
  maxBytesPerPartition: 4 * 1024 * 1024,
  maxBytes: 32 * 1024 * 1024,
  maxWaitTimeInMs: 200,
})

try {
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  const subscribed = performance.now()
  let first: { at: number; cpu: NodeJS.CpuUsage; count: number } | undefined
  let count = 0
  const finished = await new Promise<{ at: number; cpu: NodeJS.CpuUsage }>((resolve, reject) => {
    consumer
      .run({
        partitionsConsumedConcurrently: 2,
        eachBatch: async ({ batch }) => {
          count += batch.messages.length
          first ??= { at: performance.now(), cpu: process.cpuUsage(), count }
          if (count >= events) resolve({ at: performance.now(), cpu: process.cpuUsage() })
        },
      })
      .catch(reject)
  })
  if (first === undefined) throw new Error('no batch was consumed')
  const seconds = (finished.at - first.at) / 1000
  const cpu = process.cpuUsage(first.cpu)
  const result: RawConsumeResult = {
    events: count,
    seconds,
    eventsPerSecond: (count - first.count) / seconds,
    firstBatchAfterMs: first.at - subscribed,
    cores: (cpu.user + cpu.system) / 1e6 / seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }
  await consumer.disconnect()
  clearTimeout(timeout)
  process.stdout.write(`${JSON.stringify(result)}\n`)
  process.exit(0)
} catch (error) {
  process.stderr.write(`raw-consume: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
}
