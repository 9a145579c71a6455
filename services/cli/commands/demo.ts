/**
 * `modelwatch demo`: the README's main job. Starts a local Kafka and schema registry when none is
 * configured, runs every service on the embedded engine, and feeds them sample traffic (Avro and JSON
 * predictions, labels arriving a few seconds later, and a handful of malformed messages) while printing
 * what arrives. Ctrl-C stops everything cleanly; `--events N` sends N predictions, waits until they are
 * all stored, prints a summary and exits (the CI's short mode).
 */
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Kafka } from 'kafkajs'
import { migrate } from '../../core/clickhouse/migrations.js'
import { loadConfig } from '../../core/config.js'
import { createLogger } from '../../core/logger.js'
import { openClickHouse } from '../../core/clickhouse/client.js'
import { sleep } from '../../core/retry.js'
import type { RunningService } from '../../core/service.js'
import { stopAll } from '../../core/shutdown.js'
import { MetricsRegistry } from '../../core/metrics.js'
import { createServiceSignals } from '../../core/signal.js'
import { createProducer } from '../../producer/index.js'
import { startLocalStack, type LocalStack } from '../local-stack.js'
import { DEMO_MODEL, malformedMessages, referenceCsv, sampleEvent, seededRandom, type SampleEvent } from '../demo/sample-events.js'
import { saveModel } from '../../monitor/models/registry.js'
import { uploadReference } from '../../monitor/references/index.js'
import { runMonitorPass } from '../../monitor/pass.js'
import { windowSummary } from '../demo/window-summary.js'
import { writeFileSync } from 'node:fs'
import { SERVICES } from './serve.js'
import { pino } from 'pino'

export interface DemoOptions {
  /** Send this many predictions, wait until stored, then exit. Unset: stream until Ctrl-C. */
  events: number | undefined
}

const EVENTS_PER_TICK = 250
const TICK_MS = 250
/** In the short mode, one tick of events covers one simulated minute, so windows (1 minute) fill quickly. */
const SIMULATED_MS_PER_TICK = 60_000
/** In streaming mode, the feature drift starts this long after the traffic. */
const STREAM_DRIFT_AFTER_MS = 120_000
const LABEL_DELAY_MS = 3_000
const LABELLED_SHARE = 0.8

export async function demoCommand(env: NodeJS.ProcessEnv, options: DemoOptions): Promise<void> {
  const say = (line: string): void => void process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`)
  const dataDir = resolve(env.MODELWATCH_DATA_DIR ?? './data')
  mkdirSync(dataDir, { recursive: true })
  const logFile = join(dataDir, 'modelwatch.log')

  let stack: LocalStack | undefined
  if (env.KAFKA_BROKERS === undefined) {
    say('no KAFKA_BROKERS set: starting a local Kafka and schema registry (first run downloads them with Maven)')
    stack = await startLocalStack({ runDir: join(dataDir, 'local-stack') })
    say(`Kafka at ${stack.brokers.join(',')}, schema registry at ${stack.registryUrl}`)
  }
  const config = loadConfig({
    ...env,
    MODELWATCH_DATA_DIR: dataDir,
    ...(stack === undefined ? {} : { KAFKA_BROKERS: stack.brokers.join(','), SCHEMA_REGISTRY_URL: stack.registryUrl }),
    MODELWATCH_HEALTH_PORT: env.MODELWATCH_HEALTH_PORT ?? '0',
    MODELWATCH_API_PORT: env.MODELWATCH_API_PORT ?? '0',
    MODELWATCH_MONITOR_SCHEDULE: env.MODELWATCH_MONITOR_SCHEDULE ?? '*/10 * * * * *',
  })
  const log = createLogger(config.logLevel, pino.destination({ dest: logFile, sync: false }))
  const ch = await openClickHouse(config.clickhouse)
  const running: RunningService[] = []
  const closeShared = async (): Promise<void> => {
    await ch.close()
    await stack?.stop()
  }
  let interrupted = false
  const onSignal = (): void => {
    if (interrupted) process.exit(130)
    interrupted = true
    say('stopping…')
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  try {
    await migrate(ch)
    const model = await saveModel(ch, DEMO_MODEL)
    const referenceFile = join(dataDir, 'churn-reference.csv')
    writeFileSync(referenceFile, referenceCsv(5_000, 1))
    const reference = await uploadReference(ch, { model, version: '1', file: referenceFile, replace: true })
    say(`model "churn" registered (binary, 6 features, 1-minute windows); version 1 compares against reference ${reference.referenceId} (${reference.rows} rows)`)
    const ctx = { config, ch, log, signals: createServiceSignals(), metrics: new MetricsRegistry() }
    for (const start of Object.values(SERVICES)) running.push(await start(ctx))
    say(`services running on the embedded ClickHouse in ${ch.location} (logs: ${logFile})`)

    const brokers = config.kafka?.brokers ?? []
    const producer = await createProducer({
      brokers,
      schemaRegistry: config.registry === undefined ? undefined : { url: config.registry.url, auth: config.registry.auth },
      topics: { predictions: config.topics.predictions, groundTruth: config.topics.groundTruth },
    })
    const jsonProducer = await createProducer({ brokers, format: 'json', topics: { predictions: config.topics.predictions, groundTruth: config.topics.groundTruth } })
    const raw = new Kafka({ clientId: 'modelwatch-demo', brokers, logLevel: 0 }).producer()
    await raw.connect()

    const runId = `demo-${Date.now().toString(36)}`
    const random = seededRandom(42)
    const pendingLabels: { due: number; event: SampleEvent['label'] }[] = []
    let sent = 0
    let labelsSent = 0
    let lastReport = 0
    say(`sending predictions for model "churn" (Avro through the registry, every 10th as plain JSON); labels follow ${LABEL_DELAY_MS / 1000}s later`)
    await raw.send({ topic: config.topics.predictions, messages: malformedMessages(runId).map((value) => ({ value })) })
    say(`sent ${malformedMessages(runId).length} malformed messages; they should land in ${config.topics.deadLetter}`)

    // Short mode replays in accelerated time: each tick is one simulated minute, ending about now, and the
    // second half of the events drifts. Streaming mode uses the real clock and drifts after two minutes.
    const started = Date.now()
    const ticks = options.events === undefined ? 0 : Math.ceil(options.events / EVENTS_PER_TICK)
    const simulatedStart = Math.floor(started / 60_000) * 60_000 - ticks * SIMULATED_MS_PER_TICK
    let driftAnnounced = false
    while (!interrupted && (options.events === undefined || sent < options.events || pendingLabels.length > 0)) {
      const now = Date.now()
      const count = options.events === undefined ? EVENTS_PER_TICK : Math.min(EVENTS_PER_TICK, options.events - sent)
      const tick = Math.floor(sent / EVENTS_PER_TICK)
      const eventTime = options.events === undefined ? now : simulatedStart + tick * SIMULATED_MS_PER_TICK
      const drifted = options.events === undefined ? now - started >= STREAM_DRIFT_AFTER_MS : sent >= options.events / 2
      if (drifted && !driftAnnounced && count > 0) {
        driftAnnounced = true
        say('injecting drift: new customers (tenure under 6 months) on the basic plan from now on')
      }
      // Spread the tick's events over the time it stands for: a simulated minute, or the real tick.
      const spacingMs = (options.events === undefined ? TICK_MS : SIMULATED_MS_PER_TICK) / EVENTS_PER_TICK
      const batch = Array.from({ length: count }, (_, i) => sampleEvent(random, runId, sent + i, eventTime + Math.floor(i * spacingMs), drifted))
      const json = batch.filter((_, i) => (sent + i) % 10 === 0)
      await producer.sendPredictions(batch.filter((_, i) => (sent + i) % 10 !== 0).map((e) => e.prediction))
      await jsonProducer.sendPredictions(json.map((e) => e.prediction))
      sent += count
      for (const e of batch) if (random() < LABELLED_SHARE) pendingLabels.push({ due: now + LABEL_DELAY_MS, event: { ...e.label, timestamp: e.label.timestamp + 180_000 } })
      const due = pendingLabels.filter((l) => l.due <= now)
      if (due.length > 0) {
        pendingLabels.splice(0, due.length)
        await producer.sendGroundTruth(due.map((l) => l.event))
        labelsSent += due.length
      }
      if (now - lastReport >= 2_000) {
        lastReport = now
        say(await progress(ch, runId, sent, labelsSent))
        if (options.events === undefined) for (const line of await windowSummary(ch, 'churn', 1)) say(line)
      }
      await sleep(TICK_MS)
    }
    await producer.disconnect()
    await jsonProducer.disconnect()
    await raw.disconnect()

    if (options.events !== undefined && !interrupted) {
      const deadline = Date.now() + 60_000
      while (Date.now() < deadline && ((await storedCount(ch, runId)) < sent || (await storedCount(ch, runId, 'ground_truth')) < labelsSent)) await sleep(500)
      say(await progress(ch, runId, sent, labelsSent))
      const stored = await storedCount(ch, runId)
      if (stored !== sent) throw new Error(`demo sent ${sent} predictions but ${stored} were stored within 60 s`)
      say(`all ${sent} predictions stored exactly once; computing windows`)
      await runMonitorPass(ch, log)
      for (const line of await windowSummary(ch, 'churn', ticks)) say(line)
    }
  } finally {
    await stopAll(running, log, closeShared)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    say('stopped')
  }
}

async function storedCount(ch: Awaited<ReturnType<typeof openClickHouse>>, runId: string, table: 'predictions' | 'ground_truth' = 'predictions'): Promise<number> {
  const rows = await (
    await ch.client.query({
      query: 'SELECT count() AS n FROM {table:Identifier} FINAL WHERE startsWith(event_id, {prefix:String})',
      query_params: { prefix: `${runId}-`, table },
      format: 'JSONEachRow',
    })
  ).json<{ n: string | number }>()
  return Number(rows[0]?.n ?? 0)
}

async function progress(ch: Awaited<ReturnType<typeof openClickHouse>>, runId: string, sent: number, labelsSent: number): Promise<string> {
  const [counts] = await (
    await ch.client.query({
      query: `SELECT count() AS predictions, countIf(label_class IS NOT NULL) AS labelled
              FROM labelled_predictions WHERE startsWith(event_id, {prefix:String})`,
      query_params: { prefix: `${runId}-` },
      format: 'JSONEachRow',
    })
  ).json<{ predictions: string | number; labelled: string | number }>()
  const reasons = await (
    await ch.client.query({ query: 'SELECT reason, count() AS n FROM dead_letters FINAL GROUP BY reason ORDER BY reason', format: 'JSONEachRow' })
  ).json<{ reason: string; n: string | number }>()
  const dlq = reasons.map((r) => `${r.reason}=${r.n}`).join(' ') || 'none'
  return `sent ${sent} predictions, ${labelsSent} labels | stored ${counts?.predictions ?? 0} predictions, ${counts?.labelled ?? 0} labelled | dead letters: ${dlq}`
}
