/**
 * `node --import tsx bench/evidently-compare.ts`: modelwatch's drift report next to Evidently's DataDriftPreset
 * (default settings) on one mixed dataset, column by column. It produced the tables in docs/evidently-comparison.md.
 *
 * The dataset: 5,000 reference and 5,000 current rows, 4 numeric and 3 categorical columns, generated
 * deterministically in the embedded engine and written as CSV. It is compared twice:
 *   - all rows: more than 1,000 reference values, so both tools decide by distances;
 *   - the first 800 rows of each file: 1,000 or fewer, so both tools decide by statistical tests.
 * The categorical columns and the small-integer column take their values by exact quotas of the row number
 * (e.g. 55 % "yes" in every 200 rows), so the drift each shows is exactly the one written here, in both slices.
 *
 * modelwatch runs as a user would run it: `modelwatch drift --reference A.csv --current B.csv --json` (from the
 * sources, through tsx). Evidently runs in a throwaway virtualenv (bench/evidently.ts) on the same files, told the
 * same numeric/categorical split as modelwatch found, and with --extra-stats so its own Wasserstein, JS, PSI and
 * test functions are read for every column whichever method the preset picked.
 *
 * Prints Markdown tables; writes everything to bench/results/evidently-compare-<timestamp>.json (git-ignored).
 *
 * usage: node --import tsx bench/evidently-compare.ts [--venv DIR] [--python PATH] [--keep DIR]
 *   --venv   reuse (or create and keep) this virtualenv
 *   --keep   write the CSV files here and leave them (default: a temporary directory, removed)
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { openClickHouse, type ClickHouse } from '../services/core/clickhouse/client.js'
import { loadConfig } from '../services/core/config.js'
import { PACKAGE_ROOT } from '../services/core/package-root.js'
import type { ColumnDrift, DriftReport } from '../services/monitor/drift/index.js'
import { prepareVenv, removeVenv, runEvidently, type EvidentlyResult } from './evidently.js'

const execFileAsync = promisify(execFile)
const ROWS = 5_000
const SMALL_ROWS = 800
const SEED = 20261126

/** A uniform number in (0, 1) from a hash of (seed, side, row, column, stream): deterministic, as in bench/drift.ts. */
const uniform = (column: number, stream = 0): string =>
  `((toFloat64(bitShiftRight(cityHash64(${SEED}, side, number, ${column}, ${stream}), 11)) + 0.5) / 9007199254740992)`
const normal = (column: number): string => `(sqrt(-2 * log(${uniform(column, 0)})) * cos(2 * pi() * ${uniform(column, 1)}))`
const bySide = (current: string, reference: string): string => `if(side = 1, ${current}, ${reference})`

/**
 * Picks a category by exact quotas of `number % modulus`: `cuts` are the cumulative upper bounds, one per category.
 * multiIf(r < 60, 'basic', r < 90, 'pro', 'enterprise') for cuts [60, 90, 100].
 */
function quota(modulus: number, cuts: number[], values: string[]): string {
  const branches = cuts.slice(0, -1).map((cut, i) => `r < ${cut}, ${values[i]}`)
  return `multiIf(${branches.join(', ')}, ${values[values.length - 1]})`.replaceAll('r <', `(number % ${modulus}) <`)
}

interface Column {
  name: string
  sql: string
  what: string
}

const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'IN', 'BR', 'JP', 'CA']

const COLUMNS: Column[] = [
  { name: 'age', what: 'N(40, 12) to 0.1; current +0.36 (0.03 sd), 2 % missing', sql: `if(side = 1 AND ${uniform(0, 9)} < 0.02, NULL, round(40 + 12 * ${normal(0)} + ${bySide('0.36', '0')}, 1))` },
  { name: 'income', what: 'lognormal(10.5, 0.6) to 0.01; current mu +0.15', sql: `round(exp(10.5 + ${bySide('0.15', '0')} + 0.6 * ${normal(1)}), 2)` },
  { name: 'score', what: 'U(0, 1) to 0.0001; current +0.02', sql: `round(${uniform(2)} + ${bySide('0.02', '0')}, 4)` },
  {
    name: 'num_children',
    what: 'integer 0-4, quotas 30/30/20/15/5 %; current 20/36/24/15/5 %',
    sql: bySide(quota(100, [20, 56, 80, 95, 100], ['0', '1', '2', '3', '4']), quota(100, [30, 60, 80, 95, 100], ['0', '1', '2', '3', '4'])),
  },
  {
    name: 'plan',
    what: 'basic/pro/enterprise 59/30/10 % + 1 % missing; current 49/35/15 % + 1 % missing',
    sql: bySide(quota(100, [1, 50, 85, 100], ['NULL', "'basic'", "'pro'", "'enterprise'"]), quota(100, [1, 60, 90, 100], ['NULL', "'basic'", "'pro'", "'enterprise'"])),
  },
  {
    name: 'country',
    what: '8 countries 25/20/15/12/10/8/6/4 %; current moves 3 points of US to a new category XX',
    sql: bySide(
      quota(100, [22, 25, 45, 60, 72, 82, 90, 96, 100], ["'US'", "'XX'", ...COUNTRIES.slice(1).map((c) => `'${c}'`)]),
      quota(100, [25, 45, 60, 72, 82, 90, 96, 100], COUNTRIES.map((c) => `'${c}'`)),
    ),
  },
  { name: 'is_mobile', what: "yes/no 55/45 %; current 58.5/41.5 %", sql: bySide(quota(200, [117, 200], ["'yes'", "'no'"]), quota(200, [110, 200], ["'yes'", "'no'"])) },
]

interface Slice {
  label: string
  rows: number
  reference: string
  current: string
}

/** Writes the reference and current CSV files of both slices (all rows, first SMALL_ROWS rows). */
async function writeFiles(ch: ClickHouse, dir: string): Promise<Slice[]> {
  const select = COLUMNS.map((c) => `${c.sql} AS ${c.name}`).join(',\n  ')
  const slices: Slice[] = [
    { label: `${ROWS.toLocaleString('en')} / ${ROWS.toLocaleString('en')} rows (distances)`, rows: ROWS, reference: join(dir, 'reference.csv'), current: join(dir, 'current.csv') },
    { label: `first ${SMALL_ROWS} / ${SMALL_ROWS} rows (tests)`, rows: SMALL_ROWS, reference: join(dir, 'reference-small.csv'), current: join(dir, 'current-small.csv') },
  ]
  for (const slice of slices) {
    for (const [side, path] of [[0, slice.reference], [1, slice.current]] as const) {
      await ch.client.command({
        query: `INSERT INTO FUNCTION file({path:String}, 'CSVWithNames') SELECT ${select} FROM (SELECT ${side} AS side, number FROM numbers({rows:UInt64}))`,
        query_params: { path, rows: slice.rows },
        // a missing value is an empty field: what a spreadsheet writes, and what both pandas and modelwatch read as missing
        clickhouse_settings: { format_csv_null_representation: '' },
      })
    }
  }
  return slices
}

async function modelwatchDrift(slice: Slice): Promise<{ report: DriftReport; seconds: number }> {
  const started = performance.now()
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', 'services/cli/main.ts', 'drift', '--reference', slice.reference, '--current', slice.current, '--json'], {
    cwd: PACKAGE_ROOT,
    maxBuffer: 64 * 1024 * 1024,
  })
  return { report: JSON.parse(stdout) as DriftReport, seconds: (performance.now() - started) / 1000 }
}

// ---------------------------------------------------------------------------------------------------------
// Tables

const num = (x: number | null | undefined, digits = 4): string => {
  if (x === null || x === undefined) return '–'
  if (!Number.isFinite(x)) return String(x)
  if (x !== 0 && Math.abs(x) < 1e-4) return x.toExponential(2)
  return Number(x.toPrecision(digits)).toString()
}
const verdict = (drifted: boolean | null | undefined): string => (drifted === true ? '**drift**' : drifted === false ? 'no' : '?')

/** modelwatch's method names, spelled as Evidently spells them, for the table. */
const MW_METHOD: Record<string, string> = { wasserstein: 'Wasserstein (normed)', jensen_shannon: 'Jensen–Shannon', psi: 'PSI', ks: 'KS p-value', chi2: 'chi-square p-value' }
const EV_METHOD: Record<string, string> = {
  'Wasserstein distance (normed)': 'Wasserstein (normed)',
  'Jensen-Shannon distance': 'Jensen–Shannon',
  'K-S p_value': 'KS p-value',
  'chi-square p_value': 'chi-square p-value',
  'Z-test p_value': 'Z-test p-value',
  PSI: 'PSI',
}

function decisionsTable(report: DriftReport, evidently: EvidentlyResult): string[] {
  const rows = ['| column | kind | modelwatch method | score | decision | Evidently method | score | decision | agree |', '| --- | --- | --- | --: | --- | --- | --: | --- | --- |']
  for (const c of report.columns) {
    const e = evidently.columns.find((x) => x.name === c.name)
    const agree = e === undefined ? '?' : e.drifted === c.drifted ? 'yes' : '**no**'
    rows.push(`| ${c.name} | ${c.kind} | ${MW_METHOD[c.drift_method] ?? c.drift_method} | ${num(c.drift_score)} | ${verdict(c.drifted)} | ` +
      `${e === undefined ? '–' : EV_METHOD[e.method] ?? e.method} | ${num(e?.value)} | ${verdict(e?.drifted)} | ${agree} |`)
  }
  return rows
}

function statisticsTable(report: DriftReport, evidently: EvidentlyResult): string[] {
  const rows = [
    '| column | n ref / cur (both) | Wasserstein normed: mw / Ev | JS: mw / Ev | PSI: mw / Ev | KS p: mw / Ev | chi² p: mw / Ev | Z p (2 categories): Ev |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ]
  for (const c of report.columns) {
    const x = evidently.extra?.[c.name] ?? {}
    const v = (key: string): number | null => (typeof x[key] === 'number' ? (x[key] as number) : null)
    const n = `${c.n_reference} / ${c.n_current}${v('n_reference') === c.n_reference && v('n_current') === c.n_current ? '' : ` (Ev ${v('n_reference')} / ${v('n_current')})`}`
    const mw = c as ColumnDrift & { wasserstein_normed?: number | null; ks?: { p_value: number | null }; chi2?: { p_value: number | null } }
    rows.push(`| ${c.name} | ${n} | ${c.kind === 'numeric' ? `${num(mw.wasserstein_normed)} / ${num(v('wasserstein_normed'))}` : '–'} | ` +
      `${num(c.jensen_shannon)} / ${num(v('jensen_shannon'))} | ${num(c.psi)} / ${num(v('psi'))} | ` +
      `${c.kind === 'numeric' ? `${num(mw.ks?.p_value)} / ${num(v('ks_p'))}` : '–'} | ` +
      `${c.kind === 'categorical' ? `${num(mw.chi2?.p_value)} / ${num(v('chi2_p'))}` : '–'} | ${c.kind === 'categorical' && v('n_unique') === 2 ? num(v('z_p')) : '–'} |`)
  }
  return rows
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { venv: { type: 'string' }, python: { type: 'string', default: 'python3' }, keep: { type: 'string' } } })
  const work = values.keep ?? mkdtempSync(join(tmpdir(), 'modelwatch-evidently-compare-'))
  mkdirSync(work, { recursive: true })
  const out = (text = ''): void => void process.stdout.write(`${text}\n`)
  const venv = await prepareVenv({ dir: values.venv, python: values.python, log: (l) => process.stderr.write(`${l}\n`) })
  try {
    const ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: join(work, 'engine') }).clickhouse)
    let slices: Slice[]
    try {
      slices = await writeFiles(ch, work)
    } finally {
      await ch.close()
    }
    const results = []
    for (const slice of slices) {
      const mw = await modelwatchDrift(slice)
      const numeric = mw.report.columns.filter((c) => c.kind === 'numeric').map((c) => c.name)
      const categorical = mw.report.columns.filter((c) => c.kind === 'categorical').map((c) => c.name)
      const ev = await runEvidently(venv, { reference: slice.reference, current: slice.current, numeric, categorical, extraStats: true })
      results.push({ slice, modelwatch: mw, evidently: ev })
      out(`### ${slice.label}\n`)
      out('Decisions (each tool\'s default method for the column):\n')
      for (const row of decisionsTable(mw.report, ev)) out(row)
      out('\nEvery statistic, as each tool computes it (Evidently: its own stat-test functions called on the column):\n')
      for (const row of statisticsTable(mw.report, ev)) out(row)
      const agree = mw.report.columns.filter((c) => ev.columns.find((e) => e.name === c.name)?.drifted === c.drifted).length
      out(`\nagree on ${agree} of ${mw.report.columns.length} columns; dataset drift: modelwatch ${mw.report.dataset_drift ? 'yes' : 'no'} ` +
        `(${num(mw.report.drifted_share)} of columns), Evidently ${ev.drifted_columns === null ? '?' : `${ev.drifted_columns.share >= 0.5 ? 'yes' : 'no'} (${num(ev.drifted_columns.share)} of columns)`}\n`)
    }
    const versions = results[0]?.evidently.versions ?? {}
    out(`Evidently ${versions.evidently ?? '?'} (${Object.entries(versions).filter(([k]) => k !== 'evidently').map(([k, v]) => `${k} ${v}`).join(', ')})`)
    out('\ncolumns:')
    for (const c of COLUMNS) out(`- ${c.name}: ${c.what}`)
    const resultsDir = join(PACKAGE_ROOT, 'bench', 'results')
    mkdirSync(resultsDir, { recursive: true })
    const file = join(resultsDir, `evidently-compare-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
    writeFileSync(file, `${JSON.stringify({ columns: COLUMNS.map(({ name, what }) => ({ name, what })), results }, null, 2)}\n`)
    out(`\nresults: ${file}`)
  } finally {
    removeVenv(venv)
    if (values.keep === undefined) rmSync(work, { recursive: true, force: true })
  }
}

await main()
