import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ColumnPlan } from '../../services/monitor/references/check-columns.js'
import { valueProblems } from '../../services/monitor/references/check-values.js'
import { checkQuery, REFERENCE_ROW_COLUMNS, rowSelect } from '../../services/monitor/references/row-sql.js'

/** Column names chosen to break any SQL that spliced them in as text. */
const EVIL = "x'); DROP TABLE t; --`"

const plan: ColumnPlan = {
  numeric: [
    { feature: 'tenure', column: 'tenure', read: 'text', role: 'numeric feature' },
    { feature: EVIL, column: EVIL, read: 'float', role: 'numeric feature' },
  ],
  categorical: [{ feature: 'plan', column: 'plan', read: 'text', role: 'categorical feature' }],
  score: { column: 'score', read: 'exact', role: 'score' },
  probabilities: [{ column: 'proba_a', read: 'float', role: 'probability of class a', className: 'a' }],
  labelClass: { column: 'label', read: 'convert', role: 'label' },
  ignored: [],
}

describe('reference SQL', () => {
  it('passes every column name, map key and class name as a query parameter', () => {
    const select = rowSelect(plan, 'file({ref_path:String}, {ref_format:String})', '')
    const checks = checkQuery(plan, 'file({ref_path:String}, {ref_format:String})', '')
    for (const { query, params } of [select, checks]) {
      assert.ok(!query.includes(EVIL) && !query.includes('DROP'), 'no input in the SQL text')
      assert.ok(Object.values(params).includes(EVIL), 'the name travels as a parameter')
      for (const [, name] of query.matchAll(/\{(\w+):\w+\}/g)) assert.ok(name === 'rr_id' || name?.startsWith('ref_') || (name ?? '') in params, `parameter ${name} is bound`)
    }
  })

  it('selects one expression per reference_rows column, NULL or empty for absent outputs', () => {
    const { query } = rowSelect(plan, 'src', '')
    const body = query.slice('SELECT '.length, query.indexOf('\nFROM'))
    assert.equal(body.split(',\n  ').length, REFERENCE_ROW_COLUMNS.length)
    assert.match(query, /mapFilter\(\(k, v\) -> v IS NOT NULL/)
    assert.match(query, /CAST\(NULL, 'Nullable\(String\)'\)/, 'no predicted_class column')
    assert.match(query, /toString\(\{rc_\d+:Identifier\}\)/, 'integer labels become their text')
    assert.match(query, /FROM src $/)
  })

  it('checks CSV numbers for parse failures and non-finite words, typed floats for NaN/Inf, exact numbers not at all', () => {
    const { checks, query } = checkQuery(plan, 'src', 'SETTINGS x = 0')
    assert.deepEqual(
      checks.map((c) => [c.column, c.problem]),
      [
        ['tenure', 'not a number'],
        ['tenure', 'NaN or Infinity'],
        [EVIL, 'NaN or Infinity'],
        ['proba_a', 'NaN or Infinity'],
      ],
    )
    assert.match(query, /^SELECT count\(\) AS rows, countIf\(.*\) AS bad_0, anyIf\(.*\) AS example_0, .* FROM src SETTINGS x = 0$/s)
  })

  it('says how many values of which column are bad, with an example, one phrase per check', () => {
    const { checks } = checkQuery(plan, 'src', '')
    assert.deepEqual(valueProblems(checks, { rows: 9, bad_0: 2, example_0: 'abc', bad_1: 0, bad_2: 0, bad_3: 1, example_3: 'nan' }), [
      'column tenure (numeric feature): 2 values are not a number, e.g. "abc"',
      'column proba_a (probability of class a): 1 value is NaN or Infinity, e.g. "nan"',
    ])
    assert.deepEqual(valueProblems(checks, { rows: 9, bad_0: 1, example_0: 'x'.repeat(100) }), [`column tenure (numeric feature): 1 value is not a number, e.g. "${'x'.repeat(37)}..."`])
  })
})
