/**
 * `npm run bench:ingest`: how fast `modelwatch ingest` moves prediction events from Kafka into the embedded
 * ClickHouse engine, next to how fast kafkajs alone reads the same topic. Prints figures; asserts nothing.
 *
 * 1. Produces N JSON prediction events (default 1,000,000; 20 numeric and 5 categorical features) to a new
 *    6-partition topic on the broker (a local one from deploy/local unless KAFKA_BROKERS is set).
 * 2. (a) kafkajs alone: bench/raw-consume.ts in a child process reads the topic with a no-op eachBatch.
 * 3. (b) `modelwatch ingest` (the compiled CLI, as production runs it) in a child process, on a fresh
 *    embedded data directory; /metrics is polled every 200 ms until all N events are stored. Sustained rate =
 *    events stored after the first batch landed / time from that first batch to the last one.
 * 4. Peak RSS of the ingest process (VmHWM), and its event-loop delay gauges under that load.
 * Results also go to bench/results/ingest-<timestamp>.json (git-ignored).
 *
 * usage: npm run bench:ingest -- [--events N] [--batch-size N[,N...]] [--cpu-prof] [--skip-raw]
 *                                [--source] [--no-build] [--partitions N]
 *   --batch-size  MODELWATCH_BATCH_SIZE of the ingest run; a list runs ingest once per value on the same topic
 *   --cpu-prof    runs ingest under `node --cpu-prof` and prints where its main thread spent the time
 *                 (the .cpuprofile stays in bench/results/profiles-<run id>/; open it in Chrome DevTools)
 *   --skip-raw    leaves out (a)
 *   --source      runs ingest from the TypeScript sources through tsx (slower start, ~60 MB more RSS)
 *   --no-build    uses dist/ as it is instead of compiling first
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { CompressionTypes, Kafka, logLevel, Partitioners, type Message } from 'kafkajs'
import { freePorts } from '../services/cli/free-ports.js'
import { startLocalStack, type LocalStack } from '../services/cli/local-stack.js'
import { PACKAGE_ROOT } from '../services/core/package-root.js'
import { sleep } from '../services/core/retry.js'
import { scrapeCounter, waitForHealth } from '../test/support/cli-process.js'
import { formatProfileSummary, summariseProfile, type ProfileSummary } from './profile-summary.js'
import type { RawConsumeResult } from './raw-consume.js'

const TARGETS = { ingestEventsPerSecond: 50_000, ratio: 0.6, peakRssMb: 600 }
const POLL_MS = 200
const PRODUCE_CHUNK = 6_000
const PRODUCE_IN_FLIGHT = 4
const STORED = 'modelwatch_ingest_events_stored_total'
const CONSUMED = 'modelwatch_ingest_messages_total'
const execFileAsync = promisify(execFile)

interface Options {
  events: number
  partitions: number
  batchSizes: (number | undefined)[]
  cpuProf: boolean
  skipRaw: boolean
  source: boolean
  build: boolean
}

interface ProduceResult {
  events: number
  seconds: number
  eventsPerSecond: number
  avgValueBytes: number
  avgKeyBytes: number
}

interface IngestResult {
  batchSize: number | 'default (20000)'
  /** Events stored after the first batch landed, over the time from that batch to the last. */
  eventsPerSecond: number
  /** N over the time from the first message consumed to the last event stored (pipeline fill included). */
  eventsPerSecondFromFirstConsumed: number
  secondsSpawnToReady: number
  secondsReadyToFirstStored: number
  secondsFirstStoredToAllStored: number
  secondsSpawnToAllStored: number
  peakRssMb: number
  rssAtEndMb: number
  eventLoopDelayMs: { p99: number; max: number; p99AtReady: number; maxAtReady: number }
  /** Slowest /metrics answer seen by the poller while loading: an outside view of event-loop stalls. */
  slowestMetricsResponseMs: number
  /** CPU the ingest process used between first and last stored batch, in cores (threads of chDB included). */
  ingestCores: number
  /** Share of the whole machine's CPU busy over the same span (Kafka, the poller and everything else too). */
  machineBusy: number
  exitCode: number | null
  check: { rows: number; distinctEventIds: number; deadLetters: number } | { error: string }
  profile?: ProfileSummary
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string', default: '1000000' },
      partitions: { type: 'string', default: '6' },
      'batch-size': { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      'skip-raw': { type: 'boolean', default: false },
      source: { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
    },
  })
  const positive = (flag: string, raw: string): number => {
    const n = Number(raw.replace(/_/g, ''))
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive whole number, got ${JSON.stringify(raw)}`)
    return n
  }
  const sizes = values['batch-size'] ?? process.env.MODELWATCH_BATCH_SIZE
  return {
    events: positive('--events', values.events),
    partitions: positive('--partitions', values.partitions),
    batchSizes: sizes === undefined ? [undefined] : sizes.split(',').map((s) => positive('--batch-size', s.trim())),
    cpuProf: values['cpu-prof'],
    skipRaw: values['skip-raw'],
    source: values.source,
    build: !values['no-build'],
  }
}

// ---------------------------------------------------------------------------------------------------------
// Events

const CATEGORIES = [
  ['web', 'ios', 'android'],
  ['us', 'eu', 'ap'],
  ['free', 'pro'],
  ['a', 'b', 'c', 'd'],
  ['new', 'old'],
] as const
const NUMERIC_NAMES = Array.from({ length: 20 }, (_, f) => `f${String(f).padStart(2, '0')}`)

/**
 * One prediction event as JSON. Short floats and short strings keep it near the issue's ~350 bytes; with
 * these field names and the required fields, about 400 bytes is the floor.
 */
function predictionJson(i: number, runId: string, t0: number): { key: string; value: string } {
  const numeric: Record<string, number> = {}
  for (const name of NUMERIC_NAMES) numeric[name] = Math.round(Math.random() * 100) / 10
  const categorical: Record<string, string> = {}
  CATEGORIES.forEach((values, k) => (categorical[`c${k}`] = values[(i + k) % values.length] ?? ''))
  const eventId = `${runId}-${i.toString(36)}`
  const value = JSON.stringify({
    event_id: eventId,
    model: 'bench',
    model_version: '1',
    timestamp: t0 + (i % 3_600_000),
    numeric_features: numeric,
    categorical_features: categorical,
    prediction: { score: Math.round(Math.random() * 100) / 100 },
  })
  return { key: eventId, value }
}

async function createTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true })
  } finally {
    await admin.disconnect()
  }
}

async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const offsets = await admin.fetchTopicOffsets(topic)
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)
  } finally {
    await admin.disconnect()
  }
}

/** Produces `events` events round-robin over the partitions: big batches, several in flight, acks=1, no compression. */
async function produce(kafka: Kafka, topic: string, events: number, partitions: number, runId: string): Promise<ProduceResult> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false })
  await producer.connect()
  const t0 = Date.now() - 3_600_000
  let valueBytes = 0
  let keyBytes = 0
  let next = 0
  let reported = 0
  const started = performance.now()
  const sender = async (): Promise<void> => {
    while (next < events) {
      const from = next
      const to = Math.min(events, from + PRODUCE_CHUNK)
      next = to
      const messages: Message[] = []
      for (let i = from; i < to; i++) {
        const { key, value } = predictionJson(i, runId, t0)
        valueBytes += Buffer.byteLength(value)
        keyBytes += key.length
        messages.push({ key, value, partition: i % partitions })
      }
      await producer.send({ topic, messages, acks: 1, compression: CompressionTypes.None })
      if (to - reported >= 250_000) {
        reported = to
        say(`  produced ${fmt(to)} of ${fmt(events)}`)
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: PRODUCE_IN_FLIGHT }, sender))
  } finally {
    await producer.disconnect()
  }
  const seconds = (performance.now() - started) / 1000
  return { events, seconds, eventsPerSecond: events / seconds, avgValueBytes: valueBytes / events, avgKeyBytes: keyBytes / events }
}

// ---------------------------------------------------------------------------------------------------------
// Child processes

interface Child {
  process: ChildProcess
  exited: Promise<number | null>
  /** The last 64 KB of stdout and stderr. */
  output(): string
}

const children = new Set<ChildProcess>()

function startChild(args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, args, { cwd: PACKAGE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let output = ''
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-65_536)
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      children.delete(child)
      resolve(code)
    })
  })
  return { process: child, exited, output: () => output }
}

async function stopChild(child: Child, timeoutMs = 30_000): Promise<number | null> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return child.process.exitCode
  child.process.kill('SIGTERM')
  const code = await Promise.race([child.exited, sleep(timeoutMs).then(() => 'timeout' as const)])
  if (code !== 'timeout') return code
  child.process.kill('SIGKILL')
  return child.exited
}

/** kB fields of /proc/PID/status (VmRSS, VmHWM), in MB; undefined once the process is gone. */
function memoryOf(pid: number): { rssMb: number; peakMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN)
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 }
  } catch {
    return undefined
  }
}

/** CPU seconds (user + system, all threads) a process has used. */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // After the command: state is field 3, utime 14 and stime 15 (1-based over the whole line).
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}

/** Busy and total jiffies of the whole machine. */
function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
  const values = line.trim().split(/\s+/).slice(1).map(Number)
  const total = values.reduce((a, b) => a + b, 0)
  const idle = (values[3] ?? 0) + (values[4] ?? 0)
  return { busy: total - idle, total }
}

async function scrapeTimed(port: number, name: string): Promise<{ value: number; ms: number }> {
  const started = performance.now()
  const value = await scrapeCounter(port, name)
  return { value, ms: performance.now() - started }
}

// ---------------------------------------------------------------------------------------------------------
// (a) and (b)

async function rawConsume(brokers: string[], topic: string, events: number, id: string): Promise<RawConsumeResult> {
  const args = ['--import', 'tsx', join('bench', 'raw-consume.ts'), '--brokers', brokers.join(','), '--topic', topic, '--group', `${id}-raw`, '--events', String(events)]
  const child = startChild(args, { PATH: process.env.PATH, HOME: process.env.HOME })
  const code = await child.exited
  const line = child.output().trim().split('\n').at(-1) ?? ''
  if (code !== 0) throw new Error(`raw consumer failed (exit ${code}): ${child.output().slice(-2000)}`)
  return JSON.parse(line) as RawConsumeResult
}

interface IngestRun {
  brokers: string[]
  registryUrl: string | undefined
  topic: string
  id: string
  events: number
  batchSize: number | undefined
  options: Options
  profileDir: string
}

async function runIngest(run: IngestRun): Promise<IngestResult> {
  const { events, batchSize, options } = run
  const [port = 0] = await freePorts(1)
  const dataDir = mkdtempSync(join(tmpdir(), 'modelwatch-bench-'))
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    KAFKA_BROKERS: run.brokers.join(','),
    ...(run.registryUrl === undefined ? {} : { SCHEMA_REGISTRY_URL: run.registryUrl }),
    MODELWATCH_TOPIC_PREDICTIONS: run.topic,
    MODELWATCH_TOPIC_GROUND_TRUTH: `${run.id}.ground-truth`,
    MODELWATCH_TOPIC_DLQ: `${run.id}.dlq`,
    MODELWATCH_CONSUMER_GROUP: `${run.id}-ingest-${batchSize ?? 'default'}`,
    MODELWATCH_DATA_DIR: dataDir,
    MODELWATCH_HEALTH_PORT: String(port),
    MODELWATCH_LOG_LEVEL: 'warn',
    ...(batchSize === undefined ? {} : { MODELWATCH_BATCH_SIZE: String(batchSize) }),
  }
  const entry = options.source ? ['--import', 'tsx', join('services', 'cli', 'main.ts')] : [join('bin', 'modelwatch.js')]
  const profileArgs = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${run.profileDir}`] : []
  let child: Child | undefined
  try {
    const spawned = performance.now()
    child = startChild([...profileArgs, ...entry, 'ingest'], env)
    const pid = child.process.pid ?? 0
    const output = child.output
    const failed = child.exited.then((code) => {
      throw new Error(`ingest exited early (code ${code}): ${output().slice(-2000)}`)
    })
    failed.catch(() => {})
    await Promise.race([waitForHealth(port, 120_000), failed])
    const ready = performance.now()
    const p99AtReady = await scrapeCounter(port, 'modelwatch_event_loop_delay_p99_seconds')
    const maxAtReady = await scrapeCounter(port, 'modelwatch_event_loop_delay_max_seconds')

    const deadline = ready + 60_000 + (events / 2_000) * 1000
    let firstConsumedAt: number | undefined
    let firstStored: { at: number; value: number; cpu: number; machine: { busy: number; total: number } } | undefined
    let lastReport = ready
    let slowest = 0
    let peakMb = 0
    let stored = 0
    for (;;) {
      const [storedNow, consumedNow] = await Promise.race([Promise.all([scrapeTimed(port, STORED), scrapeTimed(port, CONSUMED)]), failed])
      const now = performance.now()
      slowest = Math.max(slowest, storedNow.ms, consumedNow.ms)
      peakMb = Math.max(peakMb, memoryOf(pid)?.peakMb ?? 0)
      if (Number.isFinite(storedNow.value)) stored = storedNow.value
      if (firstConsumedAt === undefined && consumedNow.value > 0) firstConsumedAt = now
      if (firstStored === undefined && stored > 0) firstStored = { at: now, value: stored, cpu: cpuSecondsOf(pid), machine: machineCpu() }
      if (stored >= events) break
      if (now > deadline) throw new Error(`ingest stored ${fmt(stored)} of ${fmt(events)} events before the deadline`)
      if (now - lastReport >= 5_000) {
        lastReport = now
        const rate = firstStored === undefined ? 0 : (stored - firstStored.value) / ((now - firstStored.at) / 1000)
        say(`  stored ${fmt(stored)} of ${fmt(events)} (${fmt(rate)} events/s so far, RSS ${fmt(memoryOf(pid)?.rssMb ?? 0)} MB)`)
      }
      await sleep(POLL_MS)
    }
    const done = performance.now()
    const cpuAtDone = cpuSecondsOf(pid)
    const machineAtDone = machineCpu()
    const memory = memoryOf(pid)
    peakMb = Math.max(peakMb, memory?.peakMb ?? 0)
    const p99 = await scrapeCounter(port, 'modelwatch_event_loop_delay_p99_seconds')
    const max = await scrapeCounter(port, 'modelwatch_event_loop_delay_max_seconds')
    const deadLetters = await scrapeCounter(port, 'modelwatch_ingest_dead_letters_total')
    const exitCode = await stopChild(child)
    if (firstStored === undefined || firstConsumedAt === undefined) throw new Error('no batch was seen stored before the end')
    const span = (done - firstStored.at) / 1000
    const check = await checkStored(env, options, deadLetters)

    let profile: ProfileSummary | undefined
    if (options.cpuProf) {
      const file = readdirSync(run.profileDir)
        .filter((name) => name.endsWith('.cpuprofile'))
        .map((name) => join(run.profileDir, name))
        .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)
        .at(-1)
      if (file !== undefined) profile = summariseProfile(file)
    }
    return {
      batchSize: batchSize ?? 'default (20000)',
      eventsPerSecond: (events - firstStored.value) / span,
      eventsPerSecondFromFirstConsumed: events / ((done - firstConsumedAt) / 1000),
      secondsSpawnToReady: (ready - spawned) / 1000,
      secondsReadyToFirstStored: (firstStored.at - ready) / 1000,
      secondsFirstStoredToAllStored: span,
      secondsSpawnToAllStored: (done - spawned) / 1000,
      peakRssMb: peakMb,
      rssAtEndMb: memory?.rssMb ?? Number.NaN,
      eventLoopDelayMs: { p99: p99 * 1000, max: max * 1000, p99AtReady: p99AtReady * 1000, maxAtReady: maxAtReady * 1000 },
      slowestMetricsResponseMs: slowest,
      ingestCores: (cpuAtDone - firstStored.cpu) / span,
      machineBusy: (machineAtDone.busy - firstStored.machine.busy) / (machineAtDone.total - firstStored.machine.total),
      exitCode,
      check,
      ...(profile === undefined ? {} : { profile }),
    }
  } finally {
    if (child !== undefined) await stopChild(child, 10_000)
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** Counts what landed in the engine, through `modelwatch sql` once ingest has released the data directory. */
async function checkStored(env: NodeJS.ProcessEnv, options: Options, deadLetters: number): Promise<IngestResult['check']> {
  const entry = options.source ? ['--import', 'tsx', join('services', 'cli', 'main.ts')] : [join('bin', 'modelwatch.js')]
  try {
    const { stdout } = await execFileAsync(
      process.execPath,
      [...entry, 'sql', '--json', 'SELECT count() AS rows, uniqExact(event_id) AS ids FROM predictions'],
      { cwd: PACKAGE_ROOT, env, timeout: 120_000 },
    )
    const row = JSON.parse(stdout.trim().split('\n')[0] ?? '{}') as { rows?: number; ids?: number }
    return { rows: Number(row.rows), distinctEventIds: Number(row.ids), deadLetters }
  } catch (error) {
    return { error: error instanceof Error ? error.message.slice(0, 500) : String(error) }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Main

function say(line: string): void {
  process.stdout.write(`${line}\n`)
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n)
}

function gitRevision(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PACKAGE_ROOT, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'services'], { cwd: PACKAGE_ROOT, encoding: 'utf8' }).trim() !== ''
    return dirty ? `${head} (services/ modified)` : head
  } catch {
    return 'unknown'
  }
}

async function build(): Promise<void> {
  say('compiling services/ to dist/ (tsc -p tsconfig.build.json)')
  try {
    await execFileAsync(join(PACKAGE_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: PACKAGE_ROOT, timeout: 300_000 })
  } catch (error) {
    // tsc still emits on type errors (someone's work in progress); the run goes on if the CLI was written.
    const output = (error as { stdout?: string }).stdout ?? String(error)
    if (!existsSync(join(PACKAGE_ROOT, 'dist', 'services', 'cli', 'main.js'))) throw new Error(`build failed: ${output.slice(0, 2000)}`)
    say(`warning: tsc reported errors; benchmarking what it emitted:\n${output.slice(0, 1000)}`)
  }
}

function summary(options: Options, produced: ProduceResult, raw: RawConsumeResult | undefined, runs: IngestResult[]): string {
  const ok = (pass: boolean): string => (pass ? 'meets target' : 'MISSES target')
  const lines = [
    '',
    `== modelwatch ingest benchmark: ${fmt(options.events)} events, ${options.partitions} partitions, ${cpus().length} cores, node ${process.version}, ingest from ${options.source ? 'sources (tsx)' : 'dist/ (compiled)'}`,
    `   event size        ${fmt(produced.avgValueBytes, 1)} bytes of JSON on average (+ ${fmt(produced.avgKeyBytes, 1)}-byte key)`,
    `   produce (setup)   ${fmt(produced.eventsPerSecond)} events/s (${fmt(produced.events)} in ${fmt(produced.seconds, 1)} s; kafkajs, acks=1, no compression, ${PRODUCE_IN_FLIGHT} x ${fmt(PRODUCE_CHUNK)} in flight)`,
    raw === undefined
      ? '   (a) raw consume   skipped'
      : `   (a) raw consume   ${fmt(raw.eventsPerSecond)} events/s (kafkajs, no-op eachBatch; ${fmt(raw.seconds, 1)} s, ${fmt(raw.cores, 2)} cores, peak RSS ${fmt(raw.peakRssMb)} MB)`,
  ]
  for (const run of runs) {
    const ratio = raw === undefined ? Number.NaN : run.eventsPerSecond / raw.eventsPerSecond
    const check = 'error' in run.check ? `check failed: ${run.check.error}` : `${fmt(run.check.rows)} rows, ${fmt(run.check.distinctEventIds)} distinct event_id, ${fmt(run.check.deadLetters)} dead letters`
    lines.push(
      `   (b) ingest        ${fmt(run.eventsPerSecond)} events/s sustained, batch size ${run.batchSize}   [${ok(run.eventsPerSecond >= TARGETS.ingestEventsPerSecond)} >= ${fmt(TARGETS.ingestEventsPerSecond)}]`,
      `       timeline      ready ${fmt(run.secondsSpawnToReady, 1)} s after spawn, first batch stored ${fmt(run.secondsReadyToFirstStored, 1)} s later, all stored ${fmt(run.secondsFirstStoredToAllStored, 1)} s after that (${fmt(run.secondsSpawnToAllStored, 1)} s wall); ${fmt(run.eventsPerSecondFromFirstConsumed)} events/s from first consumed`,
      `       b/a           ${fmt(ratio, 2)}   [${ok(ratio >= TARGETS.ratio)} >= ${TARGETS.ratio}]`,
      `       peak RSS      ${fmt(run.peakRssMb)} MB (VmHWM; ${fmt(run.rssAtEndMb)} MB at the end)   [${ok(run.peakRssMb <= TARGETS.peakRssMb)} <= ${TARGETS.peakRssMb}]`,
      `       event loop    p99 ${fmt(run.eventLoopDelayMs.p99, 1)} ms, max ${fmt(run.eventLoopDelayMs.max, 1)} ms since start (at ready: p99 ${fmt(run.eventLoopDelayMs.p99AtReady, 1)}, max ${fmt(run.eventLoopDelayMs.maxAtReady, 1)}); slowest /metrics answer under load ${fmt(run.slowestMetricsResponseMs)} ms`,
      `       CPU           ingest ${fmt(run.ingestCores, 2)} cores while loading; machine ${fmt(run.machineBusy * 100)}% busy`,
      `       stored        ${check}; exit code ${run.exitCode} after SIGTERM`,
    )
  }
  return lines.join('\n')
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  const id = `bench_${randomBytes(4).toString('hex')}`
  const topic = `${id}.predictions`
  say(`modelwatch ingest benchmark ${id}: ${fmt(options.events)} events; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  if (options.build && !options.source) await build()

  let stack: LocalStack | undefined
  const cleanup = async (): Promise<void> => {
    for (const child of children) child.kill('SIGKILL')
    const current = stack
    stack = undefined
    await current?.stop()
  }
  process.once('SIGINT', () => {
    say('interrupted: stopping')
    void cleanup().finally(() => process.exit(130))
  })
  const resultsDir = join(PACKAGE_ROOT, 'bench', 'results')
  const profileDir = join(resultsDir, `profiles-${id}`)
  if (options.cpuProf) mkdirSync(profileDir, { recursive: true })
  try {
    let brokers: string[]
    let registryUrl: string | undefined
    if (process.env.KAFKA_BROKERS === undefined) {
      say('starting a local Kafka and schema registry (deploy/local)')
      stack = await startLocalStack()
      brokers = stack.brokers
      registryUrl = stack.registryUrl
    } else {
      brokers = process.env.KAFKA_BROKERS.split(',')
      registryUrl = process.env.SCHEMA_REGISTRY_URL
    }
    say(`broker ${brokers.join(',')}; topic ${topic}`)
    const kafka = new Kafka({ clientId: 'modelwatch-bench', brokers, logLevel: logLevel.WARN })
    await createTopic(kafka, topic, options.partitions)
    say(`producing ${fmt(options.events)} events`)
    const produced = await produce(kafka, topic, options.events, options.partitions, id.slice(-8))
    const onTopic = await topicSize(kafka, topic)
    if (onTopic !== options.events) throw new Error(`the topic holds ${onTopic} messages, expected ${options.events}`)
    say(`  ${fmt(produced.eventsPerSecond)} events/s, ${fmt(produced.avgValueBytes, 1)} bytes per event on average`)

    let raw: RawConsumeResult | undefined
    if (!options.skipRaw) {
      say('(a) consuming with kafkajs alone')
      raw = await rawConsume(brokers, topic, options.events, id)
      say(`  ${fmt(raw.eventsPerSecond)} events/s`)
    }
    const runs: IngestResult[] = []
    for (const batchSize of options.batchSizes) {
      say(`(b) modelwatch ingest, batch size ${batchSize ?? 'default'}${options.cpuProf ? ', under --cpu-prof' : ''}`)
      const result = await runIngest({ brokers, registryUrl, topic, id, events: options.events, batchSize, options, profileDir })
      runs.push(result)
      say(`  ${fmt(result.eventsPerSecond)} events/s, peak RSS ${fmt(result.peakRssMb)} MB`)
      if (result.profile !== undefined) say(formatProfileSummary(result.profile))
    }

    say(summary(options, produced, raw, runs))
    mkdirSync(resultsDir, { recursive: true })
    const file = join(resultsDir, `ingest-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
    const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryMb: Math.round(totalmem() / 2 ** 20), node: process.version }
    writeFileSync(file, `${JSON.stringify({ id, at: new Date().toISOString(), revision: gitRevision(), machine, options, targets: TARGETS, produced, raw, ingest: runs }, null, 2)}\n`)
    say(`\nresults written to ${file}`)
  } finally {
    await cleanup()
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:ingest failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  },
)
