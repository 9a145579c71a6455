import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { describe, it } from 'node:test'
import { signatureHeader, verifySignature } from '../../services/alerting/notifiers/webhook-signature.js'

const secret = 'whsec_unit'
const body = '{"id":"n1","status":"firing"}'
const t = 1_767_225_600
const now = t * 1000

describe('webhook signatures', () => {
  it('is t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')
    assert.equal(signatureHeader(secret, body, t), `t=${t},v1=${expected}`)
  })

  it('verifies a fresh signature over the exact body, string or bytes', () => {
    const header = signatureHeader(secret, body, t)
    assert.deepEqual(verifySignature({ header, body, secret, now }), { ok: true, timestamp: t })
    assert.deepEqual(verifySignature({ header, body: Buffer.from(body), secret, now: now + 299_000 }), { ok: true, timestamp: t })
  })

  it('refuses a tampered body, a wrong secret, an old or future timestamp, and a missing or malformed header', () => {
    const header = signatureHeader(secret, body, t)
    assert.deepEqual(verifySignature({ header, body: body.replace('firing', 'resolved'), secret, now }), { ok: false, reason: 'mismatch' })
    assert.deepEqual(verifySignature({ header, body, secret: 'other', now }), { ok: false, reason: 'mismatch' })
    assert.deepEqual(verifySignature({ header, body, secret, now: now + 301_000 }), { ok: false, reason: 'expired' })
    assert.deepEqual(verifySignature({ header, body, secret, now: now - 301_000 }), { ok: false, reason: 'expired' })
    assert.deepEqual(verifySignature({ header: header.replace(`t=${t}`, `t=${t + 1}`), body, secret, now }), { ok: false, reason: 'mismatch' })
    assert.deepEqual(verifySignature({ header: undefined, body, secret, now }), { ok: false, reason: 'missing' })
    assert.deepEqual(verifySignature({ header: 'v1=abc', body, secret, now }), { ok: false, reason: 'malformed' })
  })

  it('accepts any matching v1 entry, so a receiver can rotate secrets', () => {
    const old = signatureHeader('old-secret', body, t).split(',')[1]
    const header = `${signatureHeader(secret, body, t)},${old}`
    assert.equal(verifySignature({ header, body, secret: 'old-secret', now }).ok, true)
    assert.equal(verifySignature({ header, body, secret, now }).ok, true)
  })
})
