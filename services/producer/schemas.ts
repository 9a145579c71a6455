/**
 * The Avro contracts from `schemas/events/*.avsc`, read once, for producers that register them.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PACKAGE_ROOT } from '../core/package-root.js'

const read = (file: string): AvroRecordSchema =>
  JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schemas', 'events', file), 'utf8')) as AvroRecordSchema

export interface AvroRecordSchema {
  type: 'record'
  name: string
  namespace?: string
  fields: { name: string; type: unknown; default?: unknown; doc?: string }[]
  doc?: string
}

export const predictionAvroSchema: AvroRecordSchema = read('prediction.avsc')
export const groundTruthAvroSchema: AvroRecordSchema = read('ground-truth.avsc')
