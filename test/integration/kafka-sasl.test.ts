/**
 * Production-style Kafka authentication: ingest connects over SASL/SCRAM-SHA-256 to a broker that requires
 * it (a second local broker started with `start-kafka.sh --sasl`), and a wrong password fails at start-up
 * with the broker's reason instead of retrying silently.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { Kafka, logLevel } from 'kafkajs'
import { freePorts } from '../../services/cli/free-ports.js'
import { PACKAGE_ROOT } from '../../services/core/package-root.js'
import { count, startTestIngest, testEnv, waitFor } from '../support/harness.js'

const run = promisify(execFile)
const scripts = join(PACKAGE_ROOT, 'deploy', 'local')

describe('Kafka over SASL/SCRAM-SHA-256', () => {
  const password = randomBytes(12).toString('hex')
  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-sasl-'))
  let saslBroker = ''

  before(async () => {
    const [port, controllerPort, saslPort] = (await freePorts(3)).map(String) as [string, string, string]
    const { stdout } = await run(
      join(scripts, 'start-kafka.sh'),
      ['--port', port, '--controller-port', controllerPort, '--sasl', '--sasl-port', saslPort, '--dir', dir, '--fresh'],
      { env: { ...process.env, KAFKA_SASL_PASSWORD: password }, timeout: 180_000 },
    )
    saslBroker = stdout.trim().split('\n')[1] ?? ''
    assert.match(saslBroker, /^127\.0\.0\.1:\d+$/)
  })

  after(async () => {
    await run(join(scripts, 'stop-kafka.sh'), ['--dir', dir], { timeout: 60_000 })
  })

  it('ingests through a SCRAM-authenticated listener', async () => {
    const env = testEnv({ KAFKA_BROKERS: saslBroker, KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'modelwatch', KAFKA_SASL_PASSWORD: password })
    const ingest = await startTestIngest(env)
    const kafka = new Kafka({ brokers: [saslBroker], sasl: { mechanism: 'scram-sha-256', username: 'modelwatch', password }, logLevel: logLevel.NOTHING })
    const producer = kafka.producer()
    try {
      await producer.connect()
      await producer.send({
        topic: ingest.config.topics.predictions,
        messages: Array.from({ length: 50 }, (_, i) => ({ value: JSON.stringify({ event_id: `sasl-${i}`, model: 'm', model_version: '1', timestamp: 1_764_000_000_000, prediction: { score: 0.5 } }) })),
      })
      await waitFor(() => count(ingest.ch, 'SELECT count() AS n FROM predictions FINAL'), (n) => n === 50, '50 events over SASL')
    } finally {
      await producer.disconnect()
      await ingest.stop()
    }
  })

  it('fails at start-up with the broker\'s reason when the password is wrong', async () => {
    const env = testEnv({ KAFKA_BROKERS: saslBroker, KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'modelwatch', KAFKA_SASL_PASSWORD: 'wrong' })
    await assert.rejects(startTestIngest(env), /authentication failed|invalid credentials/i)
  })
})
