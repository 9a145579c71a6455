import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkUrl, guardedLookup, isBlockedAddress } from '../../services/alerting/notifiers/url-guard.js'

const strict = { allowedNetworks: [] }
const loopbackAllowed = { allowedNetworks: ['127.0.0.0/8', '::1'] }

describe('webhook URL guard', () => {
  it('blocks loopback, private, link-local, metadata, CGNAT and reserved addresses, v4 and v6', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '10.0.0.1', '10.255.1.2', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255',
      '::1', '::', 'fd00::1', 'fc00::5', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:169.254.169.254', '::ffff:7f00:1', '64:ff9b::10.0.0.1']) {
      assert.equal(isBlockedAddress(address), true, address)
    }
  })

  it('allows public addresses', () => {
    for (const address of ['140.82.112.3', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(isBlockedAddress(address), false, address)
  })

  it('refuses plain http, other schemes and private literals unless their network is allowed', () => {
    assert.throws(() => checkUrl(new URL('http://hooks.example.com/x'), strict), { code: 'URL_REFUSED', message: /plain http to hooks\.example\.com is refused/ })
    assert.throws(() => checkUrl(new URL('https://169.254.169.254/latest/meta-data/'), strict), { code: 'URL_REFUSED', message: /169\.254\.169\.254 is a private/ })
    assert.throws(() => checkUrl(new URL('https://10.0.0.7/hook'), strict), { code: 'URL_REFUSED' })
    assert.throws(() => checkUrl(new URL('https://[::1]:8443/hook'), strict), { code: 'URL_REFUSED', message: /::1 is a private/ })
    assert.throws(() => checkUrl(new URL('file:///etc/passwd'), loopbackAllowed), { code: 'URL_REFUSED', message: /only http\(s\)/ })
    checkUrl(new URL('https://hooks.example.com/x'), strict)
    checkUrl(new URL('http://127.0.0.1:8080/x'), loopbackAllowed)
    // An allowed network opens only itself: other private addresses stay refused.
    assert.throws(() => checkUrl(new URL('https://10.0.0.7/hook'), loopbackAllowed), { code: 'URL_REFUSED', message: /10\.0\.0\.7 is a private/ })
    assert.throws(() => checkUrl(new URL('http://140.82.112.3/hook'), loopbackAllowed), { code: 'URL_REFUSED', message: /plain http/ })
  })

  it('refuses a host name that resolves to a loopback address at lookup time, naming the address and not the path', async () => {
    const error = await new Promise<Error | null>((resolve) => guardedLookup(strict)('localhost', {}, (e) => resolve(e)))
    assert.match(error?.message ?? '', /localhost resolves to (127\.0\.0\.1|::1), a private, loopback/)
    const allowed = await new Promise<string | unknown[]>((resolve, reject) => guardedLookup(loopbackAllowed)('localhost', {}, (e, address) => (e === null ? resolve(address) : reject(e))))
    assert.ok(typeof allowed === 'string' && isBlockedAddress(allowed))
  })
})
