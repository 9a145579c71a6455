/**
 * Where a V8 CPU profile (`node --cpu-prof`, a `.cpuprofile` JSON) spends its time: top functions by self
 * time, top functions by inclusive time (time with the function anywhere on the stack), and self time per
 * package. Used by `npm run bench:ingest -- --cpu-prof`; also runs alone:
 *
 *   node --import tsx bench/profile-summary.ts FILE.cpuprofile [--top 25]
 *
 * Only the main JS thread is sampled: work chDB does on its own threads shows up as (idle) or (program).
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
  columnNumber: number
}

interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileEntry {
  name: string
  ms: number
  share: number
}

export interface ProfileSummary {
  file: string
  totalMs: number
  idleMs: number
  gcMs: number
  self: ProfileEntry[]
  inclusive: ProfileEntry[]
  packages: ProfileEntry[]
}

/** `functionName (where:line)`, with node_modules and the checkout prefix cut off the url. */
function label(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)'
  if (frame.url === '') return name.startsWith('(') ? name : `${name} (native)`
  return `${name} (${shortUrl(frame.url)}:${frame.lineNumber + 1})`
}

function shortUrl(url: string): string {
  const path = url.startsWith('file://') ? url.slice('file://'.length) : url
  const modules = path.lastIndexOf('/node_modules/')
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length)
  for (const marker of ['/services/', '/bench/', '/test/']) {
    const at = path.lastIndexOf(marker)
    if (at >= 0) return path.slice(at + 1)
  }
  return path
}

/** The package a frame belongs to: an npm package, a modelwatch directory, node's internals, or V8. */
function packageOf(frame: CallFrame): string {
  const { url, functionName } = frame
  if (url === '') return functionName.startsWith('(') ? functionName : '(V8 builtins: JSON, RegExp, ...)'
  if (url.startsWith('node:')) return 'node: internals'
  const path = shortUrl(url)
  if (path.startsWith('services/') || path.startsWith('bench/') || path.startsWith('test/')) return `modelwatch ${path.split('/').slice(0, 2).join('/')}`
  const parts = path.split('/')
  return parts[0]?.startsWith('@') === true ? `${parts[0]}/${parts[1]}` : (parts[0] ?? path)
}

export function summariseProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map<number, ProfileNode>()
  const parent = new Map<number, number>()
  for (const node of profile.nodes) {
    byId.set(node.id, node)
    for (const child of node.children ?? []) parent.set(child, node.id)
  }
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  const packages = new Map<string, number>()
  const add = (map: Map<string, number>, key: string, us: number): void => void map.set(key, (map.get(key) ?? 0) + us)
  let totalUs = 0
  let idleUs = 0
  let gcUs = 0
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0
    const node = byId.get(id)
    if (node === undefined) return
    totalUs += us
    const leaf = label(node.callFrame)
    if (leaf === '(idle)') idleUs += us
    if (leaf === '(garbage collector)') gcUs += us
    add(self, leaf, us)
    add(packages, packageOf(node.callFrame), us)
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame
      if (frame === undefined) break
      const name = label(frame)
      if (seen.has(name) || name === '(root)') continue
      seen.add(name)
      add(inclusive, name, us)
    }
  })
  const ranked = (map: Map<string, number>, n: number): ProfileEntry[] =>
    [...map.entries()]
      .sort(([, a], [, b]) => b - a)
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: us / 1000, share: totalUs === 0 ? 0 : us / totalUs }))
  return {
    file,
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    gcMs: gcUs / 1000,
    self: ranked(self, top),
    inclusive: ranked(inclusive, top),
    packages: ranked(packages, top),
  }
}

export function formatProfileSummary(summary: ProfileSummary): string {
  const pct = (share: number): string => `${(share * 100).toFixed(1).padStart(5)}%`
  const ms = (value: number): string => `${Math.round(value).toLocaleString('en-US').padStart(8)} ms`
  const table = (title: string, entries: ProfileEntry[]): string[] => [title, ...entries.map((e) => `  ${pct(e.share)} ${ms(e.ms)}  ${e.name}`)]
  const busy = summary.totalMs - summary.idleMs
  return [
    `profile ${summary.file}`,
    `  sampled ${ms(summary.totalMs).trim()} on the main thread: busy ${ms(busy).trim()} (${pct(busy / summary.totalMs).trim()}), GC ${ms(summary.gcMs).trim()}, idle ${ms(summary.idleMs).trim()}`,
    ...table('self time by package:', summary.packages),
    ...table('top functions by self time:', summary.self),
    ...table('top functions by inclusive time:', summary.inclusive),
  ].join('\n')
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } })
  if (positionals.length === 0) {
    process.stderr.write('usage: profile-summary.ts FILE.cpuprofile [--top N]\n')
    process.exit(2)
  }
  for (const file of positionals) process.stdout.write(`${formatProfileSummary(summariseProfile(file, Number(values.top)))}\n`)
}
