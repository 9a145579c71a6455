/**
 * What people do to an alert (the API): acknowledge it, or resolve it by hand. Each action steps the alert's
 * state with the pure rules of lifecycle.ts, records who did it in `alert_events`, and saves the new state.
 * A manual resolve tells the monitor's channels as a recovery would: the notification goes through the outbox
 * like any other (handed over before the state is saved, with an id stable for the same change, so a retried
 * request is delivered once).
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import { ModelwatchError } from '../core/errors.js'
import { appendAlertEvents, getAlert, saveAlerts, toSummary, type ListedAlert } from './alerts-store.js'
import { groupNotifications } from './grouping.js'
import { acknowledge, markNotified, resolveManually, type Step } from './lifecycle.js'
import { getMonitor } from './monitors-store.js'
import type { Notification } from './notification.js'

export interface AlertActor {
  /** The API token's name. */
  by: string
  comment: string
}

export interface ActionOptions {
  now: number
  /** The outbox: receives the resolve notification before the state is saved. */
  handOver: (notifications: Notification[]) => Promise<void>
}

/**
 * Acknowledges a firing alert: its repeat notifications stop until it resolves or fires anew.
 * NOT_FOUND for an unknown fingerprint, CONFLICT when the alert is not firing.
 *
 * @example
 * const alert = await acknowledgeAlert(ch, fingerprint, { by: 'ops', comment: 'retraining started' }, { now: Date.now(), handOver })
 */
export async function acknowledgeAlert(ch: ClickHouse, fingerprint: string, actor: AlertActor, options: ActionOptions): Promise<ListedAlert> {
  const alert = await existing(ch, fingerprint)
  const s = acknowledge(alert, actor, options.now)
  if (s === undefined) throw new ModelwatchError('CONFLICT', `alert ${fingerprint} is ${alert.status}; only a firing alert can be acknowledged`)
  return record(ch, alert, s, actor, [], options.now)
}

/**
 * Resolves a pending or firing alert by hand, notifying the monitor's channels if its firing was notified.
 * NOT_FOUND for an unknown fingerprint, CONFLICT when the alert is not open.
 *
 * @example
 * const alert = await resolveAlert(ch, fingerprint, { by: 'ops', comment: 'fixed upstream' }, { now: Date.now(), handOver: (n) => enqueueNotifications(ch, n).then(() => {}) })
 */
export async function resolveAlert(ch: ClickHouse, fingerprint: string, actor: AlertActor, options: ActionOptions): Promise<ListedAlert> {
  const alert = await existing(ch, fingerprint)
  const s = resolveManually(alert, options.now)
  if (s === undefined) throw new ModelwatchError('CONFLICT', `alert ${fingerprint} is ${alert.status}; only a pending or firing alert can be resolved`)
  let state = s.next
  let notifications: Notification[] = []
  const monitor = s.notify ? await getMonitor(ch, alert.monitor) : undefined
  // A deleted monitor has no channels left to tell, as when the engine resolves its alerts.
  if (monitor !== undefined && monitor.spec.channels.length > 0) {
    const change = `${fingerprint}:resolved:manual:${alert.window_start}:${alert.last_notified_at ?? ''}`
    notifications = groupNotifications([{ alert: toSummary({ ...alert, ...state }), channels: monitor.spec.channels, change }], options.now)
    await options.handOver(notifications)
    state = markNotified(state, options.now)
  }
  return record(ch, alert, { ...s, next: state }, actor, notifications.map((n) => n.id), options.now)
}

async function existing(ch: ClickHouse, fingerprint: string): Promise<ListedAlert> {
  const alert = await getAlert(ch, fingerprint)
  if (alert === undefined) throw new ModelwatchError('NOT_FOUND', `no alert with fingerprint ${JSON.stringify(fingerprint)}; GET /v1/alerts lists them`)
  return alert
}

async function record(ch: ClickHouse, before: ListedAlert, s: Step, actor: AlertActor, notificationIds: string[], now: number): Promise<ListedAlert> {
  const { updated_at: _, ...current } = before
  const next = { ...current, ...s.next }
  await saveAlerts(ch, [next], now)
  await appendAlertEvents(ch, [{
    fingerprint: next.fingerprint, monitor: next.monitor, model: next.model, model_version: next.model_version, segment: next.segment, column: next.column,
    event: s.event ?? 'acknowledged', status_from: before.status, status_to: next.status, value: next.value, window_start: next.window_start,
    muted_by: '', notification_ids: notificationIds, actor: actor.by, comment: actor.comment, at: now,
  }])
  return { ...next, updated_at: now }
}
