/**
 * A reference file as a ClickHouse table expression, so checks and the final INSERT ... SELECT run inside
 * the engine and no row passes through JavaScript.
 *
 * - Embedded engine: `file({path}, {format})` reads the file where it is (the engine is this process, so
 *   its filesystem is the user's).
 * - ClickHouse server (HTTP): `file()` would read the *server's* filesystem, so the client streams the
 *   file's bytes into a staging table of one String value (`FORMAT RawBLOB`) and the table expression is
 *   `format({format}, (SELECT data FROM staging))`. The staging table (Memory engine, random name) is dropped
 *   by `close()`; one left by a killed process holds no rows of any reference and disappears with a restart.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { ModelwatchError } from '../../core/errors.js'
import type { ClickHouseFormat } from './file-format.js'

export interface FileSource {
  /** A table expression reading the file's rows; uses the query parameters in `params`. */
  table: string
  params: Record<string, unknown>
  /** A `SETTINGS ...` clause every query reading `table` ends with (or ''). */
  settings: string
  close(): Promise<void>
}

/**
 * CSV cells are read as text, never guessed: ClickHouse's best-effort inference would type a column from
 * its first rows, and a stray word further down would then fail (or, worse, a code like 007 would lose its
 * zeros). The column checks parse numbers themselves.
 */
const CSV_SETTINGS = 'SETTINGS input_format_csv_use_best_effort_in_schema_inference = 0'

/**
 * Opens the file as a table expression on the configured engine; `close()` it when done.
 *
 * @example
 * const source = await openFileSource(ch, '/data/train.csv', 'CSVWithNames')
 * try { await ch.client.query({ query: `SELECT count() FROM ${source.table} ${source.settings}`, query_params: source.params }) }
 * finally { await source.close() }
 */
export async function openFileSource(ch: ClickHouse, path: string, format: ClickHouseFormat): Promise<FileSource> {
  const settings = format === 'CSVWithNames' ? CSV_SETTINGS : ''
  if (ch.mode === 'embedded') {
    return { table: 'file({ref_path:String}, {ref_format:String})', params: { ref_path: path, ref_format: format }, settings, close: async () => {} }
  }
  const staging = `reference_upload_${randomBytes(8).toString('hex')}`
  await ch.client.command({ query: 'CREATE TABLE {ref_staging:Identifier} (data String) ENGINE = Memory', query_params: { ref_staging: staging } })
  const close = async (): Promise<void> => {
    await ch.client.command({ query: 'DROP TABLE IF EXISTS {ref_staging:Identifier}', query_params: { ref_staging: staging } })
  }
  try {
    const result = await ch.client.exec({
      query: 'INSERT INTO {ref_staging:Identifier} FORMAT RawBLOB',
      query_params: { ref_staging: staging },
      values: createReadStream(path),
    })
    // The response body is empty, but it must be read for the connection to go back to the pool.
    for await (const _ of result.stream) void _
  } catch (error) {
    await close().catch(() => {})
    throw new ModelwatchError('CLICKHOUSE_QUERY_FAILED', `could not send ${path} to the ClickHouse server: ${(error as Error).message}`, { cause: error })
  }
  return {
    table: 'format({ref_format:String}, (SELECT data FROM {ref_staging:Identifier}))',
    params: { ref_format: format, ref_staging: staging },
    settings,
    close,
  }
}
