/**
 * `modelwatch drift` end to end: the real CLI as a child process on the fixture files (the same two tables
 * written as CSV, Parquet, Arrow IPC and Feather v2 by generate_drift.py), its JSON against scipy's report,
 * its table, its one-line errors, and its temporary engine directory cleaned up.
 */
import assert from 'node:assert/strict'
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, describe, it } from 'node:test'
import { runCli, type CliResult } from '../support/cli-process.js'

const fixtures = fileURLToPath(new URL('../fixtures/stats/', import.meta.url))
const file = (name: string): string => join(fixtures, name)
const expected = JSON.parse(readFileSync(file('drift-files-expected.json'), 'utf8')) as { categorical: string[]; report: ExpectedReport }

interface ExpectedColumn extends Record<string, unknown> { name: string; kind: string }
interface ExpectedReport { columns: ExpectedColumn[]; drifted_share: number; dataset_drift: boolean }

/** Every CLI run gets its own TMPDIR, so the test can see that the engine's temporary directory is removed. */
const scratch = mkdtempSync(join(tmpdir(), 'modelwatch-drift-cli-test-'))
after(() => rmSync(scratch, { recursive: true, force: true }))

async function drift(args: string[]): Promise<CliResult & { tmp: string }> {
  const tmp = mkdtempSync(join(scratch, 'tmp-'))
  const result = await runCli(['drift', ...args], { TMPDIR: tmp })
  return { ...result, tmp }
}

function close(actual: unknown, wanted: unknown, what: string, relative = 1e-6, absolute = 1e-12): void {
  if (wanted === null || actual === null) return assert.equal(actual, wanted, what)
  const a = actual as number
  const e = wanted as number
  assert.ok(Math.abs(a - e) <= Math.max(absolute, relative * Math.abs(e)), `${what}: ${a} vs expected ${e}`)
}

const NUMERIC_KEYS = ['name', 'kind', 'n_reference', 'n_current', 'missing_share', 'psi', 'jensen_shannon', 'drifted', 'drift_method', 'drift_score', 'ks', 'wasserstein', 'wasserstein_normed']
const CATEGORICAL_KEYS = ['name', 'kind', 'n_reference', 'n_current', 'missing_share', 'psi', 'jensen_shannon', 'drifted', 'drift_method', 'drift_score', 'chi2', 'new_category_share']

function checkReport(stdout: string): void {
  const lines = stdout.trim().split('\n')
  assert.equal(lines.length, 1, 'exactly one line of JSON')
  const report = JSON.parse(lines[0] ?? '') as { columns: Record<string, unknown>[]; drifted_share: number; dataset_drift: boolean }
  assert.deepEqual(Object.keys(report).sort(), ['columns', 'dataset_drift', 'drifted_share'])
  assert.deepEqual(report.columns.map((c) => c.name), expected.report.columns.map((c) => c.name))
  for (const [i, want] of expected.report.columns.entries()) {
    const got = report.columns[i] ?? {}
    const where = `column ${want.name}`
    assert.deepEqual(Object.keys(got).sort(), (want.kind === 'numeric' ? NUMERIC_KEYS : CATEGORICAL_KEYS).slice().sort(), `${where} keys`)
    for (const key of ['kind', 'n_reference', 'n_current', 'drifted', 'drift_method']) assert.equal(got[key], want[key], `${where} ${key}`)
    for (const key of ['missing_share', 'psi', 'jensen_shannon', 'drift_score', 'wasserstein', 'wasserstein_normed', 'new_category_share']) {
      if (key in want) close(got[key], want[key], `${where} ${key}`)
    }
    for (const test of ['ks', 'chi2'] as const) {
      if (!(test in want)) continue
      const g = got[test] as { statistic: number | null; p_value: number | null }
      const w = want[test] as { statistic: number | null; p_value: number | null }
      close(g.statistic, w.statistic, `${where} ${test}.statistic`)
      // both files have at most 10,000 values: the exact KS regime, where ClickHouse's method matches scipy's
      close(g.p_value, w.p_value, `${where} ${test}.p_value`, 1e-9, 1e-15)
    }
  }
  close(report.drifted_share, expected.report.drifted_share, 'drifted_share')
  assert.equal(report.dataset_drift, expected.report.dataset_drift)
}

function cleanedUp(result: { tmp: string }): void {
  // (tsx keeps its own cache there too)
  assert.deepEqual(readdirSync(result.tmp).filter((name) => name.startsWith('modelwatch-drift-')), [], 'the temporary engine directory is removed')
}

describe('modelwatch drift --json', () => {
  const categorical = ['--categorical', expected.categorical.join(',')]
  for (const [reference, current] of [
    ['drift-files-reference.csv', 'drift-files-current.csv'],
    ['drift-files-reference.csv', 'drift-files-current.parquet'],
    ['drift-files-reference.parquet', 'drift-files-current.feather'],
    ['drift-files-reference.arrow', 'drift-files-current.csv'],
  ] as const) {
    it(`${reference} vs ${current} matches scipy`, async () => {
      const result = await drift(['--reference', file(reference), '--current', file(current), ...categorical, '--json'])
      assert.equal(result.code, 0, result.stderr)
      checkReport(result.stdout)
      assert.match(result.stderr, /warning: ignoring column only in the reference file: "reference_only"/)
      assert.match(result.stderr, /warning: ignoring column only in the current file: "current_only"/)
      cleanedUp(result)
    })
  }

  it('reads integer codes as numbers unless --categorical names them', async () => {
    const result = await drift(['--reference', file('drift-files-reference.parquet'), '--current', file('drift-files-current.csv'), '--json'])
    assert.equal(result.code, 0, result.stderr)
    const report = JSON.parse(result.stdout) as { columns: { name: string; kind: string }[] }
    assert.equal(report.columns.find((c) => c.name === 'zip')?.kind, 'numeric')
    assert.equal(report.columns.find((c) => c.name === 'plan')?.kind, 'categorical')
  })
})

describe('modelwatch drift with an empty current file', () => {
  it('reports every column with null statistics, not drifted', async () => {
    const path = join(scratch, 'empty-current.csv')
    writeFileSync(path, 'age,plan,zip\n')
    const result = await drift(['--reference', file('drift-files-reference.parquet'), '--current', path, '--json'])
    assert.equal(result.code, 0, result.stderr)
    const report = JSON.parse(result.stdout) as { columns: Record<string, unknown>[]; drifted_share: number; dataset_drift: boolean }
    assert.deepEqual(report.columns.map((c) => [c.name, c.kind, c.n_current, c.missing_share, c.drift_score, c.drifted]), [
      ['age', 'numeric', 0, null, null, false],
      ['plan', 'categorical', 0, null, null, false],
      ['zip', 'numeric', 0, null, null, false],
    ])
    assert.equal(report.dataset_drift, false)
    cleanedUp(result)
  })
})

describe('modelwatch drift (table)', () => {
  it('prints a table per kind and the dataset verdict', async () => {
    const result = await drift(['--reference', file('drift-files-reference.csv'), '--current', file('drift-files-current.parquet'), '--categorical', 'zip'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^numeric columns\ncolumn +\| n_ref \| n_cur \|/)
    assert.match(result.stdout, /\ncategorical columns\ncolumn +\| n_ref \| n_cur \|/)
    assert.match(result.stdout, /churn_score .*\| no current values\n/)
    assert.match(result.stdout, /\ndataset drift: (YES|no) \(\d+ of 7 columns drifted, [\d.]+%\)\n/)
    cleanedUp(result)
  })
})

describe('modelwatch drift errors', () => {
  const oneLine = (result: CliResult, pattern: RegExp): void => {
    assert.equal(result.code, 2, `exit status; stderr: ${result.stderr}`)
    assert.equal(result.stdout, '')
    const lines = result.stderr.trim().split('\n')
    assert.equal(lines.length, 1, `one line: ${result.stderr}`)
    assert.match(lines[0] ?? '', pattern)
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
  }

  it('needs both files', async () => {
    oneLine(await drift(['--reference', file('drift-files-reference.csv')]), /^modelwatch: usage: modelwatch drift --reference FILE --current FILE/)
  })

  it('names a missing file', async () => {
    oneLine(await drift(['--reference', file('drift-files-reference.csv'), '--current', '/nonexistent/current.csv']), /^modelwatch: --current \/nonexistent\/current.csv: no such file$/)
  })

  it('names an unknown extension', async () => {
    const path = join(scratch, 'current.txt')
    writeFileSync(path, 'a\n1\n')
    oneLine(await drift(['--reference', file('drift-files-reference.csv'), '--current', path]), /file current\.txt: unknown extension; use \.csv, \.parquet, or \.arrow/)
  })

  it('names a file that is not in its format', async () => {
    const path = join(scratch, 'not-really.parquet')
    copyFileSync(file('drift-files-current.csv'), path)
    const result = await drift(['--reference', file('drift-files-reference.csv'), '--current', path])
    oneLine(result, /^modelwatch: cannot read the current file .*not-really\.parquet as Parquet: /)
    cleanedUp(result)
  })

  it('refuses files without a common column', async () => {
    const path = join(scratch, 'other.csv')
    writeFileSync(path, 'x,y\n1,2\n')
    oneLine(await drift(['--reference', file('drift-files-reference.csv'), '--current', path]), /have no column in common$/)
  })

  it('refuses --categorical naming a column that is not in both files', async () => {
    oneLine(
      await drift(['--reference', file('drift-files-reference.csv'), '--current', file('drift-files-current.csv'), '--categorical', 'zip,reference_only']),
      /--categorical names "reference_only", not a column of both files/,
    )
  })

  it('reports an unknown option', async () => {
    oneLine(await drift(['--reference', 'a.csv', '--current', 'b.csv', '--bogus']), /Unknown option '--bogus'/)
  })
})
