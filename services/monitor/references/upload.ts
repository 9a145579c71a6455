/**
 * `uploadReference`: a file of reference rows (CSV, Parquet, Arrow IPC / Feather v2) checked against the
 * model and stored as a reference of one model version. Everything is checked before anything is stored;
 * the rows go from the file to `reference_rows` inside the engine (INSERT ... SELECT), never through JS.
 */
import { stat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { ModelwatchError } from '../../core/errors.js'
import type { ModelSpec } from '../models/model-spec.js'
import { planColumns } from './check-columns.js'
import { checkValues } from './check-values.js'
import type { FileColumn } from './column-types.js'
import { assertPlainPath, clickHouseFormat, fileFamily, type FileFamily, readHead } from './file-format.js'
import { openFileSource, type FileSource } from './file-source.js'
import { checkFileStructure } from './file-structure.js'
import { describeColumns, firstLine, readArrowColumns } from './read-columns.js'
import { findReferenceSet } from './reference-sets.js'
import { uploadReferenceId } from './reference-id.js'
import { REFERENCE_ROW_COLUMNS, rowSelect } from './row-sql.js'
import { storeReference, type ReferenceResult } from './store-reference.js'

export interface UploadOptions {
  model: ModelSpec
  version: string
  /** Path of the file; relative paths are relative to the current directory. */
  file: string
  /** Switch the version to this reference even if it compares against another one. */
  replace?: boolean
}

export interface UploadResult extends ReferenceResult {
  /** Columns of the file that play no part (neither a feature nor a known output or label column); empty when the content was already stored (the file is not read again). */
  ignoredColumns: string[]
}

const FORMAT_NAMES = { csv: 'CSV with a header row', parquet: 'Parquet', arrow: 'Arrow IPC' } as const

/**
 * Checks a reference file against the model and stores it for the version.
 *
 * @example
 * const model = await getModel(ch, 'churn')
 * const { referenceId, rows, created, assigned } = await uploadReference(ch, { model, version: '3', file: 'train.parquet' })
 */
export async function uploadReference(ch: ClickHouse, options: UploadOptions): Promise<UploadResult> {
  const path = resolve(options.file)
  const name = basename(path)
  const family = fileFamily(path)
  if (ch.mode === 'embedded') assertPlainPath(path)
  await assertFile(path)
  const format = clickHouseFormat(family, await readHead(path, 8), name)
  await checkFileStructure(path, format, `reference file ${name}`)
  const referenceId = await uploadReferenceId(options.model, path)
  const existing = await findReferenceSet(ch, options.model.name, referenceId)
  const request = { model: options.model.name, version: options.version, referenceId, definition: { kind: 'upload', source: { file: name } } as const, replace: options.replace ?? false, existing }
  if (existing !== undefined) return { ...(await storeReference(ch, request)), ignoredColumns: [] }

  const source = await openFileSource(ch, path, format)
  try {
    const columns: FileColumn[] = family === 'arrow' ? await readArrowColumns(path, name) : await describeCsvOrParquet(ch, source, family, path)
    const plan = planColumns(options.model, columns, name)
    const expectedRows = await checkValues(ch, source, plan, name, FORMAT_NAMES[family])
    const select = rowSelect(plan, source.table, source.settings)
    const insertRows = async (): Promise<void> => {
      try {
        await ch.client.command({
          query: `INSERT INTO reference_rows (${REFERENCE_ROW_COLUMNS.join(', ')}) ${select.query}`,
          query_params: { ...source.params, ...select.params, rr_id: referenceId },
        })
      } catch (error) {
        // The file passed every check, so this is the engine's failure, not the file's; rows stored so far
        // have no recorded set and the next attempt clears them.
        throw new ModelwatchError('CLICKHOUSE_QUERY_FAILED', `storing the rows of ${name} failed: ${firstLine(error)}`, { cause: error })
      }
    }
    const result = await storeReference(ch, { ...request, insertRows, expectedRows })
    return { ...result, ignoredColumns: plan.ignored }
  } finally {
    await source.close()
  }
}

/** DESCRIBE, except that a CSV of only a header says so (ClickHouse cannot infer columns without a row). */
async function describeCsvOrParquet(ch: ClickHouse, source: FileSource, family: FileFamily, path: string): Promise<FileColumn[]> {
  try {
    return await describeColumns(ch, source, family, basename(path))
  } catch (error) {
    if (family === 'csv' && (await readHead(path, 64 * 1024)).toString('utf8').split(/\r?\n/).filter((line) => line.trim() !== '').length <= 1) {
      throw new ModelwatchError('USAGE', `reference file ${basename(path)} has no rows (only a header)`)
    }
    throw error
  }
}

async function assertFile(path: string): Promise<void> {
  let info
  try {
    info = await stat(path)
  } catch {
    throw new ModelwatchError('USAGE', `reference file ${path} does not exist or cannot be read`)
  }
  if (!info.isFile()) throw new ModelwatchError('USAGE', `reference file ${path} is not a regular file`)
  if (info.size === 0) throw new ModelwatchError('USAGE', `reference file ${basename(path)} is empty`)
}

