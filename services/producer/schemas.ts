/**
 * The contracts from `schemas/events/` (Avro `*.avsc`, JSON Schema `*.schema.json`), read once, for
 * producers that register them.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PACKAGE_ROOT } from '../core/package-root.js'

const text = (file: string): string => readFileSync(join(PACKAGE_ROOT, 'schemas', 'events', file), 'utf8')
const read = (file: string): AvroRecordSchema => JSON.parse(text(file)) as AvroRecordSchema

export interface AvroRecordSchema {
  type: 'record'
  name: string
  namespace?: string
  fields: { name: string; type: unknown; default?: unknown; doc?: string }[]
  doc?: string
}

export const predictionAvroSchema: AvroRecordSchema = read('prediction.avsc')
export const groundTruthAvroSchema: AvroRecordSchema = read('ground-truth.avsc')
/**
 * The JSON Schema contracts as the files' text (draft 2020-12), registered byte for byte as other producers
 * (examples/python) register the same files, so the registry sees one schema, not two spellings of it.
 */
export const predictionJsonSchema: string = text('prediction.schema.json')
export const groundTruthJsonSchema: string = text('ground-truth.schema.json')
