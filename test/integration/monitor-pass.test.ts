/**
 * A monitor pass over data placed straight in the tables (ingest is tested elsewhere): windowed
 * performance with label coverage, recomputation when late labels arrive, drift against an uploaded-style
 * reference, and the data-quality figures. Fixture: model `m` (binary, positive class '1'), features `x`
 * (numeric) and `c` (categorical), two one-hour windows three and two hours ago ('10:00' and '11:00' below).
 *  - reference: 2,000 rows, x uniform on [0, 1), c one of a/b, predictions and labels like the 10:00 window.
 *  - 10:00 window: 200 predictions like the reference; all labelled, 150 correctly → accuracy 0.75.
 *  - 11:00 window: 200 predictions with x shifted by +3 and a category 'z' never seen; unlabelled at first.
 *  - 12:00 window: nothing (the producer went silent); the 13:00 window is the current, open one.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { seededRandom } from '../../services/cli/demo/seeded-random.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { createLogger } from '../../services/core/logger.js'
import { saveModel } from '../../services/monitor/models/registry.js'
import { runMonitorPass } from '../../services/monitor/pass.js'
import { rows, testDataDir, uniqueName } from '../support/harness.js'

// Windows in the recent past: the pass compares ingestion times (set by the engine's clock) with its own.
const HOUR = 3_600_000
const H10 = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR
const H11 = H10 + HOUR
const log = createLogger('warn')

describe('monitor pass', () => {
  let ch: ClickHouse
  const random = seededRandom(7)

  before(async () => {
    ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('monitor') }).clickhouse)
    await migrate(ch)
    await saveModel(ch, { name: 'm', task: 'binary_classification', positive_class: '1', features: [{ name: 'x', kind: 'numeric' }, { name: 'c', kind: 'categorical' }], default_window: '1h', final_coverage: 0.9 })
    // Like the 10:00 window: scores 0.8 / 0.2 alternating, labels agreeing with the prediction 3 times in 4.
    const reference = Array.from({ length: 2000 }, (_, i) => {
      const predicted = i % 2 === 0 ? '1' : '0'
      const label = i % 8 < 6 ? predicted : predicted === '1' ? '0' : '1'
      return {
        reference_id: 'ref1', numeric_features: { x: random() }, categorical_features: { c: i % 2 === 0 ? 'a' : 'b' },
        score: predicted === '1' ? 0.8 : 0.2, probabilities: {}, predicted_class: predicted, value: null, label_class: label, label_value: null,
      }
    })
    await ch.client.insert({ table: 'reference_rows', values: reference, format: 'JSONEachRow' })
    await ch.client.insert({ table: 'reference_sets', values: [{ reference_id: 'ref1', model: 'm', kind: 'upload', source: 'fixture.csv', row_count: 2000 }], format: 'JSONEachRow' })
    await ch.client.insert({ table: 'model_versions', values: [{ model: 'm', version: '1', reference_id: 'ref1', note: '' }], format: 'JSONEachRow' })
    const prediction = (id: string, at: number, x: number, c: string, predicted: string) => ({
      event_id: id, model: 'm', model_version: '1', timestamp: at, numeric_features: { x }, categorical_features: { c },
      score: predicted === '1' ? 0.8 : 0.2, probabilities: {}, predicted_class: predicted, value: null, segments: { region: 'eu' }, source: 'http', kafka_partition: -1, kafka_offset: -1,
    })
    const early = Array.from({ length: 200 }, (_, i) => prediction(`a${i}`, H10 + i * 1000, random(), i % 2 === 0 ? 'a' : 'b', i % 2 === 0 ? '1' : '0'))
    const late = Array.from({ length: 200 }, (_, i) => prediction(`b${i}`, H11 + i * 1000, 3 + random(), i % 4 === 0 ? 'z' : 'a', '1'))
    await ch.client.insert({ table: 'predictions', values: [...early, ...late], format: 'JSONEachRow' })
    // 150 of the 10:00 predictions labelled as predicted, 50 the other way; labelled 30 minutes later.
    const labels = early.map((p, i) => ({ event_id: p.event_id, model: 'm', timestamp: p.timestamp + 1_800_000, label_class: i < 150 ? p.predicted_class : p.predicted_class === '1' ? '0' : '1', label_value: null, source: 'http', kafka_partition: -1, kafka_offset: -1 }))
    await ch.client.insert({ table: 'ground_truth', values: labels, format: 'JSONEachRow' })
  })

  after(async () => ch.close())

  const metric = async (start: number, name: string, segment = ''): Promise<{ value: number | null; is_final: number } | undefined> => {
    const [row] = await rows<{ value: number | null; is_final: number }>(
      ch,
      `SELECT value, is_final FROM window_metrics FINAL WHERE model = 'm' AND model_version = '1' AND segment = {segment:String}
       AND metric = {metric:String} AND window_start = fromUnixTimestamp64Milli({start:Int64})`,
      { segment, metric: name, start },
    )
    return row
  }

  it('computes each window\'s performance, coverage and label delay; unlabelled windows stay provisional', async () => {
    const summary = await runMonitorPass(ch, log, { visibilityMarginMs: 0 })
    assert.equal(summary.windows, 2)
    assert.deepEqual(await metric(H10, 'count'), { value: 200, is_final: 1 })
    assert.deepEqual(await metric(H10, 'accuracy'), { value: 0.75, is_final: 1 })
    assert.deepEqual(await metric(H10, 'label_coverage'), { value: 1, is_final: 1 })
    assert.deepEqual(await metric(H10, 'label_delay_p50_seconds'), { value: 1800, is_final: 1 })
    assert.deepEqual(await metric(H10, 'accuracy', 'region=eu'), { value: 0.75, is_final: 1 })
    assert.deepEqual(await metric(H11, 'label_coverage'), { value: 0, is_final: 0 })
    assert.deepEqual(await metric(H11, 'accuracy'), { value: null, is_final: 0 })
  })

  it('reports the closed 12:00 window, in which version 1 sent nothing, as zero volume; the open window not yet', async () => {
    const volume = await rows<{ start: number; metric: string; value: number | null }>(
      ch,
      `SELECT toUnixTimestamp64Milli(window_start) AS start, metric, value FROM data_quality FINAL
       WHERE model = 'm' AND model_version = '1' AND segment = '' AND column = '__events__' ORDER BY start, metric`,
    )
    // An uploaded file carries no time, so nothing is expected of the version and there is no ratio.
    assert.deepEqual(volume, [
      { start: H10, metric: 'events', value: 200 },
      { start: H10, metric: 'expected_events', value: null },
      { start: H10, metric: 'volume_ratio', value: null },
      { start: H11, metric: 'events', value: 200 },
      { start: H11, metric: 'expected_events', value: null },
      { start: H11, metric: 'volume_ratio', value: null },
      { start: H11 + HOUR, metric: 'events', value: 0 },
      { start: H11 + HOUR, metric: 'expected_events', value: null },
      { start: H11 + HOUR, metric: 'volume_ratio', value: null },
    ])
  })

  it('detects the shifted feature and the unseen category in the 11:00 window, and not in the 10:00 one', async () => {
    const drift = await rows<{ start: number; column: string; drifted: number; drift_method: string }>(
      ch,
      `SELECT toUnixTimestamp64Milli(window_start) AS start, column, drifted, drift_method FROM drift_metrics FINAL
       WHERE model = 'm' AND segment = '' AND column IN ('x', 'c', '__dataset__') ORDER BY start, column`,
    )
    assert.deepEqual(drift, [
      { start: H10, column: '__dataset__', drifted: 0, drift_method: 'drifted_share' },
      { start: H10, column: 'c', drifted: 0, drift_method: 'jensen_shannon' },
      { start: H10, column: 'x', drifted: 0, drift_method: 'wasserstein' },
      { start: H11, column: '__dataset__', drifted: 1, drift_method: 'drifted_share' },
      { start: H11, column: 'c', drifted: 1, drift_method: 'jensen_shannon' },
      { start: H11, column: 'x', drifted: 1, drift_method: 'wasserstein' },
    ])
    const quality = await rows<{ column: string; metric: string; value: number }>(
      ch,
      `SELECT column, metric, value FROM data_quality FINAL WHERE model = 'm' AND segment = '' AND window_start = fromUnixTimestamp64Milli({start:Int64})
       AND metric IN ('out_of_range_share', 'new_category_share', 'events') ORDER BY column, metric`,
      { start: H11 },
    )
    assert.deepEqual(quality, [
      { column: '__events__', metric: 'events', value: 200 },
      { column: 'c', metric: 'new_category_share', value: 0.25 },
      { column: 'x', metric: 'out_of_range_share', value: 1 },
    ])
  })

  it('recomputes a window when its late labels arrive, and makes it final', async () => {
    const late = Array.from({ length: 200 }, (_, i) => ({ event_id: `b${i}`, model: 'm', timestamp: H11 + HOUR, label_class: i < 100 ? '1' : '0', label_value: null, source: 'http', kafka_partition: -1, kafka_offset: -1 }))
    await ch.client.insert({ table: 'ground_truth', values: late, format: 'JSONEachRow' })
    const summary = await runMonitorPass(ch, log, { visibilityMarginMs: 0 })
    assert.equal(summary.windows, 1, 'only the window whose labels changed')
    assert.deepEqual(await metric(H11, 'label_coverage'), { value: 1, is_final: 1 })
    assert.deepEqual(await metric(H11, 'accuracy'), { value: 0.5, is_final: 1 })
  })
})

describe('monitor pass with a rolling reference', () => {
  it('compares each window with the one before it', async () => {
    const ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('rolling') }).clickhouse)
    try {
      await migrate(ch)
      await saveModel(ch, { name: 'r', task: 'regression', features: [{ name: 'x', kind: 'numeric' }], default_window: '1h' })
      await ch.client.insert({ table: 'reference_sets', values: [{ reference_id: 'roll1', model: 'r', kind: 'rolling', source: '{"windows":1}', row_count: 0 }], format: 'JSONEachRow' })
      await ch.client.insert({ table: 'model_versions', values: [{ model: 'r', version: '1', reference_id: 'roll1', note: '' }], format: 'JSONEachRow' })
      const random = seededRandom(3)
      // Three windows: the second like the first, the third shifted by +5.
      const rowsOf = (start: number, shift: number, tag: string) =>
        Array.from({ length: 300 }, (_, i) => ({
          event_id: `${tag}${i}`, model: 'r', model_version: '1', timestamp: start + i * 1000, numeric_features: { x: shift + random() }, categorical_features: {},
          score: null, probabilities: {}, predicted_class: null, value: random(), segments: {}, source: 'http', kafka_partition: -1, kafka_offset: -1,
        }))
      await ch.client.insert({ table: 'predictions', values: [...rowsOf(H10 - HOUR, 0, 'p'), ...rowsOf(H10, 0, 'q'), ...rowsOf(H11, 5, 's')], format: 'JSONEachRow' })
      await runMonitorPass(ch, log, { visibilityMarginMs: 0 })
      const drift = await rows<{ start: number; n_reference: number; drifted: number }>(
        ch,
        `SELECT toUnixTimestamp64Milli(window_start) AS start, n_reference, drifted FROM drift_metrics FINAL
         WHERE model = 'r' AND column = 'x' ORDER BY start`,
      )
      assert.deepEqual(drift, [
        { start: H10 - HOUR, n_reference: 0, drifted: 0 },
        { start: H10, n_reference: 300, drifted: 0 },
        { start: H11, n_reference: 300, drifted: 1 },
      ])
      // Expected volume of a rolling reference: the mean of the previous window(s); the 12:00 window sent nothing.
      const volume = await rows<{ start: number; events: number; expected: number | null; ratio: number | null }>(
        ch,
        `SELECT toUnixTimestamp64Milli(window_start) AS start, anyIf(value, metric = 'events') AS events,
                anyIf(value, metric = 'expected_events') AS expected, anyIf(value, metric = 'volume_ratio') AS ratio
         FROM data_quality FINAL WHERE model = 'r' AND column = '__events__' AND segment = '' GROUP BY start ORDER BY start`,
      )
      assert.deepEqual(volume, [
        { start: H10 - HOUR, events: 300, expected: 0, ratio: null },
        { start: H10, events: 300, expected: 300, ratio: 1 },
        { start: H11, events: 300, expected: 300, ratio: 1 },
        { start: H11 + HOUR, events: 0, expected: 300, ratio: 0 },
      ])
    } finally {
      await ch.close()
    }
  })
})

describe('monitor pass for a version without a reference', () => {
  it('still reports each feature\'s missing share (absent key, NULL or NaN count as missing)', async () => {
    const ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('noref') }).clickhouse)
    try {
      await migrate(ch)
      await saveModel(ch, { name: 'n', task: 'regression', features: [{ name: 'x', kind: 'numeric' }, { name: 'c', kind: 'categorical' }], default_window: '1h' })
      // 8 predictions: x absent in 2 and NULL in 1 (3/8 missing); c NULL in 1 and absent in 1 (2/8 missing).
      const x: (number | null | undefined)[] = [1, 2, undefined, null, 5, undefined, 7, 8]
      const c: (string | null | undefined)[] = ['a', null, 'b', 'a', undefined, 'b', 'a', 'b']
      const predictions = x.map((value, i) => ({
        event_id: `n${i}`, model: 'n', model_version: '1', timestamp: H10 + i * 1000,
        numeric_features: value === undefined ? {} : { x: value }, categorical_features: c[i] === undefined ? {} : { c: c[i] },
        score: null, probabilities: {}, predicted_class: null, value: 1, segments: {}, source: 'http', kafka_partition: -1, kafka_offset: -1,
      }))
      await ch.client.insert({ table: 'predictions', values: predictions, format: 'JSONEachRow' })
      await runMonitorPass(ch, log, { visibilityMarginMs: 0 })
      const missing = await rows<{ column: string; value: number }>(
        ch,
        "SELECT column, value FROM data_quality FINAL WHERE model = 'n' AND segment = '' AND metric = 'missing_share' ORDER BY column",
      )
      assert.deepEqual(missing, [
        { column: 'c', value: 2 / 8 },
        { column: 'x', value: 3 / 8 },
      ])
    } finally {
      await ch.close()
    }
  })
})
