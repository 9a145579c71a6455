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
import { embeddedIpv4 } from './embedded-ipv4.js'

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

const isListed = (list: BlockList, address: string): boolean => list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')

const blocked = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(network, prefix, 'ipv4')
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8], ['2001:db8::', 32], ['3fff::', 20], ['100::', 64],
] as const) blocked.addSubnet(network, prefix, 'ipv6')

const NOTHING_ALLOWED = new BlockList()

/** Why a connection to an address is refused: `address` is the one judged (the dialled one, or an IPv4 address it carries). */
interface Refusal {
  reason: 'blocked' | 'not_allowed'
  address: string
}

/**
 * Judges one address under the allow-list. An address in a listed network may be called. Otherwise an IPv6 address
 * in a blocked range is refused, and one that carries IPv4 addresses (embedded-ipv4.ts) is judged by them: each
 * must be listed, or (https only) not blocked. With `plainHttp` every judged address must be listed.
 */
function refusal(address: string, allowed: BlockList, plainHttp: boolean): Refusal | undefined {
  const family = isIP(address)
  if (family === 0) return { reason: 'blocked', address }
  if (isListed(allowed, address)) return undefined
  if (family === 6 && blocked.check(address, 'ipv6')) return { reason: 'blocked', address }
  const carried = embeddedIpv4(address)
  const unlisted = (carried.length > 0 ? carried : [address]).filter((a) => !isListed(allowed, a))
  const bad = unlisted.find((a) => blocked.check(a, isIP(a) === 6 ? 'ipv6' : 'ipv4'))
  if (bad !== undefined) return { reason: 'blocked', address: bad }
  const first = unlisted[0]
  return plainHttp && first !== undefined ? { reason: 'not_allowed', address: first } : undefined
}

/**
 * True when `address` (an IPv4 or IPv6 literal) is one modelwatch refuses to call by default. An IPv6 address that
 * carries an IPv4 address (mapped, compatible, translated, NAT64, 6to4, Teredo, ISATAP) is judged by it.
 *
 * @example
 * isBlockedAddress('169.254.169.254') // true
 * isBlockedAddress('64:ff9b::a9fe:a9fe') // true (NAT64 of 169.254.169.254)
 * isBlockedAddress('140.82.112.3') // false
 */
export function isBlockedAddress(address: string): boolean {
  return refusal(address, NOTHING_ALLOWED, false)?.reason === 'blocked'
}

/** `64:ff9b::a9fe:a9fe (carrying 169.254.169.254)`, or the address alone when it is the one judged. */
const describe = (address: string, r: Refusal): string => (r.address === address ? address : `${address} (carrying ${r.address})`)

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
  const plainHttp = url.protocol === 'http:'
  if (isIP(host) === 0) {
    if (plainHttp && policy.allowedNetworks.length === 0) throw refused(`plain http to ${url.hostname} is refused (https only)`)
    return
  }
  const why = refusal(host, allowList(policy), plainHttp)
  if (why === undefined) return
  if (plainHttp) throw refused(`plain http to ${url.hostname} is refused (https only)`)
  throw refused(`${describe(host, why)} is a private, loopback, link-local or reserved address`)
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void
/** The resolution the connection uses (node:dns lookup with `all: true`). */
export type ResolveAll = (hostname: string, options: LookupOptions & { all: true }, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void

/**
 * A `lookup` for http.request that resolves the name and refuses it when any address it resolves to is blocked
 * and not in an allowed network (IPv6 forms that carry an IPv4 address judged by it); with `plainHttp`, every
 * address must be in an allowed network. `resolve` is node:dns lookup; tests pass their own answers.
 *
 * @example
 * https.request(url, { lookup: guardedLookup({ allowedNetworks: [] }) })
 */
export function guardedLookup(policy: UrlPolicy, plainHttp = false, resolve: ResolveAll = dnsLookup): (hostname: string, options: LookupOptions, callback: LookupCallback) => void {
  const allowed = allowList(policy)
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error !== null) return callback(error, [])
      for (const { address } of addresses) {
        const why = refusal(address, allowed, plainHttp)
        if (why === undefined) continue
        const what = why.reason === 'not_allowed' ? 'outside the allowed networks (plain http)' : 'a private, loopback, link-local or reserved address'
        return callback(refused(`${hostname} resolves to ${describe(address, why)}, ${what}`) as NodeJS.ErrnoException, [])
      }
      if (options.all === true) return callback(null, addresses)
      const first = addresses[0]
      if (first === undefined) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), [])
      callback(null, first.address, first.family)
    })
  }
}
