#!/usr/bin/env node
/**
 * `modelwatch`: one CLI, one subcommand per service or task. Bad configuration or usage is reported as
 * one line on stderr (exit 2), never a stack trace.
 */
import { parseArgs } from 'node:util'
import { ModelwatchError, UsageError } from '../core/errors.js'
import { demoCommand } from './commands/demo.js'
import { migrateCommand } from './commands/migrate.js'
import { serveCommand } from './commands/serve.js'
import { sqlCommand } from './commands/sql.js'

const USAGE = `usage: modelwatch <command> [options]

commands:
  start                 run every service in one process (ingest)
  ingest                run the ingest service: Kafka -> ClickHouse, bad events -> dead-letter topic
  migrate               apply pending ClickHouse schema migrations
  sql "QUERY" [--json]  run a read-only query on the configured engine and print the rows
  demo [--events N]     start local Kafka and registry if none is configured, run everything, feed sample events

Configuration comes from environment variables; see the README's configuration reference.
`

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  const env = process.env
  switch (command) {
    case 'start':
      return serveCommand(env, ['ingest'])
    case 'ingest':
      return serveCommand(env, ['ingest'])
    case 'migrate':
      return migrateCommand(env)
    case 'sql': {
      const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean', default: false } } })
      return sqlCommand(env, positionals.join(' '), values.json)
    }
    case 'demo': {
      const { values } = parseArgs({ args: rest, options: { events: { type: 'string' } } })
      return demoCommand(env, { events: values.events === undefined ? undefined : parsePositive('--events', values.events) })
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE)
      return
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}; run \`modelwatch help\``)
  }
}

function parsePositive(flag: string, value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive whole number, got ${JSON.stringify(value)}`)
  return n
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof ModelwatchError && !error.retriable) {
      process.stderr.write(`modelwatch: ${error.message}\n`)
      process.exit(2)
    }
    if (error instanceof Error && 'code' in error && error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`modelwatch: ${error.message}\n`)
      process.exit(2)
    }
    process.stderr.write(`modelwatch: ${describe(error)}\n`)
    process.exit(1)
  },
)

function describe(error: unknown): string {
  const parts: string[] = []
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) parts.push(e.message)
  return parts.join(': ') || String(error)
}
