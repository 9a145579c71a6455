/**
 * What the rule engine hands to delivery: one notification per (group, channel) and transition, carrying every
 * alert of the group with its evidence. Rules (evaluate.ts, lifecycle.ts) produce these as plain data; the outbox
 * (outbox.ts) stores them before anything is sent, and the notifiers render them for Slack, email or a webhook.
 * This file is the contract between the two halves; it holds types only.
 */

/** One alert as a receiver sees it: what broke, by how much, where, and the evidence behind it. */
export interface AlertSummary {
  /** Stable per (monitor, model, version, segment[, column]): the same breach is the same alert. */
  fingerprint: string
  monitor: string
  model: string
  model_version: string
  segment: string
  /** The statistic the monitor watches, e.g. `roc_auc`, `drift:wasserstein_normed`, `dq:missing_share`, `volume`. */
  statistic: string
  /** The column for per-column statistics (drift, data quality); '' otherwise. */
  column: string
  severity: 'critical' | 'warning' | 'info'
  status: 'firing' | 'resolved'
  /** The value that breached (or, when resolved, the latest value). */
  value: number | null
  threshold: number
  /** Human-readable condition, e.g. `below 0.8` or `drops 20% against the previous 6 windows`. */
  condition: string
  window_start: number
  window_end: number
  window_seconds: number
  is_final: boolean
  reference_id: string
  n_current: number | null
  n_reference: number | null
  /** ms since the epoch. */
  started_at: number
  resolved_at: number | null
  /** Comparison monitors (`compare:<metric>`) only: the champion/challenger evidence of the judged evaluation. */
  comparison?: ComparisonEvidence
}

/** One version's side of a comparison: its value with the confidence interval and the rows behind it. */
export interface ComparedVersion {
  version: string
  value: number | null
  low: number | null
  high: number | null
  n: number
}

/** A champion/challenger comparison as a receiver needs it to promote or roll back (comparison_results row). */
export interface ComparisonEvidence {
  metric: string
  /** The production version (a). */
  champion: ComparedVersion
  /** The shadow or challenger version (b); the alert's model_version. */
  challenger: ComparedVersion
  /** challenger − champion, with its confidence interval. */
  difference: number | null
  difference_low: number | null
  difference_high: number | null
  p_value: number | null
  /** Benjamini–Hochberg across the metrics of the evaluation. */
  p_value_adjusted: number | null
  verdict: string
  /** The always-valid sequential test (the key metric's row): its p-value, confidence sequence, α, conclusion. */
  sequential: { p_value: number | null; low: number | null; high: number | null; alpha: number | null; concluded: '' | 'better' | 'worse' } | null
  /** Compared on shadow pairs (same event_id) rather than split traffic. */
  paired: boolean
  /** ms since the epoch: since the challenger's stage began, up to the closed window's end. */
  period_start: number
  period_end: number
}

/** One message for one channel: a group of alerts that changed together (Alertmanager's grouping). */
export interface Notification {
  /** Idempotency key: the same group transition for the same channel always has the same id. */
  id: string
  /** What the alerts share, e.g. `monitor=feature-drift,model=churn,version=v2`. */
  group_key: string
  /** Name of the channel to deliver to (see channel-spec.ts). */
  channel: string
  /** `firing` when any alert of the group fires, `resolved` when all of them resolved. */
  status: 'firing' | 'resolved'
  alerts: AlertSummary[]
  /** ms since the epoch. */
  created_at: number
}
