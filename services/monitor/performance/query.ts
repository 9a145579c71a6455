/**
 * Runs one performance query over a source and returns its rows. A failing query is a CLICKHOUSE_QUERY_FAILED,
 * retriable only when the engine could not be reached (a bad query will fail the same way again).
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { isNetworkError, ModelwatchError } from '../../core/errors.js'
import { withSource, type SqlSource } from '../sql-source.js'

/**
 * @example
 * const rows = await queryRows<{ grp: string; n: number }>(ch, source, 'SELECT grp, count() AS n FROM src GROUP BY grp', {}, 'counts')
 */
export async function queryRows<T>(ch: ClickHouse, source: SqlSource, sql: string, params: Record<string, unknown>, what: string): Promise<T[]> {
  const { query, params: all } = withSource(source, sql, params)
  try {
    const result = await ch.client.query({ query, query_params: all, format: 'JSONEachRow' })
    return await result.json<T>()
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new ModelwatchError('CLICKHOUSE_QUERY_FAILED', `performance query (${what}) failed: ${message}`, { retriable: isNetworkError(error), cause: error })
  }
}
