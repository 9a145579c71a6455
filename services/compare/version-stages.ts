/**
 * Lifecycle stages of model versions (migration 008): shadow (scored on mirrored traffic, not served),
 * challenger (serves a share of traffic; "canary" is accepted as its other name), production (the champion),
 * archived. Every change is appended with who, when and why; nothing is overwritten, so the history answers
 * "who promoted this, and why". One version is in production at a time: promoting one archives the one before,
 * in the same call, with a reason naming its successor. With a `challengers` bound, a version entering shadow or
 * challenger is refused (LIMIT_EXCEEDED) while that many others are there: each is compared every closed window.
 */
import { z } from 'zod'
import type { ClickHouse } from '../core/clickhouse/client.js'
import { isNetworkError, ModelwatchError } from '../core/errors.js'
import { ensureRoom, type Bound } from '../core/limits.js'
import { CHALLENGER_STAGES } from './comparison-plan.js'

export const STAGES = ['shadow', 'challenger', 'production', 'archived'] as const
export type Stage = (typeof STAGES)[number]

/** A stage as written by a person: one of STAGES, or canary for challenger. */
export const stageSchema = z
  .enum([...STAGES, 'canary'], { error: `stage must be one of ${STAGES.join(', ')} (or canary, the same as challenger)` })
  .transform((s): Stage => (s === 'canary' ? 'challenger' : s))

export const stageChangeSchema = z.object({
  stage: stageSchema,
  reason: z.string().trim().min(1, 'a reason is needed: say why the stage changes').max(2000),
})

export interface StageChange {
  model: string
  version: string
  stage: Stage
  /** The API token's name or cli:<user>; never a secret. */
  changedBy: string
  reason: string
}

export interface StageRecord extends StageChange {
  changedAt: string
}

interface StageRow {
  model: string
  version: string
  stage: Stage
  changed_by: string
  reason: string
  changed_at: string
}

/**
 * Appends a stage change and returns it as stored. A change to production also archives every other version
 * that was in production (same time, same author, reason `replaced by version <v> in production: <reason>`).
 *
 * @example
 * await recordStage(ch, { model: 'churn', version: '4', stage: 'challenger', changedBy: 'ci', reason: 'retrained on November data' })
 */
export async function recordStage(ch: ClickHouse, change: StageChange, options: { now?: number; challengers?: Bound } = {}): Promise<StageRecord> {
  const now = options.now ?? Date.now()
  if (options.challengers !== undefined && CHALLENGER_STAGES.includes(change.stage)) {
    const there = [...(await currentStages(ch, change.model)).values()].filter((r) => CHALLENGER_STAGES.includes(r.stage))
    ensureRoom(options.challengers, there.length, there.some((r) => r.version === change.version) ? 0 : 1)
  }
  const replaced = change.stage !== 'production' ? []
    : [...(await currentStages(ch, change.model)).values()].filter((r) => r.stage === 'production' && r.version !== change.version)
  const row = (version: string, stage: Stage, reason: string) => ({ model: change.model, version, stage, changed_by: change.changedBy, reason, changed_at: now })
  const values = [
    ...replaced.map((r) => row(r.version, 'archived', `replaced by version ${change.version} in production: ${change.reason}`)),
    row(change.version, change.stage, change.reason),
  ]
  // DateTime64(3) takes a JSON integer as milliseconds; one insert, so no reader sees two versions in production
  await ch.client.insert({ table: 'version_stages', values, format: 'JSONEachRow' })
  return { ...change, changedAt: new Date(now).toISOString() }
}

/**
 * The current stage of each version of a model that has one (the latest change), by version.
 *
 * @example
 * (await currentStages(ch, 'churn')).get('4')?.stage // 'challenger'
 */
export async function currentStages(ch: ClickHouse, model: string): Promise<Map<string, StageRecord>> {
  const rows = await query(ch, `
    SELECT model, version, latest.1 AS stage, latest.2 AS changed_by, latest.3 AS reason, latest.4 AS changed_at
    FROM (
      -- aliases other than the columns' names: an alias equal to a column would feed one aggregate into another
      SELECT model, version, argMax((stage, changed_by, reason, changed_at), changed_at) AS latest
      FROM version_stages WHERE model = {model:String} GROUP BY model, version
    ) ORDER BY version`, { model })
  return new Map(rows.map((r) => [r.version, fromRow(r)]))
}

/**
 * Every stage change of one version, oldest first.
 *
 * @example
 * await stageHistory(ch, 'churn', '4')
 */
export async function stageHistory(ch: ClickHouse, model: string, version: string): Promise<StageRecord[]> {
  const rows = await query(ch, `
    SELECT model, version, stage, changed_by, reason, changed_at FROM version_stages
    WHERE model = {model:String} AND version = {version:String} ORDER BY changed_at`, { model, version })
  return rows.map(fromRow)
}

async function query(ch: ClickHouse, sql: string, params: Record<string, unknown>): Promise<StageRow[]> {
  try {
    return await (await ch.client.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json<StageRow>()
  } catch (error) {
    throw new ModelwatchError('CLICKHOUSE_QUERY_FAILED', `reading version stages failed: ${error instanceof Error ? error.message : String(error)}`, { retriable: isNetworkError(error), cause: error })
  }
}

function fromRow(r: StageRow): StageRecord {
  return { model: r.model, version: r.version, stage: r.stage, changedBy: r.changed_by, reason: r.reason, changedAt: r.changed_at }
}
