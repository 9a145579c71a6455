/**
 * Turns one Kafka message value into a validated event, or a `Rejection` saying why it cannot be one.
 * Accepted encodings: the Confluent wire format (magic byte 0, 4-byte schema id, then Avro or JSON Schema
 * payload) decoded through the registry, and plain JSON objects. Whatever the encoding, the decoded value
 * passes the same zod contract.
 *
 * A registry that cannot be reached is not the message's fault: that failure is thrown (retriable), so the
 * offset stays uncommitted. A registry that answers "no such schema" rejects the message as
 * `unknown_schema_id`; a schema it has but that cannot be used (see core/kafka/writer-schemas.ts), as
 * `unusable_schema`. A JSON Schema payload must satisfy both the contract and its writer schema.
 */
import type { z } from 'zod'
import { eventSchemas, type EventKind, type GroundTruthEvent, type PredictionEvent } from '../core/events/contracts.js'
import { fastGroundTruth, fastPrediction } from '../core/events/fast-validate.js'
import { describeError, isRetriable } from '../core/errors.js'
import type { ValidateFunction } from '../core/kafka/json-schema.js'
import type { WriterSchemas } from '../core/kafka/writer-schemas.js'
import type { Rejection, RejectReason } from './reject-reasons.js'

export type EventOf<K extends EventKind> = K extends 'prediction' ? PredictionEvent : GroundTruthEvent
export type Decoded<K extends EventKind> =
  | { ok: true; event: EventOf<K> }
  | { ok: false; rejection: Rejection }

export interface DecodeOptions {
  registry: WriterSchemas | undefined
  maxEventBytes: number
}

const WIRE_MAGIC_BYTE = 0
const WIRE_HEADER_BYTES = 5
const OPEN_BRACE = 0x7b

/**
 * @example
 * const result = await decodeEvent('prediction', message.value, { registry, maxEventBytes: 65536 })
 * if (!result.ok) deadLetter(message, result.rejection)
 */
export async function decodeEvent<K extends EventKind>(kind: K, value: Buffer | null, options: DecodeOptions): Promise<Decoded<K>> {
  try {
    return await decode(kind, value, options)
  } catch (error) {
    if (isRetriable(error)) throw error
    // A decoder bug must not stop the partition: the message is set aside with its bytes, and the detail says so.
    return reject('decode_failed', `unexpected decoder error: ${describeError(error)}`)
  }
}

async function decode<K extends EventKind>(kind: K, value: Buffer | null, options: DecodeOptions): Promise<Decoded<K>> {
  if (value === null || value.length === 0) return reject('empty_message', 'message value is empty')
  if (value.length > options.maxEventBytes) {
    return reject('oversized', `message is ${value.length} bytes, the limit is ${options.maxEventBytes}`)
  }
  if (value[0] === WIRE_MAGIC_BYTE) {
    const decoded = await decodeWireFormat(value, options.registry)
    if ('rejection' in decoded) return { ok: false, rejection: decoded.rejection }
    const result = validate(kind, decoded.value)
    if (result.ok && decoded.writer !== undefined && !decoded.writer.validate(decoded.value)) {
      const error = decoded.writer.validate.errors?.[0]
      const where = error?.instancePath || '(root)'
      return reject('decode_failed', `schema id ${decoded.writer.id}: the payload does not match its writer schema: ${where} ${error?.message ?? ''}`, modelOf(decoded.value))
    }
    return result
  }
  if (firstNonSpace(value) !== OPEN_BRACE) {
    return reject('bad_magic_byte', `first byte is 0x${value[0]?.toString(16).padStart(2, '0')}, expected 0x00 (Confluent wire format) or '{' (JSON)`)
  }
  const parsed = parseJson(value)
  if ('rejection' in parsed) return { ok: false, rejection: parsed.rejection }
  return validate(kind, parsed.value)
}

function parseJson(bytes: Buffer): { value: unknown } | { rejection: Rejection } {
  const text = bytes.toString('utf8')
  try {
    return { value: JSON.parse(text) }
  } catch (error) {
    return /\b(NaN|Infinity)\b/.test(text)
      ? { rejection: rejection('non_finite_number', 'JSON contains NaN or Infinity, which are not numbers in JSON') }
      : { rejection: rejection('invalid_json', (error as Error).message) }
  }
}

function validate<K extends EventKind>(kind: K, raw: unknown): Decoded<K> {
  // The fast check accepts exactly what zod accepts; zod runs only to explain a refusal.
  const fast = kind === 'prediction' ? fastPrediction(raw) : fastGroundTruth(raw)
  if (fast !== undefined) return { ok: true, event: fast as EventOf<K> }
  const schema: z.ZodType = eventSchemas[kind]
  const parsed = schema.safeParse(raw)
  if (parsed.success) return { ok: true, event: parsed.data as EventOf<K> }
  const model = modelOf(raw)
  const nonFinite = findNonFinite(raw)
  if (nonFinite !== undefined) return reject('non_finite_number', `${nonFinite} is not a finite number`, model)
  const issue = parsed.error.issues[0]
  const path = issue?.path.join('.') || '(root)'
  let reason: RejectReason = 'invalid_value'
  if (issue?.code === 'invalid_type') reason = valueAt(raw, issue.path) === undefined ? 'missing_field' : 'wrong_type'
  return reject(reason, `${path}: ${issue?.message ?? 'invalid'}`, model)
}

interface WireDecoded {
  value: unknown
  /** For a JSON Schema payload: its writer schema, which the value must also satisfy. */
  writer?: { id: number; validate: ValidateFunction }
}

async function decodeWireFormat(value: Buffer, registry: WriterSchemas | undefined): Promise<WireDecoded | { rejection: Rejection }> {
  if (value.length < WIRE_HEADER_BYTES) return { rejection: rejection('bad_magic_byte', 'wire-format message shorter than its 5-byte header') }
  const schemaId = value.readInt32BE(1)
  if (registry === undefined) {
    return { rejection: rejection('unknown_schema_id', `schema id ${schemaId}: no SCHEMA_REGISTRY_URL is configured`) }
  }
  // Throws (retriable) when the registry cannot be reached: the message is not at fault and waits.
  const found = await registry.get(schemaId)
  if (!found.ok) return { rejection: rejection(found.problem === 'not_found' ? 'unknown_schema_id' : 'unusable_schema', found.detail) }
  const payload = value.subarray(WIRE_HEADER_BYTES)
  const writer = found.schema
  if (writer.type === 'JSON') {
    const parsed = parseJson(payload)
    return 'rejection' in parsed ? parsed : { value: parsed.value, writer: { id: writer.id, validate: writer.validate } }
  }
  try {
    return { value: writer.avro.fromBuffer(payload) }
  } catch (error) {
    return { rejection: rejection('decode_failed', `schema id ${schemaId}: ${(error as Error).message}`) }
  }
}

function reject(reason: RejectReason, detail: string, model = ''): { ok: false; rejection: Rejection } {
  return { ok: false, rejection: rejection(reason, detail, model) }
}

function rejection(reason: RejectReason, detail: string, model = ''): Rejection {
  return { reason, detail: detail.slice(0, 1000), model }
}

function firstNonSpace(value: Buffer): number | undefined {
  for (let i = 0; i < value.length; i++) {
    const byte = value[i]
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return byte
  }
  return undefined
}

function modelOf(raw: unknown): string {
  const model = valueAt(raw, ['model'])
  return typeof model === 'string' ? model.slice(0, 256) : ''
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node = raw
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined
    node = (node as Record<PropertyKey, unknown>)[key]
  }
  return node
}

/**
 * The path of the first NaN or ±Infinity in a decoded value (Avro doubles can carry them; JSON cannot).
 * Iterative, and a path is built only for the value found: a JSON nesting bomb within the size limit is
 * tens of thousands of levels deep.
 */
function findNonFinite(root: unknown): string | undefined {
  interface Visit { node: unknown; key: string; parent: Visit | undefined }
  const stack: Visit[] = [{ node: root, key: '', parent: undefined }]
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    const { node } = visit
    if (typeof node === 'number') {
      if (Number.isFinite(node)) continue
      const path: string[] = []
      for (let at: Visit | undefined = visit; at?.parent !== undefined; at = at.parent) path.unshift(at.key)
      return path.join('.') || '(root)'
    }
    if (typeof node !== 'object' || node === null) continue
    const entries = Object.entries(node)
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] as [string, unknown]
      stack.push({ node: child, key, parent: visit })
    }
  }
  return undefined
}
