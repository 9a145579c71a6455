import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openClickHouse } from '../../core/clickhouse/client.js'
import { UsageError } from '../../core/errors.js'
import { computeDrift, type ColumnDrift, type DriftReport } from '../../monitor/drift/index.js'
import { classifyColumns, fileDriftSource, loadFiles, type Side } from '../../monitor/drift/file-source.js'
import { formatTable } from '../table.js'

const USAGE = 'usage: modelwatch drift --reference FILE --current FILE [--categorical a,b] [--json]'

/**
 * `modelwatch drift --reference FILE --current FILE [--categorical a,b] [--json]`: drift of every column the
 * two files share, computed by the same SQL as the monitor. It runs on a private embedded engine in a fresh
 * temporary directory (removed afterwards), never on MODELWATCH_DATA_DIR or CLICKHOUSE_URL: the files are local,
 * and a running `modelwatch start` keeps its engine to itself.
 *
 * @example
 * await driftCommand(['--reference', 'ref.csv', '--current', 'cur.parquet', '--json'])
 */
export async function driftCommand(args: string[]): Promise<void> {
  const options = parseDriftArgs(args)
  const dataDir = mkdtempSync(join(tmpdir(), 'modelwatch-drift-'))
  try {
    const ch = await openClickHouse({ url: undefined, user: 'default', password: '', database: 'modelwatch', requestTimeoutMs: 30_000, dataDir })
    try {
      const files = await loadFiles(ch, { reference: options.reference, current: options.current })
      const unknown = [...options.categorical].filter((name) => !files.common.includes(name))
      if (unknown.length > 0) throw new UsageError(`--categorical names ${unknown.map((n) => JSON.stringify(n)).join(', ')}, not a column of both files`)
      warnOnlyIn('reference', files.onlyReference)
      warnOnlyIn('current', files.onlyCurrent)
      const columns = await classifyColumns(ch, files, options.categorical)
      const report = await computeDrift(ch, fileDriftSource(files, columns), columns)
      process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatReport(report))
    } finally {
      await ch.close()
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

interface DriftArgs {
  reference: string
  current: string
  categorical: Set<string>
  json: boolean
}

function parseDriftArgs(args: string[]): DriftArgs {
  let values: { reference?: string; current?: string; categorical?: string; json?: boolean }
  try {
    values = parseArgs({
      args,
      options: { reference: { type: 'string' }, current: { type: 'string' }, categorical: { type: 'string' }, json: { type: 'boolean', default: false } },
    }).values
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}; ${USAGE}`)
  }
  if (values.reference === undefined || values.current === undefined) throw new UsageError(USAGE)
  for (const [flag, path] of [['--reference', values.reference], ['--current', values.current]] as const) {
    if (!existsSync(path)) throw new UsageError(`${flag} ${path}: no such file`)
    if (!statSync(path).isFile()) throw new UsageError(`${flag} ${path}: not a file`)
  }
  const categorical = new Set((values.categorical ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0))
  return { reference: values.reference, current: values.current, categorical, json: values.json ?? false }
}

/** Columns in one file only are left out with a warning on stderr: comparing files with extra id or label columns is common. */
function warnOnlyIn(side: Side, names: string[]): void {
  if (names.length === 0) return
  process.stderr.write(`modelwatch: warning: ignoring column${names.length === 1 ? '' : 's'} only in the ${side} file: ${names.map((n) => JSON.stringify(n)).join(', ')}\n`)
}

/** Four significant digits: enough to read, and still a number so the table right-aligns it. */
const round = (value: number | null): number | null => (value === null ? null : Number(value.toPrecision(4)))

function note(column: ColumnDrift): string {
  if (column.n_reference === 0 && column.n_current === 0) return 'no values on either side'
  if (column.n_reference === 0) return 'no reference values'
  if (column.n_current === 0) return 'no current values'
  if (column.kind === 'categorical' && column.chi2.p_value === null) return 'chi-square needs 2+ reference categories seen in current'
  return ''
}

function common(column: ColumnDrift): Record<string, unknown> {
  return {
    column: column.name,
    n_ref: column.n_reference,
    n_cur: column.n_current,
    missing: round(column.missing_share),
    drifted: column.drifted ? 'DRIFT' : 'no',
    method: column.drift_method,
    score: round(column.drift_score),
    psi: round(column.psi),
    js: round(column.jensen_shannon),
  }
}

/**
 * Two tables (numeric, categorical), each with the statistics of its kind, then the dataset verdict.
 *
 * @example
 * process.stdout.write(formatReport(await computeDrift(ch, source, columns)))
 */
export function formatReport(report: DriftReport): string {
  const parts: string[] = []
  const numeric = report.columns.flatMap((c) => (c.kind === 'numeric' ? [c] : []))
  const categorical = report.columns.flatMap((c) => (c.kind === 'categorical' ? [c] : []))
  if (numeric.length > 0) {
    parts.push(`numeric columns\n${formatTable(numeric.map((c) => ({
      ...common(c),
      ks_d: round(c.ks.statistic),
      ks_p: round(c.ks.p_value),
      wasserstein: round(c.wasserstein),
      wasserstein_n: round(c.wasserstein_normed),
      note: note(c),
    })))}`)
  }
  if (categorical.length > 0) {
    parts.push(`categorical columns\n${formatTable(categorical.map((c) => ({
      ...common(c),
      chi2: round(c.chi2.statistic),
      chi2_p: round(c.chi2.p_value),
      new_cat: round(c.new_category_share),
      note: note(c),
    })))}`)
  }
  const drifted = report.columns.filter((c) => c.drifted).length
  const share = report.drifted_share === null ? 'n/a' : `${(report.drifted_share * 100).toFixed(1)}%`
  parts.push(`dataset drift: ${report.dataset_drift ? 'YES' : 'no'} (${drifted} of ${report.columns.length} columns drifted, ${share})\n` +
    'scores: wasserstein = normed Wasserstein, jensen_shannon and psi drift at >= threshold; ks and chi2 are p-values, drift below it. NULL: not computable.\n')
  return parts.join('\n')
}
