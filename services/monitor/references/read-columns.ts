/**
 * A reference file's columns and their types: for Arrow IPC from the schema apache-arrow reads (the footer
 * of an IPC file, the first message of a stream; no record batch is decoded), for CSV and Parquet from
 * `DESCRIBE` of the file in ClickHouse.
 */
import { open } from 'node:fs/promises'
import { RecordBatchReader } from 'apache-arrow'
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { ModelwatchError } from '../../core/errors.js'
import { arrowColumns, clickHouseCategory, type FileColumn } from './column-types.js'
import type { FileFamily } from './file-format.js'
import type { FileSource } from './file-source.js'

/**
 * The columns of an Arrow IPC file (or stream), read with apache-arrow.
 *
 * @example
 * const columns = await readArrowColumns('/data/train.feather', 'train.feather')
 */
export async function readArrowColumns(path: string, fileName: string): Promise<FileColumn[]> {
  const handle = await open(path)
  try {
    const reader = await RecordBatchReader.from(handle)
    await reader.open()
    return arrowColumns(reader.schema.fields)
  } catch (error) {
    // A damaged schema makes apache-arrow fail with a TypeError or RangeError ("Cannot read properties of null",
    // "Invalid typed array length"): that says where the reader tripped, not what is wrong with the file.
    const reason = error instanceof TypeError || error instanceof RangeError ? 'its schema cannot be read (the file is damaged)' : firstLine(error)
    throw new ModelwatchError('USAGE', `reference file ${fileName} is not an Arrow IPC file or stream: ${reason}`, { cause: error })
  } finally {
    await handle.close()
  }
}

/**
 * The columns of a CSV or Parquet file as ClickHouse reads them. CSV columns are all `text` (see
 * file-source.ts: CSV cells are never type-guessed).
 *
 * @example
 * const columns = await describeColumns(ch, source, 'parquet', 'train.parquet')
 */
export async function describeColumns(ch: ClickHouse, source: FileSource, family: FileFamily, fileName: string): Promise<FileColumn[]> {
  let described: { name: string; type: string }[]
  try {
    const result = await ch.client.query({ query: `DESCRIBE ${source.table} ${source.settings}`, query_params: source.params, format: 'JSONEachRow' })
    described = await result.json<{ name: string; type: string }>()
  } catch (error) {
    throw unreadable(fileName, family === 'csv' ? 'CSV with a header row' : 'Parquet', error)
  }
  return described.map(({ name, type }) => ({ name, type, category: family === 'csv' ? 'text' : clickHouseCategory(type) }))
}

/**
 * A file the reader rejects: one line, with the reader's own first sentence as the reason.
 *
 * @example
 * throw unreadable('train.parquet', 'Parquet', error) // reference file train.parquet cannot be read as Parquet: Not a Parquet file ...
 */
export function unreadable(fileName: string, what: string, error: unknown): ModelwatchError {
  if (TRUNCATED.has(clickHouseErrorType(error) ?? '')) return new ModelwatchError('USAGE', `reference file ${fileName} is truncated: it ends in the middle of its data`, { cause: error })
  return new ModelwatchError('USAGE', `reference file ${fileName} cannot be read as ${what}: ${firstLine(error)}`, { cause: error })
}

/** ClickHouse's error types for a file that ends before its data does. */
const TRUNCATED = new Set(['CANNOT_READ_ALL_DATA', 'ATTEMPT_TO_READ_AFTER_EOF', 'UNEXPECTED_END_OF_FILE'])

/** The `type` of a ClickHouse server error (e.g. 'CANNOT_READ_ALL_DATA'); chDB's client has its own copy of the error class, so not instanceof. */
function clickHouseErrorType(error: unknown): string | undefined {
  const type = typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined
  return typeof type === 'string' ? type : undefined
}

/**
 * ClickHouse messages run to several sentences and a stack of context; the first line is the reason.
 *
 * @example
 * firstLine(new Error('Not a Parquet file.\nStack trace: ...')) // 'Not a Parquet file.'
 */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  // Some messages break the line before their detail ("... format file. Error:\n..."): keep the sentence.
  // ClickHouse appends where it was reading (": (in file/uri /tmp/...): While executing ..."): a server path, not the reason.
  const line = (message.split('\n')[0] ?? '').replace(/:? \(in file\/uri [^)]*\).*$/, '').trim().replace(/\s*Error:$/, '')
  return line.length > 300 ? `${line.slice(0, 297)}...` : line
}
