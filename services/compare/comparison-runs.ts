/**
 * The champion/challenger comparisons that run by themselves, after each monitor pass (services/monitor/main.ts,
 * before the alert rules): for every model with a production version and shadow or challenger versions, once per
 * closed window of the model (comparison-plan.ts), compare each challenger with the champion over the period
 * since its stage began (all traffic, segment ''), write one row per metric to comparison_results, and, when
 * MODELWATCH_AUTO_PROMOTE is on and the sequential test concluded, change the stages (auto-promote.ts).
 * The comparison monitors (`compare:<metric>`, services/alerting) then read those rows.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import { isNetworkError, ModelwatchError } from '../core/errors.js'
import type { Logger } from '../core/logger.js'
import { listModels } from '../monitor/models/registry.js'
import { autoStageChange } from './auto-promote.js'
import { compareVersions } from './compare-versions.js'
import { comparisonRows, concludedOf } from './comparison-rows.js'
import { dueComparisons, pairKey, type DueComparison } from './comparison-plan.js'
import { currentStages, type StageRecord } from './version-stages.js'

export interface ComparisonRunOptions {
  log: Logger
  now?: () => number
  /** MODELWATCH_AUTO_PROMOTE: change stages when the sequential test concludes. Off unless true. */
  autoPromote?: boolean
}

export interface ComparisonRunSummary {
  /** Comparisons computed and written (one per due champion/challenger pair). */
  evaluated: number
  /** Of those, the ones whose sequential test has concluded (better or worse). */
  concluded: number
  stageChanges: StageRecord[]
  /** `model:champion→challenger` of comparisons that failed; the others still ran. */
  failed: string[]
  ms: number
}

/**
 * @example
 * const { evaluated, stageChanges } = await runComparisons(ch, { log, autoPromote: config.compare.autoPromote })
 */
export async function runComparisons(ch: ClickHouse, options: ComparisonRunOptions): Promise<ComparisonRunSummary> {
  const started = performance.now()
  const now = (options.now ?? Date.now)()
  const log = options.log.child({ component: 'comparisons' })
  const summary: ComparisonRunSummary = { evaluated: 0, concluded: 0, stageChanges: [], failed: [], ms: 0 }
  for (const model of await listModels(ch)) {
    const stages = await currentStages(ch, model.name)
    if (![...stages.values()].some((r) => r.stage === 'production')) continue
    const due = dueComparisons({ model: model.name, stages, lastEvaluated: await lastEvaluated(ch, model.name), windowSeconds: model.default_window, now })
    for (const d of due) {
      try {
        await runOne(ch, d, now, options.autoPromote === true, summary, log)
      } catch (error) {
        // One failing pair must not keep the others from being compared; the next closed window tries it again.
        log.error({ err: error, model: d.model, champion: d.champion, challenger: d.challenger }, 'comparison failed')
        summary.failed.push(`${d.model}:${d.champion}→${d.challenger}`)
      }
    }
  }
  summary.ms = Math.round(performance.now() - started)
  if (summary.evaluated + summary.failed.length > 0) {
    log.info({ evaluated: summary.evaluated, concluded: summary.concluded, stageChanges: summary.stageChanges.length, failed: summary.failed.length, ms: summary.ms }, 'comparisons finished')
  }
  return summary
}

async function runOne(ch: ClickHouse, d: DueComparison, now: number, autoPromote: boolean, summary: ComparisonRunSummary, log: Logger): Promise<void> {
  const report = await compareVersions(ch, { model: d.model, a: d.champion, b: d.challenger, from: d.from, to: d.to, segment: '', paired: 'auto' })
  await ch.insertJsonEachRow('comparison_results', comparisonRows(report, now), {})
  summary.evaluated++
  const concluded = concludedOf(report)
  log.info({ model: d.model, champion: d.champion, challenger: d.challenger, paired: report.paired, metric: report.sequential.metric, state: report.sequential.state, pValue: report.sequential.pValue }, 'comparison written')
  if (concluded === '') return
  summary.concluded++
  if (!autoPromote) return
  const change = await autoStageChange(ch, report, now)
  if (change === undefined) return
  summary.stageChanges.push(change)
  log.info({ model: change.model, version: change.version, stage: change.stage, changedBy: change.changedBy }, 'stage changed automatically')
}

/** The latest period_end written per champion/challenger pair of the model (all traffic). */
async function lastEvaluated(ch: ClickHouse, model: string): Promise<Map<string, number>> {
  try {
    const result = await ch.client.query({
      query: `SELECT champion, challenger, toUnixTimestamp64Milli(max(period_end)) AS last FROM comparison_results
        WHERE model = {model:String} AND segment = '' GROUP BY champion, challenger`,
      query_params: { model },
      format: 'JSONEachRow',
    })
    const rows = await result.json<{ champion: string; challenger: string; last: number }>()
    return new Map(rows.map((r) => [pairKey(r.champion, r.challenger), Number(r.last)]))
  } catch (error) {
    throw new ModelwatchError('CLICKHOUSE_QUERY_FAILED', `reading the last comparisons of ${model} failed: ${error instanceof Error ? error.message : String(error)}`, { retriable: isNetworkError(error), cause: error })
  }
}
