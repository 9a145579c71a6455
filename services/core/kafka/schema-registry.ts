/**
 * The one schema-registry client factory (Confluent API; Apicurio serves it under /apis/ccompat/v7).
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import type { Config } from '../config.js'

export type RegistrySettings = NonNullable<Config['registry']>
export type { SchemaRegistry }

/**
 * @example
 * const registry = createSchemaRegistry({ url: 'http://127.0.0.1:8081/apis/ccompat/v7', auth: undefined })
 */
export function createSchemaRegistry(settings: RegistrySettings): SchemaRegistry {
  return new SchemaRegistry({ host: settings.url, auth: settings.auth, clientId: 'modelwatch', retry: { retries: 2 } })
}

/** The HTTP status of a registry response error (the client attaches it), or undefined for network failures. */
export function registryStatus(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number') return error.status
  return undefined
}
