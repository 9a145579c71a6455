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
 *                                [--source] [--no-build] [--partitions N] [--node-args "..."] [--topic T]
 *   --batch-size  MODELWATCH_BATCH_SIZE of the ingest run; a list runs ingest once per value on the same topic
 *   --cpu-prof    runs ingest under `node --cpu-prof` and prints where its main thread spent the time
 *                 (the .cpuprofile stays in bench/results/profiles-<run id>/; open it in Chrome DevTools)
 *   --skip-raw    leaves out (a)
 *   --source      runs ingest from the TypeScript sources through tsx (measured: ready in ~3 s instead of ~1 s,
 *                 ~50 MB more RSS at start)
 *   --no-build    uses dist/ as it is instead of compiling first
 *   --node-args   extra node options for the ingest process, e.g. --node-args=--max-semi-space-size=64
 *   --topic       reads an existing topic of at least N events (from an earlier run) instead of producing one
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
import { environment } from '../services/core/config.js'
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
const BATCHES = 'modelwatch_ingest_batches_total'
const LAST_STORE_SECONDS = 'modelwatch_ingest_last_store_seconds'
const execFileAsync = promisify(execFile)

interface Options {
  events: number
  partitions: number
  batchSizes: (number | undefined)[]
  cpuProf: boolean
  skipRaw: boolean
  source: boolean
  build: boolean
  nodeArgs: string[]
  topic: string | undefined
}

interface ProduceResult {
  events: number
  seconds: number
  eventsPerSecond: number
  avgValueBytes: number
  avgKeyBytes: number
}

interface IngestResult {
  batchSize: number | string
  /** Events stored after the first batch landed, over the time from that batch to the last. */
  eventsPerSecond: number
  /** N over the time from the first message consumed to the last event stored (pipeline fill included). */
  eventsPerSecondFromFirstConsumed: number
  secondsSpawnToReady: number
  secondsReadyToFirstStored: number
  secondsFirstStoredToAllStored: number
  secondsSpawnToAllStored: number
  /** VmHWM of the ingest process when all events were stored. */
  peakRssMb: number
  memoryAtReady: Memory | undefined
  memoryAtEnd: Memory | undefined
  /** Largest resident anonymous memory seen by the poller. */
  peakAnonMb: number
  eventLoopDelayMs: { p99: number; max: number; p99AtReady: number; maxAtReady: number }
  /** Slowest /metrics answer seen by the poller while loading: an outside view of event-loop stalls. */
  slowestMetricsResponseMs: number
  /** Batches stored while loading, and the store time of those the poller saw (modelwatch_ingest_last_store_seconds). */
  batches: { count: number; storeSecondsSeen: number[] }
  /** CPU between the first and the last stored batch. */
  cpu: CpuUse
  /** 1-minute load average when all events were stored. */
  loadAverage: number
  exitCode: number | null
  check: { rows: number; distinctEventIds: number; deadLetters: number } | { error: string }
  profile?: ProfileSummary
}

class UsageError extends Error {}

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
      'node-args': { type: 'string', default: '' },
      topic: { type: 'string' },
    },
  })
  const positive = (flag: string, raw: string): number => {
    const n = Number(raw.replace(/_/g, ''))
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive whole number, got ${JSON.stringify(raw)}`)
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
    nodeArgs: values['node-args'].split(/\s+/).filter((arg) => arg !== ''),
    topic: values.topic,
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
/** 0 to 9.9 and 0 to 1 as JSON text, so producing is not slowed by number formatting. */
const TENTHS = Array.from({ length: 100 }, (_, k) => String(k / 10))
const HUNDREDTHS = Array.from({ length: 101 }, (_, k) => String(k / 100))

/**
 * One prediction event as JSON text, written directly (4 times faster than JSON.stringify of an object).
 * Short floats and short strings keep it near the issue's ~350 bytes; with these field names and the
 * required fields, about 400 bytes is the floor.
 */
function predictionJson(i: number, runId: string, t0: number): { key: string; value: string } {
  const eventId = `${runId}-${i.toString(36)}`
  let numeric = ''
  for (let f = 0; f < NUMERIC_NAMES.length; f++) numeric += `${f === 0 ? '' : ','}"${NUMERIC_NAMES[f]}":${TENTHS[Math.floor(Math.random() * 100)]}`
  let categorical = ''
  CATEGORIES.forEach((values, k) => (categorical += `${k === 0 ? '' : ','}"c${k}":"${values[(i + k) % values.length]}"`))
  const score = HUNDREDTHS[Math.round(Math.random() * 100)]
  const value =
    `{"event_id":"${eventId}","model":"bench","model_version":"1","timestamp":${t0 + (i % 3_600_000)},` +
    `"numeric_features":{${numeric}},"categorical_features":{${categorical}},"prediction":{"score":${score}}}`
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

interface Memory {
  rssMb: number
  /** VmHWM: the peak resident set, what the RSS target is about. */
  peakMb: number
  /** Resident anonymous memory (heaps: V8, chDB's allocator, buffers). */
  anonMb: number
  /** Resident pages of mapped files, mostly libchdb.so (566 MB on disk). */
  fileMb: number
}

/** kB fields of /proc/PID/status in MB; undefined once the process is gone. */
function memoryOf(pid: number): Memory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN)
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024, anonMb: kb('RssAnon') / 1024, fileMb: kb('RssFile') / 1024 }
  } catch {
    return undefined
  }
}

/** utime + stime of a /proc/.../stat line, in seconds (USER_HZ is 100 on Linux). */
function statCpuSeconds(stat: string): number {
  // Fields after the command (which may contain spaces): state is field 3; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

function readOr<T>(read: () => T, fallback: T): T {
  try {
    return read()
  } catch {
    return fallback
  }
}

/** CPU seconds per thread name of one process (the main JS thread is the one whose id is the pid). */
function threadCpuOf(pid: number): Map<string, number> {
  const byName = new Map<string, number>()
  const main = readOr(() => readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), '')
  for (const tid of readOr(() => readdirSync(`/proc/${pid}/task`), [])) {
    const stat = readOr(() => readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'), '')
    if (stat === '') continue
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
    let name = comm.replace(/\d+$/, '#')
    if (tid === String(pid)) name = 'main JS thread'
    else if (comm === main) name = `${main} helpers (V8 GC/JIT, libuv pool)`
    byName.set(name, (byName.get(name) ?? 0) + statCpuSeconds(stat))
  }
  return byName
}

interface CpuSnapshot {
  at: number
  /** CPU seconds per live process. */
  processes: Map<number, number>
  /** Busy and total jiffies of the whole machine. */
  machine: { busy: number; total: number }
  /** CPU seconds per thread name of the process under test. */
  threads: Map<string, number>
}

function cpuSnapshot(pid: number | undefined): CpuSnapshot {
  const processes = new Map<number, number>()
  for (const entry of readOr(() => readdirSync('/proc'), [])) {
    if (!/^\d+$/.test(entry)) continue
    const stat = readOr(() => readFileSync(`/proc/${entry}/stat`, 'utf8'), '')
    if (stat !== '') processes.set(Number(entry), statCpuSeconds(stat))
  }
  const values = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number)
  const total = values.reduce((a, b) => a + b, 0)
  const idle = (values[3] ?? 0) + (values[4] ?? 0)
  return { at: performance.now(), processes, machine: { busy: total - idle, total }, threads: pid === undefined ? new Map() : threadCpuOf(pid) }
}

export interface CpuUse {
  /** Share of the machine's CPU that was busy. */
  machineBusy: number
  /** Cores used over the span, per role: the process under test, the local Kafka and registry, this process, and others. */
  cores: Record<string, number>
  /** Processes outside this benchmark that used CPU meanwhile (other people's work skews the figures). */
  others: { process: string; cores: number }[]
  /** Threads of the process under test, in cores (threads of one name summed). */
  threads: { name: string; cores: number }[]
}

function cpuBetween(a: CpuSnapshot, b: CpuSnapshot, roles: { pid: number | undefined; name: string; stackDir: string | undefined }): CpuUse {
  const seconds = (b.at - a.at) / 1000
  const machineBusy = (b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total)
  const stack = roles.stackDir === undefined ? 'Kafka (external, counted in others)' : 'Kafka + registry'
  const cores: Record<string, number> = { [roles.name]: 0, [stack]: 0, 'bench (this process)': 0 }
  const others: CpuUse['others'] = []
  for (const [pid, used] of b.processes) {
    const share = (used - (a.processes.get(pid) ?? 0)) / seconds
    if (share <= 0) continue
    const cmdline = readOr(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim(), '')
    let role: string | undefined
    if (pid === roles.pid) role = roles.name
    else if (pid === process.pid) role = 'bench (this process)'
    else if (roles.stackDir !== undefined && cmdline.includes(roles.stackDir)) role = stack
    if (role !== undefined) cores[role] = (cores[role] ?? 0) + share
    else if (share >= 0.02) others.push({ process: `${pid} ${cmdline.slice(0, 100) || '(kernel)'}`, cores: share })
  }
  // Everything else the machine did, short-lived processes included (they are gone from the last snapshot).
  const known = Object.values(cores).reduce((sum, c) => sum + c, 0)
  cores['everything else'] = Math.max(0, machineBusy * cpus().length - known)
  const threads = [...b.threads.entries()]
    .map(([name, used]) => ({ name, cores: (used - (a.threads.get(name) ?? 0)) / seconds }))
    .filter((t) => t.cores >= 0.01)
    .sort((x, y) => y.cores - x.cores)
    .slice(0, 8)
  return {
    machineBusy,
    cores,
    others: others.sort((x, y) => y.cores - x.cores).slice(0, 5),
    threads,
  }
}

async function scrapeTimed(port: number, name: string): Promise<{ value: number; ms: number }> {
  const started = performance.now()
  const value = await scrapeCounter(port, name)
  return { value, ms: performance.now() - started }
}

// ---------------------------------------------------------------------------------------------------------
// (a) and (b)

async function rawConsume(brokers: string[], topic: string, events: number, id: string, stackDir: string | undefined): Promise<RawConsumeResult & { cpu: CpuUse }> {
  const args = ['--import', 'tsx', join('bench', 'raw-consume.ts'), '--brokers', brokers.join(','), '--topic', topic, '--group', `${id}-raw`, '--events', String(events)]
  const child = startChild(args, { PATH: process.env.PATH, HOME: process.env.HOME })
  const pid = child.process.pid
  const before = cpuSnapshot(pid)
  let last = before
  const sampler = setInterval(() => {
    const now = cpuSnapshot(pid)
    if (now.processes.has(pid ?? -1)) last = now
  }, POLL_MS)
  const code = await child.exited
  clearInterval(sampler)
  const line = child.output().trim().split('\n').at(-1) ?? ''
  if (code !== 0) throw new Error(`raw consumer failed (exit ${code}): ${child.output().slice(-2000)}`)
  return { ...(JSON.parse(line) as RawConsumeResult), cpu: cpuBetween(before, last, { pid, name: 'raw consumer', stackDir }) }
}

interface IngestRun {
  brokers: string[]
  registryUrl: string | undefined
  stackDir: string | undefined
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
    child = startChild([...options.nodeArgs, ...profileArgs, ...entry, 'ingest'], env)
    const pid = child.process.pid ?? 0
    const output = child.output
    const failed = child.exited.then((code) => {
      throw new Error(`ingest exited early (code ${code}): ${output().slice(-2000)}`)
    })
    failed.catch(() => {})
    await Promise.race([waitForHealth(port, 120_000), failed])
    const ready = performance.now()
    const memoryAtReady = memoryOf(pid)
    const p99AtReady = await scrapeCounter(port, 'modelwatch_event_loop_delay_p99_seconds')
    const maxAtReady = await scrapeCounter(port, 'modelwatch_event_loop_delay_max_seconds')

    const deadline = ready + 60_000 + (events / 2_000) * 1000
    let firstConsumedAt: number | undefined
    let firstStored: { value: number; batches: number; cpu: CpuSnapshot } | undefined
    let lastReport = ready
    let slowest = 0
    let peakAnonMb = 0
    let stored = 0
    let batches = 0
    const storeSecondsSeen: number[] = []
    for (;;) {
      const scraped = await Promise.race([
        Promise.all([scrapeTimed(port, STORED), scrapeTimed(port, CONSUMED), scrapeTimed(port, BATCHES), scrapeTimed(port, LAST_STORE_SECONDS)]),
        failed,
      ])
      const [storedNow, consumedNow, batchesNow, storeSeconds] = scraped
      const now = performance.now()
      slowest = Math.max(slowest, ...scraped.map((s) => s.ms))
      peakAnonMb = Math.max(peakAnonMb, memoryOf(pid)?.anonMb ?? 0)
      if (Number.isFinite(storedNow.value)) stored = storedNow.value
      if (Number.isFinite(batchesNow.value) && batchesNow.value > batches) {
        batches = batchesNow.value
        storeSecondsSeen.push(storeSeconds.value)
      }
      if (firstConsumedAt === undefined && consumedNow.value > 0) firstConsumedAt = now
      if (firstStored === undefined && stored > 0) firstStored = { value: stored, batches, cpu: cpuSnapshot(pid) }
      if (stored >= events) break
      if (now > deadline) throw new Error(`ingest stored ${fmt(stored)} of ${fmt(events)} events before the deadline`)
      if (now - lastReport >= 5_000 && firstStored !== undefined) {
        lastReport = now
        const rate = (stored - firstStored.value) / ((now - firstStored.cpu.at) / 1000)
        say(`  stored ${fmt(stored)} of ${fmt(events)} (${fmt(rate)} events/s so far, RSS ${fmt(memoryOf(pid)?.rssMb ?? 0)} MB)`)
      }
      await sleep(POLL_MS)
    }
    const end = cpuSnapshot(pid)
    const done = end.at
    const loadAverage = loadavg()[0] ?? Number.NaN
    const memoryAtEnd = memoryOf(pid)
    const p99 = await scrapeCounter(port, 'modelwatch_event_loop_delay_p99_seconds')
    const max = await scrapeCounter(port, 'modelwatch_event_loop_delay_max_seconds')
    const deadLetters = await scrapeCounter(port, 'modelwatch_ingest_dead_letters_total')
    const exitCode = await stopChild(child)
    if (firstStored === undefined || firstConsumedAt === undefined) throw new Error('no batch was seen stored before the end')
    const span = (done - firstStored.cpu.at) / 1000
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
      batchSize: batchSize ?? `default (${environment.MODELWATCH_BATCH_SIZE.default})`,
      eventsPerSecond: (events - firstStored.value) / span,
      eventsPerSecondFromFirstConsumed: events / ((done - firstConsumedAt) / 1000),
      secondsSpawnToReady: (ready - spawned) / 1000,
      secondsReadyToFirstStored: (firstStored.cpu.at - ready) / 1000,
      secondsFirstStoredToAllStored: span,
      secondsSpawnToAllStored: (done - spawned) / 1000,
      peakRssMb: memoryAtEnd?.peakMb ?? Number.NaN,
      memoryAtReady,
      memoryAtEnd,
      peakAnonMb,
      eventLoopDelayMs: { p99: p99 * 1000, max: max * 1000, p99AtReady: p99AtReady * 1000, maxAtReady: maxAtReady * 1000 },
      slowestMetricsResponseMs: slowest,
      batches: { count: batches - firstStored.batches, storeSecondsSeen },
      cpu: cpuBetween(firstStored.cpu, end, { pid, name: 'ingest', stackDir: run.stackDir }),
      loadAverage,
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

function cpuLine(cpu: CpuUse): string {
  const roles = Object.entries(cpu.cores).map(([role, cores]) => `${role} ${fmt(cores, 2)}`)
  return `machine ${fmt(cpu.machineBusy * 100)}% busy; cores: ${roles.join(', ')}`
}

function summary(options: Options, produced: ProduceResult | undefined, raw: (RawConsumeResult & { cpu: CpuUse }) | undefined, runs: IngestResult[]): string {
  const ok = (pass: boolean): string => (pass ? 'meets target' : 'MISSES target')
  const warnings: string[] = []
  const noteOthers = (phase: string, cpu: CpuUse): void => {
    const others = cpu.cores['everything else'] ?? 0
    if (others >= 0.2) {
      const named = cpu.others.map((o) => `${o.process.slice(0, 70)}: ${fmt(o.cores, 2)}`).join('; ')
      warnings.push(`   note: ${fmt(others, 2)} cores went to other work during ${phase}${named === '' ? '' : ` (${named})`}; its rates are pessimistic, the CPU costs per event less so`)
    }
  }
  const lines = [
    '',
    `== modelwatch ingest benchmark: ${fmt(options.events)} events, ${options.partitions} partitions, ${cpus().length} cores, node ${process.version}, ingest from ${options.source ? 'sources (tsx)' : 'dist/ (compiled)'}`,
    ...(produced === undefined
      ? [`   topic             ${options.topic} (existing; not produced by this run)`]
      : [
          `   event size        ${fmt(produced.avgValueBytes, 1)} bytes of JSON on average (+ ${fmt(produced.avgKeyBytes, 1)}-byte key)`,
          `   produce (setup)   ${fmt(produced.eventsPerSecond)} events/s (${fmt(produced.events)} in ${fmt(produced.seconds, 1)} s; kafkajs, acks=1, no compression, ${PRODUCE_IN_FLIGHT} x ${fmt(PRODUCE_CHUNK)} in flight)`,
        ]),
  ]
  if (options.nodeArgs.length > 0) lines.push(`   ingest node args  ${options.nodeArgs.join(' ')}`)
  if (raw === undefined) lines.push('   (a) raw consume   skipped')
  else {
    lines.push(
      `   (a) raw consume   ${fmt(raw.eventsPerSecond)} events/s (kafkajs, no-op eachBatch, ingest's fetch settings; ${fmt(raw.seconds, 1)} s, ${fmt(raw.cores, 2)} cores, peak RSS ${fmt(raw.peakRssMb)} MB)`,
      `       CPU           ${cpuLine(raw.cpu)} (whole child lifetime); ${fmt((raw.cores / raw.eventsPerSecond) * 1e6, 1)} us of CPU per event`,
    )
    noteOthers('(a)', raw.cpu)
  }
  for (const run of runs) {
    const ratio = raw === undefined ? Number.NaN : run.eventsPerSecond / raw.eventsPerSecond
    const check = 'error' in run.check ? `check failed: ${run.check.error}` : `${fmt(run.check.rows)} rows, ${fmt(run.check.distinctEventIds)} distinct event_id, ${fmt(run.check.deadLetters)} dead letters`
    const storeTimes = [...run.batches.storeSecondsSeen].sort((a, b) => a - b)
    const median = storeTimes[Math.floor(storeTimes.length / 2)] ?? Number.NaN
    const mem = (m: Memory | undefined): string => (m === undefined ? '?' : `${fmt(m.rssMb)} MB (anon ${fmt(m.anonMb)}, file ${fmt(m.fileMb)})`)
    lines.push(
      `   (b) ingest        ${fmt(run.eventsPerSecond)} events/s sustained, batch size ${run.batchSize}   [${ok(run.eventsPerSecond >= TARGETS.ingestEventsPerSecond)} >= ${fmt(TARGETS.ingestEventsPerSecond)}]`,
      `       timeline      ready ${fmt(run.secondsSpawnToReady, 1)} s after spawn, first batch stored ${fmt(run.secondsReadyToFirstStored, 1)} s later, all stored ${fmt(run.secondsFirstStoredToAllStored, 1)} s after that (${fmt(run.secondsSpawnToAllStored, 1)} s wall); ${fmt(run.eventsPerSecondFromFirstConsumed)} events/s from first consumed`,
      `       b/a           ${fmt(ratio, 2)}   [${ok(ratio >= TARGETS.ratio)} >= ${TARGETS.ratio}]`,
      `       peak RSS      ${fmt(run.peakRssMb)} MB (VmHWM)   [${ok(run.peakRssMb <= TARGETS.peakRssMb)} <= ${TARGETS.peakRssMb}]; at ready ${mem(run.memoryAtReady)}, at the end ${mem(run.memoryAtEnd)}, largest anon seen ${fmt(run.peakAnonMb)} MB`,
      `       event loop    p99 ${fmt(run.eventLoopDelayMs.p99, 1)} ms, max ${fmt(run.eventLoopDelayMs.max, 1)} ms (gauges since start; at ready p99 ${fmt(run.eventLoopDelayMs.p99AtReady, 1)}, max ${fmt(run.eventLoopDelayMs.maxAtReady, 1)}); slowest /metrics answer under load ${fmt(run.slowestMetricsResponseMs)} ms`,
      `       batches       ${fmt(run.batches.count)} stored while measured; store time (seen ${storeTimes.length}): median ${fmt(median, 2)} s, max ${fmt(storeTimes.at(-1) ?? Number.NaN, 2)} s`,
      `       CPU           ${cpuLine(run.cpu)}; load average ${fmt(run.loadAverage, 2)}`,
      `       threads       ${run.cpu.threads.map((t) => `${t.name} ${fmt(t.cores, 2)}`).join(', ')}`,
      `       CPU per event ${fmt(((run.cpu.cores.ingest ?? 0) / run.eventsPerSecond) * 1e6)} us in ingest, of which ${run.cpu.threads.map((t) => `${t.name} ${fmt((t.cores / run.eventsPerSecond) * 1e6)}`).join(', ')}`,
      `       stored        ${check}; exit code ${run.exitCode} after SIGTERM`,
    )
    noteOthers(`(b) batch size ${run.batchSize}`, run.cpu)
  }
  return [...lines, ...warnings].join('\n')
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  const id = `bench_${randomBytes(4).toString('hex')}`
  const topic = options.topic ?? `${id}.predictions`
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
    let stackDir: string | undefined
    if (process.env.KAFKA_BROKERS === undefined) {
      say('starting a local Kafka and schema registry (deploy/local)')
      stackDir = mkdtempSync(join(tmpdir(), 'modelwatch-bench-stack-'))
      stack = await startLocalStack({ runDir: stackDir })
      brokers = stack.brokers
      registryUrl = stack.registryUrl
    } else {
      brokers = process.env.KAFKA_BROKERS.split(',')
      registryUrl = process.env.SCHEMA_REGISTRY_URL
    }
    say(`broker ${brokers.join(',')}; topic ${topic}`)
    const kafka = new Kafka({ clientId: 'modelwatch-bench', brokers, logLevel: logLevel.WARN })
    let produced: ProduceResult | undefined
    if (options.topic === undefined) {
      await createTopic(kafka, topic, options.partitions)
      say(`producing ${fmt(options.events)} events`)
      produced = await produce(kafka, topic, options.events, options.partitions, id.slice(-8))
      const onTopic = await topicSize(kafka, topic)
      if (onTopic !== options.events) throw new Error(`the topic holds ${onTopic} messages, expected ${options.events}`)
      say(`  ${fmt(produced.eventsPerSecond)} events/s, ${fmt(produced.avgValueBytes, 1)} bytes per event on average`)
    } else {
      const onTopic = await topicSize(kafka, topic)
      if (onTopic < options.events) throw new Error(`topic ${topic} holds ${fmt(onTopic)} messages, fewer than --events ${fmt(options.events)}`)
      say(`reading the existing topic ${topic} (${fmt(onTopic)} messages)`)
    }

    let raw: (RawConsumeResult & { cpu: CpuUse }) | undefined
    if (!options.skipRaw) {
      say('(a) consuming with kafkajs alone')
      raw = await rawConsume(brokers, topic, options.events, id, stackDir)
      say(`  ${fmt(raw.eventsPerSecond)} events/s`)
    }
    const runs: IngestResult[] = []
    for (const batchSize of options.batchSizes) {
      say(`(b) modelwatch ingest, batch size ${batchSize ?? 'default'}${options.cpuProf ? ', under --cpu-prof' : ''}`)
      const result = await runIngest({ brokers, registryUrl, stackDir, topic, id, events: options.events, batchSize, options, profileDir })
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
    const usage = error instanceof UsageError || (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    if (usage) process.stderr.write(`bench:ingest: ${(error as Error).message}\n`)
    else process.stderr.write(`bench:ingest failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(usage ? 2 : 1)
  },
)
