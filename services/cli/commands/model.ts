/**
 * `modelwatch model create|list`: the model registry from the command line.
 *
 *   modelwatch model create --name churn --task binary_classification --positive-class 1 \
 *     --features tenure:numeric,plan:categorical [--window 1h] [--final-coverage 0.95] [--final-max-delay 7d]
 *   modelwatch model create --file churn.json
 *   modelwatch model list [--json]
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { migrate } from '../../core/clickhouse/migrations.js'
import { formatDuration } from '../../core/duration.js'
import { UsageError } from '../../core/errors.js'
import type { ModelSpecInput } from '../../monitor/models/model-spec.js'
import { bounds } from '../../core/limits.js'
import { ensureModelRoom, listModels, saveModel } from '../../monitor/models/registry.js'
import { openContext } from '../context.js'
import { modelStageCommand } from './model-stage.js'
import { formatTable } from '../table.js'

export async function modelCommand(env: NodeJS.ProcessEnv, args: string[]): Promise<void> {
  const [action, ...rest] = args
  if (action === 'stage') return modelStageCommand(env, rest)
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      task: { type: 'string' },
      'positive-class': { type: 'string' },
      features: { type: 'string' },
      window: { type: 'string' },
      'final-coverage': { type: 'string' },
      'final-max-delay': { type: 'string' },
      file: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  })
  if (action !== 'create' && action !== 'list') throw new UsageError('usage: modelwatch model create ... | modelwatch model list [--json] | modelwatch model stage ...')
  const input = action === 'create' ? specFromArgs(values) : undefined
  const ctx = await openContext(env, { logLevel: 'warn' })
  try {
    await migrate(ctx.ch)
    if (input !== undefined) {
      await ensureModelRoom(ctx.ch, String(input.name), bounds(ctx.config.limits).models)
      const spec = await saveModel(ctx.ch, input)
      process.stdout.write(`model ${spec.name} saved: ${spec.task}, ${spec.features.length} features, window ${formatDuration(spec.default_window)}\n`)
      return
    }
    const models = await listModels(ctx.ch)
    if (values.json) for (const m of models) process.stdout.write(`${JSON.stringify(m)}\n`)
    else
      process.stdout.write(
        formatTable(models.map((m) => ({ name: m.name, task: m.task, features: m.features.map((f) => `${f.name}:${f.kind}`).join(','), window: formatDuration(m.default_window) }))),
      )
  } finally {
    await ctx.close()
  }
}

function specFromArgs(values: Record<string, string | boolean | undefined>): ModelSpecInput {
  const text = (key: string): string | undefined => (typeof values[key] === 'string' ? (values[key] as string) : undefined)
  const file = text('file')
  if (file !== undefined) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as ModelSpecInput
    } catch (error) {
      throw new UsageError(`cannot read model definition ${file}: ${(error as Error).message}`)
    }
  }
  const name = text('name')
  const task = text('task')
  const features = text('features')
  if (name === undefined || task === undefined || features === undefined) {
    throw new UsageError('model create needs --name, --task and --features (or --file); see `modelwatch help`')
  }
  const coverage = text('final-coverage')
  return {
    name,
    task: task as ModelSpecInput['task'],
    positive_class: text('positive-class'),
    features: features.split(',').map((entry) => {
      const [featureName = '', kind = 'numeric'] = entry.trim().split(':')
      return { name: featureName, kind: kind as 'numeric' | 'categorical' }
    }),
    ...(text('window') === undefined ? {} : { default_window: text('window') }),
    ...(coverage === undefined ? {} : { final_coverage: Number(coverage) }),
    ...(text('final-max-delay') === undefined ? {} : { final_max_delay: text('final-max-delay') }),
  }
}
