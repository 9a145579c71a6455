/**
 * Event volume per window and version (all traffic, segment ''), against what the reference leads one to expect.
 * Definitions (docs/statistics.md, "Volume"):
 *
 *   events           predictions of the version in the window (each event once, read with FINAL).
 *   expected_events  the reference's rate times the window length:
 *                      fixed-window reference   row_count · window_seconds / (to − from)
 *                      rolling reference of N   mean events of the version's N previous windows (empty ones count 0)
 *                      uploaded file            none (a file carries no time), so no ratio either
 *   volume_ratio     events / expected_events; none when nothing is expected.
 *
 * A window in which a version sent nothing has no rows to compute, so it would never be reported and a producer
 * that went silent would look like "no data" rather than a drop to zero. Once such a window has closed, it is
 * reported with events = 0 for every version that sent events in the ACTIVE_LOOKBACK_WINDOWS before it.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import type { ReferenceDefinition } from '../references/reference-kind.js'

/** A version counts as live for this many windows after its last event; after that, silence is retirement. */
export const ACTIVE_LOOKBACK_WINDOWS = 24
/** After downtime, empty windows are reported for at most this many windows back. */
export const MAX_EMPTY_WINDOWS = 1_000

export interface VolumeReference {
  definition: ReferenceDefinition | undefined
  rowCount: number
}

export interface VolumeFigures {
  version: string
  windowStart: number
  events: number
  expectedEvents: number | null
  volumeRatio: number | null
}

export interface VolumeRequest {
  windowSeconds: number
  /** Windows the pass computes because their rows changed (ms). */
  starts: number[]
  /** The previous pass (ms, already less the visibility margin): windows that closed after it are checked for silence. */
  sinceMs: number
  nowMs: number
  references: Map<string, VolumeReference>
}

/**
 * Volume of the windows the pass computes plus every window that closed since the last pass, counted in one query.
 *
 * @example
 * const figures = await volumePerWindow(ch, 'churn', { windowSeconds: 3600, starts, sinceMs, nowMs, references })
 */
export async function volumePerWindow(ch: ClickHouse, model: string, request: VolumeRequest): Promise<VolumeFigures[]> {
  const windowMs = request.windowSeconds * 1000
  const closed = closedWindows(request.sinceMs, request.nowMs, windowMs)
  const windows = [...new Set([...request.starts, ...closed])].sort((a, b) => a - b)
  const first = windows[0]
  const last = windows.at(-1)
  if (first === undefined || last === undefined) return []
  const lookback = Math.max(ACTIVE_LOOKBACK_WINDOWS, ...[...request.references.values()].map((r) => (r.definition?.kind === 'rolling' ? r.definition.source.windows : 0)))
  const result = await ch.client.query({
    query: `
      SELECT model_version AS version, (1000 * toInt64(toUnixTimestamp(toStartOfInterval(timestamp, toIntervalSecond({window:UInt32}))))) AS start, count() AS n
      FROM predictions FINAL
      WHERE model = {model:String} AND timestamp >= fromUnixTimestamp64Milli({from:Int64}) AND timestamp < fromUnixTimestamp64Milli({to:Int64})
      GROUP BY version, start`,
    query_params: { model, window: request.windowSeconds, from: first - lookback * windowMs, to: last + windowMs },
    format: 'JSONEachRow',
  })
  const counts = new Map<string, Map<number, number>>()
  for (const row of await result.json<{ version: string; start: number; n: number }>()) {
    const perWindow = counts.get(row.version) ?? new Map<number, number>()
    perWindow.set(Number(row.start), Number(row.n))
    counts.set(row.version, perWindow)
  }
  return volumeFigures(counts, windows, new Set(closed), request.windowSeconds, request.references)
}

/**
 * The figures from counts per version and window (ms → events), for `windows`. A window in `closed` is reported
 * even without events when the version was live before it; others only when they have events.
 *
 * @example
 * volumeFigures(new Map([['1', new Map([[0, 10]])]]), [0, 3_600_000], new Set([3_600_000]), 3600, new Map())
 * // [{ version: '1', windowStart: 0, events: 10, ... }, { version: '1', windowStart: 3600000, events: 0, ... }]
 */
export function volumeFigures(counts: Map<string, Map<number, number>>, windows: number[], closed: Set<number>, windowSeconds: number, references: Map<string, VolumeReference>): VolumeFigures[] {
  const windowMs = windowSeconds * 1000
  const figures: VolumeFigures[] = []
  for (const [version, perWindow] of counts) {
    const eventsIn = (start: number): number => perWindow.get(start) ?? 0
    const eventsBefore = (start: number, n: number): number => Array.from({ length: n }, (_, i) => eventsIn(start - (i + 1) * windowMs)).reduce((a, b) => a + b, 0)
    for (const start of windows) {
      const events = eventsIn(start)
      const live = events > 0 || (closed.has(start) && eventsBefore(start, ACTIVE_LOOKBACK_WINDOWS) > 0)
      if (!live) continue
      const expectedEvents = expected(references.get(version), windowSeconds, (n) => eventsBefore(start, n))
      const volumeRatio = expectedEvents === null || expectedEvents === 0 ? null : events / expectedEvents
      figures.push({ version, windowStart: start, events, expectedEvents, volumeRatio })
    }
  }
  return figures
}

function expected(reference: VolumeReference | undefined, windowSeconds: number, eventsBefore: (windows: number) => number): number | null {
  const definition = reference?.definition
  switch (definition?.kind) {
    case 'window': {
      const spanSeconds = (Date.parse(definition.source.to) - Date.parse(definition.source.from)) / 1000
      return spanSeconds > 0 ? (reference?.rowCount ?? 0) * (windowSeconds / spanSeconds) : null
    }
    case 'rolling':
      return eventsBefore(definition.source.windows) / definition.source.windows
    default:
      return null
  }
}

/** Starts of the windows that ended in (sinceMs, nowMs], at most MAX_EMPTY_WINDOWS of them. */
function closedWindows(sinceMs: number, nowMs: number, windowMs: number): number[] {
  const lastStart = Math.floor(nowMs / windowMs) * windowMs - windowMs
  const firstStart = Math.max(Math.floor(sinceMs / windowMs) * windowMs, lastStart - (MAX_EMPTY_WINDOWS - 1) * windowMs)
  const starts: number[] = []
  for (let start = firstStart; start <= lastStart; start += windowMs) if (start + windowMs > sinceMs) starts.push(start)
  return starts
}
