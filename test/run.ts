/**
 * `npm test` after the type check: makes sure Chromium is installed for the browser test
 * (deploy/local/install-chromium.sh), starts one local Kafka and schema registry for the whole run (unless
 * KAFKA_BROKERS and SCHEMA_REGISTRY_URL point at existing ones), runs every test file with node's test
 * runner, stops the stack, and exits with the runner's status.
 */
import { spawn, spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startLocalStack, type LocalStack } from '../services/cli/local-stack.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const only = process.argv.slice(2)
const suites = only.length > 0 ? only : ['unit', 'integration', 'e2e']
const files = suites.flatMap((suite) =>
  readdirSync(join(root, 'test', suite))
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => join('test', suite, f)),
)

// The status page's browser test drives Debian's Chromium; install it (as root) before anything starts.
if (suites.includes('e2e')) {
  const chromium = spawnSync('bash', [join(root, 'deploy', 'local', 'install-chromium.sh')], { stdio: 'inherit' })
  if (chromium.status !== 0) process.stdout.write('# WARNING: no Chromium; test/e2e/status-page.test.ts will fail (see the message above)\n')
}

let stack: LocalStack | undefined
const needsStack = suites.some((s) => s !== 'unit')
if (needsStack && (process.env.KAFKA_BROKERS === undefined || process.env.SCHEMA_REGISTRY_URL === undefined)) {
  const started = Date.now()
  process.stdout.write('# starting local Kafka and schema registry (deploy/local)\n')
  stack = await startLocalStack()
  process.env.KAFKA_BROKERS = stack.brokers.join(',')
  process.env.SCHEMA_REGISTRY_URL = stack.registryUrl
  process.stdout.write(`# Kafka ${process.env.KAFKA_BROKERS}, registry ${stack.registryUrl}, up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
}

const concurrency = process.env.TEST_CONCURRENCY ?? '2'
const runner = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files], { cwd: root, stdio: 'inherit', env: process.env })
const code = await new Promise<number>((resolve) => runner.once('exit', (c, signal) => resolve(c ?? (signal === null ? 1 : 128))))
await stack?.stop()
process.exit(code)
