/**
 * What kind of values a file column holds, from either type system that describes it: ClickHouse's (what
 * `DESCRIBE file(...)` reports for CSV and Parquet) or Arrow's (the schema apache-arrow reads from an IPC
 * file). The column checks only ever look at this category, so every format is judged by the same rules.
 */
import { DataType, type Field } from 'apache-arrow'

/**
 * - `float`: may hold NaN or Infinity, so its values are checked
 * - `integer`, `decimal`, `bool`: numbers that are always finite (bool reads as 0/1)
 * - `string`: typed text
 * - `text`: CSV cells, untyped; numbers are parsed and checked value by value
 * - `other`: anything else (dates, lists, binary, ...), accepted for no role
 */
export type ColumnCategory = 'float' | 'integer' | 'decimal' | 'bool' | 'string' | 'text' | 'other'

export interface FileColumn {
  name: string
  /** The type as its type system spells it, for error messages. */
  type: string
  category: ColumnCategory
}

/**
 * The category of a ClickHouse type, looking through Nullable and LowCardinality.
 *
 * @example
 * clickHouseCategory('Nullable(Decimal(18, 2))') // 'decimal'
 */
export function clickHouseCategory(type: string): ColumnCategory {
  let inner = type.trim()
  for (let wrapped = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(inner); wrapped !== null; wrapped = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(inner)) {
    inner = wrapped[1] ?? ''
  }
  if (/^U?Int(8|16|32|64|128|256)$/.test(inner)) return 'integer'
  if (/^(B?Float(16|32|64))$/.test(inner)) return 'float'
  if (/^Decimal(32|64|128|256)?\(/.test(inner)) return 'decimal'
  if (inner === 'Bool') return 'bool'
  if (inner === 'String' || /^Enum(8|16)?\(/.test(inner)) return 'string'
  return 'other'
}

/**
 * The category of an Arrow field's type: Int*, Float*, Decimal, Bool, and Utf8 / LargeUtf8 or a
 * dictionary of either for strings.
 *
 * @example
 * arrowCategory(new Field('plan', new Dictionary(new Utf8(), new Int32()))) // 'string'
 */
export function arrowCategory(field: Field): ColumnCategory {
  const type = field.type as DataType
  if (DataType.isInt(type)) return 'integer'
  if (DataType.isFloat(type)) return 'float'
  if (DataType.isDecimal(type)) return 'decimal'
  if (DataType.isBool(type)) return 'bool'
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return 'string'
  if (DataType.isDictionary(type) && (DataType.isUtf8(type.dictionary) || DataType.isLargeUtf8(type.dictionary))) return 'string'
  return 'other'
}

/**
 * File columns from an Arrow schema's fields.
 *
 * @example
 * arrowColumns(reader.schema.fields) // [{ name: 'plan', type: 'Dictionary<Int32, Utf8>', category: 'string' }]
 */
export function arrowColumns(fields: readonly Field[]): FileColumn[] {
  return fields.map((field) => ({ name: field.name, type: String(field.type), category: arrowCategory(field) }))
}
