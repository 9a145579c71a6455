/**
 * `modelwatch compare`: is version b better than version a? Every metric of the model's task with intervals,
 * p-values (raw and Benjamini–Hochberg), a verdict and the samples still needed, and the sequential test.
 *
 *   modelwatch compare --model churn --a 3 --b 4 [--from 2026-11-01] [--to 2026-11-08T00:00:00Z]
 *     [--segment region=eu] [--paired auto|yes|no] [--mde 0.05] [--alpha 0.05] [--power 0.8] [--json]
 */
import { parseArgs } from 'node:util'
import { compareRequestSchema, toCompareOptions } from '../../compare/compare-request.js'
import { compareVersions, type ComparisonReport } from '../../compare/compare-versions.js'
import type { Interval } from '../../compare/interval.js'
import { migrate } from '../../core/clickhouse/migrations.js'
import { UsageError } from '../../core/errors.js'
import { openContext } from '../context.js'
import { formatTable } from '../table.js'

export async function compareCommand(env: NodeJS.ProcessEnv, args: string[]): Promise<void> {
  const text = { type: 'string' } as const
  const { values } = parseArgs({
    args,
    options: { model: text, a: text, b: text, from: text, to: text, segment: text, paired: text, mde: text, alpha: text, power: text, json: { type: 'boolean', default: false } },
  })
  const { model, json, ...fields } = values
  if (model === undefined || fields.a === undefined || fields.b === undefined) throw new UsageError('usage: modelwatch compare --model M --a V1 --b V2 [--from T] [--to T] [--segment k=v] [--paired auto|yes|no] [--mde 0.05] [--alpha 0.05] [--power 0.8] [--json]')
  const parsed = compareRequestSchema.safeParse(fields)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new UsageError(`--${String(issue?.path[0] ?? '')}: ${issue?.message ?? 'invalid'}`)
  }
  const ctx = await openContext(env, { logLevel: 'warn' })
  try {
    await migrate(ctx.ch)
    const report = await compareVersions(ctx.ch, toCompareOptions(model, parsed.data, Date.now(), ctx.config.limits.queryRangeMs))
    process.stdout.write(json ? `${JSON.stringify(report)}\n` : formatReport(report))
  } finally {
    await ctx.close()
  }
}

const num = (x: number | null, digits = 4): string => (x === null ? '-' : Number(x.toPrecision(digits)).toString())
const range = (i: Interval | null): string => (i === null ? '' : ` [${num(i.lower)}, ${num(i.upper)}]`)

/**
 * The report for a terminal: one header line, a table of metrics, the sequential test's state.
 *
 * @example
 * process.stdout.write(formatReport(report))
 */
export function formatReport(r: ComparisonReport): string {
  const header = `${r.model}: version ${r.b} against ${r.a}, ${r.from} to ${r.to}${r.segment === '' ? '' : `, segment ${r.segment}`}, ` +
    `${r.paired ? `paired (${r.counts.pairs} events scored by both)` : 'unpaired'}; labelled ${r.counts.a.labelled} (a) and ${r.counts.b.labelled} (b); α = ${r.alpha}\n`
  const rows = r.metrics.map((m) => ({
    metric: m.metric,
    a: `${num(m.a.value)}${range(m.a.interval)}`,
    b: `${num(m.b.value)}${range(m.b.interval)}`,
    'b − a': `${num(m.difference)}${range(m.differenceInterval)}`,
    p: num(m.pValue, 3),
    'p (BH)': num(m.adjustedPValue, 3),
    verdict: m.verdict.replaceAll('_', ' '),
    'more samples': m.samplesNeeded === null ? '-' : String(m.samplesNeeded),
    test: m.test,
  }))
  const s = r.sequential
  const sequential = `sequential test (mSPRT on ${s.metric}, error rate ≤ ${s.alpha} however often you look): ${s.state.replaceAll('_', ' ')}` +
    `; always-valid p = ${num(s.pValue, 3)}, confidence sequence for b − a${range(s.interval) || ' -'}\n`
  return `${header}${formatTable(rows)}${sequential}`
}
