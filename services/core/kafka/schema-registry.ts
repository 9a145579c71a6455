/**
 * The one schema-registry client factory (Confluent API; Apicurio serves it under /apis/ccompat/v7), for
 * registering and encoding. Ingest reads writer schemas through writer-schemas.ts instead, which can tell
 * an unreachable registry from a schema that is missing or unusable.
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import type { JsonOptions } from '@kafkajs/confluent-schema-registry/dist/@types.js'
import type { Config } from '../config.js'
import { boundedAvroOptions } from './avro-type.js'
import { registryJsonValidator } from './json-schema.js'

export type RegistrySettings = NonNullable<Config['registry']>
export type { SchemaRegistry }

/**
 * JSON schemas compile with modelwatch's validator (draft 2020-12 included: the library's own ajv 7 cannot
 * compile the shipped contracts), Avro with bounded reads.
 *
 * @example
 * const registry = createSchemaRegistry({ url: 'http://127.0.0.1:8081/apis/ccompat/v7', auth: undefined })
 */
export function createSchemaRegistry(settings: Pick<RegistrySettings, 'url'> & { auth?: RegistrySettings['auth'] }, clientId = 'modelwatch'): SchemaRegistry {
  // The library types its slot with its own ajv 7 class; it only ever calls addSchema and compile.
  const ajvInstance = registryJsonValidator() as unknown as JsonOptions['ajvInstance']
  return new SchemaRegistry(
    { host: settings.url, auth: settings.auth, clientId, retry: { retries: 2 } },
    { [SchemaType.AVRO]: boundedAvroOptions, [SchemaType.JSON]: { ajvInstance } },
  )
}

/** The HTTP status of a registry response error (the client attaches it), or undefined for other failures. */
export function registryStatus(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number') return error.status
  return undefined
}
