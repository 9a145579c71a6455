/**
 * `modelwatch demo`: the README's main job. Starts a local Kafka and schema registry when none is configured,
 * runs every service on the embedded engine, registers two models (a churn classifier with a champion and a
 * challenger version serving split traffic, and a delivery-time regressor) with references and monitors, and
 * replays synthetic traffic in accelerated time (one simulated minute, one window, every few seconds), labels
 * following, injecting at known minutes a burst of malformed messages, a feature drift (churn) and a
 * performance drop (delivery times). A local webhook receiver and SMTP server take the notifications.
 * The terminal shows a timeline; `--short` replays faster, waits for the alerts and their deliveries, prints a
 * summary and exits (CI runs it); otherwise traffic goes on live until Ctrl-C.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Kafka } from 'kafkajs'
import { pino } from 'pino'
import { openClickHouse, type ClickHouse } from '../../core/clickhouse/client.js'
import { migrate } from '../../core/clickhouse/migrations.js'
import { loadConfig } from '../../core/config.js'
import { UsageError } from '../../core/errors.js'
import { createLogger } from '../../core/logger.js'
import { MetricsRegistry } from '../../core/metrics.js'
import { sleep } from '../../core/retry.js'
import type { RunningService } from '../../core/service.js'
import { stopAll } from '../../core/shutdown.js'
import { createServiceSignals } from '../../core/signal.js'
import type { MonitorService } from '../../monitor/main.js'
import { compareVersions } from '../../compare/index.js'
import { createProducer, type ModelwatchProducer } from '../../producer/index.js'
import { startDemoPeers } from '../demo/local-peers.js'
import { registerDemoModels } from '../demo/register-models.js'
import { settle, summary } from '../demo/short-mode.js'
import { churnEvent, etaEvent, malformedMessages, type SampleEvent } from '../demo/sample-events.js'
import { seededRandom } from '../demo/seeded-random.js'
import { startCursor, timelineLines } from '../demo/timeline.js'
import { startLocalStack, type LocalStack } from '../local-stack.js'
import { formatReport } from './compare.js'
import { SERVICES } from './serve.js'

export interface DemoOptions {
  /** Replay fast, wait for the alerts and deliveries, print a summary and exit. */
  short: boolean
  /**
   * Start no services and no local receivers: register the models and send the traffic to services running
   * elsewhere (docker-compose's `demo` profile). Needs KAFKA_BROKERS; notifications go to the email channel only.
   */
  produceOnly?: boolean
}

/**
 * The story, in simulated minutes (one window each). The replay ends `ahead` minutes after the real minute it
 * starts in, so that when the windows are computed and judged, a minute or two later, the latest ones are
 * current: rules judge recent windows, not history.
 */
export const DEMO_SCENARIO = { minutes: 16, ahead: 4, malformedAt: 4, driftFrom: 8, dropFrom: 10 } as const
const CHURN_PER_MINUTE = 1_000
const ETA_PER_MINUTE = 400
/** Real time one simulated minute takes: fast in the short mode, watchable otherwise. */
const MINUTE_MS = { short: 400, watch: 4_000 }
const LABELLED_SHARE = 0.85
/** Labels are sent this long (real time) after their predictions, and stamped 90 s (simulated) after them. */
const LABEL_SEND_DELAY_MS = 2_000
const LABEL_LAG_MS = 90_000
const SIGNING_SECRET_ENV = 'MODELWATCH_CHANNEL_SECRET_DEMO_SIGNING'

interface PendingLabels {
  due: number
  labels: SampleEvent['label'][]
}

export async function demoCommand(env: NodeJS.ProcessEnv, options: DemoOptions): Promise<void> {
  const say = (line: string): void => void process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`)
  const dataDir = resolve(env.MODELWATCH_DATA_DIR ?? './data')
  const demoDir = join(dataDir, 'demo')
  mkdirSync(dataDir, { recursive: true })
  rmSync(demoDir, { recursive: true, force: true })
  const logFile = join(dataDir, 'modelwatch.log')

  let stack: LocalStack | undefined
  if (options.produceOnly === true && env.KAFKA_BROKERS === undefined) throw new UsageError('demo --produce-only sends to running services: set KAFKA_BROKERS (and CLICKHOUSE_URL)')
  if (env.KAFKA_BROKERS === undefined) {
    say('no KAFKA_BROKERS set: starting a local Kafka and schema registry (first run downloads them with Maven)')
    stack = await startLocalStack({ runDir: join(dataDir, 'local-stack') })
    say(`Kafka at ${stack.brokers.join(',')}, schema registry at ${stack.registryUrl}`)
  }
  // The channels' secrets come from the environment, as in production: the demo makes up its signing key.
  process.env[SIGNING_SECRET_ENV] = randomBytes(24).toString('hex')
  const peers = options.produceOnly === true ? undefined : await startDemoPeers(demoDir, process.env[SIGNING_SECRET_ENV])
  const readToken = env.MODELWATCH_API_TOKENS === undefined ? randomBytes(12).toString('hex') : undefined
  const config = loadConfig({
    ...env,
    MODELWATCH_DATA_DIR: dataDir,
    ...(stack === undefined ? {} : { KAFKA_BROKERS: stack.brokers.join(','), SCHEMA_REGISTRY_URL: stack.registryUrl }),
    MODELWATCH_HEALTH_PORT: env.MODELWATCH_HEALTH_PORT ?? '0',
    MODELWATCH_API_PORT: env.MODELWATCH_API_PORT ?? '0',
    MODELWATCH_MONITOR_HEALTH_PORT: env.MODELWATCH_MONITOR_HEALTH_PORT ?? 'off',
    ...(readToken === undefined ? {} : { MODELWATCH_API_TOKENS: `demo:read:${readToken}` }),
    MODELWATCH_MONITOR_SCHEDULE: env.MODELWATCH_MONITOR_SCHEDULE ?? '*/5 * * * * *',
    MODELWATCH_ALERT_DEFAULT_MONITORS: 'false',
    ...(peers === undefined
      ? {}
      : { MODELWATCH_SMTP_HOST: '127.0.0.1', MODELWATCH_SMTP_PORT: String(peers.smtpPort), MODELWATCH_SMTP_STARTTLS: 'false', MODELWATCH_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8', MODELWATCH_DELIVERY_POLL_MS: '500' }),
  })
  const log = createLogger(config.logLevel, pino.destination({ dest: logFile, sync: false }))
  const ch = await openClickHouse(config.clickhouse)
  const running: RunningService[] = []
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
    await registerDemoModels(ch, demoDir, peers?.webhookUrl, SIGNING_SECRET_ENV)
    say('models: churn (binary; version 1 champion and version 2 challenger, 50/50 traffic) and delivery_eta (regression); 1-minute windows')
    say('monitors (services/cli/demo/monitors.yaml): churn dataset drift, churn AUC floor, delivery_eta MAE, delivery_eta dataset drift')
    if (peers !== undefined) {
      const ctx = { config, ch, log, signals: createServiceSignals(), metrics: new MetricsRegistry() }
      for (const start of Object.values(SERVICES)) running.push(await start(ctx))
      const api = running.find((s): s is RunningService & { port: number } => s.name === 'api' && 'port' in s)
      say(`services running on the ${ch.mode} ClickHouse in ${ch.location} (logs: ${logFile})`)
      if (api !== undefined) say(`status page: http://${config.host}:${api.port}/  (read token: ${readToken ?? 'one of MODELWATCH_API_TOKENS'})`)
      say(`notifications: webhook log ${peers.webhookLog}, email inbox ${peers.inboxDir}`)
    }

    const brokers = config.kafka?.brokers ?? []
    const topics = { predictions: config.topics.predictions, groundTruth: config.topics.groundTruth }
    const avro = await createProducer({ brokers, schemaRegistry: config.registry === undefined ? undefined : { url: config.registry.url, auth: config.registry.auth }, topics })
    const json = await createProducer({ brokers, format: 'json', topics })
    const raw = new Kafka({ clientId: 'modelwatch-demo', brokers, logLevel: 0 }).producer()
    await raw.connect()

    const runId = `demo-${Date.now().toString(36)}`
    const random = seededRandom(42)
    const cursor = startCursor(Date.now())
    const pending: PendingLabels[] = []
    const minuteMs = options.short ? MINUTE_MS.short : MINUTE_MS.watch
    const simulatedStart = Math.floor(Date.now() / 60_000) * 60_000 - (DEMO_SCENARIO.minutes - DEMO_SCENARIO.ahead) * 60_000
    let sent = 0
    let labelsSent = 0
    let lastTimeline = 0
    const showTimeline = async (): Promise<void> => {
      lastTimeline = Date.now()
      for (const line of await timelineLines(ch, cursor)) say(line)
    }
    const sendDueLabels = async (force = false): Promise<void> => {
      while (pending.length > 0 && (force || (pending[0]?.due ?? Infinity) <= Date.now())) {
        const batch = pending.shift()
        if (batch !== undefined) await avro.sendGroundTruth(batch.labels)
        labelsSent += batch?.labels.length ?? 0
      }
    }
    const sendMinute = async (minuteStart: number, index: number): Promise<void> => {
      const drifted = index >= DEMO_SCENARIO.driftFrom
      const slowed = index >= DEMO_SCENARIO.dropFrom
      const events: SampleEvent[] = []
      for (let i = 0; i < CHURN_PER_MINUTE; i++) {
        events.push(churnEvent(random, `${runId}-c${sent + i}`, minuteStart + Math.floor((i * 60_000) / CHURN_PER_MINUTE), random() < 0.5 ? '1' : '2', drifted))
      }
      for (let i = 0; i < ETA_PER_MINUTE; i++) {
        events.push(etaEvent(random, `${runId}-e${sent + i}`, minuteStart + Math.floor((i * 60_000) / ETA_PER_MINUTE), slowed))
      }
      await send(avro, json, events, sent)
      sent += events.length
      const labels = events.filter(() => random() < LABELLED_SHARE).map((e) => ({ ...e.label, timestamp: Number(e.label.timestamp) + LABEL_LAG_MS }))
      pending.push({ due: Date.now() + LABEL_SEND_DELAY_MS, labels })
    }

    say(`replaying ${DEMO_SCENARIO.minutes} simulated minutes (${CHURN_PER_MINUTE} churn and ${ETA_PER_MINUTE} delivery predictions each): malformed burst at minute ${DEMO_SCENARIO.malformedAt}, churn feature drift from ${DEMO_SCENARIO.driftFrom}, slower deliveries from ${DEMO_SCENARIO.dropFrom}`)
    for (let minute = 0; minute < DEMO_SCENARIO.minutes && !interrupted; minute++) {
      const started = Date.now()
      if (minute === DEMO_SCENARIO.malformedAt) await raw.send({ topic: config.topics.predictions, messages: Array.from({ length: 6 }, () => malformedMessages(runId)).flat().map((value) => ({ value })) })
      await sendMinute(simulatedStart + minute * 60_000, minute)
      say(`${progressBar(minute + 1, DEMO_SCENARIO.minutes)} simulated minute ${minute + 1}/${DEMO_SCENARIO.minutes}, ${sent.toLocaleString('en')} predictions sent${minute === DEMO_SCENARIO.malformedAt ? ', 42 malformed messages' : ''}`)
      do {
        await sendDueLabels()
        if (Date.now() - lastTimeline >= 2_000) await showTimeline()
        await sleep(100)
      } while (Date.now() - started < minuteMs && !interrupted)
    }
    await sendDueLabels(true)

    if (options.short) {
      say('replay done; waiting for the last windows, alerts and deliveries')
      const monitor = running.find((s): s is MonitorService => s.name === 'monitor')
      await settle(ch, monitor, { runId, predictions: sent, labels: labelsSent }, async () => showTimeline(), () => interrupted)
      await showTimeline()
      for (const line of await summary(ch)) say(line)
      say('champion/challenger: churn version 2 against version 1 over the replay')
      process.stdout.write(formatReport(await compareVersions(ch, { model: 'churn', a: '1', b: '2', from: simulatedStart, to: simulatedStart + DEMO_SCENARIO.minutes * 60_000 })))
    } else {
      say('replay done; traffic goes on in real time, one minute at a time (Ctrl-C stops)')
      // Each further minute is sent when the real clock is `ahead` minutes before it, as the replay left off.
      for (let minute = DEMO_SCENARIO.minutes; !interrupted; minute++) {
        const minuteStart = simulatedStart + minute * 60_000
        while (Date.now() < minuteStart - DEMO_SCENARIO.ahead * 60_000 && !interrupted) {
          await sendDueLabels()
          if (Date.now() - lastTimeline >= 2_000) await showTimeline()
          await sleep(250)
        }
        if (interrupted) break
        await sendMinute(minuteStart, minute)
        // Every few minutes, where the champion/challenger test stands (it may be read as often as one likes).
        if ((minute - DEMO_SCENARIO.minutes) % 3 === 0) {
          say('champion/challenger: churn version 2 against version 1 so far')
          process.stdout.write(formatReport(await compareVersions(ch, { model: 'churn', a: '1', b: '2', from: simulatedStart, to: minuteStart })))
        }
      }
    }
    await Promise.all([avro.disconnect(), json.disconnect(), raw.disconnect()])
  } finally {
    await stopAll(running, log, async () => {
      await ch.close()
      await peers?.close()
      await stack?.stop()
    })
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    say('stopped')
  }
}

/** Avro through the registry for most events, plain JSON for every 10th: both paths of ingest. */
async function send(avro: ModelwatchProducer, json: ModelwatchProducer, events: SampleEvent[], offset: number): Promise<void> {
  const asJson = (i: number): boolean => (offset + i) % 10 === 0
  await avro.sendPredictions(events.filter((_, i) => !asJson(i)).map((e) => e.prediction))
  await json.sendPredictions(events.filter((_, i) => asJson(i)).map((e) => e.prediction))
}

function progressBar(done: number, total: number): string {
  const width = 24
  const filled = Math.round((done / total) * width)
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`
}
