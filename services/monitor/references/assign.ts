/**
 * Which reference a model version compares against (`model_versions`, append-only: the latest assignment
 * wins, history stays). A version with no reference gets one; a version that has a different one keeps it
 * unless the caller explicitly replaces it, so a reference is never switched silently.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { ModelwatchError } from '../../core/errors.js'
import { describeDefinition, parseDefinition, type ReferenceDefinition } from './reference-kind.js'

export interface CurrentAssignment {
  referenceId: string
  assignedAt: string
  /** Undefined if the assigned id has no recorded set (not written by this code). */
  definition: ReferenceDefinition | undefined
  /** Rows stored for the reference (0 for a rolling one, which has none). */
  rowCount: number
  createdAt: string | undefined
}

/**
 * Every version's latest assignment with what it points at, in one query (a monitor pass needs them all).
 *
 * @example
 * const assignments = await currentAssignments(ch, 'churn') // Map { '3' => { referenceId: '3f9c...', ... } }
 */
export async function currentAssignments(ch: ClickHouse, model: string): Promise<Map<string, CurrentAssignment>> {
  return assignments(ch, model, undefined)
}

/**
 * The reference each version of a model is compared against: the latest assignment per version.
 *
 * @example
 * await versionReferences(ch, 'churn') // Map { '3' => '3f9c0a1b2c3d4e5f' }
 */
export async function versionReferences(ch: ClickHouse, model: string): Promise<Map<string, string>> {
  return new Map([...(await currentAssignments(ch, model))].map(([version, a]) => [version, a.referenceId]))
}

/**
 * The version's latest assignment with what it points at, or undefined when it has none.
 *
 * @example
 * const current = await currentAssignment(ch, 'churn', '3') // { referenceId: '3f9c...', definition: { kind: 'upload', ... }, ... }
 */
export async function currentAssignment(ch: ClickHouse, model: string, version: string): Promise<CurrentAssignment | undefined> {
  return (await assignments(ch, model, version)).get(version)
}

async function assignments(ch: ClickHouse, model: string, version: string | undefined): Promise<Map<string, CurrentAssignment>> {
  const result = await ch.client.query({
    query: `
      SELECT a.version AS version, a.current_id AS reference_id, a.latest AS assigned_at,
             s.kind AS kind, s.source AS source, s.row_count AS row_count, s.created_at AS created_at
      FROM
      (
        SELECT version, argMax(reference_id, assigned_at) AS current_id, max(assigned_at) AS latest
        FROM model_versions
        WHERE model = {model:String} AND ({all_versions:Bool} OR version = {version:String})
        GROUP BY version
      ) AS a
      LEFT JOIN (SELECT * FROM reference_sets FINAL WHERE model = {model:String}) AS s ON s.reference_id = a.current_id
      SETTINGS join_use_nulls = 1`,
    query_params: { model, version: version ?? '', all_versions: version === undefined },
    format: 'JSONEachRow',
  })
  type Row = { version: string; reference_id: string; assigned_at: string; kind: string | null; source: string | null; row_count: number | null; created_at: string | null }
  const rows = await result.json<Row>()
  return new Map(
    rows.map((row) => [
      row.version,
      {
        referenceId: row.reference_id,
        assignedAt: row.assigned_at,
        definition: row.kind === null || row.source === null ? undefined : parseDefinition(row.kind, row.source),
        rowCount: Number(row.row_count ?? 0),
        createdAt: row.created_at ?? undefined,
      },
    ]),
  )
}

export type AssignmentDecision = { assign: false } | { assign: true; previous: string | undefined }

/**
 * Whether to append an assignment of `referenceId`; throws the "pass --replace" USAGE error when the version
 * already compares against a different reference and `replace` is not set.
 *
 * @example
 * decideAssignment(undefined, 'abc', false, { model: 'churn', version: '3' }) // { assign: true, previous: undefined }
 */
export function decideAssignment(current: CurrentAssignment | undefined, referenceId: string, replace: boolean, target: { model: string; version: string }): AssignmentDecision {
  if (current === undefined) return { assign: true, previous: undefined }
  if (current.referenceId === referenceId) return { assign: false }
  if (!replace) {
    throw new ModelwatchError(
      'USAGE',
      `version ${target.version} of ${target.model} already compares against reference ${current.referenceId} (${describeCurrent(current)}); pass --replace to switch`,
    )
  }
  return { assign: true, previous: current.referenceId }
}

function describeCurrent(current: CurrentAssignment): string {
  const when = current.createdAt ?? current.assignedAt
  if (current.definition === undefined) return `assigned ${current.assignedAt}`
  if (current.definition.kind === 'upload') return `uploaded ${when} from ${current.definition.source.file}`
  return `${describeDefinition(current.definition)}, defined ${when}`
}

/**
 * Appends an assignment. Its time is now, or 1 ms after the version's previous assignment if the clock has
 * not moved past it, so "the latest assignment wins" never meets a tie.
 *
 * @example
 * await appendAssignment(ch, { model: 'churn', version: '3', referenceId: 'abc', note: 'upload train.csv' })
 */
export async function appendAssignment(ch: ClickHouse, row: { model: string; version: string; referenceId: string; note: string }): Promise<void> {
  await ch.client.command({
    query: `
      INSERT INTO model_versions (model, version, reference_id, assigned_at, note)
      SELECT {model:String}, {version:String}, {id:String},
             greatest(now64(3, 'UTC'), (SELECT max(assigned_at) FROM model_versions WHERE model = {model:String} AND version = {version:String}) + toIntervalMillisecond(1)),
             {note:String}`,
    query_params: { model: row.model, version: row.version, id: row.referenceId, note: row.note },
  })
}
