/**
 * `modelwatch model stage`: moves a model version to a lifecycle stage, recorded append-only with the CLI user
 * (cli:<user name>), the time and the reason; `--history` prints every change of the version instead.
 *
 *   modelwatch model stage --model churn --version 4 --stage challenger --reason "retrained on November data"
 *   modelwatch model stage --model churn --version 4 --history [--json]
 */
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { bounds } from '../../core/limits.js'
import { recordStage, stageChangeSchema, stageHistory } from '../../compare/version-stages.js'
import { migrate } from '../../core/clickhouse/migrations.js'
import { UsageError } from '../../core/errors.js'
import { getModel } from '../../monitor/models/registry.js'
import { openContext } from '../context.js'
import { formatTable } from '../table.js'

const USAGE = 'usage: modelwatch model stage --model M --version V --stage shadow|challenger|canary|production|archived --reason "why" | --model M --version V --history [--json]'

export async function modelStageCommand(env: NodeJS.ProcessEnv, args: string[]): Promise<void> {
  const text = { type: 'string' } as const
  const { values } = parseArgs({ args, options: { model: text, version: text, stage: text, reason: text, history: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } })
  if (values.model === undefined || values.version === undefined) throw new UsageError(USAGE)
  const change = values.history ? undefined : stageChangeSchema.safeParse({ stage: values.stage, reason: values.reason ?? '' })
  if (change !== undefined && !change.success) {
    const issue = change.error.issues[0]
    throw new UsageError(`--${String(issue?.path[0] ?? 'stage')}: ${values.stage === undefined && issue?.path[0] === 'stage' ? 'needed' : issue?.message ?? 'invalid'}; ${USAGE}`)
  }
  const ctx = await openContext(env, { logLevel: 'warn' })
  try {
    await migrate(ctx.ch)
    const model = await getModel(ctx.ch, values.model)
    if (change === undefined) {
      const history = await stageHistory(ctx.ch, model.name, values.version)
      if (values.json) for (const r of history) process.stdout.write(`${JSON.stringify(r)}\n`)
      else process.stdout.write(formatTable(history.map((r) => ({ changed_at: r.changedAt, stage: r.stage, by: r.changedBy, reason: r.reason }))))
      return
    }
    const recorded = await recordStage(ctx.ch, { model: model.name, version: values.version, ...change.data, changedBy: `cli:${userInfo().username}` }, { challengers: bounds(ctx.config.limits).challengers })
    process.stdout.write(values.json ? `${JSON.stringify(recorded)}\n` : `${model.name} version ${values.version} is now ${recorded.stage} (by ${recorded.changedBy}, ${recorded.changedAt})\n`)
  } finally {
    await ctx.close()
  }
}
