import { UsageError } from '../../core/errors.js'
import { openContext } from '../context.js'
import { formatTable } from '../table.js'

/**
 * `modelwatch sql "QUERY" [--json]`: the user's console on the configured engine, like clickhouse-client.
 * The query runs with `readonly=1`, so it can look but not change anything.
 */
export async function sqlCommand(env: NodeJS.ProcessEnv, query: string | undefined, json: boolean): Promise<void> {
  if (query === undefined || query.trim() === '') throw new UsageError('usage: modelwatch sql "SELECT ..." [--json]')
  const ctx = await openContext(env, { logLevel: 'warn' })
  try {
    const result = await ctx.ch.client.query({ query, format: 'JSONEachRow', clickhouse_settings: { readonly: '1' } })
    const rows = await result.json<Record<string, unknown>>()
    if (json) for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`)
    else process.stdout.write(formatTable(rows))
  } finally {
    await ctx.close()
  }
}
