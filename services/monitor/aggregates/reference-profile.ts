/**
 * A version's reference, prepared for the per-minute aggregates (schemas/clickhouse/004_minute_aggregates.sql):
 * the numeric columns' bin edges (what the materialized view bins new predictions against), the reference's own
 * counts per bin and per category, and a backfill of the predictions that arrived before the edges existed.
 * Only stored references (uploads, fixed windows) have fixed edges; a rolling reference moves with every window
 * and stays on raw rows.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { EDGES_SQL, edgeColumnsSql } from '../drift/numeric.js'
import { backfillNumericBins } from './backfill.js'
import { bucketSql } from './bucket-sql.js'

export interface ProfileTarget {
  model: string
  version: string
  referenceId: string
  numeric: string[]
  categorical: string[]
}

/** Column of reference_counts holding the reference's row count. */
export const REFERENCE_ROWS_COLUMN = '__rows__'

/** Column of reference_edges whose row, written last, says the version's profile from that reference is complete. */
const PROFILE_COLUMN = '__profile__'

/**
 * Prepares the reference of `target` for its version unless that was done to the end before. Returns whether it
 * wrote anything. An interrupted preparation is redone; minutes it backfilled twice then disagree with the raw counts
 * and their windows fall back to raw bins.
 *
 * @example
 * await ensureReferenceProfile(ch, { model: 'churn', version: '3', referenceId: 'ab12…', numeric: ['age'], categorical: ['plan'] })
 */
export async function ensureReferenceProfile(ch: ClickHouse, target: ProfileTarget): Promise<boolean> {
  if (await profileComplete(ch, target)) return false
  const params = { model: target.model, version: target.version, ref: target.referenceId, numeric: target.numeric, categorical: target.categorical }
  // Edges exactly as the raw query computes them: numpy's linear deciles of the sorted non-missing values
  // (+ 0 turns −0 into 0, as the raw query's keys do).
  await ch.client.command({
    query: `
      INSERT INTO reference_edges (model, version, column, reference_id, edges, lo, hi)
      SELECT {model:String}, {version:String}, column, {ref:String}, ${EDGES_SQL}, reference[1], reference[n_reference]
      FROM (
        SELECT *, ${edgeColumnsSql()}
        FROM (
          SELECT column, arraySort(groupArray(value)) AS reference, length(reference) AS n_reference
          FROM (
            SELECT column, assumeNotNull(numeric_features[column]) + 0 AS value
            FROM reference_rows ARRAY JOIN {numeric:Array(String)} AS column
            WHERE reference_id = {ref:String} AND isNotNull(numeric_features[column]) AND isFinite(assumeNotNull(numeric_features[column]))
          )
          GROUP BY column
        )
      )`,
    query_params: params,
  })
  // Everything inserted from here on is binned by the view; everything before by the backfill. A row whose insert
  // straddles this moment may be counted by both, never by neither (the monitor's check catches the former).
  const [{ cutoff } = { cutoff: '' }] = await (await ch.client.query({ query: "SELECT toString(now64(3, 'UTC')) AS cutoff", format: 'JSONEachRow' })).json<{ cutoff: string }>()
  await ch.client.command({
    query: `
      INSERT INTO reference_counts (reference_id, column, bucket, n)
      SELECT {ref:String}, p.column, ${bucketSql('p.value', 'e.edges', 'e.lo', 'e.hi')} AS bucket, count()
      FROM (
        SELECT column, assumeNotNull(numeric_features[column]) AS value
        FROM reference_rows ARRAY JOIN {numeric:Array(String)} AS column
        WHERE reference_id = {ref:String} AND isNotNull(numeric_features[column]) AND isFinite(assumeNotNull(numeric_features[column]))
      ) AS p
      INNER JOIN (SELECT column, edges, lo, hi FROM reference_edges FINAL WHERE model = {model:String} AND version = {version:String} AND reference_id = {ref:String}) AS e
        ON e.column = p.column
      GROUP BY p.column, bucket
      UNION ALL
      SELECT {ref:String}, column, assumeNotNull(categorical_features[column]), count()
      FROM reference_rows ARRAY JOIN {categorical:Array(String)} AS column
      WHERE reference_id = {ref:String} AND isNotNull(categorical_features[column])
      GROUP BY column, categorical_features[column]`,
    query_params: params,
  })
  await ch.client.command({
    query: `INSERT INTO reference_counts (reference_id, column, bucket, n) SELECT {ref:String}, '${REFERENCE_ROWS_COLUMN}', '', count() FROM reference_rows WHERE reference_id = {ref:String}`,
    query_params: params,
  })
  if (target.numeric.length > 0) await backfillNumericBins(ch, { model: target.model, version: target.version, referenceId: target.referenceId, before: cutoff })
  await ch.client.command({
    query: `INSERT INTO reference_edges (model, version, column, reference_id, edges, lo, hi) VALUES ({model:String}, {version:String}, '${PROFILE_COLUMN}', {ref:String}, [], 0, 0)`,
    query_params: params,
  })
  return true
}

/** Whether the version's profile from this reference was written to the end (an interrupted one is written again). */
async function profileComplete(ch: ClickHouse, target: ProfileTarget): Promise<boolean> {
  const result = await ch.client.query({
    query: `
      SELECT argMax(reference_id, written_at) AS profiled FROM reference_edges
      WHERE model = {model:String} AND version = {version:String} AND column = '${PROFILE_COLUMN}'`,
    query_params: { model: target.model, version: target.version },
    format: 'JSONEachRow',
  })
  const [row] = await result.json<{ profiled: string }>()
  return row?.profiled === target.referenceId
}
