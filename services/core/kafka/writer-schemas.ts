/**
 * Writer schemas by id, for decoding the Confluent wire format: fetched from the registry, compiled once
 * (Avro with bounded reads, JSON Schema of any supported draft) and cached.
 *
 * What a lookup can end in, decided by the HTTP status and the registry's error code, never by a message:
 *  - the schema, ready to decode with;
 *  - `not_found`: the registry answered "no such schema" (404 with Confluent's error code 40403), or the id
 *    cannot be one (ids are positive). The message is at fault;
 *  - `unusable`: the registry has the schema but it cannot be used (does not parse or compile, a type other
 *    than AVRO or JSON, references). Schemas never change under an id, so this is cached like a success;
 *  - a thrown retriable `SCHEMA_REGISTRY_UNAVAILABLE`: no answer (refused, reset, timed out), 5xx, 408, 429,
 *    401/403 (our credentials), or an answer that is not the Confluent API (a 404 without its error code,
 *    a body that is not a schema). Not the message's fault: the caller retries it.
 */
import type avro from 'avsc'
import { z } from 'zod'
import { ModelwatchError } from '../errors.js'
import { avroType } from './avro-type.js'
import { compileJsonSchema, type ValidateFunction } from './json-schema.js'
import type { RegistrySettings } from './schema-registry.js'

export type WriterSchema = { id: number; type: 'AVRO'; avro: avro.Type } | { id: number; type: 'JSON'; validate: ValidateFunction }

export type SchemaLookup =
  | { ok: true; schema: WriterSchema }
  | { ok: false; problem: 'not_found' | 'unusable'; detail: string }

export interface WriterSchemas {
  /** The schema registered under `id`; throws a retriable `SCHEMA_REGISTRY_UNAVAILABLE` when the registry cannot say. */
  get(id: number): Promise<SchemaLookup>
}

export interface WriterSchemaOptions {
  /** How long one request may take before the registry counts as unreachable. */
  timeoutMs?: number
  /** Told after every request whether the registry answered (true) or could not be used (false, with why). */
  onReachability?: (reachable: boolean, error?: unknown) => void
}

/** Confluent's error code for "schema not found" (Apicurio's compatibility API answers it too). */
const SCHEMA_NOT_FOUND = 40403
const DEFAULT_TIMEOUT_MS = 5_000

const schemaResponse = z.object({
  schema: z.string(),
  schemaType: z.string().optional(),
  references: z.array(z.unknown()).optional(),
})
const errorResponse = z.object({ error_code: z.number() })

/**
 * @example
 * const schemas = createWriterSchemas({ url: 'http://127.0.0.1:8081', auth: undefined })
 * const found = await schemas.get(value.readInt32BE(1))
 * if (found.ok && found.schema.type === 'AVRO') found.schema.avro.fromBuffer(value.subarray(5))
 */
export function createWriterSchemas(settings: RegistrySettings, options: WriterSchemaOptions = {}): WriterSchemas {
  const base = settings.url.replace(/\/+$/, '')
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const headers: Record<string, string> = { accept: 'application/vnd.schemaregistry.v1+json, application/json' }
  if (settings.auth !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${settings.auth.username}:${settings.auth.password}`).toString('base64')}`
  }
  /** Settled lookups that cannot change (found, unusable) and lookups in flight (shared by concurrent callers). */
  const cache = new Map<number, Promise<SchemaLookup>>()

  const unavailable = (id: number, why: string, cause?: unknown): ModelwatchError => {
    const error = new ModelwatchError('SCHEMA_REGISTRY_UNAVAILABLE', `schema registry lookup of id ${id}: ${why}`, { retriable: true, cause })
    options.onReachability?.(false, error)
    return error
  }

  async function fetchSchema(id: number): Promise<SchemaLookup> {
    let response: Response
    let body: unknown
    try {
      response = await fetch(`${base}/schemas/ids/${id}`, { headers, signal: AbortSignal.timeout(timeoutMs) })
      body = await response.json().catch(() => undefined)
    } catch (error) {
      throw unavailable(id, 'no answer', error)
    }
    if (response.status === 404) {
      if (errorResponse.safeParse(body).data?.error_code !== SCHEMA_NOT_FOUND) {
        throw unavailable(id, 'HTTP 404 without the Confluent API\'s "schema not found" code: is SCHEMA_REGISTRY_URL the base of a Confluent-compatible API?')
      }
      options.onReachability?.(true)
      return { ok: false, problem: 'not_found', detail: `schema id ${id} is not in the registry` }
    }
    if (!response.ok) throw unavailable(id, `HTTP ${response.status}`)
    const found = schemaResponse.safeParse(body)
    if (!found.success) throw unavailable(id, 'the answer is not a schema')
    options.onReachability?.(true)
    return compile(id, found.data)
  }

  async function lookup(id: number): Promise<SchemaLookup> {
    if (!Number.isInteger(id) || id <= 0) return { ok: false, problem: 'not_found', detail: `schema id ${id} cannot be a registry id (they are positive)` }
    const cached = cache.get(id)
    if (cached !== undefined) return cached
    const pending = fetchSchema(id)
    cache.set(id, pending)
    try {
      const result = await pending
      if (!result.ok && result.problem === 'not_found') cache.delete(id)
      return result
    } catch (error) {
      cache.delete(id)
      throw error
    }
  }

  return { get: lookup }
}

function compile(id: number, found: z.infer<typeof schemaResponse>): SchemaLookup {
  const type = found.schemaType ?? 'AVRO'
  const unusable = (why: string): SchemaLookup => ({ ok: false, problem: 'unusable', detail: `schema id ${id} (${type}): ${why}` })
  if ((found.references?.length ?? 0) > 0) return unusable('schemas with references are not supported')
  if (type === 'AVRO') {
    try {
      return { ok: true, schema: { id, type, avro: avroType(found.schema) } }
    } catch (error) {
      return unusable(`not a valid Avro schema: ${(error as Error).message}`)
    }
  }
  if (type === 'JSON') {
    try {
      return { ok: true, schema: { id, type, validate: compileJsonSchema(found.schema) } }
    } catch (error) {
      if (error instanceof ModelwatchError && error.code === 'SCHEMA_UNUSABLE') return unusable(error.message)
      throw error
    }
  }
  return unusable('modelwatch decodes AVRO and JSON schemas only')
}
