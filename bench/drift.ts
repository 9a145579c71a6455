/**
 * `npm run bench:drift`: how long modelwatch takes to compute every drift statistic of every feature in the
 * embedded engine, next to Evidently's DataDriftPreset on the same data. Prints figures; asserts nothing.
 *
 * 1. Generates a reference (default 100,000 rows) and a current window (default 1,000,000 rows) of 20 numeric
 *    features inside ClickHouse, deterministically: the random numbers are hashes of (side, row, feature), so
 *    every run sees the same values (ClickHouse's rand functions cannot be seeded). 5 features drift.
 * 2. (a) raw rows: `computeDrift(ch, source, columns)` end to end over a DriftSource that unpivots the two wide
 *    tables (as services/monitor/window-sources.ts unpivots predictions); 1 warm-up, then --runs runs, median.
 * 3. (b) pre-aggregated states: the reference is stored with its profile, the current rows go into `predictions`
 *    over 60 minutes so the materialized views of migration 004 bin them; timed: the window query that merges the
 *    per-minute counts into PSI, JS and out-of-range shares (bench/drift-aggregates.ts). Not timed: building them.
 * 4. Evidently: exports both tables to Parquet with ClickHouse, installs EVIDENTLY_PINS into a throwaway virtualenv
 *    under os.tmpdir() (bench/evidently.ts) and times Report(metrics=[DataDriftPreset()]).run(...) alone
 *    (bench/drift-evidently.py). When it cannot run, says why and goes on.
 * 5. Summary: (a), (b), Evidently, Evidently / (a), peak RSS, and whether the per-column decisions agree.
 *    Results also go to bench/results/drift-<timestamp>.json (git-ignored).
 *
 * usage: npm run bench:drift -- [--rows-current N] [--rows-reference M] [--runs N] [--layout wide|long]
 *                               [--skip-evidently] [--venv DIR] [--python PATH]
 *   --layout       wide (default): the source unpivots two wide tables at query time; long: the rows are stored
 *                  in the drift long format beforehand and the source reads them as they are
 *   --venv         reuse (or create and keep) this virtualenv instead of a throwaway one
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openClickHouse, type ClickHouse } from '../services/core/clickhouse/client.js'
import { loadConfig } from '../services/core/config.js'
import { PACKAGE_ROOT } from '../services/core/package-root.js'
import { computeDrift, type DriftReport } from '../services/monitor/drift/index.js'
import type { DriftColumn, DriftSource } from '../services/monitor/sql-source.js'
import { measureAggregates } from './drift-aggregates.js'
import { prepareVenv, removeVenv, runEvidently, type EvidentlyResult } from './evidently.js'

const TARGETS = { rawSeconds: 1, statesSeconds: 0.1, evidentlyRatio: 50 }
const SEED = 20261126

interface Options {
  rowsCurrent: number
  rowsReference: number
  runs: number
  layout: 'wide' | 'long'
  skipEvidently: boolean
  venv: string | undefined
  python: string
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      'rows-current': { type: 'string', default: '1000000' },
      'rows-reference': { type: 'string', default: '100000' },
      runs: { type: 'string', default: '3' },
      layout: { type: 'string', default: 'wide' },
      'skip-evidently': { type: 'boolean', default: false },
      venv: { type: 'string' },
      python: { type: 'string', default: 'python3' },
    },
  })
  const positive = (flag: string, raw: string): number => {
    const n = Number(raw.replace(/_/g, ''))
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive whole number, got ${JSON.stringify(raw)}`)
    return n
  }
  if (values.layout !== 'wide' && values.layout !== 'long') throw new Error(`--layout must be wide or long, got ${JSON.stringify(values.layout)}`)
  return {
    rowsCurrent: positive('--rows-current', values['rows-current']),
    rowsReference: positive('--rows-reference', values['rows-reference']),
    runs: positive('--runs', values.runs),
    layout: values.layout,
    skipEvidently: values['skip-evidently'],
    venv: values.venv,
    python: values.python,
  }
}

// ---------------------------------------------------------------------------------------------------------
// Data

/**
 * A uniform number in (0, 1) from the top 53 bits of a hash of (seed, side, row, feature, stream): the same
 * for every run, independent across sides, rows, features and streams.
 */
const uniform = (feature: number, stream: number): string =>
  `((toFloat64(bitShiftRight(cityHash64(${SEED}, side, number, ${feature}, ${stream}), 11)) + 0.5) / 9007199254740992)`

/** A standard normal by Box–Muller from two of the uniforms above. */
const normal = (feature: number, stream = 0): string => `(sqrt(-2 * log(${uniform(feature, stream)})) * cos(2 * pi() * ${uniform(feature, stream + 1)}))`

interface Feature {
  name: string
  /** The value as SQL over `side` (0 reference, 1 current) and `number` (the row). */
  sql: string
  /** What the generator intends: the 5 drifting features move the normed Wasserstein distance well past 0.1. */
  drifts: boolean
  what: string
}

/** 20 features: normals, uniforms, log-normals, a mixture and rounded (tied) values; 5 drift, 2 shift too little to count. */
function features(): Feature[] {
  const cur = (drifted: string, stable: string): string => `if(side = 1, ${drifted}, ${stable})`
  const f = (i: number, what: string, sql: string, drifts = false): Feature => ({ name: `f${String(i).padStart(2, '0')}`, sql, drifts, what })
  return [
    f(0, 'N(0, 1)', normal(0)),
    f(1, 'N(50, 10), current +0.05 sd', `50 + 10 * ${normal(1)} + ${cur('0.5', '0')}`),
    f(2, 'U(0, 100), 1 % missing', `if(${uniform(2, 9)} < 0.01, NULL, 100 * ${uniform(2, 0)})`),
    f(3, 'lognormal(0, 0.5)', `exp(0.5 * ${normal(3)})`),
    f(4, 'round(3 N(0, 1)): ties', `round(3 * ${normal(4)})`),
    f(5, 'N(0, 1), current +0.3 sd', `${normal(5)} + ${cur('0.3', '0')}`, true),
    f(6, 'N(-20, 4)', `-20 + 4 * ${normal(6)}`),
    f(7, 'U(-1, 1)', `2 * ${uniform(7, 0)} - 1`),
    f(8, 'N(0, 1), current +0.08 sd', `${normal(8)} + ${cur('0.08', '0')}`),
    f(9, 'exponential(1)', `-log(${uniform(9, 0)})`),
    f(10, 'N(100, 15), current sd x1.5', `100 + ${cur('22.5', '15')} * ${normal(10)}`, true),
    f(11, 'N(0, 1e6)', `1e6 * ${normal(11)}`),
    f(12, 'lognormal(0, 0.5), current mu +0.2', `exp(${cur('0.2', '0')} + 0.5 * ${normal(12)})`, true),
    f(13, 'round(U(0, 1000)): ties', `round(1000 * ${uniform(13, 0)})`),
    f(14, 'N(0, 1), 5 % missing', `if(${uniform(14, 9)} < 0.05, NULL, ${normal(14)})`),
    f(15, 'U(0, 1), current U(0.15, 1.15)', `${uniform(15, 0)} + ${cur('0.15', '0')}`, true),
    f(16, 'N(3, 0.1)', `3 + 0.1 * ${normal(16)}`),
    f(17, 'gamma-like: sum of 3 exponentials', `-log(${uniform(17, 0)}) - log(${uniform(17, 1)}) - log(${uniform(17, 2)})`),
    f(18, 'N(0, 1) with 2 % outliers at 50', `if(${uniform(18, 9)} < 0.02, 50, ${normal(18)})`),
    f(19, 'exponential(1), current 20 % shifted +2', `-log(${uniform(19, 0)}) + if(side = 1 AND ${uniform(19, 9)} < 0.2, 2, 0)`, true),
  ]
}

const TABLES = { reference: 'bench_drift_reference', current: 'bench_drift_current', long: 'bench_drift_long' } as const

async function generate(ch: ClickHouse, options: Options, list: Feature[]): Promise<number> {
  const started = performance.now()
  const columns = list.map((c) => `${c.name} Nullable(Float64)`).join(', ')
  const values = list.map((c) => `${c.sql} AS ${c.name}`).join(',\n  ')
  for (const [table, side, rows] of [[TABLES.reference, 0, options.rowsReference], [TABLES.current, 1, options.rowsCurrent]] as const) {
    await ch.client.command({ query: `DROP TABLE IF EXISTS ${table}` })
    await ch.client.command({ query: `CREATE TABLE ${table} (row UInt64, ${columns}) ENGINE = MergeTree ORDER BY row` })
    await ch.client.command({ query: `INSERT INTO ${table} SELECT number AS row, ${values} FROM (SELECT ${side} AS side, number FROM numbers({rows:UInt64}))`, query_params: { rows } })
    await ch.client.command({ query: `OPTIMIZE TABLE ${table} FINAL` })
  }
  if (options.layout === 'long') {
    await ch.client.command({ query: `DROP TABLE IF EXISTS ${TABLES.long}` })
    await ch.client.command({
      query: `CREATE TABLE ${TABLES.long} (side UInt8, column LowCardinality(String), num Nullable(Float64), cat Nullable(String)) ENGINE = MergeTree ORDER BY (column, side)`,
    })
    await ch.client.command({ query: `INSERT INTO ${TABLES.long} ${wideSourceSql(list)}` })
    await ch.client.command({ query: `OPTIMIZE TABLE ${TABLES.long} FINAL` })
  }
  return (performance.now() - started) / 1000
}

/** The long drift relation over the two wide tables: one row per (side, feature, row). Names are code constants. */
function wideSourceSql(list: Feature[]): string {
  const pairs = `[${list.map((c) => `('${c.name}', ${c.name})`).join(', ')}]`
  const side = (table: string, n: number): string =>
    `SELECT toUInt8(${n}) AS side, kv.1 AS column, kv.2 AS num, CAST(NULL AS Nullable(String)) AS cat FROM ${table} ARRAY JOIN ${pairs} AS kv`
  return `${side(TABLES.reference, 0)}\nUNION ALL\n${side(TABLES.current, 1)}`
}

function driftSource(options: Options, list: Feature[]): DriftSource {
  return options.layout === 'wide' ? { sql: wideSourceSql(list), params: {} } : { sql: `SELECT side, column, num, cat FROM ${TABLES.long}`, params: {} }
}

// ---------------------------------------------------------------------------------------------------------
// Measurements

/** Busy CPU time of the whole machine, ms (all cores). */
const machineBusyMs = (): number => cpus().reduce((sum, c) => sum + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0)

interface Others {
  /** CPU seconds other processes used while the phase ran. */
  cpuSeconds: number
  wallSeconds: number
  /** cpuSeconds / (wallSeconds · cores): the share of the machine they took. */
  share: number
}

/**
 * Other processes' CPU during a phase: the machine's busy time minus this process's (chDB's threads included) minus
 * `childCpuSeconds` (a child's own CPU, e.g. Evidently's). Another benchmark or a test run on the same 2 cores
 * distorts the figures; this says by how much.
 */
function watchOthers(): { stop: (childCpuSeconds: number) => Others } {
  const busy = machineBusyMs()
  const own = process.cpuUsage()
  const started = performance.now()
  return {
    stop: (childCpuSeconds) => {
      const used = process.cpuUsage(own)
      const wallSeconds = (performance.now() - started) / 1000
      const cpuSeconds = Math.max(0, (machineBusyMs() - busy) / 1000 - (used.user + used.system) / 1e6 - childCpuSeconds)
      return { cpuSeconds, wallSeconds, share: cpuSeconds / (wallSeconds * cpus().length) }
    },
  }
}

const fmtOthers = (o: Others | undefined): string => (o === undefined ? 'n/a' : `${o.cpuSeconds.toFixed(1)} s (${(o.share * 100).toFixed(0)} %)`)

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2
}

interface RawResult {
  warmupSeconds: number
  runs: { seconds: number; cpuSeconds: number }[]
  medianSeconds: number
  report: DriftReport
}

async function measureRaw(ch: ClickHouse, source: DriftSource, columns: DriftColumn[], runs: number): Promise<RawResult> {
  let started = performance.now()
  let report = await computeDrift(ch, source, columns)
  const warmupSeconds = (performance.now() - started) / 1000
  line(`(a) warm-up: ${warmupSeconds.toFixed(3)} s`)
  const results: RawResult['runs'] = []
  for (let i = 1; i <= runs; i++) {
    // chDB computes on threads of this process, so this process's CPU time is the engine's too
    const cpu = process.cpuUsage()
    started = performance.now()
    report = await computeDrift(ch, source, columns)
    const seconds = (performance.now() - started) / 1000
    const used = process.cpuUsage(cpu)
    const cpuSeconds = (used.user + used.system) / 1e6
    results.push({ seconds, cpuSeconds })
    line(`(a) run ${i}: ${seconds.toFixed(3)} s wall, ${cpuSeconds.toFixed(2)} s CPU`)
  }
  return { warmupSeconds, runs: results, medianSeconds: median(results.map((r) => r.seconds)), report }
}

// ---------------------------------------------------------------------------------------------------------
// Evidently

interface EvidentlyRun {
  status: 'ran' | 'skipped' | 'failed'
  why?: string
  installSeconds?: number
  exportSeconds?: number
  parquetBytes?: { reference: number; current: number }
  result?: EvidentlyResult
  /** Other processes' CPU while the Python process ran (loading the files included). */
  othersDuring?: Others
}

async function exportParquet(ch: ClickHouse, list: Feature[], dir: string): Promise<{ reference: string; current: string; seconds: number }> {
  const started = performance.now()
  const paths = { reference: join(dir, 'reference.parquet'), current: join(dir, 'current.parquet') }
  const columns = list.map((c) => c.name).join(', ')
  for (const side of ['reference', 'current'] as const) {
    await ch.client.command({
      query: `INSERT INTO FUNCTION file({path:String}, 'Parquet') SELECT ${columns} FROM ${TABLES[side]} ORDER BY row`,
      query_params: { path: paths[side] },
    })
  }
  return { ...paths, seconds: (performance.now() - started) / 1000 }
}

async function measureEvidently(ch: ClickHouse, options: Options, list: Feature[], work: string): Promise<EvidentlyRun> {
  if (options.skipEvidently) return { status: 'skipped', why: '--skip-evidently' }
  let exported: Awaited<ReturnType<typeof exportParquet>>
  try {
    exported = await exportParquet(ch, list, work)
  } catch (error) {
    return { status: 'failed', why: `Parquet export failed: ${error instanceof Error ? error.message : String(error)}` }
  }
  line(`Evidently: exported Parquet in ${exported.seconds.toFixed(2)} s`)
  const parquetBytes = { reference: statSync(exported.reference).size, current: statSync(exported.current).size }
  let venv
  try {
    venv = await prepareVenv({ dir: options.venv, python: options.python, log: line })
  } catch (error) {
    return { status: 'failed', why: `could not install Evidently: ${error instanceof Error ? error.message : String(error)}`, exportSeconds: exported.seconds, parquetBytes }
  }
  if (venv.created) line(`Evidently: virtualenv ready in ${venv.installSeconds.toFixed(1)} s`)
  else line(`Evidently: reusing the virtualenv ${venv.dir}`)
  try {
    line('Evidently: running DataDriftPreset ...')
    const watch = watchOthers()
    const result = await runEvidently(venv, { reference: exported.reference, current: exported.current, numeric: list.map((c) => c.name), categorical: [] })
    const othersDuring = watch.stop(result.cpu_seconds)
    return { status: 'ran', installSeconds: venv.installSeconds, exportSeconds: exported.seconds, parquetBytes, result, othersDuring }
  } catch (error) {
    return { status: 'failed', why: `Evidently did not run: ${error instanceof Error ? error.message : String(error)}`, installSeconds: venv.installSeconds, exportSeconds: exported.seconds, parquetBytes }
  } finally {
    removeVenv(venv)
  }
}

// ---------------------------------------------------------------------------------------------------------
// Output

function line(text: string): void {
  process.stdout.write(`${text}\n`)
}

const fmt = (x: number | null | undefined, digits = 4): string => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : Number(x.toPrecision(digits)).toString())

interface Agreement {
  compared: number
  agree: number
  disagreeing: string[]
  maxScoreDifference: number | null
  rows: { name: string; intended: boolean; modelwatch: { method: string; score: number | null; drifted: boolean }; evidently: { method: string; score: number; drifted: boolean | null } | null }[]
}

function agreement(report: DriftReport, list: Feature[], evidently: EvidentlyResult | undefined): Agreement {
  const byName = new Map((evidently?.columns ?? []).map((c) => [c.name, c]))
  const rows = report.columns.map((c) => {
    const e = byName.get(c.name)
    return {
      name: c.name,
      intended: list.find((f) => f.name === c.name)?.drifts ?? false,
      modelwatch: { method: c.drift_method, score: c.drift_score, drifted: c.drifted },
      evidently: e === undefined ? null : { method: e.method, score: e.value, drifted: e.drifted },
    }
  })
  const compared = rows.filter((r) => r.evidently !== null)
  const disagreeing = compared.filter((r) => r.evidently?.drifted !== r.modelwatch.drifted).map((r) => r.name)
  // the same statistic on both sides (normed Wasserstein) can be compared number for number
  const differences = compared.flatMap((r) =>
    r.modelwatch.method === 'wasserstein' && r.evidently?.method === 'Wasserstein distance (normed)' && r.modelwatch.score !== null
      ? [Math.abs(r.modelwatch.score - r.evidently.score) / Math.max(Math.abs(r.evidently.score), 1e-12)]
      : [],
  )
  return {
    compared: compared.length,
    agree: compared.length - disagreeing.length,
    disagreeing,
    maxScoreDifference: differences.length > 0 ? Math.max(...differences) : null,
    rows,
  }
}

function printColumns(a: Agreement): void {
  line('\nper column (score: normed Wasserstein for both when the method is wasserstein)')
  line(`${'column'.padEnd(7)} ${'intended'.padEnd(9)} ${'modelwatch'.padEnd(28)} evidently`)
  for (const r of a.rows) {
    const mw = `${r.modelwatch.method} ${fmt(r.modelwatch.score)} ${r.modelwatch.drifted ? 'DRIFT' : 'no'}`
    const ev = r.evidently === null ? '-' : `${r.evidently.method} ${fmt(r.evidently.score)} ${r.evidently.drifted === true ? 'DRIFT' : r.evidently.drifted === false ? 'no' : '?'}`
    line(`${r.name.padEnd(7)} ${(r.intended ? 'drift' : '-').padEnd(9)} ${mw.padEnd(28)} ${ev}`)
  }
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  const list = features()
  const columns: DriftColumn[] = list.map((c) => ({ name: c.name, kind: 'numeric' }))
  const work = mkdtempSync(join(tmpdir(), 'modelwatch-bench-drift-'))
  // Ctrl-C mid-run still removes the generated data (a few hundred MB) and the Parquet files
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      rmSync(work, { recursive: true, force: true })
      process.exit(130)
    })
  }
  const ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: join(work, 'data') }).clickhouse)
  try {
    const [engine] = await (await ch.client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' })).json<{ version: string }>()
    line(`bench:drift: reference ${options.rowsReference.toLocaleString('en')} rows, current ${options.rowsCurrent.toLocaleString('en')} rows, ${list.length} numeric features (${list.filter((f) => f.drifts).length} drift)`)
    line(`engine: embedded ClickHouse ${engine?.version ?? '?'}, ${cpus().length} cores, node ${process.version}, layout ${options.layout}`)

    const generateSeconds = await generate(ch, options, list)
    line(`generated in ${generateSeconds.toFixed(2)} s`)

    const source = driftSource(options, list)
    const aWatch = watchOthers()
    const raw = await measureRaw(ch, source, columns, options.runs)
    const othersDuringA = aWatch.stop(0)
    line(`(a) raw rows: median ${raw.medianSeconds.toFixed(3)} s (target <= ${TARGETS.rawSeconds} s)`)
    const states = await measureAggregates(ch, TABLES, list.map((f) => f.name), raw.report, Math.max(options.runs, 5))
    line(`(b) aggregates: ${states.countRows} per-minute count rows (reference profile and ${options.rowsCurrent.toLocaleString('en')} rows through the views in ${states.buildSeconds.toFixed(2)} s, not counted); ` +
      `window query ${states.runs.map((t) => `${(t * 1000).toFixed(1)} ms`).join(', ')}; median ${(states.medianSeconds * 1000).toFixed(1)} ms; max |PSI/JS difference| from (a) ${fmt(states.maxDifference, 2)}`)
    const rssAfterModelwatchMb = process.resourceUsage().maxRSS / 1024

    const evidently = await measureEvidently(ch, options, list, work)
    if (evidently.status === 'ran' && evidently.result !== undefined) {
      const r = evidently.result
      line(`Evidently ${r.versions.evidently}: DataDriftPreset ${r.seconds.toFixed(2)} s (load ${r.load_seconds.toFixed(2)} s and Dataset ${r.dataset_seconds.toFixed(2)} s not included), peak RSS of the Python process ${r.peak_rss_mb.toFixed(0)} MB`)
      line(`Evidently versions: ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ')}, python ${r.python}`)
    } else {
      line(`Evidently: ${evidently.status}: ${evidently.why ?? ''}`)
    }

    const agree = agreement(raw.report, list, evidently.result)
    printColumns(agree)

    const evidentlySeconds = evidently.result?.seconds ?? null
    const ratio = evidentlySeconds === null ? null : evidentlySeconds / raw.medianSeconds
    const peakRssMb = process.resourceUsage().maxRSS / 1024
    const intendedMatches = raw.report.columns.filter((c) => c.drifted === (list.find((f) => f.name === c.name)?.drifts ?? false)).length
    const row = (label: string, value: string): void => line(`  ${label.padEnd(42)} ${value}`)
    line('\nsummary')
    row(`(a) raw rows, all statistics, ${list.length} features`, `${raw.medianSeconds.toFixed(3)} s median of ${options.runs} (${raw.runs.map((r) => r.seconds.toFixed(3)).join(', ')}); ` +
      `target <= ${TARGETS.rawSeconds} s: ${raw.medianSeconds <= TARGETS.rawSeconds ? 'met' : 'NOT met'}`)
    row('(b) aggregates: PSI, JS, out-of-range', `${(states.medianSeconds * 1000).toFixed(1)} ms median of ${states.runs.length}; target <= ${TARGETS.statesSeconds * 1000} ms: ${states.medianSeconds <= TARGETS.statesSeconds ? 'met' : 'NOT met'}; ` +
      `${states.maxDifference === 0 ? 'bit-identical to (a)' : `differs from (a) by ${fmt(states.maxDifference, 2)}`} (KS and Wasserstein stay on raw rows)`)
    row('Evidently DataDriftPreset', evidentlySeconds === null ? `n/a (${evidently.status}${evidently.why === undefined ? '' : `: ${evidently.why}`})` : `${evidentlySeconds.toFixed(2)} s`)
    row('Evidently / (a)', `${ratio === null ? 'n/a' : `${ratio.toFixed(1)}x`}; target >= ${TARGETS.evidentlyRatio}: ${ratio === null ? 'not measurable' : ratio >= TARGETS.evidentlyRatio ? 'met' : 'NOT met'}`)
    row('peak RSS of this process (engine in it)', `${peakRssMb.toFixed(0)} MB (${rssAfterModelwatchMb.toFixed(0)} MB before the Parquet export)`)
    row("other processes' CPU", `${fmtOthers(othersDuringA)} during (a), ${fmtOthers(evidently.othersDuring)} during Evidently (of ${cpus().length} cores; more than a few % distorts the figures)`)
    row('decisions', `modelwatch drifted ${raw.report.columns.filter((c) => c.drifted).length} of ${list.length}, as generated for ${intendedMatches} of ${list.length}` +
      (agree.compared === 0 ? '; Evidently not compared' : `; agree with Evidently on ${agree.agree} of ${agree.compared}${agree.disagreeing.length > 0 ? ` (differ: ${agree.disagreeing.join(', ')})` : ''}, normed Wasserstein relative difference at most ${fmt(agree.maxScoreDifference, 2)}`))

    const resultsDir = join(PACKAGE_ROOT, 'bench', 'results')
    mkdirSync(resultsDir, { recursive: true })
    const file = join(resultsDir, `drift-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
    writeFileSync(file, `${JSON.stringify({
      options,
      engine: engine?.version ?? null,
      cores: cpus().length,
      node: process.version,
      features: list.map(({ name, what, drifts }) => ({ name, what, drifts })),
      generateSeconds,
      a: { medianSeconds: raw.medianSeconds, warmupSeconds: raw.warmupSeconds, runs: raw.runs, target: TARGETS.rawSeconds },
      b: { ...states, target: TARGETS.statesSeconds },
      evidently: { ...evidently, seconds: evidentlySeconds },
      ratio,
      peakRssMb,
      rssAfterModelwatchMb,
      othersDuringA,
      agreement: agree,
      report: raw.report,
    }, null, 2)}\n`)
    line(`\nresults: ${file}`)
  } finally {
    await ch.close()
    rmSync(work, { recursive: true, force: true })
  }
}

await main()
