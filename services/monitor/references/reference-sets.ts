/**
 * The `reference_sets` table (migration 002): one row per reference of a model, keyed by (model, id).
 * Rows are only ever added; a reference id, being a hash of its content, is never redefined.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { ModelwatchError } from '../../core/errors.js'
import { parseDefinition, sourceText, type ReferenceDefinition } from './reference-kind.js'

export interface ReferenceSet {
  referenceId: string
  model: string
  definition: ReferenceDefinition
  rowCount: number
  /** ISO 8601, UTC. */
  createdAt: string
}

interface SetRow {
  reference_id: string
  model: string
  kind: string
  source: string
  row_count: number
  created_at: string
}

const fromRow = (row: SetRow): ReferenceSet => ({
  referenceId: row.reference_id,
  model: row.model,
  definition: parseDefinition(row.kind, row.source),
  rowCount: Number(row.row_count),
  createdAt: row.created_at,
})

/**
 * The set with this id for this model, if one was recorded.
 *
 * @example
 * const existing = await findReferenceSet(ch, 'churn', referenceId) // undefined the first time
 */
export async function findReferenceSet(ch: ClickHouse, model: string, referenceId: string): Promise<ReferenceSet | undefined> {
  const result = await ch.client.query({
    query: 'SELECT * FROM reference_sets FINAL WHERE model = {model:String} AND reference_id = {id:String}',
    query_params: { model, id: referenceId },
    format: 'JSONEachRow',
  })
  const [row] = await result.json<SetRow>()
  return row === undefined ? undefined : fromRow(row)
}

/**
 * Records a set; called once its rows (if any) are stored, so a recorded set always has all of them.
 *
 * @example
 * await recordReferenceSet(ch, { referenceId, model: 'churn', definition: { kind: 'rolling', source: { windows: 7 } }, rowCount: 0 })
 */
export async function recordReferenceSet(ch: ClickHouse, set: { referenceId: string; model: string; definition: ReferenceDefinition; rowCount: number }): Promise<void> {
  await ch.client.insert({
    table: 'reference_sets',
    values: [{ reference_id: set.referenceId, model: set.model, kind: set.definition.kind, source: sourceText(set.definition), row_count: set.rowCount }],
    format: 'JSONEachRow',
  })
}

/**
 * What a reference is, for the monitor: an upload or a fixed window (read its rows from `reference_rows`)
 * or a rolling reference (`source.windows` windows before the one being computed). Throws a USAGE error
 * for an unknown id.
 *
 * @example
 * const { kind, source } = await referenceKind(ch, '3f9c0a1b2c3d4e5f')
 * if (kind === 'rolling') console.log(source.windows)
 */
export async function referenceKind(ch: ClickHouse, referenceId: string): Promise<ReferenceDefinition> {
  const result = await ch.client.query({
    query: 'SELECT kind, source FROM reference_sets FINAL WHERE reference_id = {id:String} LIMIT 1',
    query_params: { id: referenceId },
    format: 'JSONEachRow',
  })
  const [row] = await result.json<{ kind: string; source: string }>()
  if (row === undefined) throw new ModelwatchError('USAGE', `no reference ${referenceId}`)
  return parseDefinition(row.kind, row.source)
}

export interface ListedReference extends ReferenceSet {
  /** The versions that currently compare against this reference (their latest assignment). */
  versions: string[]
}

/**
 * Every reference of a model, oldest first, with the versions currently assigned to each.
 *
 * @example
 * for (const ref of await listReferences(ch, 'churn')) console.log(ref.referenceId, ref.versions)
 */
export async function listReferences(ch: ClickHouse, model: string): Promise<ListedReference[]> {
  const result = await ch.client.query({
    query: `
      SELECT s.*, v.versions AS versions
      FROM (SELECT * FROM reference_sets FINAL WHERE model = {model:String}) AS s
      LEFT JOIN
      (
        SELECT reference_id, arraySort(groupArray(version)) AS versions
        FROM (SELECT version, argMax(reference_id, assigned_at) AS reference_id FROM model_versions WHERE model = {model:String} GROUP BY version)
        GROUP BY reference_id
      ) AS v ON v.reference_id = s.reference_id
      ORDER BY s.created_at, s.reference_id`,
    query_params: { model },
    format: 'JSONEachRow',
  })
  return (await result.json<SetRow & { versions: string[] }>()).map((row) => ({ ...fromRow(row), versions: row.versions }))
}
