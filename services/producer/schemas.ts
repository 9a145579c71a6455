/**
 * The contracts from `schemas/events/` (Avro `*.avsc`, JSON Schema `*.schema.json`), read once, for
 * producers that register them.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PACKAGE_ROOT } from '../core/package-root.js'

const read = <T>(file: string): T => JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schemas', 'events', file), 'utf8')) as T

export interface AvroRecordSchema {
  type: 'record'
  name: string
  namespace?: string
  fields: { name: string; type: unknown; default?: unknown; doc?: string }[]
  doc?: string
}

/** A JSON Schema document (draft 2020-12 for the shipped contracts). */
export type JsonSchemaDocument = Record<string, unknown>

export const predictionAvroSchema: AvroRecordSchema = read('prediction.avsc')
export const groundTruthAvroSchema: AvroRecordSchema = read('ground-truth.avsc')
export const predictionJsonSchema: JsonSchemaDocument = read('prediction.schema.json')
export const groundTruthJsonSchema: JsonSchemaDocument = read('ground-truth.schema.json')
