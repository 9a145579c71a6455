/**
 * One alerting run, after each monitor pass: create default monitors for new models and for versions that
 * entered shadow or challenger (comparison monitors), evaluate every monitor
 * against the monitor's latest windows, step each alert's state machine, mute (silences, inhibition), group
 * what is left into notifications, and save the new states and their history.
 *
 * Hand-over: `handOver` (the outbox) receives the notifications before the states are saved. If it throws,
 * nothing is saved and the next run produces the same transitions again with the same ids (see grouping.ts),
 * so a notification is neither lost nor, with an outbox keyed by id, sent twice.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import { CHALLENGER_STAGES } from '../compare/comparison-plan.js'
import { currentStages } from '../compare/version-stages.js'
import type { Logger } from '../core/logger.js'
import type { ModelSpec } from '../monitor/models/model-spec.js'
import { listModels } from '../monitor/models/registry.js'
import { observe, sameRecord } from './alert-record.js'
import { appendAlertEvents, loadAlerts, saveAlerts, toSummary, type AlertEventRow, type AlertRecord } from './alerts-store.js'
import { challengerMonitors, defaultMonitors } from './default-monitors.js'
import { evaluateMonitor, type Observation } from './evaluate.js'
import { groupNotifications, type Notifiable } from './grouping.js'
import { inhibitor } from './inhibition.js'
import { markNotified, step, type Step } from './lifecycle.js'
import type { MonitorSpec } from './monitor-spec.js'
import { listMonitors, namesEverStored, saveMonitors } from './monitors-store.js'
import type { ComparisonEvidence, Notification } from './notification.js'
import { referenceBaselines } from './reference-baseline.js'
import { activeSilence, silenceProblems } from './silences.js'
import { currentSilences } from './silences-store.js'

/** Longest stretch of muting work (silence matching) before the event loop gets a turn. */
const YIELD_AFTER_MS = 20

export interface AlertingOptions {
  log: Logger
  now?: () => number
  /** Channels the default monitors of new models notify (MODELWATCH_ALERT_DEFAULT_CHANNELS). */
  defaultChannels?: readonly string[]
  /** Create default monitors for models that never had them; true unless set false. */
  createDefaults?: boolean
  handOver?: (notifications: Notification[]) => Promise<void>
}

export interface AlertingSummary {
  notifications: Notification[]
  monitors: number
  /** Series judged (version × segment × column of every monitor). */
  evaluated: number
  insufficient: number
  pending: number
  firing: number
  /** Notifications held back by a silence or an inhibiting alert. */
  muted: number
  failedMonitors: string[]
  defaultsCreated: number
  ms: number
}

interface Changed {
  record: AlertRecord
  step: Step
  monitor: MonitorSpec | undefined
  /** Comparison monitors: the judged evaluation, carried into the notification (not stored with the alert). */
  comparison?: ComparisonEvidence
}

/**
 * @example
 * const { notifications, firing } = await runAlerting(ch, { log, now: () => Date.now() })
 */
export async function runAlerting(ch: ClickHouse, options: AlertingOptions): Promise<AlertingSummary> {
  const started = performance.now()
  const now = (options.now ?? Date.now)()
  const log = options.log.child({ component: 'alerting' })
  const models = new Map((await listModels(ch)).map((m) => [m.name, m]))
  const defaultsCreated = options.createDefaults === false ? 0 : await createDefaults(ch, [...models.values()], options.defaultChannels ?? [], now)
  const monitors = (await listMonitors(ch)).map((m) => m.spec)
  const [stored, silences] = await Promise.all([loadAlerts(ch), currentSilences(ch, now)])
  const baselines = referenceBaselines(ch)
  for (const silence of silences) {
    for (const problem of silenceProblems(silence)) log.warn({ silence: silence.id, problem }, 'silence matcher cannot be used; it matches nothing')
  }

  const changed: Changed[] = []
  const seen = new Set<string>()
  const summary = { evaluated: 0, insufficient: 0, failedMonitors: [] as string[] }
  for (const monitor of monitors) {
    const model = models.get(monitor.model)
    if (model === undefined) {
      log.warn({ monitor: monitor.name, model: monitor.model }, 'monitor names a model that is not registered')
      continue
    }
    let observations: Observation[]
    try {
      observations = await evaluateMonitor(ch, monitor, model, { now, baselines })
    } catch (error) {
      // One failing monitor must not keep the others quiet; it is logged and reported in the summary.
      log.error({ err: error, monitor: monitor.name }, 'monitor evaluation failed')
      summary.failedMonitors.push(monitor.name)
      continue
    }
    for (const obs of observations) {
      summary.evaluated++
      if (obs.outcome === 'insufficient') summary.insufficient++
      const record = observe(monitor, model, obs, stored)
      seen.add(record.fingerprint)
      const prev = stored.get(record.fingerprint)
      const s = step(prev, { outcome: obs.outcome, window_start: obs.point?.window_start ?? prev?.window_start ?? 0 }, monitor, now)
      // Only series that breached at least once have an alert; the rest would fill the table with `inactive`.
      if (prev === undefined && obs.outcome !== 'breach') continue
      changed.push({ record: { ...record, ...s.next }, step: s, monitor, ...(obs.comparison === undefined ? {} : { comparison: obs.comparison }) })
    }
  }
  // Alerts whose series left the lookback, or whose monitor was deleted, resolve (as Alertmanager resolves
  // alerts a rule no longer returns); a deleted monitor has no channels left to tell.
  const live = new Map(monitors.map((m) => [m.name, m]))
  for (const prev of stored.values()) {
    if (seen.has(prev.fingerprint) || (prev.status !== 'firing' && prev.status !== 'pending') || summary.failedMonitors.includes(prev.monitor)) continue
    const monitor = live.get(prev.monitor)
    if (monitor !== undefined && models.get(monitor.model) === undefined) continue
    const s = step(prev, { outcome: 'ok', window_start: prev.window_start }, monitor ?? { for: 1, repeat_interval: 0 }, now)
    changed.push({ record: { ...prev, ...s.next }, step: s, monitor })
  }

  const merged = new Map(stored)
  for (const c of changed) merged.set(c.record.fingerprint, c.record)
  const inhibitedBy = inhibitor([...merged.values()])
  const notifiable: Notifiable[] = []
  const events: (AlertEventRow & { change?: string })[] = []
  let muted = 0
  let sliceStarted = performance.now()
  for (const c of changed) {
    // Many alerts against many silences is synchronous work: let health probes and timers run in between.
    if (performance.now() - sliceStarted > YIELD_AFTER_MS) {
      await new Promise((resolve) => setImmediate(resolve))
      sliceStarted = performance.now()
    }
    const prev = stored.get(c.record.fingerprint)
    let mutedBy = ''
    if (c.step.notify && c.monitor !== undefined) {
      const r = c.record
      const silence = activeSilence(silences, { monitor: r.monitor, model: r.model, version: r.model_version, segment: r.segment, column: r.column, severity: r.severity }, now)
      const inhibiting = inhibitedBy(r)
      mutedBy = silence !== undefined ? `silence:${silence.id}` : inhibiting !== undefined ? `inhibited:${inhibiting}` : ''
      if (mutedBy !== '') muted++
      else {
        const change = `${r.fingerprint}:${c.step.event ?? ''}:${r.window_start}:${prev?.last_notified_at ?? ''}`
        c.record = markNotified(r, now)
        const alert = { ...toSummary(c.record), ...(c.comparison === undefined ? {} : { comparison: c.comparison }) }
        notifiable.push({ alert, channels: c.monitor.channels, change })
      }
    }
    // A muted repeat is not news for the history: the alert was already firing and stays so.
    if (c.step.event === undefined || (c.step.event === 'repeat' && mutedBy !== '')) continue
    events.push({
      fingerprint: c.record.fingerprint, monitor: c.record.monitor, model: c.record.model, model_version: c.record.model_version, segment: c.record.segment, column: c.record.column,
      event: c.step.event, status_from: prev?.status ?? 'inactive', status_to: c.record.status, value: c.record.value, window_start: c.record.window_start,
      muted_by: mutedBy, notification_ids: [], at: now,
    })
  }
  const notifications = groupNotifications(notifiable, now)
  for (const e of events) {
    e.notification_ids = notifications.filter((n) => n.alerts.some((a) => a.fingerprint === e.fingerprint)).map((n) => n.id)
  }
  if (options.handOver !== undefined && notifications.length > 0) await options.handOver(notifications)
  const toSave = changed.map((c) => c.record).filter((r) => !sameRecord(r, stored.get(r.fingerprint)))
  await saveAlerts(ch, toSave, now)
  await appendAlertEvents(ch, events)

  for (const c of changed) merged.set(c.record.fingerprint, c.record)
  const states = [...merged.values()]
  const result: AlertingSummary = {
    notifications,
    monitors: monitors.length,
    ...summary,
    pending: states.filter((a) => a.status === 'pending').length,
    firing: states.filter((a) => a.status === 'firing').length,
    muted,
    defaultsCreated,
    ms: Math.round(performance.now() - started),
  }
  const { notifications: _, ...logged } = result
  log.info({ ...logged, notifications: notifications.length, events: events.length }, 'alerting run finished')
  return result
}

async function createDefaults(ch: ClickHouse, models: ModelSpec[], channels: readonly string[], now: number): Promise<number> {
  const challengers = await Promise.all(models.map(async (m) => {
    const versions = [...(await currentStages(ch, m.name)).values()].filter((r) => CHALLENGER_STAGES.includes(r.stage))
    return versions.flatMap((r) => challengerMonitors(m, r.version, { channels }))
  }))
  const candidates = [...models.flatMap((m) => defaultMonitors(m, { channels })), ...challengers.flat()]
  const existing = await namesEverStored(ch, candidates.map((c) => c.name))
  const fresh = candidates.filter((c) => !existing.has(c.name))
  await saveMonitors(ch, fresh, { origin: 'default', now })
  return fresh.length
}
