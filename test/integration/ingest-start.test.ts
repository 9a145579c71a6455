/**
 * A healthy start logs no errors: ingest started on a fresh consumer group and fresh topics, against the shared
 * broker and against a broker of its own started fresh (no __consumer_offsets yet, as on a new cluster or the
 * first `modelwatch start`), meets the broker's ordinary start-up answers (the group coordinator still loading,
 * topics without leaders yet). kafkajs reports them as errors; they are retriable and retried, so they are
 * logged as warnings.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { Kafka, logLevel } from 'kafkajs'
import { freePorts } from '../../services/cli/free-ports.js'
import { PACKAGE_ROOT } from '../../services/core/package-root.js'
import { capturedLog, count, startTestIngest, testEnv, waitFor } from '../support/harness.js'

const run = promisify(execFile)
const scripts = join(PACKAGE_ROOT, 'deploy', 'local')

/** pino's numbers for the warn and error levels. */
const WARN = 40
const ERROR = 50

/** Starts ingest on `env` (fresh group and topics), stores one event, and returns every line it logged. */
async function startAndStore(env: NodeJS.ProcessEnv): Promise<Record<string, unknown>[]> {
  const { log, lines } = capturedLog('debug')
  const ingest = await startTestIngest(env, log)
  const kafka = new Kafka({ brokers: String(env.KAFKA_BROKERS).split(','), logLevel: logLevel.NOTHING })
  const producer = kafka.producer()
  try {
    await producer.connect()
    await producer.send({ topic: String(env.MODELWATCH_TOPIC_PREDICTIONS), messages: [{ value: JSON.stringify({ event_id: 'start-1', model: 'm', model_version: '1', timestamp: Date.UTC(2026, 10, 1), prediction: { score: 0.5 } }) }] })
    await waitFor(() => count(ingest.ch, "SELECT count() AS n FROM predictions WHERE event_id = 'start-1'"), (n) => n === 1, 'the event stored')
  } finally {
    await producer.disconnect()
    await ingest.stop()
  }
  assert.ok(lines.some((line) => line.msg === 'ingest started'), 'the start was logged')
  return lines
}

const errorLines = (lines: Record<string, unknown>[]): Record<string, unknown>[] => lines.filter((line) => Number(line.level) >= ERROR)

describe('ingest: a healthy start logs no errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-fresh-kafka-'))
  let freshBroker = ''

  before(async () => {
    const [port, controllerPort] = (await freePorts(2)).map(String) as [string, string]
    const { stdout } = await run(join(scripts, 'start-kafka.sh'), ['--port', port, '--controller-port', controllerPort, '--dir', dir, '--fresh'], { timeout: 180_000 })
    freshBroker = stdout.trim().split('\n')[0] ?? ''
    assert.match(freshBroker, /^127\.0\.0\.1:\d+$/)
  })

  after(async () => {
    await run(join(scripts, 'stop-kafka.sh'), ['--dir', dir], { timeout: 60_000 })
  })

  it('on the shared broker, a fresh group and fresh topics', async () => {
    assert.deepEqual(errorLines(await startAndStore(testEnv())), [])
  })

  it('on a fresh broker: its coordinator still loading and its topics still electing leaders are warnings, not errors', async () => {
    const lines = await startAndStore(testEnv({ KAFKA_BROKERS: freshBroker }))
    assert.deepEqual(errorLines(lines), [])
    // The first group creates __consumer_offsets: kafkajs met its coordinator unavailable or loading, and said so as a warning.
    const coordinator = lines.filter((line) => line.level === WARN && ['GROUP_COORDINATOR_NOT_AVAILABLE', 'GROUP_LOAD_IN_PROGRESS'].includes(String(line.errorType)))
    assert.ok(coordinator.length > 0, `coordinator warnings: ${JSON.stringify(lines.filter((line) => line.level === WARN))}`)
  })
})
