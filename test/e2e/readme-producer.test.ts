/**
 * The README's producer example runs as written: the TypeScript block under "Producing from TypeScript"
 * is extracted, only its broker and registry addresses are swapped for the test stack's, and it is run as
 * a user would run it, importing `modelwatch/producer` (the package's own export, built by npm install).
 * Its events must then be on the default topics, Avro-encoded through the registry.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import type { KafkaMessage } from 'kafkajs'
import { PACKAGE_ROOT } from '../../services/core/package-root.js'
import { rawKafka, stackFromEnv, uniqueName, waitFor } from '../support/harness.js'

const run = promisify(execFile)

function readmeExample(): string {
  const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8')
  const section = readme.split('### Producing from TypeScript')[1] ?? ''
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1]
  if (block === undefined) throw new Error('README has no ```ts block under "Producing from TypeScript"')
  return block
}

describe('README producer example', () => {
  it('runs as written and puts Avro events on the default topics', async () => {
    const { brokers, registryUrl } = stackFromEnv()
    const example = readmeExample()
    assert.match(example, /'127\.0\.0\.1:9092'/)
    assert.match(example, /'http:\/\/127\.0\.0\.1:8081'/)
    const script = example.replace("'127.0.0.1:9092'", JSON.stringify(brokers[0])).replace("'http://127.0.0.1:8081'", JSON.stringify(registryUrl))
    // Inside the package, so `modelwatch/producer` resolves through package.json "exports", as for a user.
    const dir = join(PACKAGE_ROOT, 'test', '.tmp', uniqueName('readme'))
    mkdirSync(dir, { recursive: true })
    try {
      writeFileSync(join(dir, 'example.mts'), script)
      await run(process.execPath, ['--import', 'tsx', join(dir, 'example.mts')], { cwd: PACKAGE_ROOT, timeout: 60_000 })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }

    const registry = new SchemaRegistry({ host: registryUrl })
    const decoded = async (topic: string): Promise<unknown[]> => {
      const messages = await readAll(topic)
      return Promise.all(messages.map(async (m) => registry.decode(m.value ?? Buffer.alloc(0))))
    }
    const predictions = (await decoded('modelwatch.predictions')) as { event_id: string; model: string; prediction: { score: number } }[]
    assert.ok(predictions.some((p) => p.event_id === 'req-1' && p.model === 'churn' && p.prediction.score === 0.82))
    const labels = (await decoded('modelwatch.ground-truth')) as { event_id: string; label: { class: string } }[]
    assert.ok(labels.some((l) => l.event_id === 'req-1' && l.label.class === '1'))
  })
})

async function readAll(topic: string): Promise<KafkaMessage[]> {
  const consumer = rawKafka().consumer({ groupId: uniqueName('readme-reader') })
  const seen: KafkaMessage[] = []
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) })
  await waitFor(async () => seen.length, (n) => n >= 1, `a message on ${topic}`)
  await consumer.disconnect()
  return seen
}
