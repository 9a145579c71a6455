/**
 * `modelwatch apply -f monitors.yaml [--dry-run] [--prune]`: monitors (and silences) declared as code.
 * Idempotent: applying the same file twice changes nothing the second time. Prints what it does:
 *
 *   + churn.auc-drop                 created
 *   ~ churn.feature-drift            changed: condition.above 0.2 -> 0.3
 *   = churn.volume                   unchanged
 *   - churn.old-rule                 deleted
 *
 * Exit status: 0 applied (or planned, with --dry-run), 2 the file is invalid (every problem named, nothing
 * written), 1 the engine failed.
 */
import { parseArgs } from 'node:util'
import { migrate } from '../../core/clickhouse/migrations.js'
import { ModelwatchError, UsageError } from '../../core/errors.js'
import { planApply, type Plan } from '../../alerting/apply-plan.js'
import { monitorModelProblems } from '../../alerting/monitor-model-check.js'
import { monitorSpecToInput, type MonitorSpec } from '../../alerting/monitor-spec.js'
import { readMonitorsFile } from '../../alerting/monitors-file.js'
import { deleteMonitors, listMonitors, saveMonitors } from '../../alerting/monitors-store.js'
import type { Silence } from '../../alerting/silences.js'
import { currentSilences, saveSilences } from '../../alerting/silences-store.js'
import { listModels } from '../../monitor/models/registry.js'
import { openContext } from '../context.js'

export async function applyCommand(env: NodeJS.ProcessEnv, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { file: { type: 'string', short: 'f' }, 'dry-run': { type: 'boolean', default: false }, prune: { type: 'boolean', default: false } },
  })
  if (values.file === undefined) throw new UsageError('usage: modelwatch apply -f monitors.yaml [--dry-run] [--prune]')
  const file = values.file
  const declared = await readMonitorsFile(file)
  const ctx = await openContext(env, { logLevel: 'warn' })
  try {
    await migrate(ctx.ch)
    const models = new Map((await listModels(ctx.ch)).map((m) => [m.name, m]))
    const problems = declared.monitors.flatMap((m, i) => monitorModelProblems(m, models.get(m.model)).map((p) => `monitors[${i}] (${m.name}): ${p}`))
    if (problems.length > 0) throw new ModelwatchError('MONITOR_INVALID', `${file}: ${problems.join('; ')}`)

    const now = Date.now()
    const stored = await listMonitors(ctx.ch)
    const origins = new Map(stored.map((m) => [m.spec.name, m.origin]))
    const monitorPlan = planApply(declared.monitors, new Map(stored.map((m) => [m.spec.name, m.spec])), {
      key: (m) => m.name,
      form: monitorSpecToInput,
      prune: values.prune,
      // Only what a file put there is a file's to remove: default monitors and API-made ones stay.
      prunable: (name) => origins.get(name) === 'apply',
    })
    const silencePlan = planApply(declared.silences, new Map((await currentSilences(ctx.ch, now)).map((s) => [s.id, s])), {
      key: (s) => s.id,
      form: (s) => s,
      prune: false,
      prunable: () => false,
    })
    printPlan('monitor', monitorPlan, (m: MonitorSpec) => m.name)
    printPlan('silence', silencePlan, (s: Silence) => s.id)
    if (declared.channels.length > 0) {
      process.stdout.write(`channels: ${declared.channels.length} validated (${declared.channels.map((c) => c.name).join(', ')}); not stored by this version of apply\n`)
    }
    if (values['dry-run']) {
      process.stdout.write('dry run: nothing written\n')
      return
    }
    await saveMonitors(ctx.ch, [...monitorPlan.created, ...monitorPlan.changed.map((c) => c.item)], { origin: 'apply', now })
    await deleteMonitors(ctx.ch, monitorPlan.deleted.map((name) => ({ name, model: stored.find((m) => m.spec.name === name)?.spec.model ?? '' })), { origin: 'apply', now })
    await saveSilences(ctx.ch, [...silencePlan.created, ...silencePlan.changed.map((c) => c.item)], now)
  } finally {
    await ctx.close()
  }
}

function printPlan<T>(noun: string, plan: Plan<T>, name: (item: T) => string): void {
  const line = (mark: string, id: string, text: string): void => void process.stdout.write(`${mark} ${id.padEnd(32)} ${text}\n`)
  for (const item of plan.created) line('+', name(item), 'created')
  for (const { item, fields } of plan.changed) line('~', name(item), `changed: ${fields.map((f) => `${f.path} ${show(f.from)} -> ${show(f.to)}`).join('; ')}`)
  for (const item of plan.unchanged) line('=', name(item), 'unchanged')
  for (const id of plan.deleted) line('-', id, 'deleted')
  const total = plan.created.length + plan.changed.length + plan.unchanged.length + plan.deleted.length
  if (total > 0 || noun === 'monitor') {
    process.stdout.write(`${noun}s: ${plan.created.length} created, ${plan.changed.length} changed, ${plan.unchanged.length} unchanged, ${plan.deleted.length} deleted\n`)
  }
}

const show = (value: unknown): string => (value === undefined ? '(unset)' : JSON.stringify(value))
