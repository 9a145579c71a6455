import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { embeddedIpv4 } from '../../services/alerting/notifiers/embedded-ipv4.js'
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

/** 169.254.169.254 (the metadata endpoint) and other private IPv4 addresses in every IPv6 form that carries one. */
const EMBEDDED_PRIVATE = {
  'IPv4-mapped': ['::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '::FFFF:A9FE:A9FE', '0:0:0:0:0:ffff:a9fe:a9fe', '0000:0000:0000:0000:0000:ffff:169.254.169.254', '::ffff:10.0.0.1'],
  'IPv4-translated': ['::ffff:0:a9fe:a9fe', '::ffff:0:169.254.169.254'],
  'IPv4-compatible': ['::a9fe:a9fe', '::169.254.169.254', '::7f00:1', '0:0:0:0:0:0:a00:1'],
  'NAT64 well-known': ['64:ff9b::a9fe:a9fe', '64:ff9b::169.254.169.254', '64:ff9b:0:0:0:0:a9fe:a9fe', '64:ff9b::7f00:1'],
  'NAT64 local-use /96, /64, /48': ['64:ff9b:1::a9fe:a9fe', '64:ff9b:1:0:a9:fea9:fe00:0', '64:ff9b:1:a9fe:a9:fe00::'],
  '6to4': ['2002:a9fe:a9fe::1', '2002:a00:1::', '2002:7f00:1:5::9'],
  'Teredo client (inverted)': ['2001:0:4136:e378:8000:63bf:5601:5601', '2001::4136:e378:8000:63bf:5601:5601'],
  'Teredo server': ['2001:0:a00:1::f7f7:f7f7'],
  ISATAP: ['2a00:1450::5efe:a9fe:a9fe', '2a00:1450::200:5efe:169.254.169.254', 'fe80::5efe:808:808'],
} as const
/** The same forms carrying public addresses (8.8.8.8, 8.8.4.4, GitHub's 140.82.112.3). */
const EMBEDDED_PUBLIC = ['::ffff:8.8.8.8', '::ffff:808:808', '::ffff:0:808:808', '64:ff9b::808:808', '64:ff9b::140.82.112.3', '2002:808:808::1',
  '2001:0:4136:e378:8000:63bf:f7f7:fbfb', '2a00:1450::200:5efe:808:808', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e']

/** A resolver answering with fixed addresses, as node:dns lookup does (libuv writes mapped and compatible forms dotted). */
const answering = (...addresses: string[]) => (_host: string, _options: object, callback: (e: NodeJS.ErrnoException | null, a: { address: string; family: number }[]) => void): void =>
  callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })))
const lookupError = (lookup: ReturnType<typeof guardedLookup>, host = 'hooks.example.com'): Promise<Error | null> =>
  new Promise((resolve) => lookup(host, {}, (e) => resolve(e)))

describe('webhook URL guard: IPv6 forms that carry an IPv4 address are judged by it', () => {
  it('blocks every form carrying a private or metadata address, and none carrying a public one', () => {
    for (const [form, addresses] of Object.entries(EMBEDDED_PRIVATE)) for (const address of addresses) assert.equal(isBlockedAddress(address), true, `${form} ${address}`)
    for (const address of EMBEDDED_PUBLIC) assert.equal(isBlockedAddress(address), false, address)
  })

  it('reads the carried address of each form', () => {
    assert.deepEqual(embeddedIpv4('64:ff9b::a9fe:a9fe'), ['169.254.169.254'])
    assert.deepEqual(embeddedIpv4('::169.254.169.254'), ['169.254.169.254'])
    assert.deepEqual(embeddedIpv4('2002:a9fe:a9fe::1'), ['169.254.169.254'])
    assert.deepEqual(embeddedIpv4('2001:0:4136:e378:8000:63bf:3fff:fdd2'), ['65.54.227.120', '192.0.2.45']) // RFC 4380's example
    assert.deepEqual(embeddedIpv4('fe80::200:5efe:10.1.2.3'), ['10.1.2.3'])
    assert.deepEqual(embeddedIpv4('64:ff9b:1:a9fe:a9:fe00::'), ['169.254.169.254', '254.169.254.0', '169.254.0.0', '0.0.0.0'])
    assert.deepEqual(embeddedIpv4('2606:4700:4700::1111'), [])
    assert.deepEqual(embeddedIpv4('10.0.0.1'), [])
  })

  it('refuses each form as a URL literal, bracketed as URL parsing normalises it, naming the carried address', () => {
    for (const [form, addresses] of Object.entries(EMBEDDED_PRIVATE)) {
      for (const address of addresses) {
        const url = new URL(`https://[${address}]/latest/meta-data`)
        assert.throws(() => checkUrl(url, strict), { code: 'URL_REFUSED', message: /is a private, loopback, link-local or reserved address/ }, `${form} ${url.host}`)
      }
    }
    assert.equal(new URL('https://[64:ff9b::169.254.169.254]/').hostname, '[64:ff9b::a9fe:a9fe]')
    assert.throws(() => checkUrl(new URL('https://[64:ff9b::169.254.169.254]/'), strict), { message: /64:ff9b::a9fe:a9fe \(carrying 169\.254\.169\.254\)/ })
    for (const address of EMBEDDED_PUBLIC) checkUrl(new URL(`https://[${address}]/hook`), strict)
  })

  it('refuses each form when DNS resolution returns it (the check in the connection lookup)', async () => {
    for (const [form, addresses] of Object.entries(EMBEDDED_PRIVATE)) {
      for (const address of addresses) {
        const error = await lookupError(guardedLookup(strict, false, answering('140.82.112.3', address)))
        assert.match(error?.message ?? '', /hooks\.example\.com resolves to .*, a private, loopback, link-local or reserved address/, `${form} ${address}`)
      }
    }
    assert.match((await lookupError(guardedLookup(strict, false, answering('2002:a9fe:a9fe::1'))))?.message ?? '', /resolves to 2002:a9fe:a9fe::1 \(carrying 169\.254\.169\.254\)/)
    assert.equal(await lookupError(guardedLookup(strict, false, answering(...EMBEDDED_PUBLIC))), null)
    // node:dns itself, with the literal spellings
    for (const address of ['64:ff9b::a9fe:a9fe', '::ffff:0:a9fe:a9fe', '2002:a9fe:a9fe::1']) assert.match((await lookupError(guardedLookup(strict), address))?.message ?? '', /a private, loopback/, address)
  })

  it('an allowed IPv4 network is allowed in every form that carries it, and opens nothing else', async () => {
    const internal = { allowedNetworks: ['10.20.0.0/16'] }
    for (const address of ['::ffff:10.20.0.5', '::ffff:a14:5', '64:ff9b::a14:5', '2002:a14:5::1', '::10.20.0.5', '2a00:1450::5efe:10.20.0.5']) {
      checkUrl(new URL(`https://[${address}]/hook`), internal)
      checkUrl(new URL(`http://[${address}]/hook`), internal) // plain http: the carried address is in the list
      assert.equal(await lookupError(guardedLookup(internal, true, answering(address))), null, address)
    }
    assert.throws(() => checkUrl(new URL('https://[64:ff9b::a9fe:a9fe]/'), internal), { code: 'URL_REFUSED' })
    assert.throws(() => checkUrl(new URL('http://[64:ff9b::808:808]/'), internal), { code: 'URL_REFUSED', message: /plain http/ })
    assert.match((await lookupError(guardedLookup(internal, true, answering('64:ff9b::808:808'))))?.message ?? '', /outside the allowed networks \(plain http\)/)
    // Teredo: a listed client behind a public server may be called; an unlisted private client may not
    checkUrl(new URL('https://[2001:0:4136:e378:8000:63bf:f5eb:fffa]/'), internal) // client 10.20.0.5
    assert.throws(() => checkUrl(new URL('https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/'), internal), { message: /carrying 10\.0\.0\.1/ })
    // a link-local IPv6 address stays refused whatever it carries
    assert.throws(() => checkUrl(new URL('https://[fe80::5efe:a14:5]/'), internal), { code: 'URL_REFUSED' })
  })

  it('a listed IPv6 network is trusted as a whole: the local-use NAT64 prefix is refused unless the translator\'s prefix is listed', () => {
    assert.throws(() => checkUrl(new URL('https://[64:ff9b:1::808:808]/'), strict), { code: 'URL_REFUSED' })
    checkUrl(new URL('https://[64:ff9b:1:ab::808:808]/'), { allowedNetworks: ['64:ff9b:1:ab::/64'] })
  })
})
