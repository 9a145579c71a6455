/**
 * What of a channel a caller below admin may see. A channel holds no secret value, but a webhook URL can carry
 * one: user info (`https://user:password@host`), a query (`?token=…`), or a path that is itself the credential
 * (Slack, Teams or Discord incoming webhooks). Below admin a URL shows where it goes (scheme, host, port) and
 * nothing after; admin sees it as written. Variable names (`*_env`), email addresses and templates are shown.
 * The same parts are scrubbed from a receiver's answer before it becomes a delivery's `last_error`.
 */
import type { ChannelSpec } from './channel-spec.js'

/** What replaces a hidden part. */
export const REDACTED = '[redacted]'

/**
 * The URL with everything but its scheme, host and port replaced by `[redacted]`; as written when there is nothing
 * after the host.
 *
 * @example
 * redactUrl('https://bot:pw@hooks.example.com/services/T/B/x?k=1') // 'https://hooks.example.com/[redacted]'
 * redactUrl('https://hooks.example.com') // 'https://hooks.example.com'
 */
export function redactUrl(text: string): string {
  const url = URL.parse(text)
  if (url === null) return REDACTED
  return credentialParts(url).length === 0 ? text : `${url.protocol}//${url.host}/${REDACTED}`
}

/**
 * The parts of a URL that may authenticate to its receiver: user info, path, query and fragment (empty when it is
 * just a scheme and a host).
 *
 * @example
 * credentialParts(new URL('https://a:b@h.example.com/p?q=1')) // ['a', 'b', '/p', '?q=1']
 */
export function credentialParts(url: URL): string[] {
  const path = url.pathname === '/' ? '' : url.pathname
  return [url.username, url.password, path, url.search, url.hash].filter((part) => part !== '')
}

/**
 * `text` with every occurrence of each secret replaced by `[redacted]`, longest first (so a secret that contains
 * another is hidden whole).
 *
 * @example
 * scrub('denied for token abc123', ['abc123']) // 'denied for token [redacted]'
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of [...secrets].filter((s) => s !== '').sort((a, b) => b.length - a.length)) out = out.split(secret).join(REDACTED)
  return out
}

/** A channel as a caller sees it, and the spec fields hidden from it. */
export interface ChannelView {
  spec: ChannelSpec
  redacted: string[]
}

/**
 * The channel as a caller of scope read or write may see it; `redacted` names the fields that were hidden.
 *
 * @example
 * redactChannel({ name: 'h', type: 'webhook', url: 'https://ci.example.com/hook?token=x', template: 'generic' })
 * // { spec: { …, url: 'https://ci.example.com/[redacted]' }, redacted: ['url'] }
 */
export function redactChannel(spec: ChannelSpec): ChannelView {
  if (spec.type !== 'webhook') return { spec, redacted: [] }
  const url = redactUrl(spec.url)
  return url === spec.url ? { spec, redacted: [] } : { spec: { ...spec, url }, redacted: ['url'] }
}
