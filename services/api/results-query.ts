/**
 * The read queries behind /v1/models/{model}/windows, /drift and /data-quality: the monitor's result tables
 * read with FINAL (the latest computation of each window, docs/monitor-tables.md), filtered by fixed column
 * conditions whose values travel only as ClickHouse query parameters, newest window first.
 */

export type ResultKind = 'windows' | 'drift' | 'data-quality'

export interface ResultFilters {
  model: string
  version?: string | undefined
  /** '' selects all traffic of a version; undefined, every segment. */
  segment?: string | undefined
  windowSeconds?: number | undefined
  /** Windows starting at or after this instant (ms since the epoch). */
  from?: number | undefined
  /** Windows starting before this instant (ms since the epoch). */
  to?: number | undefined
  metric?: string | undefined
  column?: string | undefined
  final?: boolean | undefined
  drifted?: boolean | undefined
  limit: number
}

const TABLES: Record<ResultKind, { table: string; select: string; order: string }> = {
  windows: { table: 'window_metrics', select: '* EXCEPT (is_final), toBool(is_final) AS is_final', order: 'metric' },
  drift: { table: 'drift_metrics', select: '* EXCEPT (drifted), toBool(drifted) AS drifted', order: 'column' },
  'data-quality': { table: 'data_quality', select: '*', order: 'column, metric' },
}

/** Each filter's condition; only these texts reach the SQL, the values go as parameters. */
const CONDITIONS: { [K in keyof ResultFilters]?: string } = {
  version: 'model_version = {version:String}',
  segment: 'segment = {segment:String}',
  windowSeconds: 'window_seconds = {windowSeconds:UInt32}',
  from: 'window_start >= fromUnixTimestamp64Milli({from:Int64})',
  to: 'window_start < fromUnixTimestamp64Milli({to:Int64})',
  metric: 'metric = {metric:String}',
  column: '`column` = {column:String}',
  final: 'is_final = {final:Bool}',
  drifted: 'drifted = {drifted:Bool}',
}

/**
 * The query and its parameters. One row more than `limit` is asked for, so the caller can say whether
 * there were more.
 *
 * @example
 * resultQuery('windows', { model: 'churn', metric: 'accuracy', limit: 100 })
 * // { query: 'SELECT … FROM window_metrics FINAL WHERE model = {model:String} AND metric = {metric:String} …', params: { model: 'churn', metric: 'accuracy', limit: 101 } }
 */
export function resultQuery(kind: ResultKind, filters: ResultFilters): { query: string; params: Record<string, string | number | boolean> } {
  const { table, select, order } = TABLES[kind]
  const where = ['model = {model:String}']
  const params: Record<string, string | number | boolean> = { model: filters.model, limit: filters.limit + 1 }
  for (const [key, condition] of Object.entries(CONDITIONS) as [keyof ResultFilters, string][]) {
    const value = filters[key]
    if (value === undefined) continue
    where.push(condition)
    params[key] = value
  }
  const query = `SELECT ${select} FROM ${table} FINAL WHERE ${where.join(' AND ')}
    ORDER BY window_start DESC, model_version, segment, window_seconds, ${order} LIMIT {limit:UInt32}`
  return { query, params }
}
