import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { expandClickHouseSql, formatValue, type QueryContext } from '../support/grafana-macros.js'

const ctx: QueryContext = { fromMs: 1_700_000_000_123, toMs: 1_700_003_600_456, intervalMs: 30_000, variables: { model: { value: 'churn' }, version: { all: true, options: ['1', '2'] } } }

describe('Grafana and ClickHouse plugin expansion (dashboards check)', () => {
  it('expands the plugin\'s time macros as its backend does, whole seconds for toDateTime and ms for the _ms forms', () => {
    assert.equal(
      expandClickHouseSql('SELECT $__timeInterval(ts) AS t, count() / $__interval_s FROM e WHERE $__timeFilter(ts) AND x > $__fromTime_ms AND y < $__toTime', ctx),
      'SELECT toStartOfInterval(toDateTime(ts), INTERVAL 30 second) AS t, count() / 30 FROM e WHERE ts >= toDateTime(1700000000) AND ts <= toDateTime(1700003600) AND x > fromUnixTimestamp64Milli(1700000000123) AND y < toDateTime(1700003600)',
    )
  })

  it('drops a $__conditionalAll condition when its variable is All and keeps it otherwise', () => {
    const sql = "WHERE $__conditionalAll(v = decodeURLComponent('${version:percentencode}'), $version) AND m = '${model}'"
    assert.equal(expandClickHouseSql(sql, ctx), "WHERE 1=1 AND m = 'churn'")
    assert.equal(expandClickHouseSql(sql, { ...ctx, variables: { ...ctx.variables, version: { value: "2'rc\\" } } }), "WHERE v = decodeURLComponent('2%27rc%5C') AND m = 'churn'")
  })

  it('formats values like Grafana: singlequote escapes quotes but not backslashes, percentencode leaves no quote or backslash', () => {
    assert.equal(formatValue("a'b\\", 'singlequote'), "'a\\'b\\'")
    assert.equal(formatValue(["a'b", 'c'], 'sqlstring'), "'a''b','c'")
    assert.equal(formatValue("2'rc\\ (x)*!", 'percentencode'), '2%27rc%5C%20%28x%29%2A%21')
    assert.equal(formatValue(['1', '2'], undefined), "'1','2'")
  })

  it('refuses an undefined variable, an unknown macro or format, rather than leaving them in the SQL', () => {
    assert.throws(() => expandClickHouseSql('SELECT ${segment}', ctx), /\$segment, which the dashboard does not define/)
    assert.throws(() => expandClickHouseSql('SELECT $__timeGroup(ts, 5m)', ctx), /unknown macro \$__timeGroup/)
    assert.throws(() => expandClickHouseSql('SELECT ${model:lucene}', ctx), /format "lucene"/)
    assert.throws(() => expandClickHouseSql('WHERE $__conditionalAll(a = 1)', ctx), /takes \(condition, \$variable\)/)
  })
})
