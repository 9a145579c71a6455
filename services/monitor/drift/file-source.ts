/**
 * Two data files (CSV with a header, Parquet, or Arrow IPC / Feather v2) as a DriftSource, for
 * `modelwatch drift`. The files are loaded into two tables of the engine once, the common columns are found,
 * each is classified numeric or categorical, and the source unpivots them into the long drift relation.
 * File paths and column names reach SQL only as query parameters ({path:String}, {c0:Identifier}).
 */
import { resolve } from 'node:path'
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { UsageError } from '../../core/errors.js'
import { assertPlainPath, clickHouseFormat, fileFamily, readHead, type ClickHouseFormat } from '../references/file-format.js'
import type { DriftColumn, DriftSource } from '../sql-source.js'

export type Side = 'reference' | 'current'
const TABLES: Readonly<Record<Side, string>> = { reference: 'drift_reference', current: 'drift_current' }

// One statement per format, so the format is never spliced into SQL. CSV is read as text in every column (no
// type guessing from the first rows); numbers are recognised below, over all the values.
const LOAD_SQL: Readonly<Record<ClickHouseFormat, string>> = {
  CSVWithNames: "SELECT * FROM file({path:String}, 'CSVWithNames')",
  Parquet: "SELECT * FROM file({path:String}, 'Parquet')",
  Arrow: "SELECT * FROM file({path:String}, 'Arrow')",
  ArrowStream: "SELECT * FROM file({path:String}, 'ArrowStream')",
}
const CSV_AS_TEXT = { input_format_csv_use_best_effort_in_schema_inference: 0 } as const

export interface FileColumn {
  name: string
  type: string
}

/**
 * Copies a file into a Memory table of the engine (TABLES[side]) and returns its columns and types.
 * A file that cannot be read is a UsageError naming it, with ClickHouse's reason in one line.
 *
 * @example
 * const columns = await loadFile(ch, 'reference', 'ref.csv')
 */
export async function loadFile(ch: ClickHouse, side: Side, path: string): Promise<FileColumn[]> {
  assertPlainPath(path)
  const format = clickHouseFormat(fileFamily(path), await readHead(path), path)
  const table = TABLES[side]
  const params = { table, path: resolve(path) }
  try {
    await ch.client.command({ query: 'DROP TABLE IF EXISTS {table:Identifier}', query_params: { table } })
    try {
      await ch.client.command({
        query: `CREATE TABLE {table:Identifier} ENGINE = Memory AS ${LOAD_SQL[format]}`,
        query_params: params,
        clickhouse_settings: format === 'CSVWithNames' ? CSV_AS_TEXT : {},
      })
    } catch (error) {
      // A CSV file with a header and no rows (an empty window) has no rows to infer a structure from.
      if (format !== 'CSVWithNames' || !(await createFromHeaderOnly(ch, params))) throw error
    }
    const result = await ch.client.query({ query: 'DESCRIBE TABLE {table:Identifier}', query_params: { table }, format: 'JSONEachRow' })
    return (await result.json<{ name: string; type: string }>()).map(({ name, type }) => ({ name, type }))
  } catch (error) {
    throw new UsageError(`cannot read the ${side} file ${path} as ${format === 'CSVWithNames' ? 'CSV with a header' : format}: ${firstLine(error)}`)
  }
}

/** When the CSV file is a header line only: an empty table with its columns, as text. False when it is not. */
async function createFromHeaderOnly(ch: ClickHouse, params: { table: string; path: string }): Promise<boolean> {
  const result = await ch.client.query({
    query: "SELECT * FROM file({path:String}, 'CSV') LIMIT 2",
    query_params: params,
    format: 'JSONCompactEachRow',
    clickhouse_settings: CSV_AS_TEXT,
  })
  const lines = await result.json<(string | null)[]>()
  const header = lines[0]
  if (lines.length !== 1 || header === undefined || header.some((name) => name === null)) return false
  const columns = header.map((_, i) => `CAST(NULL AS Nullable(String)) AS {c${i}:Identifier}`).join(', ')
  await ch.client.command({
    query: `CREATE TABLE {table:Identifier} ENGINE = Memory AS SELECT ${columns} LIMIT 0`,
    query_params: { table: params.table, ...Object.fromEntries(header.map((name, i) => [`c${i}`, name])) },
  })
  return true
}

/** ClickHouse's message, first line, without the "Code: NN. DB::Exception:" prefix and the trailing error name. */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const line = (message.split('\n')[0] ?? '').replace(/^Code: \d+\. DB::Exception: /, '').replace(/\s*\([A-Z_]+\)\s*$/, '').trim()
  return line.length > 300 ? `${line.slice(0, 297)}...` : line
}

/** Integer, float and decimal columns (possibly Nullable or LowCardinality) hold numbers by type. */
function isNumericType(type: string): boolean {
  const inner = type.replace(/^(LowCardinality|Nullable)\((.*)\)$/, '$2').replace(/^(LowCardinality|Nullable)\((.*)\)$/, '$2')
  return /^(U?Int(8|16|32|64|128|256)|Float(32|64)|BFloat16|Decimal(32|64|128|256)?\(.*\))$/.test(inner)
}

/**
 * The SQL of one column's value as number and as category, referring to it as {cN:Identifier}:
 * - typed numeric: the number itself (NaN and ±Inf are dropped as missing by the drift queries);
 * - anything else: its text, blank (empty or whitespace) = missing; as a number, the trimmed text parsed.
 */
function valueSql(index: number, type: string): { num: string; cat: string; nonNumeric: string } {
  const column = `{c${index}:Identifier}`
  if (isNumericType(type)) {
    return {
      num: `toFloat64(${column})`,
      cat: `if(isFinite(ifNull(toFloat64(${column}), nan)), toString(${column}), NULL)`,
      nonNumeric: '0',
    }
  }
  const text = `toString(${column})`
  const blank = `(${column} IS NULL OR trimBoth(${text}) = '')`
  return {
    num: `toFloat64OrNull(trimBoth(${text}))`,
    cat: `if(${blank}, NULL, ${text})`,
    nonNumeric: `countIf(NOT ${blank} AND NOT isFinite(ifNull(toFloat64OrNull(trimBoth(${text})), nan)))`,
  }
}

export interface LoadedFiles {
  /** Columns in both files, in the reference file's order. */
  common: string[]
  onlyReference: string[]
  onlyCurrent: string[]
  types: Record<Side, Map<string, string>>
}

/**
 * Loads both files and compares their columns. No column in common is a UsageError.
 *
 * @example
 * const files = await loadFiles(ch, { reference: 'ref.parquet', current: 'cur.csv' })
 */
export async function loadFiles(ch: ClickHouse, paths: Record<Side, string>): Promise<LoadedFiles> {
  const reference = await loadFile(ch, 'reference', paths.reference)
  const current = await loadFile(ch, 'current', paths.current)
  const types = { reference: new Map(reference.map((c) => [c.name, c.type])), current: new Map(current.map((c) => [c.name, c.type])) }
  const common = reference.map((c) => c.name).filter((name) => types.current.has(name))
  if (common.length === 0) {
    throw new UsageError(`the reference file ${paths.reference} and the current file ${paths.current} have no column in common`)
  }
  return {
    common,
    onlyReference: reference.map((c) => c.name).filter((name) => !types.current.has(name)),
    onlyCurrent: current.map((c) => c.name).filter((name) => !types.reference.has(name)),
    types,
  }
}

const identifierParams = (names: string[]): Record<string, string> => Object.fromEntries(names.map((name, i) => [`c${i}`, name]))

/**
 * Numeric when every non-blank value of the column, in both files, is a finite number (or the column is numeric
 * by type); otherwise categorical. `forceCategorical` names columns to treat as categorical regardless.
 *
 * @example
 * const columns = await classifyColumns(ch, files, new Set(['zip_code']))
 */
export async function classifyColumns(ch: ClickHouse, files: LoadedFiles, forceCategorical: ReadonlySet<string> = new Set()): Promise<DriftColumn[]> {
  const nonNumeric = new Array<number>(files.common.length).fill(0)
  for (const side of ['reference', 'current'] as const) {
    const counts = files.common.map((name, i) => valueSql(i, files.types[side].get(name) ?? 'String').nonNumeric)
    const result = await ch.client.query({
      query: `SELECT [${counts.map((c) => `toUInt64(${c})`).join(', ')}] AS __non_numeric FROM {table:Identifier}`,
      query_params: { table: TABLES[side], ...identifierParams(files.common) },
      format: 'JSONEachRow',
    })
    const [row] = await result.json<{ __non_numeric: number[] }>()
    row?.__non_numeric.forEach((n, i) => (nonNumeric[i] = (nonNumeric[i] ?? 0) + n))
  }
  return files.common.map((name, i) => ({
    name,
    kind: forceCategorical.has(name) || (nonNumeric[i] ?? 0) > 0 ? 'categorical' : 'numeric',
  }))
}

/**
 * The long drift relation over both loaded tables: one row per (side, column, file row).
 *
 * @example
 * const report = await computeDrift(ch, fileDriftSource(files, columns), columns)
 */
export function fileDriftSource(files: LoadedFiles, columns: DriftColumn[]): DriftSource {
  const sideSql = (side: Side, sideNumber: number): string => {
    const tuples = columns.map((column, i) => {
      const value = valueSql(i, files.types[side].get(column.name) ?? 'String')
      const num = column.kind === 'numeric' ? value.num : 'NULL'
      const cat = column.kind === 'categorical' ? value.cat : 'NULL'
      return `tuple({n${i}:String}, CAST(${num} AS Nullable(Float64)), CAST(${cat} AS Nullable(String)))`
    })
    // The file's columns are read in an inner query whose only alias cannot clash with them: in the outer one,
    // a file column named like an output (side, column, num, cat) would resolve to the alias instead.
    return `SELECT toUInt8(${sideNumber}) AS side, kv.1 AS column, kv.2 AS num, kv.3 AS cat
      FROM (SELECT [${tuples.join(', ')}] AS __drift_values FROM ${TABLES[side]}) ARRAY JOIN __drift_values AS kv`
  }
  const params: Record<string, unknown> = identifierParams(columns.map((c) => c.name))
  columns.forEach((column, i) => (params[`n${i}`] = column.name))
  return { sql: `${sideSql('reference', 0)}\nUNION ALL\n${sideSql('current', 1)}`, params }
}
