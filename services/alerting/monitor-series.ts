/**
 * Reads what a monitor watches from the monitor's tables (window_metrics, drift_metrics, data_quality, read
 * with FINAL): one point per (version, segment, column, window) in a time range, with the sample size
 * `min_samples` is checked against and whether the window is final. Every value from a spec reaches the SQL
 * as a query parameter; the drift field is an Identifier parameter checked against DRIFT_FIELDS first.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import { DRIFT_FIELDS, statisticKind, type MonitorSpec } from './monitor-spec.js'

export interface SeriesPoint {
  model_version: string
  segment: string
  column: string
  window_start: number
  window_end: number
  value: number | null
  /** The sample size: labelled rows (label metrics), predictions, non-missing values (drift) or events. */
  n: number | null
  is_final: boolean
  drifted?: boolean
  reference_id?: string
  n_reference?: number | null
}

export interface SeriesRange {
  windowSeconds: number
  fromMs: number
  toMs: number
}

/** Performance metrics that are defined without labels; their sample size is the prediction count. */
const LABEL_FREE = /^(count|labelled|label_coverage|label_delay_p\d+_seconds|scored|prediction_.*)$/

/** Whether a window of this version and segment is final, from window_metrics' `count` row. */
const FINALS = `(SELECT model_version, segment, window_start, is_final FROM window_metrics FINAL
  WHERE model = {model:String} AND window_seconds = {window:UInt32} AND metric = 'count' AND window_start >= fromUnixTimestamp64Milli({from:Int64}) AND window_start <= fromUnixTimestamp64Milli({to:Int64}))`

const SCOPE = `model = {model:String} AND window_seconds = {window:UInt32}
  AND window_start >= fromUnixTimestamp64Milli({from:Int64}) AND window_start <= fromUnixTimestamp64Milli({to:Int64})
  AND ({any_version:UInt8} OR model_version = {version:String})
  AND ({any_segment:UInt8} OR segment = {segment:String})`

const POINT = `x.model_version AS model_version, x.segment AS segment, toUnixTimestamp64Milli(x.window_start) AS window_start,
  toUnixTimestamp64Milli(x.window_end) AS window_end, toNullable(toFloat64(x.value)) AS value`

/**
 * The monitor's points in `range`, oldest first.
 *
 * @example
 * const points = await readSeries(ch, monitor, { windowSeconds: 3600, fromMs: now - 8 * 3600_000, toMs: now })
 */
export async function readSeries(ch: ClickHouse, monitor: MonitorSpec, range: SeriesRange): Promise<SeriesPoint[]> {
  const kind = statisticKind(monitor.statistic)
  const params: Record<string, unknown> = {
    model: monitor.model,
    window: range.windowSeconds,
    from: range.fromMs,
    to: range.toMs,
    any_version: monitor.version === undefined ? 1 : 0,
    version: monitor.version ?? '',
    any_segment: monitor.segment === '*' ? 1 : 0,
    segment: monitor.segment === '*' ? '' : (monitor.segment ?? ''),
    any_column: monitor.column === '*' ? 1 : 0,
    column: monitor.column ?? '',
  }
  let query: string
  switch (kind.kind) {
    case 'performance':
      query = `SELECT ${POINT}, '' AS column, toFloat64(s.value) AS n, x.is_final = 1 AS is_final
        FROM (SELECT * FROM window_metrics FINAL WHERE ${SCOPE} AND metric = {metric:String}) AS x
        LEFT JOIN (SELECT model_version, segment, window_start, value FROM window_metrics FINAL WHERE ${SCOPE} AND metric = {sample_metric:String}) AS s
          ON s.model_version = x.model_version AND s.segment = x.segment AND s.window_start = x.window_start`
      params.metric = kind.metric
      params.sample_metric = LABEL_FREE.test(kind.metric) ? 'count' : 'labelled'
      break
    case 'drift':
      if (!(DRIFT_FIELDS as readonly string[]).includes(kind.field)) throw new Error(`unknown drift field ${kind.field}`)
      // '*' means every column the monitor computes drift for, not the dataset verdict, which has its own monitor.
      query = `SELECT ${POINT}, x.column AS column, toFloat64(x.n_current) AS n, f.is_final = 1 AS is_final, x.drifted = 1 AS drifted,
          x.reference_id AS reference_id, toNullable(toFloat64(x.n_reference)) AS n_reference
        FROM (SELECT *, {field:Identifier} AS value FROM drift_metrics FINAL WHERE ${SCOPE}
          AND (({any_column:UInt8} AND column != '__dataset__') OR column = {column:String})) AS x
        LEFT JOIN ${FINALS} AS f ON f.model_version = x.model_version AND f.segment = x.segment AND f.window_start = x.window_start`
      params.field = kind.field
      break
    case 'dq':
    case 'volume':
      query = `SELECT ${POINT}, x.column AS column, toFloat64(e.value) AS n, f.is_final = 1 AS is_final
        FROM (SELECT * FROM data_quality FINAL WHERE ${SCOPE} AND metric = {metric:String} AND ({any_column:UInt8} OR column = {column:String})) AS x
        LEFT JOIN (SELECT model_version, segment, window_start, value FROM data_quality FINAL WHERE ${SCOPE} AND column = '__events__' AND metric = 'events') AS e
          ON e.model_version = x.model_version AND e.segment = x.segment AND e.window_start = x.window_start
        LEFT JOIN ${FINALS} AS f ON f.model_version = x.model_version AND f.segment = x.segment AND f.window_start = x.window_start`
      params.metric = kind.kind === 'volume' ? 'events' : kind.metric
      if (kind.kind === 'volume' || monitor.column === undefined) {
        params.any_column = 0
        params.column = '__events__'
      }
      break
    case 'compare':
      throw new Error(`${monitor.statistic} is read from comparison_results by comparison-series.ts, not as a window series`)
  }
  const result = await ch.client.query({ query: `${query} ORDER BY window_start`, query_params: params, format: 'JSONEachRow' })
  const rows = await result.json<SeriesPoint & { is_final: number | boolean; drifted?: number | boolean }>()
  // Window-level figures (__events__) are not per column: their alerts carry column '' like performance ones.
  const windowLevel = kind.kind === 'volume' || (kind.kind === 'dq' && monitor.column === undefined)
  return rows.map((r) => ({
    ...r,
    column: windowLevel ? '' : r.column,
    window_start: Number(r.window_start),
    window_end: Number(r.window_end),
    is_final: Boolean(r.is_final),
    ...(r.drifted === undefined ? {} : { drifted: Boolean(r.drifted) }),
  }))
}
