/**
 * The SSRF guard for outgoing notification URLs (webhooks, Slack). A URL an API user can set must not reach the
 * service's own network: loopback, private ranges, link-local (the cloud metadata endpoint 169.254.169.254),
 * CGNAT, multicast and reserved addresses are refused, and so is plain http, except for the networks the operator
 * lists in MODELWATCH_WEBHOOK_ALLOWED_NETWORKS (receivers on a trusted internal network; tests list 127.0.0.0/8).
 *
 * The check runs where the socket connects: `guardedLookup` is the DNS lookup the HTTP request uses, so the
 * address that is checked is the address that is dialled (a name that resolves to a public address when
 * checked and a private one when used, DNS rebinding, gains nothing).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import { BlockList, isIP } from 'node:net'
import { ModelwatchError } from '../../core/errors.js'

export interface UrlPolicy {
  /** Networks (CIDR, e.g. `10.20.0.0/16`, or a single address) that may be called although private, and over plain http. */
  allowedNetworks: readonly string[]
}

/**
 * A BlockList (used as an allow-list) of the policy's networks; entries are validated by the config schema.
 *
 * @example
 * allowList({ allowedNetworks: ['127.0.0.0/8'] }).check('127.0.0.1') // true
 */
export function allowList(policy: UrlPolicy): BlockList {
  const list = new BlockList()
  for (const entry of policy.allowedNetworks) {
    const [address = '', prefix] = entry.split('/')
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4'
    list.addSubnet(address, prefix === undefined ? (type === 'ipv6' ? 128 : 32) : Number(prefix), type)
  }
  return list
}

const isAllowed = (list: BlockList, address: string): boolean => list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')

const blocked = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(network, prefix, 'ipv4')
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['2001:db8::', 32], ['100::', 64],
] as const) blocked.addSubnet(network, prefix, 'ipv6')

/**
 * True when `address` (an IPv4 or IPv6 literal) is one modelwatch refuses to call by default. IPv4-mapped and
 * NAT64 IPv6 addresses are judged by the IPv4 address they carry.
 *
 * @example
 * isBlockedAddress('169.254.169.254') // true
 * isBlockedAddress('140.82.112.3') // false
 */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 4) return blocked.check(address, 'ipv4')
  if (family !== 6) return true
  const embedded = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? mappedFromHex(address)
  if (embedded !== undefined) return blocked.check(embedded, 'ipv4')
  return blocked.check(address, 'ipv6')
}

/** `::ffff:7f00:1` → `127.0.0.1`: the hexadecimal spelling of an IPv4-mapped address. */
function mappedFromHex(address: string): string | undefined {
  const match = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address)
  if (match === null) return undefined
  const high = Number.parseInt(match[1] ?? '0', 16)
  const low = Number.parseInt(match[2] ?? '0', 16)
  return [high >> 8, high & 255, low >> 8, low & 255].join('.')
}

function refused(message: string): ModelwatchError {
  return new ModelwatchError('URL_REFUSED', `${message}; list the receiver's network in MODELWATCH_WEBHOOK_ALLOWED_NETWORKS if it is trusted`)
}

/**
 * Checks what can be checked before connecting: the scheme, and the host when it is an address literal (a name is
 * checked by `guardedLookup` when it is resolved). Messages name the host, never the path or query (a Slack URL's
 * path is its secret).
 *
 * @example
 * checkUrl(new URL('https://hooks.example.com/x'), { allowedNetworks: [] }) // passes
 * checkUrl(new URL('http://169.254.169.254/latest'), { allowedNetworks: [] }) // throws URL_REFUSED
 */
export function checkUrl(url: URL, policy: UrlPolicy): void {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ModelwatchError('URL_REFUSED', `only http(s) URLs are called, not ${url.protocol}`)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const literal = isIP(host) !== 0
  if (literal && isAllowed(allowList(policy), host)) return
  if (url.protocol === 'http:' && (literal || policy.allowedNetworks.length === 0)) throw refused(`plain http to ${url.hostname} is refused (https only)`)
  if (literal && isBlockedAddress(host)) throw refused(`${host} is a private, loopback, link-local or reserved address`)
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

/**
 * A `lookup` for http.request that resolves the name and refuses it when any address it resolves to is blocked
 * and not in an allowed network; with `plainHttp`, every address must be in an allowed network.
 *
 * @example
 * https.request(url, { lookup: guardedLookup({ allowedNetworks: [] }) })
 */
export function guardedLookup(policy: UrlPolicy, plainHttp = false): (hostname: string, options: LookupOptions, callback: LookupCallback) => void {
  const allowed = allowList(policy)
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error !== null) return callback(error, [])
      const bad = addresses.find((a) => !isAllowed(allowed, a.address) && (plainHttp || isBlockedAddress(a.address)))
      if (bad !== undefined) {
        const why = plainHttp && !isBlockedAddress(bad.address) ? 'outside the allowed networks (plain http)' : 'a private, loopback, link-local or reserved address'
        return callback(refused(`${hostname} resolves to ${bad.address}, ${why}`) as NodeJS.ErrnoException, [])
      }
      if (options.all === true) return callback(null, addresses)
      const first = addresses[0]
      if (first === undefined) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), [])
      callback(null, first.address, first.family)
    })
  }
}
