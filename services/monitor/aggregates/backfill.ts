/**
 * Backfill of the per-minute numeric bins: predictions stored before a version's edges existed never went
 * through the materialized view with them, so they are binned here from the raw rows (each event once, FINAL).
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { bucketSql } from './bucket-sql.js'

export interface BackfillTarget {
  model: string
  version: string
  referenceId: string
  /** Rows ingested before this moment ('YYYY-MM-DD hh:mm:ss.sss', UTC) are binned; later ones went through the view. */
  before: string
}

/**
 * Bins the version's predictions ingested before `target.before` against the reference's edges into minute_counts.
 *
 * @example
 * await backfillNumericBins(ch, { model: 'churn', version: '3', referenceId: 'ab12…', before: '2026-11-26 20:00:00.000' })
 */
export async function backfillNumericBins(ch: ClickHouse, target: BackfillTarget): Promise<void> {
  await ch.client.command({
    query: `
      INSERT INTO minute_counts (model, model_version, minute, column, reference_id, bucket, n)
      SELECT p.model, p.model_version, toStartOfMinute(p.timestamp) AS minute, p.column, e.reference_id, ${bucketSql('p.value', 'e.edges', 'e.lo', 'e.hi')} AS bucket, count()
      FROM (
        SELECT model, model_version, timestamp, kv.1 AS column, assumeNotNull(kv.2) AS value
        FROM predictions FINAL
        ARRAY JOIN numeric_features AS kv
        WHERE model = {model:String} AND model_version = {version:String}
          AND ingested_at < toDateTime64({before:String}, 3, 'UTC')
          AND kv.2 IS NOT NULL AND isFinite(assumeNotNull(kv.2))
      ) AS p
      INNER JOIN (SELECT column, reference_id, edges, lo, hi FROM reference_edges FINAL WHERE model = {model:String} AND version = {version:String} AND reference_id = {ref:String}) AS e
        ON e.column = p.column
      GROUP BY p.model, p.model_version, minute, p.column, e.reference_id, bucket`,
    query_params: { model: target.model, version: target.version, ref: target.referenceId, before: target.before },
    // a backfill block that happens to equal an earlier block must not be dropped as a retry
    clickhouse_settings: { insert_deduplicate: 0 },
  })
}
