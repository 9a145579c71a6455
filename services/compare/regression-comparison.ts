/**
 * Comparison of regression models on their errors e = label − prediction: the absolute error (MAE) and the
 * squared error (MSE), unpaired by Welch's t-test, paired (shadow) by the paired t-test on per-event differences
 * |e_b| − |e_a| and e_b² − e_a². Every statistic is a sufficient statistic computed in ClickHouse (count, mean,
 * sample variance with the numerically stable varSampStable).
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import { outcomesSql, pairedSql, queryComparison } from './compare-query.js'
import { detectableDifference, meanValue, type ComparisonSettings, type MetricDraft, type MetricName } from './metric-comparison.js'
import { meansSampleSize, samplesStillNeeded } from './sample-size.js'
import { meansDifference, pairedMeansDifference, type LabelledCounts, type SequentialInput } from './sequential-input.js'
import { pairedTTest, welchTest, type SampleSummary } from './t-tests.js'
import { MIN_LABELLED } from './verdict.js'

const ERRORS = [
  { metric: 'mae', sql: (e: string) => `abs(${e})` },
  { metric: 'mse', sql: (e: string) => `${e} * ${e}` },
] as const satisfies readonly { metric: MetricName; sql: (column: string) => string }[]

type SummaryRow = Record<string, number> & { version?: string }

/**
 * @example
 * const { drafts } = await regressionComparison(ch, params, { a: 'v1', b: 'v2' }, false, settings)
 */
export async function regressionComparison(ch: ClickHouse, params: Record<string, unknown>, versions: { a: string; b: string }, paired: boolean, settings: ComparisonSettings): Promise<{ drafts: MetricDraft[]; sequential: SequentialInput; labelled: LabelledCounts }> {
  return paired ? pairedRegression(ch, params, settings) : unpairedRegression(ch, params, versions, settings)
}

const stats = (name: string, expression: string, cond = '1') =>
  `countIf(${cond}) AS ${name}_n, avgIf(${expression}, ${cond}) AS ${name}_mean, varSampStableIf(${expression}, ${cond}) AS ${name}_variance`
const pick = (row: SummaryRow | undefined, name: string): SampleSummary => ({ n: row?.[`${name}_n`] ?? 0, mean: row?.[`${name}_mean`] ?? Number.NaN, variance: row?.[`${name}_variance`] ?? Number.NaN })

async function unpairedRegression(ch: ClickHouse, params: Record<string, unknown>, versions: { a: string; b: string }, settings: ComparisonSettings): Promise<{ drafts: MetricDraft[]; sequential: SequentialInput; labelled: LabelledCounts }> {
  const rows = await queryComparison<SummaryRow>(ch, `
    SELECT version, ${ERRORS.map((e) => stats(e.metric, e.sql('e'))).join(', ')}
    FROM (${outcomesSql('regression')}) GROUP BY version`, params, 'regression errors')
  const ra = rows.find((r) => r.version === versions.a)
  const rb = rows.find((r) => r.version === versions.b)
  const drafts = ERRORS.map(({ metric }): MetricDraft => {
    const a = pick(ra, metric)
    const b = pick(rb, metric)
    const required = meansSampleSize(Math.sqrt(a.variance), Math.sqrt(b.variance), detectableDifference(metric, a.mean, settings.mde), settings.alpha, settings.power)
    return {
      metric, result: welchTest(a, b, settings.alpha),
      a: meanValue(a.mean, a.variance, a.n, settings.alpha),
      b: meanValue(b.mean, b.variance, b.n, settings.alpha),
      enoughData: Math.min(a.n, b.n) >= MIN_LABELLED,
      samplesNeeded: samplesStillNeeded(required, Math.min(a.n, b.n)),
    }
  })
  const a = pick(ra, 'mae')
  const b = pick(rb, 'mae')
  return { drafts, labelled: { a: a.n, b: b.n }, sequential: { metric: 'mae', ...meansDifference(a, b), scale: a.mean, enoughData: Math.min(a.n, b.n) >= MIN_LABELLED } }
}

async function pairedRegression(ch: ClickHouse, params: Record<string, unknown>, settings: ComparisonSettings): Promise<{ drafts: MetricDraft[]; sequential: SequentialInput; labelled: LabelledCounts }> {
  const sides = ERRORS.flatMap((e) => [stats(`${e.metric}_a`, e.sql('e_a')), stats(`${e.metric}_b`, e.sql('e_b')), stats(`${e.metric}_d`, `${e.sql('e_b')} - ${e.sql('e_a')}`)])
  const [row] = await queryComparison<SummaryRow>(ch, `SELECT ${sides.join(', ')} FROM (${pairedSql('regression', ['e'])})`, params, 'paired regression errors')
  const drafts = ERRORS.map(({ metric }): MetricDraft => {
    const a = pick(row, `${metric}_a`)
    const b = pick(row, `${metric}_b`)
    const d = pick(row, `${metric}_d`)
    const required = meansSampleSize(Math.sqrt(d.variance), 0, detectableDifference(metric, a.mean, settings.mde), settings.alpha, settings.power)
    return {
      metric, result: pairedTTest(d, settings.alpha),
      a: meanValue(a.mean, a.variance, a.n, settings.alpha),
      b: meanValue(b.mean, b.variance, b.n, settings.alpha),
      enoughData: d.n >= MIN_LABELLED,
      samplesNeeded: samplesStillNeeded(required, d.n),
    }
  })
  const d = pick(row, 'mae_d')
  return { drafts, labelled: { a: d.n, b: d.n }, sequential: { metric: 'mae', ...pairedMeansDifference(d), scale: pick(row, 'mae_a').mean, enoughData: d.n >= MIN_LABELLED } }
}
