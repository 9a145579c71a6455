/**
 * The optional automatic stage change (MODELWATCH_AUTO_PROMOTE): once the sequential test concludes, a better
 * challenger becomes production (recordStage archives the champion) and a worse one is archived. Recorded as
 * changed by `modelwatch`, with the evidence in the reason, so `stageHistory` says why without the alert.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import type { ComparisonReport } from './compare-versions.js'
import { concludedOf } from './comparison-rows.js'
import { recordStage, type StageRecord } from './version-stages.js'

/** The author of automatic stage changes. */
export const AUTO_PROMOTE_ACTOR = 'modelwatch'

const num = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : Number(v.toPrecision(4)).toString())

/**
 * One line of evidence: the key metric of both versions, the difference with its confidence sequence, the
 * always-valid p-value against α, the samples and the period.
 *
 * @example
 * evidenceText(report) // 'accuracy 0.81 (version 3) → 0.85 (version 4), difference 0.04 [0.021, 0.059], always-valid p 0.003 (α 0.05), labelled 1200 / 1200, paired, 2026-11-02T00:00:00.000Z → 2026-11-02T06:00:00.000Z'
 */
export function evidenceText(report: ComparisonReport): string {
  const seq = report.sequential
  const m = report.metrics.find((x) => x.metric === seq.metric)
  const interval = seq.interval === null ? '' : ` [${num(seq.interval.lower)}, ${num(seq.interval.upper)}]`
  return `${seq.metric} ${num(m?.a.value)} (version ${report.a}) → ${num(m?.b.value)} (version ${report.b}), difference ${num(seq.difference)}${interval}, ` +
    `always-valid p ${num(seq.pValue)} (α ${seq.alpha}), labelled ${report.counts.a.labelled} / ${report.counts.b.labelled}, ${report.paired ? 'paired' : 'split traffic'}, ${report.from} → ${report.to}`
}

/**
 * The stage change a concluded report calls for, recorded; undefined while the test continues.
 *
 * @example
 * const change = await autoStageChange(ch, report, Date.now()) // { version: '4', stage: 'production', changedBy: 'modelwatch', … }
 */
export async function autoStageChange(ch: ClickHouse, report: ComparisonReport, now: number): Promise<StageRecord | undefined> {
  const concluded = concludedOf(report)
  if (concluded === '') return undefined
  const reason = concluded === 'better'
    ? `automatic promotion: the sequential test concluded version ${report.b} is better than production version ${report.a}; ${evidenceText(report)}`
    : `automatic rollback: the sequential test concluded version ${report.b} is worse than production version ${report.a}; ${evidenceText(report)}`
  return recordStage(ch, { model: report.model, version: report.b, stage: concluded === 'better' ? 'production' : 'archived', changedBy: AUTO_PROMOTE_ACTOR, reason }, { now })
}
