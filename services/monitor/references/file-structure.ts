/**
 * Whether a data file is built as its format says, from its first and last bytes, before any reader sees it:
 * a garbage or truncated file is refused with one sentence saying what is wrong with it, instead of whatever a
 * reader trips over inside (apache-arrow's "Cannot read properties of null", a length of −2147483648).
 *
 *  - Parquet starts and ends with `PAR1` (the footer sits before the final magic);
 *  - the Arrow IPC file format starts with `ARROW1` + 2 padding bytes and ends with the footer's length and
 *    `ARROW1`;
 *  - the Arrow IPC stream format starts with its schema message: 0xFFFFFFFF, the metadata length (older
 *    writers leave out the 0xFFFFFFFF), then that many bytes;
 *  - CSV is text: no NUL byte and valid UTF-8 in its first 64 KiB.
 */
import { open } from 'node:fs/promises'
import { ModelwatchError } from '../../core/errors.js'
import type { ClickHouseFormat } from './file-format.js'

const PARQUET_MAGIC = Buffer.from('PAR1')
const ARROW_MAGIC = Buffer.from('ARROW1')
const CONTINUATION = 0xffffffff
const TEXT_PROBE = 64 * 1024

/**
 * Throws a USAGE error naming `label` (e.g. "reference file train.arrow") and what is wrong, when the file is
 * not built as `format` says.
 *
 * @example
 * await checkFileStructure('/tmp/upload.arrow', 'ArrowStream', 'reference file upload.arrow')
 * // throws: reference file upload.arrow is not an Arrow IPC file or stream: it starts with neither ARROW1 (the file format) nor a stream's schema message
 */
export async function checkFileStructure(path: string, format: ClickHouseFormat, label: string): Promise<void> {
  const handle = await open(path)
  try {
    const { size } = await handle.stat()
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - position)))
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position)
      return buffer.subarray(0, bytesRead)
    }
    const problem = structureProblem(format, size, await read(0, format === 'CSVWithNames' ? TEXT_PROBE : 8), await read(Math.max(0, size - 10), 10))
    if (problem !== undefined) throw new ModelwatchError('USAGE', `${label} ${problem}`)
  } finally {
    await handle.close()
  }
}

/**
 * What is wrong with a file of `size` bytes that starts with `head` and ends with `tail` (its last 10 bytes), or
 * undefined when its structure is as `format` says.
 *
 * @example
 * structureProblem('Parquet', 1500, Buffer.from('PAR1....'), Buffer.from('..........'))
 * // 'is truncated or damaged: a Parquet file ends with its footer and PAR1, this one does not'
 */
export function structureProblem(format: ClickHouseFormat, size: number, head: Buffer, tail: Buffer): string | undefined {
  switch (format) {
    case 'Parquet':
      if (!head.subarray(0, 4).equals(PARQUET_MAGIC)) return 'is not a Parquet file: it does not start with PAR1'
      if (size < 12 || !tail.subarray(-4).equals(PARQUET_MAGIC)) return 'is truncated or damaged: a Parquet file ends with its footer and PAR1, this one does not'
      return undefined
    case 'Arrow': {
      if (size < 18 || !tail.subarray(-6).equals(ARROW_MAGIC)) return 'is truncated or damaged: an Arrow IPC file ends with its footer and ARROW1, this one does not'
      const footer = tail.readInt32LE(0)
      if (footer <= 0 || footer > size - 18) return `is damaged: its Arrow IPC footer length (${footer}) does not fit in the file`
      return undefined
    }
    case 'ArrowStream': {
      const continued = head.length >= 4 && head.readUInt32LE(0) === CONTINUATION
      const prefix = continued ? 8 : 4
      const length = head.length >= prefix ? head.readInt32LE(prefix - 4) : -1
      if (length <= 0 || prefix + length > size) return 'is not an Arrow IPC file or stream: it starts with neither ARROW1 (the file format) nor a stream\'s schema message'
      return undefined
    }
    case 'CSVWithNames':
      return textProblem(head, size > head.length)
  }
}

/** NUL bytes or invalid UTF-8 in CSV's first bytes; `more` when the file goes on (a character may be cut at the end). */
function textProblem(head: Buffer, more: boolean): string | undefined {
  const nul = head.indexOf(0)
  if (nul >= 0) return `is not CSV text: it holds binary data (a NUL byte at offset ${nul})`
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: more })
  } catch {
    return 'is not CSV text in UTF-8: it holds byte sequences that are not UTF-8; save it as UTF-8 CSV'
  }
  return undefined
}
