/**
 * A local Kafka (4.x, KRaft, single node) and schema registry (Apicurio, Confluent API) on 127.0.0.1,
 * started from Maven Central jars by `deploy/local/*.sh`, for the demo and the test suite on machines
 * without Docker. install.sh downloads them once (about 220 MB) into deploy/local/.cache.
 */
import { execFile, execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PACKAGE_ROOT } from '../core/package-root.js'
import { freePorts } from './free-ports.js'

export interface LocalStack {
  /** Bootstrap addresses, e.g. ["127.0.0.1:41234"]. */
  brokers: string[]
  /** Confluent-compatible base URL, e.g. "http://127.0.0.1:41236/apis/ccompat/v7". */
  registryUrl: string
  /** Stops the broker, keeping its data; `startKafka()` brings it back on the same port (outage tests). */
  stopKafka(): Promise<void>
  startKafka(): Promise<void>
  /** Stops the registry; `startRegistry()` brings it back on the same port, with its schemas if `persistRegistry`. */
  stopRegistry(): Promise<void>
  startRegistry(): Promise<void>
  /** Stops both processes and removes their state. */
  stop(): Promise<void>
}

const execFileAsync = promisify(execFile)
const LOCAL_DIR = join(PACKAGE_ROOT, 'deploy', 'local')
const INSTALL_TIMEOUT_MS = 15 * 60_000
const START_TIMEOUT_MS = 180_000

/** Runs one of the deploy/local scripts; they print their result on stdout, progress and errors on stderr. */
async function script(name: string, args: string[], timeoutMs: number): Promise<string> {
  const { stdout } = await execFileAsync(join(LOCAL_DIR, name), args, { timeout: timeoutMs })
  return stdout.trim()
}

/**
 * Installs (once) and starts a private Kafka and registry on free ports; state lives in `runDir`
 * (default: a new temporary directory) and is removed by `stop()`. `persistRegistry` keeps the registry's
 * schemas on disk, so they (and their ids) survive `stopRegistry()` / `startRegistry()`.
 *
 * @example
 * const stack = await startLocalStack()
 * process.env.KAFKA_BROKERS = stack.brokers.join(',')
 */
export async function startLocalStack(options: { runDir?: string; persistRegistry?: boolean } = {}): Promise<LocalStack> {
  await script('install.sh', [], INSTALL_TIMEOUT_MS)
  const runDir = options.runDir ?? (await mkdtemp(join(tmpdir(), 'modelwatch-stack-')))
  const kafkaDir = join(runDir, 'kafka')
  const registryDir = join(runDir, 'registry')
  const [kafkaPort, controllerPort, registryPort] = (await freePorts(3)).map(String) as [string, string, string]
  // The scripts' own readiness deadlines (60 s and 90 s by default) are too short on a loaded 2-core machine;
  // they get most of START_TIMEOUT_MS instead.
  const ready = ['--timeout', String(Math.floor(START_TIMEOUT_MS / 1000) - 30)]
  const kafkaArgs = ['--port', kafkaPort, '--controller-port', controllerPort, '--dir', kafkaDir, ...ready]
  const registryArgs = ['--port', registryPort, '--dir', registryDir, ...ready, ...(options.persistRegistry === true ? ['--persist'] : [])]

  const stopBoth = async (): Promise<void> => {
    await Promise.allSettled([
      script('stop-kafka.sh', ['--dir', kafkaDir], 60_000),
      script('stop-registry.sh', ['--dir', registryDir], 60_000),
    ])
    await rm(runDir, { recursive: true, force: true })
  }
  // A process that exits without calling stop() must not leave two JVMs behind.
  const onExit = (): void => {
    for (const [name, dir] of [['stop-kafka.sh', kafkaDir], ['stop-registry.sh', registryDir]] as const) {
      try {
        execFileSync(join(LOCAL_DIR, name), ['--dir', dir], { stdio: 'ignore', timeout: 60_000 })
      } catch {
        // Exiting anyway; nothing more to do.
      }
    }
  }
  process.once('exit', onExit)

  // The two JVMs start in parallel: about 5 s for Kafka and 8 s for the registry.
  const [kafka, registry] = await Promise.allSettled([
    script('start-kafka.sh', [...kafkaArgs, '--fresh'], START_TIMEOUT_MS),
    script('start-registry.sh', registryArgs, START_TIMEOUT_MS),
  ])
  if (kafka.status === 'rejected' || registry.status === 'rejected') {
    await stopBoth()
    process.removeListener('exit', onExit)
    throw kafka.status === 'rejected' ? kafka.reason : (registry as PromiseRejectedResult).reason
  }
  return {
    brokers: [kafka.value.split('\n')[0] ?? `127.0.0.1:${kafkaPort}`],
    registryUrl: registry.value,
    stopKafka: async () => void (await script('stop-kafka.sh', ['--dir', kafkaDir], 60_000)),
    startKafka: async () => void (await script('start-kafka.sh', kafkaArgs, START_TIMEOUT_MS)),
    stopRegistry: async () => void (await script('stop-registry.sh', ['--dir', registryDir], 60_000)),
    startRegistry: async () => void (await script('start-registry.sh', registryArgs, START_TIMEOUT_MS)),
    stop: async () => {
      process.removeListener('exit', onExit)
      await stopBoth()
    },
  }
}
