/**
 * modelwatch's documented webhook payload (docs/webhooks.md, schema `modelwatch.notification.v1`): what a
 * retraining or deployment pipeline needs to act on an alert without calling back: the model and version, why,
 * which monitor, how severe, and the evidence (window bounds, values against thresholds, reference, sample sizes).
 * Times are ISO 8601 UTC strings. Fields are only ever added within a schema version.
 */
import type { AlertSummary, ComparisonEvidence, Notification } from '../notification.js'
import { headline, linksFor, shared, topSeverity, type Links } from './message-text.js'

export interface WebhookAlert {
  fingerprint: string
  monitor: string
  model: string
  model_version: string
  segment: string
  statistic: string
  column: string
  severity: AlertSummary['severity']
  status: AlertSummary['status']
  condition: string
  started_at: string
  resolved_at: string | null
  evidence: {
    window_start: string
    window_end: string
    window_seconds: number
    is_final: boolean
    value: number | null
    threshold: number
    reference_id: string
    n_current: number | null
    n_reference: number | null
    /** Comparison monitors (`compare:<metric>`) only: the champion/challenger comparison judged. */
    comparison?: WebhookComparison
  }
}

/** The comparison evidence block (docs/webhooks.md): the notification's evidence, with the period as ISO 8601 times. */
export type WebhookComparison = Omit<ComparisonEvidence, 'period_start' | 'period_end'> & { period_start: string; period_end: string }

export interface WebhookPayload {
  schema: 'modelwatch.notification.v1'
  /** The notification id; also sent as the Idempotency-Key header. */
  id: string
  status: Notification['status']
  /** One line for people: the headline of the notification. */
  reason: string
  /** Shared by every alert, or null when the group spans several. */
  model: string | null
  model_version: string | null
  monitor: string | null
  /** The most severe level among the alerts. */
  severity: AlertSummary['severity']
  group_key: string
  created_at: string
  alerts: WebhookAlert[]
  links: { dashboard: string | null; api: string | null }
}

const iso = (ms: number): string => new Date(ms).toISOString()

/**
 * @example
 * const body = JSON.stringify(webhookPayload(notification, { publicUrl: 'https://modelwatch.example.com' }))
 */
export function webhookPayload(notification: Notification, links: Links): WebhookPayload {
  const { alerts } = notification
  const link = linksFor(alerts, links)
  return {
    schema: 'modelwatch.notification.v1',
    id: notification.id,
    status: notification.status,
    reason: headline(notification),
    model: shared(alerts, 'model') ?? null,
    model_version: shared(alerts, 'model_version') ?? null,
    monitor: shared(alerts, 'monitor') ?? null,
    severity: topSeverity(alerts),
    group_key: notification.group_key,
    created_at: iso(notification.created_at),
    alerts: alerts.map((a) => ({
      fingerprint: a.fingerprint,
      monitor: a.monitor,
      model: a.model,
      model_version: a.model_version,
      segment: a.segment,
      statistic: a.statistic,
      column: a.column,
      severity: a.severity,
      status: a.status,
      condition: a.condition,
      started_at: iso(a.started_at),
      resolved_at: a.resolved_at === null ? null : iso(a.resolved_at),
      evidence: {
        window_start: iso(a.window_start),
        window_end: iso(a.window_end),
        window_seconds: a.window_seconds,
        is_final: a.is_final,
        value: a.value,
        threshold: a.threshold,
        reference_id: a.reference_id,
        n_current: a.n_current,
        n_reference: a.n_reference,
        ...(a.comparison === undefined ? {} : { comparison: { ...a.comparison, period_start: iso(a.comparison.period_start), period_end: iso(a.comparison.period_end) } }),
      },
    })),
    links: { dashboard: link.dashboard ?? null, api: link.api ?? null },
  }
}
