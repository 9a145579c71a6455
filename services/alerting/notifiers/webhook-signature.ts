/**
 * Webhook signatures, Stripe-style: `Modelwatch-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where the HMAC
 * is computed with the channel's signing secret over `<t>.<raw body>`. Signing the timestamp with the body lets a
 * receiver refuse replays: a request whose `t` is more than five minutes from its own clock is refused even when
 * the HMAC is right. docs/webhooks.md shows verification in Node (this module's `verifySignature`) and Python.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

export const SIGNATURE_HEADER = 'Modelwatch-Signature'
/** How far a signature's timestamp may be from the receiver's clock, either way. */
export const DEFAULT_TOLERANCE_SECONDS = 300

function hmac(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')
}

/**
 * The header value for `body` signed at `timestampSeconds`.
 *
 * @example
 * signatureHeader('whsec_123', '{"id":"n1"}', 1767225600) // 't=1767225600,v1=5f0c…'
 */
export function signatureHeader(secret: string, body: string | Buffer, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${hmac(secret, timestampSeconds, body)}`
}

export type VerifyResult =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'mismatch' }

export interface VerifyInput {
  /** The Modelwatch-Signature header as received (undefined when absent). */
  header: string | undefined
  /** The raw request body, byte for byte as received: re-serialised JSON will not verify. */
  body: string | Buffer
  secret: string
  toleranceSeconds?: number
  /** ms since the epoch; the receiver's clock. */
  now?: number
}

/**
 * Checks a webhook request: the signature matches (compared in constant time) and its timestamp is within the
 * tolerance. Several `v1=` entries may be present (during a secret rotation); one match suffices.
 *
 * @example
 * const result = verifySignature({ header: req.headers['modelwatch-signature'], body: rawBody, secret: process.env.MODELWATCH_SIGNING_SECRET })
 * if (!result.ok) return res.writeHead(400).end(result.reason)
 */
export function verifySignature(input: VerifyInput): VerifyResult {
  if (input.header === undefined || input.header === '') return { ok: false, reason: 'missing' }
  let timestamp: number | undefined
  const signatures: string[] = []
  for (const part of input.header.split(',')) {
    const [key, value] = part.trim().split('=', 2)
    if (key === 't' && value !== undefined && /^\d+$/.test(value)) timestamp = Number(value)
    else if (key === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value)) signatures.push(value)
  }
  if (timestamp === undefined || signatures.length === 0) return { ok: false, reason: 'malformed' }
  const nowSeconds = Math.floor((input.now ?? Date.now()) / 1000)
  if (Math.abs(nowSeconds - timestamp) > (input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return { ok: false, reason: 'expired' }
  const expected = Buffer.from(hmac(input.secret, timestamp, input.body), 'hex')
  const matches = signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected))
  return matches ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' }
}
