/**
 * Grouping (Alertmanager's group_by, fixed to monitor + model + version): the alerts of one group that want
 * a notification in one evaluation become one Notification per channel listing all of them, so a drift
 * event over 15 features is one message, not 15. Pure.
 */
import { createHash } from 'node:crypto'
import type { AlertSummary, Notification } from './notification.js'

export interface Notifiable {
  alert: AlertSummary
  channels: readonly string[]
  /**
   * What changed, stable when the same evaluation is retried (fingerprint, event, window, previous
   * notification time), so a retried hand-over yields the same notification id and the outbox keeps one.
   */
  change: string
}

/**
 * @example
 * const notifications = groupNotifications([{ alert, channels: ['slack-ml'] }], Date.now())
 */
export function groupNotifications(items: readonly Notifiable[], now: number): Notification[] {
  const groups = new Map<string, { alerts: AlertSummary[]; channels: Set<string>; changes: string[] }>()
  for (const { alert, channels, change } of items) {
    const key = groupKey(alert)
    const group = groups.get(key) ?? { alerts: [], channels: new Set<string>(), changes: [] }
    group.alerts.push(alert)
    group.changes.push(change)
    for (const c of channels) group.channels.add(c)
    groups.set(key, group)
  }
  const out: Notification[] = []
  for (const [key, { alerts, channels, changes }] of groups) {
    alerts.sort((a, b) => a.segment.localeCompare(b.segment) || a.column.localeCompare(b.column) || a.fingerprint.localeCompare(b.fingerprint))
    const status = alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved'
    const change = [...changes].sort().join(',')
    for (const channel of [...channels].sort()) {
      const id = createHash('sha256').update(`${channel}\u0000${key}\u0000${change}`).digest('hex').slice(0, 32)
      out.push({ id, group_key: key, channel, status, alerts, created_at: now })
    }
  }
  return out
}

/** What the alerts of a group share. */
export function groupKey(alert: Pick<AlertSummary, 'monitor' | 'model' | 'model_version'>): string {
  return `monitor=${alert.monitor},model=${alert.model},version=${alert.model_version}`
}
