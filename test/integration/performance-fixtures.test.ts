/**
 * Performance metrics on the embedded engine against the fixtures of test/fixtures/stats/generate_performance.py
 * (expected values from numpy and scikit-learn): each case's rows go into a table of their own, computePerformance
 * runs over it, and every number must match to 1e-6 relative (1e-10 absolute near 0); every null must be null.
 */
import assert from 'node:assert/strict'
import { readFileSync, rmSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { loadConfig } from '../../services/core/config.js'
import { ModelwatchError } from '../../services/core/errors.js'
import { computePerformance, type PerformanceTask } from '../../services/monitor/performance/index.js'
import type { PerformanceSource } from '../../services/monitor/sql-source.js'
import { testDataDir, uniqueName } from '../support/harness.js'

interface FixtureCase {
  name: string
  task: PerformanceTask
  groups?: string[]
  rows: Record<string, unknown>[]
  expected: Record<string, unknown>
}

interface Fixture {
  tolerance: { relative: number; absolute: number }
  cases: FixtureCase[]
}

const FILES = ['performance-binary.json', 'performance-multiclass.json', 'performance-regression.json']

function loadFixture(file: string): Fixture {
  return JSON.parse(readFileSync(new URL(`../fixtures/stats/${file}`, import.meta.url), 'utf8')) as Fixture
}

/** Walks expected and actual together; numbers within tolerance, everything else equal. */
function assertClose(actual: unknown, expected: unknown, tolerance: Fixture['tolerance'], path: string): void {
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `${path}: expected ${expected}, got ${JSON.stringify(actual)}`)
    const a = actual as number
    const allowed = tolerance.relative * Math.abs(expected) + tolerance.absolute
    assert.ok(Math.abs(a - expected) <= allowed, `${path}: expected ${expected}, got ${a} (difference ${Math.abs(a - expected)} > ${allowed})`)
    return
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array, got ${JSON.stringify(actual)}`)
    assert.equal(actual.length, expected.length, `${path}: expected ${expected.length} entries, got ${JSON.stringify(actual)}`)
    expected.forEach((e, i) => assertClose(actual[i], e, tolerance, `${path}[${i}]`))
    return
  }
  if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${path}: expected an object, got ${JSON.stringify(actual)}`)
    const a = actual as Record<string, unknown>
    assert.deepEqual(Object.keys(a).sort(), Object.keys(expected).sort(), `${path}: keys differ`)
    for (const [key, e] of Object.entries(expected)) assertClose(a[key], e, tolerance, `${path}.${key}`)
    return
  }
  assert.equal(actual, expected, `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
}

/** A table with exactly the PerformanceSource columns, holding the case's rows. */
async function loadRows(ch: ClickHouse, rows: Record<string, unknown>[], columns = PERFORMANCE_COLUMNS): Promise<PerformanceSource> {
  const table = uniqueName('perf_fixture')
  await ch.client.command({ query: `CREATE TABLE {table:Identifier} (${columns}) ENGINE = MergeTree ORDER BY tuple()`, query_params: { table } })
  // Exact decimal-to-double parsing, so scores on bin edges (0.3, 0.7…) land in the same ECE bin as in numpy.
  if (rows.length > 0) await ch.client.insert({ table, values: rows, format: 'JSONEachRow', clickhouse_settings: { precise_float_parsing: 1 } })
  return { sql: 'SELECT grp, score, probabilities, predicted_class, value, label_class, label_value FROM {fixture_table:Identifier}', params: { fixture_table: table } }
}

const PERFORMANCE_COLUMNS = [
  'grp String',
  'score Nullable(Float64)',
  'probabilities Map(String, Float64)',
  'predicted_class Nullable(String)',
  'value Nullable(Float64)',
  'label_class Nullable(String)',
  'label_value Nullable(Float64)',
].join(', ')

describe('performance metrics match the numpy / scikit-learn fixtures', () => {
  let ch: ClickHouse
  let dataDir: string

  before(async () => {
    dataDir = testDataDir()
    ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: dataDir, CLICKHOUSE_DATABASE: uniqueName('perf') }).clickhouse)
  })

  after(async () => {
    await ch.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  for (const file of FILES) {
    const fixture = loadFixture(file)
    describe(file, () => {
      for (const c of fixture.cases) {
        it(c.name, async () => {
          const source = await loadRows(ch, c.rows)
          const metrics = await computePerformance(ch, source, c.task, { groups: c.groups ?? [] })
          assertClose(Object.fromEntries(metrics), c.expected, fixture.tolerance, c.name)
        })
      }
    })
  }

  it('reads the column types of the events tables (LowCardinality keys and groups) the same way', async () => {
    const fixture = loadFixture('performance-multiclass.json')
    const c = fixture.cases.find((x) => x.name.startsWith('sparse'))
    assert.ok(c !== undefined)
    const columns = PERFORMANCE_COLUMNS.replace('grp String', 'grp LowCardinality(String)').replace('Map(String,', 'Map(LowCardinality(String),')
    const source = await loadRows(ch, c.rows, columns)
    assertClose(Object.fromEntries(await computePerformance(ch, source, c.task)), c.expected, fixture.tolerance, c.name)

    const binary = loadFixture('performance-binary.json').cases.find((x) => x.name.startsWith('score from probabilities'))
    assert.ok(binary !== undefined)
    const binarySource = await loadRows(ch, binary.rows, columns)
    assertClose(Object.fromEntries(await computePerformance(ch, binarySource, binary.task)), binary.expected, fixture.tolerance, binary.name)
  })

  it('computes every group of a source in the same call, each as if alone', async () => {
    const fixture = loadFixture('performance-binary.json')
    const cases = fixture.cases.filter((c) => c.rows.length > 0)
    const rows: Record<string, unknown>[] = cases.flatMap((c, i) => c.rows.map((r) => ({ ...r, grp: `${i}/${String(r.grp)}` })))
    const expected = Object.fromEntries(cases.flatMap((c, i) => Object.entries(c.expected).map(([g, m]) => [`${i}/${g}`, m])))
    // Every binary case uses positive class '1' except the ties case ('yes'): relabel it so one task fits all.
    const ties = cases.findIndex((c) => c.task.kind === 'binary_classification' && c.task.positiveClass !== '1')
    for (const r of rows) if (String(r.grp).startsWith(`${ties}/`)) r.label_class = r.label_class === null ? null : r.label_class === 'yes' ? '1' : '0'
    const source = await loadRows(ch, rows)
    const metrics = await computePerformance(ch, source, { kind: 'binary_classification', positiveClass: '1' })
    assertClose(Object.fromEntries(metrics), expected, fixture.tolerance, 'all groups')
  })

  it('reports a failing query as CLICKHOUSE_QUERY_FAILED, not retriable', async () => {
    const source = { sql: 'SELECT grp FROM {fixture_table:Identifier}', params: { fixture_table: 'no_such_table' } }
    await assert.rejects(computePerformance(ch, source, { kind: 'regression' }), (error: unknown) => {
      assert.ok(error instanceof ModelwatchError)
      assert.equal(error.code, 'CLICKHOUSE_QUERY_FAILED')
      assert.equal(error.retriable, false)
      return true
    })
  })
})
