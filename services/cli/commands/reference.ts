/**
 * `modelwatch reference upload|window|rolling|list`: reference data per model version.
 *
 *   modelwatch reference upload --model churn --version 3 --file train.parquet [--replace]
 *   modelwatch reference window --model churn --version 3 --from 2026-03-01 --to 2026-03-08 [--replace]
 *   modelwatch reference rolling --model churn --version 3 --windows 7 [--replace]
 *   modelwatch reference list --model churn [--json]
 *
 * Each action prints one line: the reference id, its rows, whether it was stored and whether the version
 * now compares against it.
 */
import { basename } from 'node:path'
import { parseArgs } from 'node:util'
import { migrate } from '../../core/clickhouse/migrations.js'
import { UsageError } from '../../core/errors.js'
import { getModel } from '../../monitor/models/registry.js'
import {
  defineRollingReference,
  defineWindowReference,
  describeDefinition,
  listReferences,
  parseInstant,
  uploadReference,
  type ReferenceDefinition,
  type ReferenceResult,
} from '../../monitor/references/index.js'
import { openContext } from '../context.js'
import { formatTable } from '../table.js'

const USAGE = `usage:
  modelwatch reference upload --model M --version V --file F [--replace]     F: .csv, .parquet, .arrow/.feather/.ipc
  modelwatch reference window --model M --version V --from ISO --to ISO [--replace]
  modelwatch reference rolling --model M --version V --windows N [--replace]
  modelwatch reference list --model M [--json]`

type Action = 'upload' | 'window' | 'rolling' | 'list'

/**
 * Runs one reference action; flags are checked before the engine is opened.
 *
 * @example
 * await referenceCommand(process.env, ['upload', '--model', 'churn', '--version', '3', '--file', 'train.csv'])
 */
export async function referenceCommand(env: NodeJS.ProcessEnv, args: string[]): Promise<void> {
  const [action, ...rest] = args
  if (action === undefined || action === 'help' || action === '--help' || action === '-h') {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  if (!['upload', 'window', 'rolling', 'list'].includes(action)) throw new UsageError(`unknown reference action ${JSON.stringify(action)}; run \`modelwatch reference help\``)
  const { values } = parseArgs({
    args: rest,
    options: {
      model: { type: 'string' },
      version: { type: 'string' },
      file: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      windows: { type: 'string' },
      replace: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  })
  const run = prepare(action as Action, values)
  const ctx = await openContext(env, { logLevel: 'warn' })
  try {
    await migrate(ctx.ch)
    const model = await getModel(ctx.ch, run.model)
    process.stdout.write(await run.execute(ctx.ch, model))
  } finally {
    await ctx.close()
  }
}

type Values = { [K in 'model' | 'version' | 'file' | 'from' | 'to' | 'windows']?: string } & { replace?: boolean; json?: boolean }
type Ch = Parameters<typeof uploadReference>[0]
type Model = Awaited<ReturnType<typeof getModel>>

/** Checks the flags before the engine is opened, so a usage mistake costs nothing and says exactly what. */
function prepare(action: Action, values: Values): { model: string; execute: (ch: Ch, model: Model) => Promise<string> } {
  const need = (flag: keyof Values): string => {
    const value = values[flag]
    if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`reference ${action} needs --${flag}; see \`modelwatch reference help\``)
    return value
  }
  const model = need('model')
  const replace = values.replace ?? false
  switch (action) {
    case 'upload': {
      const version = need('version')
      const file = need('file')
      return {
        model,
        execute: async (ch, spec) => {
          const result = await uploadReference(ch, { model: spec, version, file, replace })
          const ignored = result.ignoredColumns.length === 0 ? '' : ` (ignored columns: ${result.ignoredColumns.join(', ')})`
          return `${resultLine(result, { kind: 'upload', source: { file: basename(file) } }, model, version)}${ignored}\n`
        },
      }
    }
    case 'window': {
      const version = need('version')
      const from = parseInstant('--from', need('from'))
      const to = parseInstant('--to', need('to'))
      return {
        model,
        execute: async (ch, spec) => {
          const result = await defineWindowReference(ch, { model: spec, version, from, to, replace })
          const definition: ReferenceDefinition = { kind: 'window', source: { version, from: from.toISOString(), to: to.toISOString() } }
          return `${resultLine(result, definition, model, version)}\n`
        },
      }
    }
    case 'rolling': {
      const version = need('version')
      const text = need('windows')
      const windows = Number(text)
      if (!/^\d+$/.test(text.trim()) || windows < 1) throw new UsageError(`--windows must be a positive whole number, got ${JSON.stringify(text)}`)
      return {
        model,
        execute: async (ch, spec) => {
          const result = await defineRollingReference(ch, { model: spec, version, windows, replace })
          return `${resultLine(result, { kind: 'rolling', source: { windows } }, model, version)}\n`
        },
      }
    }
    case 'list':
      return {
        model,
        execute: async (ch) => {
          const references = await listReferences(ch, model)
          if (values.json) return references.map((r) => `${JSON.stringify(r)}\n`).join('')
          return formatTable(
            references.map((r) => ({
              reference_id: r.referenceId,
              definition: describeDefinition(r.definition),
              rows: r.rowCount,
              created_at: r.createdAt,
              versions: r.versions.join(','),
            })),
          )
        },
      }
  }
}

/**
 * The one line an action prints.
 *
 * @example
 * resultLine({ referenceId: 'abc', rows: 5, created: true, assigned: true }, { kind: 'upload', source: { file: 'a.csv' } }, 'churn', '3')
 * // 'reference abc (upload a.csv): 5 rows stored; version 3 of churn now compares against it'
 */
export function resultLine(result: ReferenceResult, definition: ReferenceDefinition, model: string, version: string): string {
  const rolling = definition.kind === 'rolling'
  const rows = `${result.rows} row${result.rows === 1 ? '' : 's'}`
  const stored = result.created
    ? rolling ? 'recorded' : `${rows} ${definition.kind === 'window' ? 'copied' : 'stored'}`
    : rolling ? 'already recorded' : `already stored (${rows})`
  const assignment = result.assigned
    ? `version ${version} of ${model} now compares against it${result.replaced === undefined ? '' : ` instead of ${result.replaced}`}`
    : `version ${version} of ${model} already compares against it`
  return `reference ${result.referenceId} (${describeDefinition(definition)}): ${stored}; ${assignment}`
}
