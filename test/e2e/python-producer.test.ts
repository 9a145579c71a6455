/**
 * The Python producer examples (examples/python/produce.py with confluent-kafka's AvroSerializer, and
 * produce_json_schema.py with its JSONSerializer and the shipped draft 2020-12 JSON Schema contracts) run as
 * a user would run them: in a virtualenv made from examples/python/requirements.txt, with the test's
 * broker, registry and topics in their environment. Ingest runs in this process on the embedded engine;
 * every event a script reports delivered must be stored once with the values it sent, and it must share
 * the TypeScript producer's registry subjects and schema versions rather than register conflicting ones.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { PACKAGE_ROOT } from '../../services/core/package-root.js'
import { createProducer } from '../../services/producer/index.js'
import { count, readTopic, rows, stackFromEnv, startTestIngest, testEnv, waitFor, type RunningIngest } from '../support/harness.js'

const run = promisify(execFile)
const EXAMPLE_DIR = join(PACKAGE_ROOT, 'examples', 'python')
const REQUIREMENTS = join(EXAMPLE_DIR, 'requirements.txt')

// What produce.py sends, in its order: tenure_months, monthly_spend, plan, score, label.
const CUSTOMERS: [number, number | null, string, number, string][] = [
  [14, 52.5, 'pro', 0.82, '1'],
  [3, 19, 'basic', 0.35, '0'],
  [40, null, 'pro', 0.11, '0'],
  [7, 24.75, 'basic', 0.67, '1'],
  [26, 80, 'enterprise', 0.48, '1'],
]

const EXAMPLES = [
  { script: 'produce.py', format: 'avro', schemaType: 'AVRO' },
  { script: 'produce_json_schema.py', format: 'json-schema', schemaType: 'JSON' },
] as const

describe('Python producer examples', () => {
  for (const { script, format, schemaType } of EXAMPLES) {
    it(`stores exactly the predictions and labels ${script} sends, on the subjects the TypeScript producer uses`, { timeout: 600_000 }, async () => {
      const ingest = await startTestIngest(testEnv())
      try {
        await checkExample(ingest, script, format, schemaType)
      } finally {
        await ingest.stop()
      }
    })
  }
})

/** Runs one example script after the TypeScript producer has sent one event in the same format, and checks both. */
async function checkExample(ingest: RunningIngest, script: string, format: 'avro' | 'json-schema', schemaType: string): Promise<void> {
  // In the test, not a hook, so a missing python3 counts as this test's failure with its message.
  const python = await pythonVenv()
  const { brokers, registryUrl } = stackFromEnv()
  const topics = { predictions: ingest.config.topics.predictions, groundTruth: ingest.config.topics.groundTruth }
  // The TypeScript producer registers first, as in a deployment that already has traffic.
  const ts = await createProducer({ brokers, schemaRegistry: { url: registryUrl }, topics, format })
  try {
    await ts.sendPredictions([{ event_id: 'ts-0', model: 'churn', model_version: '3', timestamp: Date.now(), prediction: { score: 0.5 } }])
    await ts.sendGroundTruth([{ event_id: 'ts-0', timestamp: Date.now(), label: { class: '0' } }])
  } finally {
    await ts.disconnect()
  }

  const started = Date.now()
  const { stdout } = await run(python, [join(EXAMPLE_DIR, script)], {
    cwd: PACKAGE_ROOT,
    timeout: 60_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KAFKA_BROKERS: brokers.join(','),
      SCHEMA_REGISTRY_URL: registryUrl,
      MODELWATCH_TOPIC_PREDICTIONS: topics.predictions,
      MODELWATCH_TOPIC_GROUND_TRUTH: topics.groundTruth,
    },
  })
  const finished = Date.now()
  const delivered = (kind: string): string[] => [...stdout.matchAll(new RegExp(`^delivered ${kind} (\\S+) to `, 'gm'))].map((m) => m[1] ?? '')
  const ids = delivered('prediction')
  assert.equal(ids.length, CUSTOMERS.length, stdout)
  assert.deepEqual(delivered('ground-truth'), ids)
  const runId = /^py-([0-9a-f]{8})-0$/.exec(ids[0] ?? '')?.[1]
  assert.ok(runId !== undefined, `event ids look like py-<run>-<i>: ${ids.join(', ')}`)
  assert.deepEqual(ids, CUSTOMERS.map((_, i) => `py-${runId}-${i}`))

  const stored = (table: string): number => ingest.ingest.health.stored.get({ table })
  await waitFor(async () => [stored('predictions'), stored('ground_truth')], ([p, g]) => p === 6 && g === 6, 'six predictions and six labels stored')

  const predictions = await rows<Record<string, unknown>>(
    ingest.ch,
    `SELECT event_id, model, model_version, toUnixTimestamp64Milli(timestamp) AS ts, numeric_features['tenure_months'] AS tenure,
            numeric_features['monthly_spend'] AS spend, mapContains(numeric_features, 'monthly_spend') AS has_spend,
            categorical_features['plan'] AS plan, score, predicted_class, value, segments['region'] AS region, source
     FROM predictions FINAL WHERE startsWith(event_id, 'py-') ORDER BY event_id`,
  )
  const firstTs = Number(predictions[0]?.ts)
  assert.ok(firstTs >= started - 61_000 && firstTs <= finished - 60_000, `prediction timestamps are a minute before the run: ${firstTs}`)
  assert.deepEqual(
    predictions,
    CUSTOMERS.map(([tenure, spend, plan, score], i) => ({
      event_id: `py-${runId}-${i}`, model: 'churn', model_version: '3', ts: firstTs + i, tenure, spend, has_spend: 1,
      plan, score, predicted_class: score >= 0.5 ? '1' : '0', value: null, region: 'eu', source: 'kafka',
    })),
  )

  const labelled = await rows<Record<string, unknown>>(
    ingest.ch,
    `SELECT event_id, label_class, toUnixTimestamp64Milli(label_timestamp) - toUnixTimestamp64Milli(timestamp) AS delay_ms
     FROM labelled_predictions WHERE startsWith(event_id, 'py-') ORDER BY event_id`,
  )
  assert.deepEqual(labelled, CUSTOMERS.map(([, , , , label], i) => ({ event_id: `py-${runId}-${i}`, label_class: label, delay_ms: 60_000 - i })))

  // Exactly once: no duplicate rows even before merges, nothing set aside.
  assert.equal(await count(ingest.ch, "SELECT count() AS n FROM predictions WHERE startsWith(event_id, 'py-')"), CUSTOMERS.length)
  assert.equal(await count(ingest.ch, 'SELECT count() AS n FROM dead_letters FINAL'), 0)

  // One schema version per subject, and every message (TypeScript's and Python's) in the Confluent wire
  // format with that version's id and keyed by event_id: the Python producer reused the same subject.
  for (const topic of [topics.predictions, topics.groundTruth]) {
    const subject = encodeURIComponent(`${topic}-value`)
    assert.deepEqual(await (await fetch(`${registryUrl}/subjects/${subject}/versions`)).json(), [1], `versions of ${topic}-value`)
    const { id } = (await (await fetch(`${registryUrl}/subjects/${subject}/versions/1`)).json()) as { id: number }
    const config = (await (await fetch(`${registryUrl}/config/${subject}`)).json()) as { compatibilityLevel?: string }
    assert.equal(config.compatibilityLevel, 'BACKWARD')
    const version = (await (await fetch(`${registryUrl}/subjects/${subject}/versions/1`)).json()) as { schemaType?: string }
    assert.equal(version.schemaType ?? 'AVRO', schemaType, `schema type under ${topic}-value`)
    const messages = await readTopic(topic, 1 + CUSTOMERS.length)
    assert.deepEqual(messages.map((m) => m.key?.toString()), ['ts-0', ...ids], `keys on ${topic}`)
    assert.deepEqual(messages.map((m) => [m.value?.[0], m.value?.readInt32BE(1)]), messages.map(() => [0, id]), `magic byte and schema id on ${topic}`)
  }
}

/**
 * A virtualenv with the example's requirements, under deploy/local/.cache (git-ignored) keyed by the
 * requirements and the interpreter's version, so later runs reuse it. A half-made one is rebuilt.
 */
async function pythonVenv(): Promise<string> {
  const version = await run('python3', ['--version']).catch((error: NodeJS.ErrnoException) => {
    throw new Error(
      error.code === 'ENOENT'
        ? 'python3 is not on PATH: the Python producer test needs Python 3.9+ with venv and pip (Debian: apt-get install python3 python3-venv)'
        : `python3 --version failed: ${error.message}`,
    )
  })
  const key = createHash('sha256').update(readFileSync(REQUIREMENTS)).update(version.stdout).digest('hex').slice(0, 12)
  const dir = join(PACKAGE_ROOT, 'deploy', 'local', '.cache', `python-venv-${key}`)
  const bin = join(dir, 'bin', 'python')
  const done = join(dir, '.installed')
  if (existsSync(done)) return bin

  rmSync(dir, { recursive: true, force: true })
  const started = Date.now()
  const step = async (what: string, file: string, args: string[]): Promise<void> => {
    await run(file, args, { timeout: 480_000, maxBuffer: 16 * 1024 * 1024 }).catch((error: Error & { stderr?: string }) => {
      throw new Error(`${what} failed (${file} ${args.join(' ')}): ${error.stderr?.trim() || error.message}`)
    })
  }
  await step('creating the virtualenv (Debian needs python3-venv)', 'python3', ['-m', 'venv', dir])
  await step('pip install of examples/python/requirements.txt', bin, ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', '-r', REQUIREMENTS])
  writeFileSync(done, `${new Date().toISOString()}\n`)
  console.log(`python venv for the example made in ${((Date.now() - started) / 1000).toFixed(1)} s (${dir})`)
  return bin
}
