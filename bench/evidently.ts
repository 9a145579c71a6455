/**
 * Evidently in a throwaway virtualenv, for the benchmarks that compare with it (bench/drift.ts,
 * bench/evidently-compare.ts). The virtualenv lives under os.tmpdir() and is removed afterwards unless the caller
 * passes its own directory to reuse; bench/drift-evidently.py does the Python side.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/**
 * What the benchmarks ran against. pandas stays below 3: Evidently 0.7.23 imports
 * pandas.core.dtypes.common.infer_dtype_from_object, which pandas 3 removed (ImportError at `import evidently`).
 * The rest are the versions pip resolved with it, pinned so a later run computes with the same code.
 */
export const EVIDENTLY_PINS = ['evidently==0.7.23', 'pandas==2.3.3', 'numpy==2.4.6', 'scipy==1.17.1', 'scikit-learn==1.9.1', 'pyarrow==26.0.1'] as const

const SCRIPT = fileURLToPath(new URL('./drift-evidently.py', import.meta.url))
const INSTALL_TIMEOUT_MS = 15 * 60_000
const RUN_TIMEOUT_MS = 60 * 60_000

export interface Venv {
  dir: string
  python: string
  /** True when this run created it (and so removes it). */
  created: boolean
  installSeconds: number
}

/**
 * A virtualenv with EVIDENTLY_PINS: `dir` when it already has them (a reused one), else a new one under os.tmpdir().
 * Throws an Error whose message says why when python, venv or pip fails (no network, no wheel, ...).
 *
 * @example
 * const venv = await prepareVenv({ python: 'python3' })
 */
export async function prepareVenv(options: { dir?: string; python: string; log?: (line: string) => void }): Promise<Venv> {
  const log = options.log ?? (() => {})
  if (options.dir !== undefined && existsSync(join(options.dir, 'bin', 'python'))) {
    return { dir: options.dir, python: join(options.dir, 'bin', 'python'), created: false, installSeconds: 0 }
  }
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'modelwatch-bench-evidently-'))
  const started = performance.now()
  try {
    log(`creating a virtualenv in ${dir} and installing ${EVIDENTLY_PINS.join(' ')} ...`)
    await run(options.python, ['-m', 'venv', dir], INSTALL_TIMEOUT_MS)
    await run(join(dir, 'bin', 'pip'), ['install', '--disable-pip-version-check', '--quiet', ...EVIDENTLY_PINS], INSTALL_TIMEOUT_MS)
  } catch (error) {
    if (options.dir === undefined) rmSync(dir, { recursive: true, force: true })
    throw error
  }
  return { dir, python: join(dir, 'bin', 'python'), created: true, installSeconds: (performance.now() - started) / 1000 }
}

export function removeVenv(venv: Venv): void {
  if (venv.created) rmSync(venv.dir, { recursive: true, force: true })
}

export interface EvidentlyColumn {
  name: string
  kind: 'numeric' | 'categorical'
  /** Evidently's display name of the method it used, e.g. "Wasserstein distance (normed)". */
  method: string
  threshold: number
  /** The drift score: a distance, or a p-value for the tests. */
  value: number
  drifted: boolean | null
}

/** Evidently's own stat-test functions on one column (--extra-stats); a key is null when that test refused the column. */
export type EvidentlyExtra = Record<string, number | string | null>

export interface EvidentlyResult {
  /** Report(metrics=[DataDriftPreset()]).run(...) only. */
  seconds: number
  import_seconds: number
  load_seconds: number
  dataset_seconds: number
  rows_reference: number
  rows_current: number
  columns: EvidentlyColumn[]
  drifted_columns: { count: number; share: number } | null
  extra: Record<string, EvidentlyExtra> | null
  peak_rss_mb: number
  /** CPU time of the whole Python process (user + system), imports and loading included. */
  cpu_seconds: number
  versions: Record<string, string>
  python: string
}

/**
 * Runs bench/drift-evidently.py on two files and parses its one JSON line.
 *
 * @example
 * const result = await runEvidently(venv, { reference: 'ref.parquet', current: 'cur.parquet', numeric: ['f00'], categorical: [] })
 */
export async function runEvidently(
  venv: Venv,
  input: { reference: string; current: string; numeric: string[]; categorical: string[]; extraStats?: boolean },
): Promise<EvidentlyResult> {
  const args = [SCRIPT, '--reference', input.reference, '--current', input.current, '--numeric', input.numeric.join(','), '--categorical', input.categorical.join(',')]
  if (input.extraStats === true) args.push('--extra-stats')
  // DO_NOT_TRACK: Evidently posts usage telemetry otherwise, to a host this machine cannot reach
  const { stdout } = await run(venv.python, args, RUN_TIMEOUT_MS, { DO_NOT_TRACK: '1' })
  const line = stdout.trim().split('\n').pop() ?? ''
  return JSON.parse(line) as EvidentlyResult
}

/** A child process to completion; a failure becomes an Error naming the command and the end of its stderr. */
async function run(command: string, args: string[], timeout: number, env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(command, args, { timeout, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ...env } })
  } catch (error) {
    const e = error as { stderr?: string; message?: string; killed?: boolean }
    const tail = (e.stderr ?? '').trim().split('\n').slice(-6).join('\n')
    const why = e.killed === true ? `timed out after ${timeout / 1000} s` : tail || e.message || String(error)
    throw new Error(`${command} ${args.slice(0, 3).join(' ')} ...: ${why}`)
  }
}
