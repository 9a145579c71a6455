/**
 * The IPv4 addresses an IPv6 address carries: a connection to it ends at (or passes) that IPv4 address through
 * a dual-stack socket, a translator or a tunnel, so the SSRF guard judges it by them (url-guard.ts).
 *
 *  - IPv4-mapped ::ffff:0:0/96 and IPv4-translated ::ffff:0:0:0/96 (RFC 4291, 2765): the last 32 bits;
 *  - IPv4-compatible ::/96 (RFC 4291, deprecated): the last 32 bits;
 *  - NAT64 well-known prefix 64:ff9b::/96 (RFC 6052): the last 32 bits;
 *  - NAT64 local-use prefix 64:ff9b:1::/48 (RFC 8215): where the address sits depends on the translator's
 *    prefix length (/48, /56, /64 or /96, RFC 6052 §2.2), which the guard cannot know, so every position counts;
 *  - 6to4 2002::/16 (RFC 3056): bits 16–48;
 *  - Teredo 2001::/32 (RFC 4380): the server, bits 32–64, and the client, the bitwise NOT of the last 32 bits;
 *  - ISATAP (RFC 5214): an interface identifier 0:5efe or 200:5efe (u/g bits aside) followed by the address.
 */
import { isIP } from 'node:net'

/**
 * The 16 bytes of an IPv6 literal in any spelling (compressed, with a dotted IPv4 tail, with a zone index), or
 * undefined when it is not one.
 *
 * @example
 * ipv6Bytes('::ffff:127.0.0.1')?.slice(10) // Uint8Array [255, 255, 127, 0, 0, 1]
 */
export function ipv6Bytes(address: string): Uint8Array | undefined {
  const bare = address.replace(/%.*$/, '')
  if (isIP(bare) !== 6) return undefined
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(bare)
  const hex = dotted === null ? bare
    : `${bare.slice(0, dotted.index)}${((Number(dotted[1]) << 8) | Number(dotted[2])).toString(16)}:${((Number(dotted[3]) << 8) | Number(dotted[4])).toString(16)}`
  const groups = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)))
  const [head = '', tail] = hex.split('::')
  const before = groups(head)
  const after = tail === undefined ? [] : groups(tail)
  const words = tail === undefined ? before : [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after]
  const bytes = new Uint8Array(16)
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8
    bytes[2 * i + 1] = w & 255
  })
  return bytes
}

const ipv4 = (b: Uint8Array, at: readonly number[]): string => at.map((i) => b[i] ?? 0).join('.')
const zero = (b: Uint8Array, from: number, to: number): boolean => b.subarray(from, to).every((x) => x === 0)
const word = (b: Uint8Array, i: number): number => ((b[2 * i] ?? 0) << 8) | (b[2 * i + 1] ?? 0)
const LAST = [12, 13, 14, 15] as const
/** RFC 6052 §2.2: the bytes holding the IPv4 address for each prefix length within 64:ff9b:1::/48 (byte 8 is the u octet). */
const NAT64_POSITIONS = [[6, 7, 9, 10], [7, 9, 10, 11], [9, 10, 11, 12], LAST] as const

/**
 * The IPv4 addresses `address` (an IPv6 literal) carries, in dotted form; [] when it carries none or is not
 * IPv6.
 *
 * @example
 * embeddedIpv4('64:ff9b::a9fe:a9fe') // ['169.254.169.254']
 * embeddedIpv4('2001:0:4136:e378:8000:63bf:3fff:fdd2') // ['65.54.227.120', '192.0.2.45'] (Teredo server, client)
 * embeddedIpv4('2606:4700:4700::1111') // []
 */
export function embeddedIpv4(address: string): string[] {
  const b = ipv6Bytes(address)
  if (b === undefined) return []
  const found: string[] = []
  if (zero(b, 0, 10) && ((b[10] === 0 && b[11] === 0) || (b[10] === 255 && b[11] === 255))) found.push(ipv4(b, LAST)) // compatible, mapped
  else if (zero(b, 0, 8) && word(b, 4) === 0xffff && word(b, 5) === 0) found.push(ipv4(b, LAST)) // translated
  else if (word(b, 0) === 0x64 && word(b, 1) === 0xff9b && zero(b, 4, 12)) found.push(ipv4(b, LAST)) // NAT64 well-known
  else if (word(b, 0) === 0x64 && word(b, 1) === 0xff9b && word(b, 2) === 1) found.push(...NAT64_POSITIONS.map((at) => ipv4(b, at))) // NAT64 local-use
  else if (word(b, 0) === 0x2002) found.push(ipv4(b, [2, 3, 4, 5])) // 6to4
  else if (word(b, 0) === 0x2001 && word(b, 1) === 0) found.push(ipv4(b, [4, 5, 6, 7]), LAST.map((i) => (b[i] ?? 0) ^ 255).join('.')) // Teredo
  if ((word(b, 4) & 0xfcff) === 0 && word(b, 5) === 0x5efe) found.push(ipv4(b, LAST)) // ISATAP, under any /64
  return [...new Set(found)]
}
