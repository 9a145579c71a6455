/**
 * The words every human-facing notifier uses (Slack, email), so a notification reads the same everywhere:
 * a headline, one line per alert (what broke, the value against the threshold), the window, and links to the
 * Grafana dashboard and the API when they are configured.
 */
import type { AlertSummary, ComparedVersion, ComparisonEvidence, Notification } from '../notification.js'

export interface Links {
  /** MODELWATCH_GRAFANA_URL, without a trailing slash. */
  grafanaUrl?: string | undefined
  /** MODELWATCH_PUBLIC_URL, without a trailing slash. */
  publicUrl?: string | undefined
}

const SEVERITY_ORDER = ['critical', 'warning', 'info'] as const

/** The most severe level among the alerts (`info` for none). */
export function topSeverity(alerts: readonly AlertSummary[]): AlertSummary['severity'] {
  return SEVERITY_ORDER.find((s) => alerts.some((a) => a.severity === s)) ?? 'info'
}

/** A value shared by every alert, or undefined when they differ (or there are none). */
export function shared<K extends keyof AlertSummary>(alerts: readonly AlertSummary[], key: K): AlertSummary[K] | undefined {
  const first = alerts[0]
  if (first === undefined) return undefined
  return alerts.every((a) => a[key] === first[key]) ? first[key] : undefined
}

/** `churn v3` or `churn v3 (region=eu)`, or `several models`. */
export function modelLabel(alerts: readonly AlertSummary[]): string {
  const model = shared(alerts, 'model')
  if (model === undefined) return 'several models'
  const version = shared(alerts, 'model_version')
  const segment = shared(alerts, 'segment')
  return `${model}${version === undefined ? '' : ` v${version}`}${segment === undefined || segment === '' ? '' : ` (${segment})`}`
}

/**
 * `FIRING (critical): churn v3 — roc_auc below 0.8` or `RESOLVED: churn v3 — 15 drift alerts`.
 *
 * @example
 * headline(notification) // 'FIRING (warning): churn v3 — drift:wasserstein_normed above 0.1 on 15 columns'
 */
export function headline(notification: Notification): string {
  const { alerts } = notification
  const state = notification.status === 'resolved' ? 'RESOLVED' : `FIRING (${topSeverity(alerts)})`
  const statistic = shared(alerts, 'statistic')
  const condition = shared(alerts, 'condition')
  const what = alerts.length === 1
    ? `${alerts[0]?.statistic ?? ''} ${alerts[0]?.condition ?? ''}`.trim()
    : statistic !== undefined && condition !== undefined
      ? `${statistic} ${condition} on ${alerts.length} columns`
      : `${alerts.length} alerts`
  return `${state}: ${modelLabel(alerts)} — ${what}`
}

/** Numbers as people read them: at most 4 significant digits, `n/a` for none. */
export function formatValue(value: number | null): string {
  if (value === null) return 'n/a'
  if (Number.isInteger(value)) return String(value)
  return Number(value.toPrecision(4)).toString()
}

/** `roc_auc = 0.71 (below 0.8)` or, with a column, `plan: psi = 0.31 (above 0.2)`; a comparison adds its evidence. */
export function alertLine(alert: AlertSummary): string {
  const subject = alert.column === '' ? alert.statistic : `${alert.column}: ${alert.statistic}`
  const state = alert.status === 'resolved' ? ' — resolved' : ''
  const evidence = alert.comparison === undefined ? '' : `; ${comparisonText(alert.comparison)}`
  return `${subject} = ${formatValue(alert.value)} (${alert.condition}, threshold ${formatValue(alert.threshold)})${state}${evidence}`
}

/**
 * A comparison's evidence in one sentence.
 *
 * @example
 * comparisonText(evidence) // 'accuracy: champion v3 0.81 [0.79, 0.83] (n 1200) vs challenger v4 0.85 [0.83, 0.87] (n 1200), difference 0.04 [0.02, 0.06], p 0.001 (adjusted 0.002), sequential p 0.003 (α 0.05), paired, 2026-11-02 00:00 → 06:00 UTC'
 */
export function comparisonText(c: ComparisonEvidence): string {
  const interval = (low: number | null, high: number | null): string => (low === null || high === null ? '' : ` [${formatValue(low)}, ${formatValue(high)}]`)
  const side = (role: string, v: ComparedVersion): string => `${role} v${v.version} ${formatValue(v.value)}${interval(v.low, v.high)} (n ${v.n})`
  const sequential = c.sequential === null ? '' : `, sequential p ${formatValue(c.sequential.p_value)} (α ${formatValue(c.sequential.alpha)})`
  const start = new Date(c.period_start).toISOString().slice(0, 16).replace('T', ' ')
  const end = new Date(c.period_end).toISOString().slice(0, 16).replace('T', ' ')
  return `${c.metric}: ${side('champion', c.champion)} vs ${side('challenger', c.challenger)}, difference ${formatValue(c.difference)}${interval(c.difference_low, c.difference_high)}, ` +
    `p ${formatValue(c.p_value)} (adjusted ${formatValue(c.p_value_adjusted)})${sequential}, ${c.paired ? 'paired' : 'split traffic'}, ${start} → ${end} UTC`
}

/** `2026-03-01 10:00 → 11:00 UTC (1h window, final)`. */
export function windowText(alert: AlertSummary): string {
  const start = new Date(alert.window_start).toISOString().slice(0, 16).replace('T', ' ')
  const endIso = new Date(alert.window_end).toISOString()
  const end = endIso.slice(0, 10) === start.slice(0, 10) ? endIso.slice(11, 16) : endIso.slice(0, 16).replace('T', ' ')
  return `${start} → ${end} UTC (${durationText(alert.window_seconds)} window, ${alert.is_final ? 'final' : 'provisional'})`
}

function durationText(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`
  if (seconds % 3600 === 0) return `${seconds / 3600}h`
  if (seconds % 60 === 0) return `${seconds / 60}m`
  return `${seconds}s`
}

/** The dashboard and API links for the notification's model, when configured and the alerts share one model. */
export function linksFor(alerts: readonly AlertSummary[], links: Links): { dashboard?: string; api?: string } {
  const model = shared(alerts, 'model')
  if (model === undefined) return {}
  const version = shared(alerts, 'model_version')
  const out: { dashboard?: string; api?: string } = {}
  if (links.grafanaUrl !== undefined) {
    const query = new URLSearchParams({ 'var-model': model })
    if (version !== undefined) query.set('var-version', version)
    const first = alerts[0]
    if (first !== undefined) {
      // The dashboard opens on the breaching window with an hour of context either side.
      query.set('from', String(Math.min(...alerts.map((a) => a.window_start)) - 3_600_000))
      query.set('to', String(Math.max(...alerts.map((a) => a.window_end)) + 3_600_000))
    }
    out.dashboard = `${trimSlash(links.grafanaUrl)}/d/modelwatch-model-detail?${query.toString()}`
  }
  if (links.publicUrl !== undefined) out.api = `${trimSlash(links.publicUrl)}/v1/models/${encodeURIComponent(model)}`
  return out
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '')
}
