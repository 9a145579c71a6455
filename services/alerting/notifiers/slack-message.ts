/**
 * A notification as a Slack incoming-webhook message: Block Kit blocks (header, what broke, where, the window,
 * every alert of the group, links) and a plain `text` fallback that notifications and old clients show.
 * Slack's limits shape it: a header is at most 150 characters, a section 3,000, a message 50 blocks.
 */
import type { Notification } from '../notification.js'
import { alertLine, headline, linksFor, modelLabel, shared, windowText, type Links } from './message-text.js'

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string }; fields?: { type: 'mrkdwn'; text: string }[] }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] }
  | { type: 'actions'; elements: { type: 'button'; text: { type: 'plain_text'; text: string }; url: string }[] }
  | { type: 'divider' }

export interface SlackMessage {
  text: string
  blocks: SlackBlock[]
}

const MAX_BLOCKS = 50
const MAX_SECTION = 3000
const MAX_HEADER = 150

/** Slack's mrkdwn treats these three as markup; everything else is literal. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } }
}

/**
 * Renders the Slack message for a notification.
 *
 * @example
 * const message = slackMessage(notification, { grafanaUrl: 'https://grafana.example.com' })
 * await fetch(webhookUrl, { method: 'POST', body: JSON.stringify(message) })
 */
export function slackMessage(notification: Notification, links: Links): SlackMessage {
  const { alerts } = notification
  const title = headline(notification)
  const resolved = notification.status === 'resolved'
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: `${resolved ? '✅' : '🔥'} ${title}`.slice(0, MAX_HEADER) } }]

  const first = alerts[0]
  if (first !== undefined) {
    const summary = resolved ? '*Resolved*: every alert of this group is back within its threshold.' : `*What broke*: ${escape(alertLine(first))}`
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: summary },
      fields: [
        { type: 'mrkdwn', text: `*Model*\n${escape(modelLabel(alerts))}` },
        { type: 'mrkdwn', text: `*Monitor*\n${escape(shared(alerts, 'monitor') ?? 'several')}` },
        { type: 'mrkdwn', text: `*Window*\n${escape(windowText(first))}` },
        { type: 'mrkdwn', text: `*Evidence*\nreference ${escape(first.reference_id || 'none')}, n = ${first.n_current ?? 'n/a'} vs ${first.n_reference ?? 'n/a'}` },
      ],
    })
  }

  // Every alert of the group, one line each, packed into as few sections as Slack's limits allow.
  const lines = alerts.map((a) => `• ${escape(alertLine(a))}`)
  const listBlocks: SlackBlock[] = []
  let current = ''
  for (const line of lines) {
    if (current !== '' && current.length + line.length + 1 > MAX_SECTION) {
      listBlocks.push(section(current))
      current = ''
    }
    current = current === '' ? line.slice(0, MAX_SECTION) : `${current}\n${line}`
  }
  if (current !== '') listBlocks.push(section(current))

  const link = linksFor(alerts, links)
  const buttons = [
    ...(link.dashboard === undefined ? [] : [{ type: 'button' as const, text: { type: 'plain_text' as const, text: 'Open dashboard' }, url: link.dashboard }]),
    ...(link.api === undefined ? [] : [{ type: 'button' as const, text: { type: 'plain_text' as const, text: 'Model in the API' }, url: link.api }]),
  ]
  const tail: SlackBlock[] = [
    ...(buttons.length === 0 ? [] : [{ type: 'actions' as const, elements: buttons }]),
    { type: 'context', elements: [{ type: 'mrkdwn', text: `modelwatch · ${escape(notification.group_key)} · ${alerts.length} alert${alerts.length === 1 ? '' : 's'}` }] },
  ]
  const room = MAX_BLOCKS - blocks.length - tail.length - 1
  if (alerts.length > 1 || resolved) {
    blocks.push({ type: 'divider' })
    if (listBlocks.length > room) {
      const shown = listBlocks.slice(0, room - 1)
      const listed = shown.reduce((n, b) => n + (b.type === 'section' ? b.text.text.split('\n').length : 0), 0)
      blocks.push(...shown, section(`…and ${alerts.length - listed} more alerts (see the delivery log or the API).`))
    } else blocks.push(...listBlocks)
  }
  blocks.push(...tail)

  const fallback = [title, ...alerts.slice(0, 20).map((a) => `- ${alertLine(a)}`), ...(alerts.length > 20 ? [`…and ${alerts.length - 20} more`] : [])]
  return { text: fallback.join('\n'), blocks }
}
