/**
 * `defineRollingReference`: "the previous N windows before the current one", of the version being
 * monitored. It has no rows: the monitor resolves it when it computes a window (see `referenceKind`). The id
 * is a hash of (model, N), so every version of a model with the same N shares one rolling reference.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import type { ModelSpec } from '../models/model-spec.js'
import { definitionReferenceId } from './reference-id.js'
import { findReferenceSet } from './reference-sets.js'
import { storeReference, type ReferenceResult } from './store-reference.js'
import { checkRollingWindows } from './window-definition.js'

export interface RollingReferenceOptions {
  model: ModelSpec
  version: string
  /** How many windows before the current one form the reference. */
  windows: number
  replace?: boolean
}

/**
 * Records the rolling reference (once per model and N) and assigns it to the version.
 *
 * @example
 * await defineRollingReference(ch, { model, version: '3', windows: 7 })
 */
export async function defineRollingReference(ch: ClickHouse, options: RollingReferenceOptions): Promise<ReferenceResult> {
  checkRollingWindows(options.windows)
  const definition = { kind: 'rolling', source: { windows: options.windows } } as const
  const referenceId = definitionReferenceId({ kind: 'rolling', model: options.model.name, windows: options.windows })
  const existing = await findReferenceSet(ch, options.model.name, referenceId)
  return storeReference(ch, { model: options.model.name, version: options.version, referenceId, definition, replace: options.replace ?? false, existing })
}
