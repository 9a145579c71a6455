/**
 * The last steps every kind of reference shares, in an order that keeps the tables consistent:
 * 1. decide the assignment (a conflict without `replace` is refused before anything is written);
 * 2. for a new set: store its rows, check they are all there, then record the set (a set is only ever
 *    recorded complete; rows left by an interrupted attempt, which has no set, are cleared first);
 * 3. append the assignment.
 * A set already recorded for the model is never written again: same content, same id, a no-op.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { ModelwatchError } from '../../core/errors.js'
import { appendAssignment, currentAssignment, decideAssignment } from './assign.js'
import { describeDefinition, type ReferenceDefinition } from './reference-kind.js'
import { recordReferenceSet, type ReferenceSet } from './reference-sets.js'

export interface ReferenceResult {
  referenceId: string
  /** Rows in the reference (0 for a rolling reference). */
  rows: number
  /** False when the same reference was already stored for the model. */
  created: boolean
  /** True when this call made the version compare against the reference. */
  assigned: boolean
  /** The reference the version compared against before, when `replace` switched it. */
  replaced?: string
}

export interface StoreRequest {
  model: string
  version: string
  referenceId: string
  definition: ReferenceDefinition
  replace: boolean
  /** The set as already recorded for the model, if it is. */
  existing: ReferenceSet | undefined
  /** Inserts the rows (tagged with referenceId); absent for a rolling reference, which has none. */
  insertRows?: () => Promise<void>
  /** How many rows insertRows must store; checked after the insert when given. */
  expectedRows?: number
}

/**
 * Stores (if new) and assigns a reference.
 *
 * @example
 * const result = await storeReference(ch, { model: 'churn', version: '3', referenceId, definition, replace: false, existing, insertRows })
 */
export async function storeReference(ch: ClickHouse, request: StoreRequest): Promise<ReferenceResult> {
  const { model, version, referenceId, definition } = request
  const decision = decideAssignment(await currentAssignment(ch, model, version), referenceId, request.replace, { model, version })

  let rows = request.existing?.rowCount ?? 0
  if (request.existing === undefined) {
    if (request.insertRows !== undefined) {
      await clearRows(ch, referenceId)
      await request.insertRows()
      rows = await countRows(ch, referenceId)
      // Only two uploads of the same new content at the same moment (two processes on one server) can get
      // here. The set is not recorded, so the next attempt clears these rows and stores them once.
      if (request.expectedRows !== undefined && rows !== request.expectedRows) {
        throw new ModelwatchError('CLICKHOUSE_QUERY_FAILED', `reference ${referenceId}: ${rows} rows were stored but ${request.expectedRows} were read (was the same file uploaded twice at once?); the reference was not recorded, try again`)
      }
    }
    await recordReferenceSet(ch, { referenceId, model, definition, rowCount: rows })
  }

  if (decision.assign) {
    const note = `${describeDefinition(definition)}${decision.previous === undefined ? '' : `; replaces ${decision.previous}`}`
    await appendAssignment(ch, { model, version, referenceId, note })
  }
  return {
    referenceId,
    rows,
    created: request.existing === undefined,
    assigned: decision.assign,
    ...(decision.assign && decision.previous !== undefined ? { replaced: decision.previous } : {}),
  }
}

async function countRows(ch: ClickHouse, referenceId: string): Promise<number> {
  const result = await ch.client.query({ query: 'SELECT count() AS n FROM reference_rows WHERE reference_id = {id:String}', query_params: { id: referenceId }, format: 'JSONEachRow' })
  const [row] = await result.json<{ n: number }>()
  return Number(row?.n ?? 0)
}

/** Deletes rows of a reference that has no recorded set (an interrupted attempt); a no-op when there are none. */
async function clearRows(ch: ClickHouse, referenceId: string): Promise<void> {
  if ((await countRows(ch, referenceId)) === 0) return
  await ch.client.command({ query: 'DELETE FROM reference_rows WHERE reference_id = {id:String}', query_params: { id: referenceId } })
}
