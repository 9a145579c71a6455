/**
 * Which champion/challenger comparisons are due: for a model with a production version (the champion; the
 * most recently promoted when several are), every shadow or challenger version is compared once per closed
 * window of the model, over the period since its stage began. Not on every monitor pass: a comparison reads
 * every row since the challenger started, and a window that has not closed adds nothing final. Pure.
 */
import type { StageRecord } from './version-stages.js'

export interface DueComparison {
  model: string
  champion: string
  challenger: string
  /** When the challenger's current stage began, ms since the epoch. */
  from: number
  /** The end of the model's latest closed window, ms since the epoch. */
  to: number
}

export interface PlanInput {
  model: string
  stages: ReadonlyMap<string, StageRecord>
  /** The latest period_end already written per `${champion}\t${challenger}`, ms since the epoch. */
  lastEvaluated: ReadonlyMap<string, number>
  windowSeconds: number
  now: number
}

/** The versions a comparison is run for while they are in one of these stages. */
export const CHALLENGER_STAGES: readonly string[] = ['shadow', 'challenger']

/**
 * @example
 * dueComparisons({ model: 'churn', stages, lastEvaluated: new Map(), windowSeconds: 3600, now: Date.now() })
 * // [{ model: 'churn', champion: '3', challenger: '4', from: …, to: … }]
 */
export function dueComparisons(input: PlanInput): DueComparison[] {
  const records = [...input.stages.values()]
  const champion = records
    .filter((r) => r.stage === 'production')
    .sort((x, y) => Date.parse(y.changedAt) - Date.parse(x.changedAt))[0]
  if (champion === undefined) return []
  const w = input.windowSeconds * 1000
  const to = Math.floor(input.now / w) * w
  return records
    .filter((r) => CHALLENGER_STAGES.includes(r.stage) && r.version !== champion.version)
    .flatMap((r) => {
      const from = Date.parse(r.changedAt)
      const last = input.lastEvaluated.get(pairKey(champion.version, r.version)) ?? Number.NEGATIVE_INFINITY
      return to > from && to > last ? [{ model: input.model, champion: champion.version, challenger: r.version, from, to }] : []
    })
}

/** The key of lastEvaluated. */
export function pairKey(champion: string, challenger: string): string {
  return `${champion}\t${challenger}`
}
