/**
 * `modelwatch apply -f monitors.yaml [--dry-run] [--prune]`: monitors, channels and silences declared as code.
 * Idempotent: applying the same file twice changes nothing the second time. Prints what it does:
 *
 *   + churn.auc-drop                 created
 *   ~ churn.feature-drift            changed: condition.above 0.2 -> 0.3
 *   = churn.volume                   unchanged
 *   - churn.old-rule                 deleted
 *
 * Channels are planned the same way (--prune removes channels an earlier apply wrote), and every channel a
 * monitor names must exist afterwards: in the file, or stored and not pruned.
 *
 * Exit status: 0 applied (or planned, with --dry-run), 2 the file is invalid (every problem named, nothing
 * written), 1 the engine failed.
 */
import { parseArgs } from 'node:util'
import { migrate } from '../../core/clickhouse/migrations.js'
import { ModelwatchError, UsageError } from '../../core/errors.js'
import { bounds, ensureRoom } from '../../core/limits.js'
import { planApply, type Plan } from '../../alerting/apply-plan.js'
import type { ChannelSpec } from '../../alerting/channel-spec.js'
import { channelOrigins, deleteChannel, listChannels, saveChannel } from '../../alerting/channels-store.js'
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
    const silences = await currentSilences(ctx.ch, now)
    const silencePlan = planApply(declared.silences, new Map(silences.map((s) => [s.id, s])), {
      key: (s) => s.id,
      form: (s) => s,
      prune: false,
      prunable: () => false,
    })
    const channelOrigin = await channelOrigins(ctx.ch)
    const channels = await listChannels(ctx.ch)
    const channelPlan = planApply(declared.channels, new Map(channels.map((c) => [c.name, c])), {
      key: (c) => c.name,
      form: (c) => c,
      prune: values.prune,
      prunable: (name) => channelOrigin.get(name) === 'apply',
    })
    problems.push(...missingChannels(declared.monitors, stored.map((m) => m.spec), channelPlan, [...channelOrigin.keys()], monitorPlan.deleted))
    if (problems.length > 0) throw new ModelwatchError('MONITOR_INVALID', `${file}: ${problems.join('; ')}`)
    const limits = bounds(ctx.config.limits)
    ensureRoom(limits.monitors, stored.length, monitorPlan.created.length - monitorPlan.deleted.length)
    ensureRoom(limits.silences, silences.length, silencePlan.created.length)
    ensureRoom(limits.channels, channels.length, channelPlan.created.length - channelPlan.deleted.length)
    printPlan('channel', channelPlan, (c: ChannelSpec) => c.name)
    printPlan('monitor', monitorPlan, (m: MonitorSpec) => m.name)
    printPlan('silence', silencePlan, (s: Silence) => s.id)
    if (values['dry-run']) {
      process.stdout.write('dry run: nothing written\n')
      return
    }
    // Channels first: a monitor saved before the channel it names would notify nowhere for a moment.
    for (const channel of [...channelPlan.created, ...channelPlan.changed.map((c) => c.item)]) await saveChannel(ctx.ch, channel, now, 'apply')
    await saveMonitors(ctx.ch, [...monitorPlan.created, ...monitorPlan.changed.map((c) => c.item)], { origin: 'apply', now })
    await deleteMonitors(ctx.ch, monitorPlan.deleted.map((name) => ({ name, model: stored.find((m) => m.spec.name === name)?.spec.model ?? '' })), { origin: 'apply', now })
    await saveSilences(ctx.ch, [...silencePlan.created, ...silencePlan.changed.map((c) => c.item)], now)
    for (const name of channelPlan.deleted) await deleteChannel(ctx.ch, name, now, 'apply')
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

/**
 * Channels monitors name that would not exist after the apply: a declared monitor's channel must be in the
 * file or stored (and not pruned); a stored monitor the file leaves alone must not lose a channel to --prune.
 */
function missingChannels(declared: MonitorSpec[], stored: MonitorSpec[], plan: Plan<ChannelSpec>, storedChannels: string[], deletedMonitors: string[]): string[] {
  const pruned = new Set(plan.deleted)
  const exists = new Set([...storedChannels.filter((n) => !pruned.has(n)), ...[...plan.created, ...plan.unchanged, ...plan.changed.map((c) => c.item)].map((c) => c.name)])
  const problems = declared.flatMap((m, i) =>
    m.channels.flatMap((name, j) => (exists.has(name) ? [] : [`monitors[${i}] (${m.name}): channels[${j}]: no channel named ${JSON.stringify(name)}; declare it under channels: or create it with PUT /v1/channels/${name}`])),
  )
  const redeclared = new Set([...declared.map((m) => m.name), ...deletedMonitors])
  for (const m of stored) {
    if (redeclared.has(m.name)) continue
    for (const name of m.channels.filter((n) => pruned.has(n))) problems.push(`channels: --prune would delete ${name}, which stored monitor ${m.name} names`)
  }
  return problems
}

const show = (value: unknown): string => (value === undefined ? '(unset)' : JSON.stringify(value))
