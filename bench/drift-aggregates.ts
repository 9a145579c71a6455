/**
 * bench:drift (b): the statistics that bins allow (PSI, JS, out-of-range share; chi-square and new categories for
 * categorical columns, none here) from the per-minute aggregates, on the real tables and views of migration 004.
 * The bench's reference becomes a stored reference (reference_rows), its profile is written (edges, counts), then
 * the current rows are inserted into `predictions` spread over 60 minutes, so the materialized views bin them as
 * they would on ingest. Timed: only the window query (numericWindowBins), as the monitor runs it.
 */
import type { ClickHouse } from '../services/core/clickhouse/client.js'
import { migrate } from '../services/core/clickhouse/migrations.js'
import { ensureReferenceProfile } from '../services/monitor/aggregates/reference-profile.js'
import { numericWindowBins, type AggregateWindow } from '../services/monitor/aggregates/window-counts.js'
import type { DriftReport } from '../services/monitor/drift/index.js'

export interface AggregatesResult {
  /** Storing the reference and its profile, and inserting the current rows through the views; not part of (b). */
  buildSeconds: number
  insertSeconds: number
  countRows: number
  runs: number[]
  medianSeconds: number
  /** Largest |PSI or JS from the aggregates − the same statistic from raw rows| over the features (0 = bit-identical). */
  maxDifference: number
}

const MINUTES = 60
const START = Date.UTC(2026, 0, 1)

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2
}

/**
 * Builds the aggregates from the bench's two wide tables and times the window query `runs` times.
 *
 * @example
 * const b = await measureAggregates(ch, { reference: 'bench_drift_reference', current: 'bench_drift_current' }, names, report, 5)
 */
export async function measureAggregates(ch: ClickHouse, tables: { reference: string; current: string }, names: string[], report: DriftReport, runs: number): Promise<AggregatesResult> {
  const started = performance.now()
  await migrate(ch)
  // Table and column names are the bench's own constants, never input.
  const features = `CAST(map(${names.map((n) => `'${n}', ${n}`).join(', ')}), 'Map(LowCardinality(String), Nullable(Float64))')`
  await ch.client.command({
    query: `INSERT INTO reference_rows (reference_id, numeric_features) SELECT 'bench', ${features} FROM ${tables.reference}`,
  })
  await ensureReferenceProfile(ch, { model: 'bench', version: '1', referenceId: 'bench', numeric: names, categorical: [] })
  const [{ rows } = { rows: 0 }] = await (await ch.client.query({ query: `SELECT count() AS rows FROM ${tables.current}`, format: 'JSONEachRow' })).json<{ rows: number }>()
  const insertStarted = performance.now()
  await ch.client.command({
    query: `
      INSERT INTO predictions (event_id, model, model_version, timestamp, numeric_features, source, kafka_partition, kafka_offset)
      SELECT toString(row), 'bench', '1', fromUnixTimestamp64Milli(toInt64({start:Int64} + intDiv(row * {span:UInt64}, {rows:UInt64}))), ${features}, 'http', -1, -1
      FROM ${tables.current}`,
    query_params: { start: START, span: MINUTES * 60_000, rows },
  })
  const insertSeconds = (performance.now() - insertStarted) / 1000
  const buildSeconds = (performance.now() - started) / 1000
  const [{ n } = { n: 0 }] = await (await ch.client.query({ query: 'SELECT count() AS n FROM minute_counts', format: 'JSONEachRow' })).json<{ n: number }>()

  const window: AggregateWindow = { model: 'bench', version: '1', referenceId: 'bench', from: START, to: START + MINUTES * 60_000 }
  let bins = await numericWindowBins(ch, window, names) // warm-up
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    bins = await numericWindowBins(ch, window, names)
    times.push((performance.now() - t) / 1000)
  }
  let maxDifference = 0
  for (const row of bins) {
    const column = report.columns.find((c) => c.name === row.column)
    for (const [a, b] of [[row.psi, column?.psi], [row.jensen_shannon, column?.jensen_shannon]] as const) {
      maxDifference = Math.max(maxDifference, typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) : Infinity)
    }
  }
  if (bins.length !== names.length) maxDifference = Infinity
  return { buildSeconds, insertSeconds, countRows: n, runs: times, medianSeconds: median(times), maxDifference }
}
