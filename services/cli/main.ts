#!/usr/bin/env node
/**
 * `modelwatch`: one CLI, one subcommand per service or task. Bad configuration or usage is reported as
 * one line on stderr (exit 2), never a stack trace.
 */
import { parseArgs } from 'node:util'
import { ModelwatchError, UsageError, describeError } from '../core/errors.js'
import { applyCommand } from './commands/apply.js'
import { apiCommand } from './commands/api.js'
import { compareCommand } from './commands/compare.js'
import { demoCommand } from './commands/demo.js'
import { driftCommand } from './commands/drift.js'
import { migrateCommand } from './commands/migrate.js'
import { modelCommand } from './commands/model.js'
import { referenceCommand } from './commands/reference.js'
import { serveCommand } from './commands/serve.js'
import { sqlCommand } from './commands/sql.js'

const USAGE = `usage: modelwatch <command> [options]

commands:
  start                 run every service in one process (ingest, monitor, alerting, api)
  ingest                run the ingest service: Kafka -> ClickHouse, bad events -> dead-letter topic
  monitor               compute windows (performance, drift, data quality), evaluate alert rules, deliver notifications
  api                   serve the HTTP API (/v1, /openapi.json, /healthz, /readyz, /metrics) on MODELWATCH_API_PORT
  migrate               apply pending ClickHouse schema migrations
  sql "QUERY" [--json]  run a read-only query on the configured engine and print the rows
  drift --reference FILE --current FILE [--categorical a,b] [--json]  drift statistics between two CSV, Parquet or Arrow files
  model create|list     register a monitored model (--name --task --features a:numeric,b:categorical ...) or list them
  model stage --model M --version V --stage S --reason "..."  move a version to shadow, challenger, production or archived (--history lists changes)
  apply -f FILE [--dry-run] [--prune]  create or update the monitors (alert rules) and silences declared in a YAML file
  reference upload|window|rolling|list  reference data per model version (see: modelwatch reference help)
  compare --model M --a V1 --b V2 [--from T] [--to T] [--segment k=v] [--paired auto|yes|no] [--json]  is version b better than a (tests, intervals, verdicts)
  demo [--short] [--produce-only]  start local Kafka and registry if none is configured, run everything, replay a scripted story
                        (--short: fast, then a summary and exit; --produce-only: feed the stack at KAFKA_BROKERS and CLICKHOUSE_URL, start no services)

Configuration comes from environment variables; see the README's configuration reference.
`

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  const env = process.env
  switch (command) {
    case 'start':
      // Ingest's /healthz answers for this process; the monitor's own endpoint is for `modelwatch monitor` alone.
      return serveCommand({ MODELWATCH_MONITOR_HEALTH_PORT: 'off', ...env }, ['ingest', 'monitor', 'alerting', 'api'])
    case 'ingest':
      return serveCommand(env, ['ingest'])
    case 'monitor':
      return serveCommand(env, ['monitor', 'alerting'])
    case 'api':
      return apiCommand(env)
    case 'migrate':
      return migrateCommand(env)
    case 'model':
      return modelCommand(env, rest)
    case 'apply':
      return applyCommand(env, rest)
    case 'compare':
      return compareCommand(env, rest)
    case 'reference':
      return referenceCommand(env, rest)
    case 'sql': {
      const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean', default: false } } })
      return sqlCommand(env, positionals.join(' '), values.json)
    }
    case 'drift':
      return driftCommand(rest)
    case 'demo': {
      const { values } = parseArgs({ args: rest, options: { short: { type: 'boolean', default: false }, 'produce-only': { type: 'boolean', default: false } } })
      return demoCommand(env, { short: values.short, produceOnly: values['produce-only'] })
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
    process.stderr.write(`modelwatch: ${describeError(error, 4)}\n`)
    process.exit(1)
  },
)
