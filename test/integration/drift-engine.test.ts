/**
 * The drift queries on the embedded engine against numpy/scipy (test/fixtures/stats/drift-cases.json, written by
 * generate_drift.py). Exact definitions are held to 1e-6 relative (1e-12 absolute near 0); bin edges and counts
 * must be identical. KS p-values: the exact regime (every case here: at most 10,000 values a side) agrees with
 * scipy to 1e-12 relative; ClickHouse's own kolmogorovSmirnovTest agrees to 1e-9 except where it merges values
 * closer than 1e-7 (docs/statistics.md).
 */
import assert from 'node:assert/strict'
import { readFileSync, rmSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { computeDrift, type ColumnDrift } from '../../services/monitor/drift/index.js'
import { numericStatistics } from '../../services/monitor/drift/numeric.js'
import type { DriftColumn, DriftSource } from '../../services/monitor/sql-source.js'
import { testDataDir } from '../support/harness.js'

type Value = number | string | null
interface FixtureColumn { name: string; kind: 'numeric' | 'categorical'; reference: Value[]; current: Value[] }
interface ExpectedColumn extends Record<string, unknown> { name: string; kind: string; edges?: number[]; reference_bins?: number[]; current_bins?: number[]; reference_std?: number }
interface FixtureCase { name: string; columns: FixtureColumn[]; expected: { columns: ExpectedColumn[]; drifted_share: number | null; dataset_drift: boolean } }

const fixture = JSON.parse(readFileSync(new URL('../fixtures/stats/drift-cases.json', import.meta.url), 'utf8')) as { cases: FixtureCase[] }

/** Equal within `relative` (or `absolute` near 0); null only matches null. */
function close(actual: unknown, expected: unknown, what: string, relative = 1e-6, absolute = 1e-12): void {
  if (expected === null || actual === null) return assert.equal(actual, expected, `${what}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`)
  assert.equal(typeof actual, 'number', `${what} is ${JSON.stringify(actual)}`)
  const a = actual as number
  const e = expected as number
  const ok = Math.abs(a - e) <= Math.max(absolute, relative * Math.abs(e))
  assert.ok(ok, `${what}: ${a} vs expected ${e} (difference ${Math.abs(a - e)})`)
}

/** Numbers as text keeps −0 (String(-0) is "0") and lets "nan" / "inf" through; the source parses them back. */
const asText = (v: Value): string | null => (v === null ? null : typeof v === 'number' ? (Object.is(v, -0) ? '-0' : String(v)) : v)

const sourceOf = (fixtureCase: string): DriftSource => ({
  sql: 'SELECT side, column, toFloat64OrNull(num_text) AS num, cat FROM drift_values WHERE fixture_case = {fixture_case:String}',
  params: { fixture_case: fixtureCase },
})

let ch: ClickHouse

before(async () => {
  ch = await openClickHouse({ url: undefined, user: 'default', password: '', database: 'drift_test', requestTimeoutMs: 30_000, dataDir: testDataDir() })
  await ch.client.command({
    query: 'CREATE TABLE drift_values (fixture_case String, side UInt8, column String, num_text Nullable(String), cat Nullable(String)) ENGINE = Memory',
  })
  const rows = fixture.cases.flatMap((c) =>
    c.columns.flatMap((column) =>
      ([[0, column.reference], [1, column.current]] as const).flatMap(([side, values]) =>
        values.map((v) => ({
          fixture_case: c.name,
          side,
          column: column.name,
          num_text: column.kind === 'numeric' ? asText(v) : null,
          cat: column.kind === 'categorical' ? v : null,
        })),
      ),
    ),
  )
  await ch.client.insert({ table: 'drift_values', values: rows, format: 'JSONEachRow' })
})

after(async () => {
  await ch?.close()
  rmSync(testDataDir(), { recursive: true, force: true })
})

function checkColumn(actual: ColumnDrift, expected: ExpectedColumn, where: string): void {
  assert.equal(actual.name, expected.name)
  assert.equal(actual.kind, expected.kind, `${where} kind`)
  assert.equal(actual.n_reference, expected.n_reference, `${where} n_reference`)
  assert.equal(actual.n_current, expected.n_current, `${where} n_current`)
  for (const key of ['missing_share', 'psi', 'jensen_shannon'] as const) close(actual[key], expected[key], `${where} ${key}`)
  if (actual.kind === 'numeric') {
    const ks = expected.ks as { statistic: number | null; p_value: number | null }
    close(actual.ks.statistic, ks.statistic, `${where} ks.statistic`)
    close(actual.ks.p_value, ks.p_value, `${where} ks.p_value`, 1e-12, 1e-15)
    close(actual.wasserstein, expected.wasserstein, `${where} wasserstein`)
    close(actual.wasserstein_normed, expected.wasserstein_normed, `${where} wasserstein_normed`)
  } else {
    const chi2 = expected.chi2 as { statistic: number | null; p_value: number | null }
    close(actual.chi2.statistic, chi2.statistic, `${where} chi2.statistic`)
    close(actual.chi2.p_value, chi2.p_value, `${where} chi2.p_value`)
    close(actual.new_category_share, expected.new_category_share, `${where} new_category_share`)
  }
  assert.equal(actual.drift_method, expected.drift_method, `${where} drift_method`)
  assert.equal(actual.drifted, expected.drifted, `${where} drifted`)
  close(actual.drift_score, expected.drift_score, `${where} drift_score`, 1e-6, 1e-15)
}

describe('computeDrift against numpy/scipy', () => {
  for (const fixtureCase of fixture.cases) {
    it(fixtureCase.name, async () => {
      const columns: DriftColumn[] = fixtureCase.columns.map(({ name, kind }) => ({ name, kind }))
      const report = await computeDrift(ch, sourceOf(fixtureCase.name), columns)
      assert.equal(report.columns.length, fixtureCase.expected.columns.length)
      fixtureCase.expected.columns.forEach((expected, i) => checkColumn(report.columns[i] as ColumnDrift, expected, `${fixtureCase.name} / ${expected.name}`))
      close(report.drifted_share, fixtureCase.expected.drifted_share, `${fixtureCase.name} drifted_share`)
      assert.equal(report.dataset_drift, fixtureCase.expected.dataset_drift)
    })
  }
})

describe('numeric bins', () => {
  it('uses numpy quantile edges bit for bit and numpy searchsorted bins exactly', async () => {
    for (const fixtureCase of fixture.cases) {
      const numeric = fixtureCase.columns.filter((c) => c.kind === 'numeric').map((c) => c.name)
      const rows = await numericStatistics(ch, sourceOf(fixtureCase.name), numeric)
      for (const expected of fixtureCase.expected.columns.filter((c) => c.kind === 'numeric' && c.edges !== undefined)) {
        const row = rows.find((r) => r.column === expected.name)
        assert.ok(row, `${expected.name} computed`)
        assert.deepEqual(row.edges, expected.edges, `${fixtureCase.name} / ${expected.name} edges`)
        assert.deepEqual(row.reference_bins, expected.reference_bins, `${fixtureCase.name} / ${expected.name} reference bins`)
        assert.deepEqual(row.current_bins, expected.current_bins, `${fixtureCase.name} / ${expected.name} current bins`)
        close(row.reference_std, expected.reference_std, `${expected.name} reference std`)
      }
    }
  })
})

/** Columns with distinct values closer than 1e-7: 0.1 vs nextafter(0.1), and 0 vs ±1e-300 vs 5e-324. */
const MERGED_BY_CLICKHOUSE = new Set(['adjacent doubles', 'wide range'])

describe("ClickHouse's kolmogorovSmirnovTest", () => {
  it("gives the same p-values, except where it merges values closer than 1e-7", async () => {
    let compared = 0
    for (const fixtureCase of fixture.cases) {
      const source = sourceOf(fixtureCase.name)
      const report = await computeDrift(ch, source, fixtureCase.columns.map(({ name, kind }) => ({ name, kind })))
      const result = await ch.client.query({
        query: `WITH src AS (${source.sql}), finite AS (SELECT side, column, assumeNotNull(num) AS x FROM src WHERE isFinite(ifNull(num, nan)))
          SELECT column, kolmogorovSmirnovTest('two-sided', 'auto')(x, side) AS ks FROM finite
          WHERE column IN (SELECT column FROM finite GROUP BY column HAVING countIf(side = 0) > 0 AND countIf(side = 1) > 0)
          GROUP BY column`,
        query_params: source.params,
        format: 'JSONEachRow',
      })
      for (const { column, ks } of await result.json<{ column: string; ks: { d_statistic: number; p_value: number } }>()) {
        const ours = report.columns.find((c) => c.name === column && c.kind === 'numeric')
        if (ours === undefined || ours.kind !== 'numeric') continue
        if (MERGED_BY_CLICKHOUSE.has(column)) {
          // ClickHouse's 1e-7 tolerance turns distinct values into ties there, so its D is not the exact one.
          assert.ok(Math.abs(ks.d_statistic - (ours.ks.statistic ?? 0)) > 0.01, `${column}: ClickHouse D ${ks.d_statistic}`)
          continue
        }
        close(ks.d_statistic, ours.ks.statistic, `${fixtureCase.name} / ${column} D`, 1e-9)
        close(ks.p_value, ours.ks.p_value, `${fixtureCase.name} / ${column} p`, 1e-9, 1e-15)
        compared++
      }
    }
    assert.ok(compared >= 10, `compared ${compared} columns`)
  })
})

describe('computeDrift options and edge cases', () => {
  const source = sourceOf('small reference: tests decide')
  const columns: DriftColumn[] = [
    { name: 'same', kind: 'numeric' },
    { name: 'shifted', kind: 'numeric' },
    { name: 'same category mix', kind: 'categorical' },
    { name: 'shifted category mix', kind: 'categorical' },
  ]

  it('applies per-kind and per-column rules and thresholds', async () => {
    const report = await computeDrift(ch, source, columns, {
      numeric: { method: 'psi', threshold: 0.05 },
      categorical: { method: 'jensen_shannon' },
      columns: { same: { method: 'wasserstein', threshold: 0.001 } },
      datasetDriftShare: 0.75,
    })
    const [same, shifted, sameCat, shiftedCat] = report.columns
    assert.equal(same?.drift_method, 'wasserstein')
    assert.equal(same?.drift_score, same?.kind === 'numeric' ? same.wasserstein_normed : undefined)
    assert.equal(same?.drifted, true) // any difference beats a 0.001 threshold
    assert.equal(shifted?.drift_method, 'psi')
    assert.equal(shifted?.drift_score, shifted?.psi)
    assert.equal(sameCat?.drift_method, 'jensen_shannon')
    assert.equal(sameCat?.drift_score, sameCat?.jensen_shannon)
    assert.equal(shiftedCat?.drift_method, 'jensen_shannon')
    assert.equal(report.drifted_share, report.columns.filter((c) => c.drifted).length / 4)
    assert.equal(report.dataset_drift, (report.drifted_share ?? 0) >= 0.75)
  })

  it('switches the default to distances above `largeReference` values', async () => {
    const report = await computeDrift(ch, source, columns, { largeReference: 100 })
    assert.deepEqual(report.columns.map((c) => c.drift_method), ['wasserstein', 'wasserstein', 'jensen_shannon', 'jensen_shannon'])
  })

  it('refuses a method that does not fit the column kind, and a column listed twice', async () => {
    await assert.rejects(computeDrift(ch, source, columns, { columns: { shifted: { method: 'chi2' } } }), /chi2 does not apply to numeric column "shifted"/)
    await assert.rejects(computeDrift(ch, source, [...columns, { name: 'same', kind: 'numeric' }]), /listed twice/)
  })

  it('reports a column the source does not have as empty, not drifted', async () => {
    const report = await computeDrift(ch, source, [{ name: 'nowhere', kind: 'numeric' }, { name: 'nowhere either', kind: 'categorical' }])
    for (const column of report.columns) {
      assert.equal(column.n_reference, 0)
      assert.equal(column.n_current, 0)
      assert.equal(column.missing_share, null)
      assert.equal(column.drift_score, null)
      assert.equal(column.drifted, false)
    }
    assert.equal(report.drifted_share, 0)
    assert.equal(report.dataset_drift, false)
  })

  it('handles no columns at all', async () => {
    assert.deepEqual(await computeDrift(ch, source, []), { columns: [], drifted_share: null, dataset_drift: false })
  })
})
