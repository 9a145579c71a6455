/**
 * One guarded JSON POST, shared by the Slack and webhook notifiers: the SSRF guard at connect time, the attempt's
 * timeout through its AbortSignal, redirects never followed, and the receiver's answer classified into
 * delivered / retry / give up. node:http rather than fetch, because only node:http lets us supply the DNS lookup
 * that the guard checks.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { ModelwatchError, describeError, isNetworkError } from '../../core/errors.js'
import { scrub } from '../channel-redaction.js'
import { DeliveryError } from '../delivery-error.js'
import { checkUrl, guardedLookup, type UrlPolicy } from './url-guard.js'

export interface PostResult {
  status: number
}

export interface PostOptions {
  headers: Record<string, string>
  policy: UrlPolicy
  signal: AbortSignal
  /** Statuses besides 2xx that mean "already done", e.g. Airflow's 409 for a DAG run id it has seen. */
  alsoDelivered?: readonly number[]
  /** What this request carries that a receiver echoing it back must not put into `last_error`: tokens, URL credentials. */
  secrets?: readonly string[]
}

/** Longest Retry-After we honour; beyond it the usual backoff applies. */
const MAX_RETRY_AFTER_MS = 3_600_000
const MAX_ERROR_BODY = 200

/**
 * POSTs `body` to `url` and resolves with the status when the receiver accepted it; otherwise throws a
 * `DeliveryError` saying whether a retry can help. `shownAs` names the destination in errors (never a secret URL).
 *
 * @example
 * await postJson(new URL('https://hooks.example.com/in'), JSON.stringify(payload), 'webhook hooks.example.com', { headers: {}, policy, signal })
 */
export async function postJson(url: URL, body: string, shownAs: string, options: PostOptions): Promise<PostResult> {
  try {
    checkUrl(url, options.policy)
  } catch (error) {
    throw new DeliveryError(`${shownAs}: ${describeError(error)}`, { retriable: false, cause: error })
  }
  let response: { status: number; headers: IncomingHttpHeaders; text: string }
  try {
    response = await send(url, body, options)
  } catch (error) {
    if (error instanceof ModelwatchError && error.code === 'URL_REFUSED') throw new DeliveryError(`${shownAs}: ${error.message}`, { retriable: false, cause: error })
    if (options.signal.aborted) throw new DeliveryError(`${shownAs}: no response in time (${describeError(options.signal.reason)})`, { retriable: true, cause: error })
    const why = (error as NodeJS.ErrnoException).code ?? describeError(error)
    throw new DeliveryError(`${shownAs}: request failed (${why})`, { retriable: isNetworkError(error) || (error as NodeJS.ErrnoException).code === 'ENOTFOUND', cause: error })
  }
  return classify(response, shownAs, options.alsoDelivered ?? [], options.secrets ?? [])
}

function classify(response: { status: number; headers: IncomingHttpHeaders; text: string }, shownAs: string, alsoDelivered: readonly number[], secrets: readonly string[]): PostResult {
  const { status } = response
  if ((status >= 200 && status < 300) || alsoDelivered.includes(status)) return { status }
  // Scrubbed before it is cut, so a secret at the cut is not left half visible.
  const said = scrub(response.text, secrets).trim().slice(0, MAX_ERROR_BODY).replace(/\s+/g, ' ')
  const detail = said === '' ? '' : `: ${said}`
  if (status >= 300 && status < 400) {
    throw new DeliveryError(`${shownAs} answered ${status} (a redirect); redirects are not followed, configure the final URL`, { retriable: false, responseStatus: status })
  }
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'])
    throw new DeliveryError(`${shownAs} answered ${status}${detail}`, { retriable: true, responseStatus: status, retryAfterMs })
  }
  throw new DeliveryError(`${shownAs} answered ${status}${detail}; not retried (the receiver refuses this request as it is)`, { retriable: false, responseStatus: status })
}

/**
 * A Retry-After header in ms: delay-seconds or an HTTP date; undefined when absent or unreadable; at most an hour.
 *
 * @example
 * parseRetryAfter('120') // 120000
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const ms = /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : Date.parse(value) - now
  if (!Number.isFinite(ms)) return undefined
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS)
}

function send(url: URL, body: string, options: PostOptions): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...options.headers },
      lookup: guardedLookup(options.policy, url.protocol === 'http:'),
      signal: options.signal,
    }, (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        // Only the start of the answer is kept (for last_error); the rest is read and dropped.
        if (size < 4096) chunks.push(chunk)
        size += chunk.length
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}
