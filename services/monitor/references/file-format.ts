/**
 * Which ClickHouse input format reads a data file (a reference upload, or `modelwatch drift`'s inputs):
 * chosen by the file's extension, and for Arrow IPC by its first bytes (the IPC *file* format and the IPC *stream* format share extensions in the wild).
 */
import { open } from 'node:fs/promises'
import { basename, extname } from 'node:path'
import { ModelwatchError } from '../../core/errors.js'

/** The family of a reference file; decides how its schema is read and how CSV text is parsed. */
export type FileFamily = 'csv' | 'parquet' | 'arrow'

/** ClickHouse input formats the upload uses. */
export type ClickHouseFormat = 'CSVWithNames' | 'Parquet' | 'Arrow' | 'ArrowStream'

const FAMILIES: Record<string, FileFamily> = {
  '.csv': 'csv',
  '.parquet': 'parquet',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.ipc': 'arrow',
}

/**
 * The file family from the extension (case-insensitive), or a USAGE error listing the known ones.
 *
 * @example
 * fileFamily('/data/train.Parquet') // 'parquet'
 */
export function fileFamily(path: string): FileFamily {
  const family = FAMILIES[extname(path).toLowerCase()]
  if (family === undefined) {
    throw new ModelwatchError('USAGE', `file ${basename(path)}: unknown extension; use .csv, .parquet, or .arrow/.feather/.ipc (Arrow IPC, Feather v2)`)
  }
  return family
}

const ARROW_FILE_MAGIC = Buffer.from('ARROW1')
const FEATHER_V1_MAGIC = Buffer.from('FEA1')

/**
 * The ClickHouse format of a file of the given family. Arrow files are told apart by their first bytes:
 * `ARROW1` opens the IPC file format (Feather v2); anything else is read as the IPC stream format, whose
 * reader then says plainly if it is not one either. Feather v1 (`FEA1`) predates Arrow IPC and is refused.
 *
 * @example
 * clickHouseFormat('arrow', Buffer.from('ARROW1\0\0')) // 'Arrow'
 */
export function clickHouseFormat(family: FileFamily, head: Uint8Array, name = 'file'): ClickHouseFormat {
  switch (family) {
    case 'csv':
      return 'CSVWithNames'
    case 'parquet':
      return 'Parquet'
    case 'arrow': {
      const start = Buffer.from(head.subarray(0, 6))
      if (start.equals(ARROW_FILE_MAGIC)) return 'Arrow'
      if (start.subarray(0, 4).equals(FEATHER_V1_MAGIC)) {
        throw new ModelwatchError('USAGE', `file ${name}: Feather v1 is not supported; save it again as Feather v2 (Arrow IPC), e.g. pyarrow.feather.write_feather(df, path)`)
      }
      return 'ArrowStream'
    }
  }
}

/**
 * ClickHouse's file() expands `*`, `?`, `{a,b}` and `{1..9}` as globs, so such a path could read several
 * files (or none) instead of the one that was hashed; those names are refused rather than guessed at.
 *
 * @example
 * assertPlainPath('/tmp/train.csv') // ok; '/tmp/part-*.csv' throws
 */
export function assertPlainPath(path: string): void {
  if (/[*?{}]/.test(path)) {
    throw new ModelwatchError('USAGE', `file ${path}: names with * ? { or } are not supported (ClickHouse reads them as globs); rename the file`)
  }
}

/** The first `length` bytes of a file (fewer if it is shorter): enough to tell its format. */
export async function readHead(path: string, length = 8): Promise<Buffer> {
  const handle = await open(path)
  try {
    const buffer = Buffer.alloc(length)
    const { bytesRead } = await handle.read(buffer, 0, length, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}
