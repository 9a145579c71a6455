/**
 * The value checks of a planned file, run in the engine before anything is stored: the file has rows,
 * every CSV number parses, and no number is NaN or infinite (as at ingest: the statistics cannot use them).
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { ModelwatchError } from '../../core/errors.js'
import { columnLabel, type ColumnPlan } from './check-columns.js'
import type { FileSource } from './file-source.js'
import { unreadable } from './read-columns.js'
import { checkQuery, type ValueCheck } from './row-sql.js'

/**
 * Runs the checks and returns the file's row count, or throws one USAGE line naming each bad column.
 *
 * @example
 * const rows = await checkValues(ch, source, plan, 'train.csv', 'CSV')
 */
export async function checkValues(ch: ClickHouse, source: FileSource, plan: ColumnPlan, fileName: string, formatName: string): Promise<number> {
  const { query, params, checks } = checkQuery(plan, source.table, source.settings)
  let row: Record<string, unknown> | undefined
  try {
    const result = await ch.client.query({ query, query_params: { ...source.params, ...params }, format: 'JSONEachRow' })
    ;[row] = await result.json<Record<string, unknown>>()
  } catch (error) {
    throw unreadable(fileName, formatName, error)
  }
  const rows = Number(row?.rows ?? 0)
  if (rows === 0) throw new ModelwatchError('USAGE', `reference file ${fileName} has no rows`)
  const problems = valueProblems(checks, row ?? {})
  if (problems.length > 0) throw new ModelwatchError('USAGE', `reference file ${fileName}: ${problems.join('; ')}`)
  return rows
}

/**
 * One phrase per failed check, from the check query's answer.
 *
 * @example
 * valueProblems([{ column: 'x', role: 'numeric feature', problem: 'not a number', condition: '...' }], { bad_0: 2, example_0: 'abc' })
 * // ['column x (numeric feature): 2 values are not a number, e.g. "abc"']
 */
export function valueProblems(checks: readonly ValueCheck[], row: Record<string, unknown>): string[] {
  const problems: string[] = []
  checks.forEach((check, i) => {
    const bad = Number(row[`bad_${i}`] ?? 0)
    if (bad === 0) return
    const example = String(row[`example_${i}`] ?? '')
    const shown = example.length > 40 ? `${example.slice(0, 37)}...` : example
    problems.push(`${columnLabel(check.column, check.role)}: ${bad} ${bad === 1 ? 'value is' : 'values are'} ${check.problem}, e.g. ${JSON.stringify(shown)}`)
  })
  return problems
}
