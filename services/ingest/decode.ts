/**
 * Turns one Kafka message value into a validated event, or a `Rejection` saying why it cannot be one.
 * Accepted encodings: the Confluent wire format (magic byte 0, 4-byte schema id, then Avro or JSON Schema
 * payload) decoded through the registry, and plain JSON objects. Whatever the encoding, the decoded value
 * passes the same zod contract.
 *
 * A registry that cannot be reached is not the message's fault: that failure is thrown (retriable), so the
 * offset stays uncommitted; only a registry that answers "no such schema" rejects the message.
 */
import type { z } from 'zod'
import { eventSchemas, type EventKind, type GroundTruthEvent, type PredictionEvent } from '../core/events/contracts.js'
import { fastGroundTruth, fastPrediction } from '../core/events/fast-validate.js'
import { ModelwatchError } from '../core/errors.js'
import { registryStatus, type SchemaRegistry } from '../core/kafka/schema-registry.js'
import type { Rejection, RejectReason } from './reject-reasons.js'

export type EventOf<K extends EventKind> = K extends 'prediction' ? PredictionEvent : GroundTruthEvent
export type Decoded<K extends EventKind> =
  | { ok: true; event: EventOf<K> }
  | { ok: false; rejection: Rejection }

export interface DecodeOptions {
  registry: SchemaRegistry | undefined
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
  if (value === null || value.length === 0) return reject('empty_message', 'message value is empty')
  if (value.length > options.maxEventBytes) {
    return reject('oversized', `message is ${value.length} bytes, the limit is ${options.maxEventBytes}`)
  }
  const first = firstNonSpace(value)
  let raw: unknown
  if (first === WIRE_MAGIC_BYTE) {
    const decoded = await decodeWireFormat(value, options.registry)
    if ('rejection' in decoded) return { ok: false, rejection: decoded.rejection }
    raw = decoded.value
  } else if (first === OPEN_BRACE) {
    const text = value.toString('utf8')
    try {
      raw = JSON.parse(text)
    } catch (error) {
      return /\b(NaN|Infinity)\b/.test(text)
        ? reject('non_finite_number', 'JSON contains NaN or Infinity, which are not numbers in JSON')
        : reject('invalid_json', (error as Error).message)
    }
  } else {
    return reject('bad_magic_byte', `first byte is 0x${value[0]?.toString(16).padStart(2, '0')}, expected 0x00 (Confluent wire format) or '{' (JSON)`)
  }
  return validate(kind, raw)
}

function validate<K extends EventKind>(kind: K, raw: unknown): Decoded<K> {
  // The fast check accepts exactly what zod accepts; zod runs only to explain a refusal.
  const fast = kind === 'prediction' ? fastPrediction(raw) : fastGroundTruth(raw)
  if (fast !== undefined) return { ok: true, event: fast as EventOf<K> }
  const schema: z.ZodType = eventSchemas[kind]
  const parsed = schema.safeParse(raw)
  if (parsed.success) return { ok: true, event: parsed.data as EventOf<K> }
  const model = modelOf(raw)
  const nonFinite = findNonFinite(raw, [])
  if (nonFinite !== undefined) return reject('non_finite_number', `${nonFinite} is not a finite number`, model)
  const issue = parsed.error.issues[0]
  const path = issue?.path.join('.') || '(root)'
  let reason: RejectReason = 'invalid_value'
  if (issue?.code === 'invalid_type') reason = valueAt(raw, issue.path) === undefined ? 'missing_field' : 'wrong_type'
  return reject(reason, `${path}: ${issue?.message ?? 'invalid'}`, model)
}

async function decodeWireFormat(value: Buffer, registry: SchemaRegistry | undefined): Promise<{ value: unknown } | { rejection: Rejection }> {
  if (value.length < WIRE_HEADER_BYTES) return { rejection: rejection('bad_magic_byte', 'wire-format message shorter than its 5-byte header') }
  const schemaId = value.readInt32BE(1)
  if (registry === undefined) {
    return { rejection: rejection('unknown_schema_id', `schema id ${schemaId}: no SCHEMA_REGISTRY_URL is configured`) }
  }
  try {
    await registry.getSchema(schemaId)
  } catch (error) {
    const status = registryStatus(error)
    if (status === 404) return { rejection: rejection('unknown_schema_id', `schema id ${schemaId} is not in the registry`) }
    throw new ModelwatchError('SCHEMA_REGISTRY_UNAVAILABLE', `schema registry lookup of id ${schemaId} failed`, { retriable: true, cause: error })
  }
  try {
    return { value: await registry.decode(value) }
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

/** The path of the first NaN or ±Infinity in a decoded value (Avro doubles can carry them; JSON cannot). */
function findNonFinite(node: unknown, path: string[]): string | undefined {
  if (typeof node === 'number') return Number.isFinite(node) ? undefined : path.join('.') || '(root)'
  if (typeof node !== 'object' || node === null) return undefined
  for (const [key, child] of Object.entries(node)) {
    const found = findNonFinite(child, [...path, key])
    if (found !== undefined) return found
  }
  return undefined
}
