/**
 * Reference ids: the first 16 hex digits of a sha256, so the same content always gets the same id and a
 * different content a different one. `reference_rows` is keyed by id alone (the monitor reads it that way),
 * so an id must also fix how the content became rows: an upload hashes the model's name, task and features
 * with the file's bytes (the same file for another model, or after the model's features changed, is another
 * reference), a window or rolling reference hashes its definition.
 */
import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import type { ModelSpec } from '../models/model-spec.js'

const ID_LENGTH = 16

function shortHex(hash: Hash): string {
  return hash.digest('hex').slice(0, ID_LENGTH)
}

/**
 * What of a model decides how an uploaded file becomes rows.
 *
 * @example
 * uploadPreamble({ name: 'churn', task: 'regression', features: [{ name: 'x', kind: 'numeric' }] })
 * // 'upload\0{"model":"churn","task":"regression","features":[["x","numeric"]]}\0'
 */
export function uploadPreamble(model: Pick<ModelSpec, 'name' | 'task' | 'features'>): string {
  return `upload\0${JSON.stringify({ model: model.name, task: model.task, features: model.features.map((f) => [f.name, f.kind]) })}\0`
}

/**
 * The id of an upload: sha256 of the model preamble then the file's bytes, read as a stream.
 *
 * @example
 * const id = await uploadReferenceId(model, '/data/train.parquet') // '3f9c0a1b2c3d4e5f'
 */
export async function uploadReferenceId(model: Pick<ModelSpec, 'name' | 'task' | 'features'>, path: string): Promise<string> {
  const hash = createHash('sha256').update(uploadPreamble(model))
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return shortHex(hash)
}

/**
 * The id of a definition (a window or a rolling reference): sha256 of its canonical JSON (keys sorted).
 *
 * @example
 * definitionReferenceId({ kind: 'rolling', model: 'churn', windows: 7 })
 */
export function definitionReferenceId(definition: Record<string, string | number>): string {
  const canonical = JSON.stringify(Object.fromEntries(Object.entries(definition).sort(([a], [b]) => a.localeCompare(b))))
  return shortHex(createHash('sha256').update(canonical))
}
