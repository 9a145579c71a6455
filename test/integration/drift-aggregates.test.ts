/**
 * Drift from the per-minute aggregates (materialized views on `predictions`) against drift from raw rows, on the
 * real engine. Model `m` (binary), features x (numeric: missing values, ties on the reference's edges, values
 * outside its range) and c (categorical: missing values, a category the reference never saw), one 1-hour window.
 * Half the window is stored before the version's reference profile exists (so it is backfilled), half after (so
 * the views bin it), each batch inserted as ingest does, with a deduplication token.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { ensureReferenceProfile } from '../../services/monitor/aggregates/reference-profile.js'
import { outOfRangeShares } from '../../services/monitor/data-quality/out-of-range.js'
import { computeDrift } from '../../services/monitor/drift/index.js'
import { computeWindowDrift, type WindowAggregates } from '../../services/monitor/drift/window-drift.js'
import type { ModelSpec } from '../../services/monitor/models/model-spec.js'
import { saveModel } from '../../services/monitor/models/registry.js'
import { driftColumns, driftOptions } from '../../services/monitor/pass.js'
import { driftSource } from '../../services/monitor/window-sources.js'
import { count, testDataDir, uniqueName } from '../support/harness.js'

const HOUR = 3_600_000
const START = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR

/** A deterministic value stream, so a failure reproduces. */
function lcg(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
}

describe('drift from per-minute aggregates', () => {
  let ch: ClickHouse
  let model: ModelSpec
  const random = lcg(11)
  const reference = { kind: 'rows' as const, referenceId: 'refagg' }
  const aggregates: WindowAggregates = { window: { model: 'm', version: '1', referenceId: 'refagg', from: START, to: START + HOUR }, columns: ['x', 'c'] }

  const prediction = (i: number) => {
    const r = random()
    // ties: many values sit exactly on round numbers the reference's deciles fall on
    const x = i % 17 === 0 ? null : i % 29 === 0 ? 25 : i % 31 === 0 ? -3 : Math.round(r * 100) / 10
    const c = i % 13 === 0 ? null : i % 7 === 0 ? 'z' : ['a', 'b', 'c'][i % 3]
    return {
      event_id: `e${i}`, model: 'm', model_version: '1', timestamp: START + i * 1000, numeric_features: { x }, categorical_features: { c },
      score: r, probabilities: {}, predicted_class: r > 0.5 ? '1' : '0', value: null, segments: {}, source: 'kafka', kafka_partition: 0, kafka_offset: i,
    }
  }
  const batch = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => prediction(from + k))
  const insert = (rows: object[], token: string) => ch.insertJsonEachRow('predictions', rows, { insert_deduplication_token: token, insert_deduplicate: 1 })

  const both = async () => {
    const source = driftSource(model, '1', '', 3600, START, reference)
    const fast = await computeWindowDrift(ch, source, driftColumns(model), driftOptions(model), aggregates)
    const raw = await computeDrift(ch, source, driftColumns(model), driftOptions(model))
    const rawOutOfRange = await outOfRangeShares(ch, source)
    return { fast, raw, rawOutOfRange }
  }

  before(async () => {
    ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('aggregates') }).clickhouse)
    await migrate(ch)
    model = await saveModel(ch, { name: 'm', task: 'binary_classification', positive_class: '1', features: [{ name: 'x', kind: 'numeric' }, { name: 'c', kind: 'categorical' }], default_window: '1h' })
    const referenceRows = Array.from({ length: 3000 }, (_, i) => ({
      reference_id: 'refagg', numeric_features: { x: i % 50 === 0 ? null : Math.round(random() * 80) / 10 }, categorical_features: { c: i % 40 === 0 ? null : ['a', 'b', 'c'][i % 3] },
      score: random(), probabilities: {}, predicted_class: '1', value: null, label_class: null, label_value: null,
    }))
    await ch.client.insert({ table: 'reference_rows', values: referenceRows, format: 'JSONEachRow' })
    await insert(batch(0, 1500), 'p0-0-1499')
    const written = await ensureReferenceProfile(ch, { model: 'm', version: '1', referenceId: 'refagg', numeric: ['x'], categorical: ['c'] })
    assert.equal(written, true)
    assert.equal(await ensureReferenceProfile(ch, { model: 'm', version: '1', referenceId: 'refagg', numeric: ['x'], categorical: ['c'] }), false, 'a complete profile is not written again')
    await insert(batch(1500, 3000), 'p0-1500-2999')
  })

  after(async () => ch.close())

  it('gives PSI, JS, chi-square, missing, new-category and out-of-range shares identical to raw rows, backfilled and view-fed minutes alike', async () => {
    const { fast, raw, rawOutOfRange } = await both()
    assert.deepEqual(fast.fromAggregates.sort(), ['c', 'x'])
    assert.deepEqual(fast.report, raw)
    assert.equal(fast.outOfRange.get('x'), rawOutOfRange.get('x'))
    assert.ok((fast.outOfRange.get('x') ?? 0) > 0, 'the fixture has values outside the reference range')
    const c = fast.report.columns.find((col) => col.name === 'c')
    assert.ok(c?.kind === 'categorical' && (c.new_category_share ?? 0) > 0 && c.chi2.statistic !== null && (c.missing_share ?? 0) > 0)
  })

  it('ignores a retried batch (same deduplication token): the views do not count it twice', async () => {
    await insert(batch(1500, 3000), 'p0-1500-2999')
    assert.equal(await count(ch, "SELECT sum(n) AS n FROM minute_counts WHERE model = 'm' AND column = '__events__'"), 3000)
    const { fast, raw } = await both()
    assert.deepEqual(fast.fromAggregates.sort(), ['c', 'x'])
    assert.deepEqual(fast.report, raw)
  })

  it('falls back to raw bins when a redelivery cut into another batch makes the aggregates count events twice', async () => {
    await insert(batch(2000, 2500), 'p0-2000-2499') // FINAL sees these once; the views count them again
    assert.equal(await count(ch, "SELECT sum(n) AS n FROM minute_counts WHERE model = 'm' AND column = '__events__'"), 3500)
    const { fast, raw, rawOutOfRange } = await both()
    assert.deepEqual(fast.fromAggregates, [])
    assert.deepEqual(fast.report, raw)
    assert.equal(fast.outOfRange.get('x'), rawOutOfRange.get('x'))
    assert.equal(fast.report.columns.find((col) => col.name === 'x')?.n_current, 3000 - Math.ceil(3000 / 17), 'each event once, as FINAL sees it')
  })
})
