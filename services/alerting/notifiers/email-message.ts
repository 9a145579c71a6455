/**
 * A notification as an email: subject, a plain-text body and an HTML body with the same content (headline, what
 * broke, the window and evidence, a table of every alert, links).
 */
import type { Notification } from '../notification.js'
import { alertLine, formatValue, headline, linksFor, modelLabel, shared, windowText, type Links } from './message-text.js'

export interface EmailMessage {
  subject: string
  text: string
  html: string
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}

/**
 * Renders the email for a notification.
 *
 * @example
 * const { subject, text, html } = emailMessage(notification, { publicUrl: 'https://modelwatch.example.com' })
 */
export function emailMessage(notification: Notification, links: Links): EmailMessage {
  const { alerts } = notification
  const title = headline(notification)
  const first = alerts[0]
  const link = linksFor(alerts, links)
  const resolved = notification.status === 'resolved'
  const intro = resolved ? 'Every alert of this group is back within its threshold.' : first === undefined ? '' : `What broke: ${alertLine(first)}`

  const text = [
    title,
    '',
    intro,
    `Model: ${modelLabel(alerts)}`,
    `Monitor: ${shared(alerts, 'monitor') ?? 'several'}`,
    ...(first === undefined ? [] : [`Window: ${windowText(first)}`, `Reference: ${first.reference_id || 'none'} (n = ${first.n_current ?? 'n/a'} current, ${first.n_reference ?? 'n/a'} reference)`]),
    '',
    `Alerts (${alerts.length}):`,
    ...alerts.map((a) => `- [${a.severity}] ${alertLine(a)}`),
    '',
    ...(link.dashboard === undefined ? [] : [`Dashboard: ${link.dashboard}`]),
    ...(link.api === undefined ? [] : [`API: ${link.api}`]),
    `Group: ${notification.group_key}`,
  ].join('\n')

  const cell = (v: string): string => `<td style="padding:2px 8px;border-bottom:1px solid #ddd">${escapeHtml(v)}</td>`
  const rows = alerts
    .map((a) => `<tr>${cell(a.severity)}${cell(a.column || '—')}${cell(a.statistic)}${cell(formatValue(a.value))}${cell(a.condition)}${cell(a.status)}</tr>`)
    .join('')
  const anchors = [
    ...(link.dashboard === undefined ? [] : [`<a href="${escapeHtml(link.dashboard)}">Open the dashboard</a>`]),
    ...(link.api === undefined ? [] : [`<a href="${escapeHtml(link.api)}">Model in the API</a>`]),
  ]
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2 style="color:${resolved ? '#2e7d32' : '#c62828'}">${escapeHtml(title)}</h2>`,
    `<p>${escapeHtml(intro)}</p>`,
    '<ul>',
    `<li>Model: ${escapeHtml(modelLabel(alerts))}</li>`,
    `<li>Monitor: ${escapeHtml(shared(alerts, 'monitor') ?? 'several')}</li>`,
    ...(first === undefined ? [] : [`<li>Window: ${escapeHtml(windowText(first))}</li>`, `<li>Reference: ${escapeHtml(first.reference_id || 'none')}</li>`]),
    '</ul>',
    '<table style="border-collapse:collapse"><tr><th>severity</th><th>column</th><th>statistic</th><th>value</th><th>condition</th><th>status</th></tr>',
    rows,
    '</table>',
    anchors.length === 0 ? '' : `<p>${anchors.join(' · ')}</p>`,
    `<p style="color:#777">modelwatch · ${escapeHtml(notification.group_key)}</p>`,
    '</body></html>',
  ].join('\n')

  return { subject: `[modelwatch] ${title}`, text, html }
}
