/**
 * Avro types for decoding bytes nobody vouches for. avsc reads a map or array block count and then loops
 * that many times, reading "silently" past the end of the buffer and checking only at the end: five
 * hostile bytes (a count of 2^31) keep the event loop busy for minutes. Here map and array blocks are read
 * by types that refuse a count larger than the bytes left (each entry takes at least one byte), so decoding
 * any message costs at most its size.
 */
import avro from 'avsc'

/** The part of avsc's internal Tap (lib/utils.js) a block read uses. */
interface Tap {
  buf: Buffer
  pos: number
  readLong(): number
  skipLong(): void
  readString(): string
  _invalidate(): void
}

interface Readable {
  _read(tap: Tap): unknown
}

/** Arrays of zero-width items (nulls, empty records) cannot be bounded by size; this bounds them by count. */
const MAX_ZERO_WIDTH_ITEMS = 1_000_000

/** The next block's entry count, or 0 at the end; a count that cannot fit in the bytes left invalidates the tap. */
function blockCount(tap: Tap, minWidth: number): number {
  let n = tap.readLong()
  if (n < 0) {
    n = -n
    tap.skipLong()
  }
  const limit = minWidth === 0 ? MAX_ZERO_WIDTH_ITEMS : (tap.buf.length - tap.pos) / minWidth
  if (n > limit) {
    tap._invalidate()
    return 0
  }
  return n
}

class BoundedMapType extends avro.types.MapType {
  _read(tap: Tap): Record<string, unknown> {
    const values = this.valuesType as Readable
    const value: Record<string, unknown> = {}
    // An entry is at least its key's length byte.
    for (let n = blockCount(tap, 1); n > 0; n = blockCount(tap, 1)) {
      while (n-- > 0) {
        const key = tap.readString()
        value[key] = values._read(tap)
      }
    }
    return value
  }
}

class BoundedArrayType extends avro.types.ArrayType {
  _read(tap: Tap): unknown[] {
    const items = this.itemsType as unknown as Readable
    const width = minWidth(this.itemsType)
    const value: unknown[] = []
    for (let n = blockCount(tap, width); n > 0; n = blockCount(tap, width)) {
      while (n-- > 0) value.push(items._read(tap))
    }
    return value
  }
}

/** The fewest bytes a value of `type` takes: 0 for null and for records of zero-width fields. */
function minWidth(type: avro.Type): number {
  if (type.typeName === 'null') return 0
  if (type instanceof avro.types.FixedType) return type.size
  if (type instanceof avro.types.RecordType) return type.fields.reduce((sum, field) => sum + minWidth(field.type), 0)
  return 1
}

function typeHook(schema: avro.Schema, options: avro.ForSchemaOptions): avro.Type | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined
  const { type } = schema as { type?: unknown }
  if (type === 'map') return new BoundedMapType(schema, options)
  if (type === 'array') return new BoundedArrayType(schema, options)
  return undefined
}

/**
 * Parses an Avro schema (object or JSON text) into a type whose `fromBuffer` is safe on hostile input.
 * Throws avsc's error when the schema is invalid.
 *
 * @example
 * const type = avroType(readFileSync('schemas/events/prediction.avsc', 'utf8'))
 * const event = type.fromBuffer(payload) // throws on truncated or trailing bytes, never loops
 */
export function avroType(schema: string | object): avro.Type {
  const parsed: unknown = typeof schema === 'string' ? JSON.parse(schema) : schema
  return avro.Type.forSchema(parsed as avro.Schema, { typeHook })
}

/** avsc options for @kafkajs/confluent-schema-registry's AVRO schemas, so its decoding is bounded too. */
export const boundedAvroOptions: Partial<avro.ForSchemaOptions> = { typeHook }
