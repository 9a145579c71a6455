/**
 * An alert's identity: the same monitor breaching on the same model, version, segment and column is the
 * same alert, whatever its value or window. Stable across restarts and re-evaluations.
 */
import { createHash } from 'node:crypto'

export interface AlertIdentity {
  monitor: string
  model: string
  model_version: string
  segment: string
  column: string
}

/**
 * sha256 over the identity's fields (NUL-separated, so no two identities collide by concatenation), 16 hex digits.
 *
 * @example
 * alertFingerprint({ monitor: 'auc-drop', model: 'churn', model_version: '3', segment: '', column: '' }) // e.g. '5b1f0c9e2a7d4e18'
 */
export function alertFingerprint(id: AlertIdentity): string {
  return createHash('sha256').update([id.monitor, id.model, id.model_version, id.segment, id.column].join('\u0000')).digest('hex').slice(0, 16)
}
