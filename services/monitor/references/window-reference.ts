/**
 * `defineWindowReference`: a fixed past window of one model version's production data, copied into
 * `reference_rows`. It is a snapshot: predictions through FINAL (each event once) with their labels as of now
 * (core/events/prediction-labels.ts); later merges, late events or late labels do not change it.
 * The id is a hash of the definition (model, version, window), so defining the same window again is a no-op
 * and keeps the first snapshot: a reference is never silently replaced.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { ModelwatchError } from '../../core/errors.js'
import { predictionLabelsSql } from '../../core/events/prediction-labels.js'
import type { ModelSpec } from '../models/model-spec.js'
import { definitionReferenceId } from './reference-id.js'
import { findReferenceSet } from './reference-sets.js'
import { REFERENCE_ROW_COLUMNS } from './row-sql.js'
import { storeReference, type ReferenceResult } from './store-reference.js'
import { checkWindow } from './window-definition.js'

export interface WindowReferenceOptions {
  model: ModelSpec
  version: string
  /** Inclusive start. */
  from: Date
  /** Exclusive end; must be in the past. */
  to: Date
  replace?: boolean
  /** The current time, for the "in the past" check (tests pass their own). */
  now?: Date
}

const WINDOW_FILTER = `model = {model:String} AND model_version = {version:String}
  AND timestamp >= fromUnixTimestamp64Milli({from_ms:Int64}, 'UTC') AND timestamp < fromUnixTimestamp64Milli({to_ms:Int64}, 'UTC')`

/**
 * Snapshots the window as a reference of the version; refuses a window with no predictions.
 *
 * @example
 * await defineWindowReference(ch, { model, version: '3', from: new Date('2026-03-01Z'), to: new Date('2026-03-08Z') })
 */
export async function defineWindowReference(ch: ClickHouse, options: WindowReferenceOptions): Promise<ReferenceResult> {
  const { model, version, from, to } = options
  checkWindow(from, to, options.now ?? new Date())
  const definition = { kind: 'window', source: { version, from: from.toISOString(), to: to.toISOString() } } as const
  const referenceId = definitionReferenceId({ kind: 'window', model: model.name, ...definition.source })
  const params = { model: model.name, version, from_ms: from.getTime(), to_ms: to.getTime() }
  const existing = await findReferenceSet(ch, model.name, referenceId)

  if (existing === undefined) {
    const result = await ch.client.query({ query: `SELECT count() AS n FROM predictions FINAL WHERE ${WINDOW_FILTER}`, query_params: params, format: 'JSONEachRow' })
    const [row] = await result.json<{ n: number }>()
    if (Number(row?.n ?? 0) === 0) {
      throw new ModelwatchError('USAGE', `no predictions of ${model.name} version ${version} from ${definition.source.from} to ${definition.source.to}; a window reference needs production data`)
    }
  }
  const insertRows = async (): Promise<void> => {
    await ch.client.command({
      query: `
        INSERT INTO reference_rows (${REFERENCE_ROW_COLUMNS.join(', ')})
        SELECT {rr_id:String}, p.numeric_features, p.categorical_features, p.score, p.probabilities, p.predicted_class, p.value, l.label_class, l.label_value
        FROM (SELECT * FROM predictions FINAL WHERE ${WINDOW_FILTER}) AS p
        LEFT JOIN (${predictionLabelsSql('model', `SELECT event_id FROM predictions WHERE ${WINDOW_FILTER}`)}) AS l ON l.event_id = p.event_id`,
      query_params: { ...params, rr_id: referenceId },
    })
  }
  return storeReference(ch, { model: model.name, version, referenceId, definition, replace: options.replace ?? false, existing, insertRows })
}
