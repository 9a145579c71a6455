/** A notification as the rule engine hands it over: one critical AUC alert on churn v3, its window an hour old. */
import type { AlertSummary, Notification } from '../../services/alerting/notification.js'

export function sampleAlert(over: Partial<AlertSummary> = {}): AlertSummary {
  const now = Date.now()
  return {
    fingerprint: 'fp-auc', monitor: 'auc-drop', model: 'churn', model_version: '3', segment: '', statistic: 'roc_auc', column: '',
    severity: 'critical', status: 'firing', value: 0.71, threshold: 0.8, condition: 'below 0.8', window_start: now - 7_200_000, window_end: now - 3_600_000,
    window_seconds: 3600, is_final: true, reference_id: 'ref-abc', n_current: 1200, n_reference: 50_000, started_at: now - 600_000, resolved_at: null,
    ...over,
  }
}

export function sampleNotification(id: string, channel: string, status: Notification['status'] = 'firing', alerts?: AlertSummary[]): Notification {
  return {
    id, channel, status, group_key: 'monitor=auc-drop,model=churn,version=3', created_at: Date.now(),
    alerts: alerts ?? [sampleAlert({ fingerprint: `fp-${id}`, status, resolved_at: status === 'resolved' ? Date.now() : null })],
  }
}
