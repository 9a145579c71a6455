/**
 * monitors.yaml, the declared-as-code form `modelwatch apply -f` reads: `monitors:` (rules), `silences:`,
 * and `channels:` (validated here; stored by the channels store). Every problem names the file, the entry
 * (index and name) and the field path, e.g. `monitors.yaml: monitors[2] (auc-drop): condition.drop: must be above 0%`.
 */
import { readFile, stat } from 'node:fs/promises'
import { parse, YAMLParseError } from 'yaml'
import { z } from 'zod'
import { ModelwatchError } from '../core/errors.js'
import { channelSpecSchema, type ChannelSpec } from './channel-spec.js'
import { monitorSpecSchema, type MonitorSpec } from './monitor-spec.js'
import { silenceSpecSchema, type Silence } from './silences.js'

/** Largest monitors file read, in bytes (4 MiB: thousands of monitors); the whole file is parsed in memory. */
export const MAX_MONITORS_FILE_BYTES = 4 * 1024 * 1024

export interface MonitorsFile {
  monitors: MonitorSpec[]
  silences: Silence[]
  channels: ChannelSpec[]
}

const fileSchema = z.strictObject({
  monitors: z.array(z.unknown()).default([]),
  silences: z.array(z.unknown()).default([]),
  channels: z.array(z.unknown()).default([]),
})

/**
 * Reads and validates a monitors file; throws `MONITOR_INVALID` listing every problem found.
 *
 * @example
 * const { monitors } = await readMonitorsFile('monitors.yaml')
 */
export async function readMonitorsFile(path: string): Promise<MonitorsFile> {
  let text: string
  try {
    const size = (await stat(path)).size
    if (size > MAX_MONITORS_FILE_BYTES) throw new ModelwatchError('USAGE', `${path} is ${size} bytes; a monitors file has at most ${MAX_MONITORS_FILE_BYTES} (MAX_MONITORS_FILE_BYTES); split it`)
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (error instanceof ModelwatchError) throw error
    throw new ModelwatchError('USAGE', `cannot read ${path}: ${(error as Error).message}`, { cause: error })
  }
  return parseMonitorsFile(text, path)
}

/** Validates the text of a monitors file; `name` is the file name used in messages. */
export function parseMonitorsFile(text: string, name: string): MonitorsFile {
  let raw: unknown
  try {
    raw = parse(text)
  } catch (error) {
    const detail = error instanceof YAMLParseError ? error.message.split('\n')[0] : (error as Error).message
    throw new ModelwatchError('MONITOR_INVALID', `${name}: not valid YAML: ${detail}`, { cause: error })
  }
  const top = fileSchema.safeParse(raw ?? {})
  if (!top.success) throw new ModelwatchError('MONITOR_INVALID', `${name}: ${top.error.issues.map((i) => `${pathText(i.path) || '(top level)'}: ${i.message}`).join('; ')} (expected monitors:, silences: and channels: lists)`)

  const problems: string[] = []
  const section = <T>(key: 'monitors' | 'silences' | 'channels', schema: z.ZodType<T>, label: (entry: unknown) => string | undefined): T[] => {
    const out: T[] = []
    top.data[key].forEach((entry, index) => {
      const parsed = schema.safeParse(entry)
      const shown = label(entry)
      const where = `${key}[${index}]${shown === undefined ? '' : ` (${shown})`}`
      if (parsed.success) out.push(parsed.data)
      else for (const issue of parsed.error.issues) problems.push(`${where}: ${pathText(issue.path) || '(entry)'}: ${issue.message}`)
    })
    return out
  }
  const field = (k: string) => (entry: unknown): string | undefined => {
    const v = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)[k] : undefined
    return typeof v === 'string' ? v : undefined
  }
  const monitors = section('monitors', monitorSpecSchema, field('name'))
  const silences = section('silences', silenceSpecSchema, field('id'))
  const channels = section('channels', channelSpecSchema, field('name'))
  for (const [key, names] of [['monitors', monitors.map((m) => m.name)], ['silences', silences.map((s) => s.id)], ['channels', channels.map((c) => c.name)]] as const) {
    const duplicate = names.find((n, i) => names.indexOf(n) !== i)
    if (duplicate !== undefined) problems.push(`${key}[${names.lastIndexOf(duplicate)}] (${duplicate}): name: declared twice`)
  }
  if (problems.length > 0) throw new ModelwatchError('MONITOR_INVALID', `${name}: ${problems.join('; ')}`)
  return { monitors, silences, channels }
}

/** `condition.drop`, `channels[0]`: the path as people write it. */
export function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`), '')
}
