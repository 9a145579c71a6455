/**
 * Which label a prediction gets, on the embedded engine, through every reader of the labels: the monitor's
 * window rows, the `labelled_predictions` view, the comparison query and the window reference. The rule
 * (README, "Events"): a prediction of model M for event e takes the latest label among those of event e
 * that name M or name no model; a label naming another model never reaches it. Cases: test/support/label-cases.ts.
 * And the monitor's performance results of a window, which a pass computes from those labels.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { outcomesSql, queryComparison, scopeParams } from '../../services/compare/compare-query.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { createLogger } from '../../services/core/logger.js'
import { saveModel } from '../../services/monitor/models/registry.js'
import { runMonitorPass } from '../../services/monitor/pass.js'
import { defineWindowReference } from '../../services/monitor/references/index.js'
import { labelledWindowRows } from '../../services/monitor/window-sources.js'
import { rows, testDataDir, uniqueName } from '../support/harness.js'
import { caseEventId, CASES, expectedLabels, insertCaseLabels, insertCasePredictions, monitorLabels, START, viewLabels } from '../support/label-cases.js'

const HOUR = 3_600_000

describe('the label of a prediction', () => {
  let ch: ClickHouse

  before(async () => {
    ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('labels') }).clickhouse)
    await migrate(ch)
    await insertCasePredictions(ch)
    await insertCaseLabels(ch)
  })

  after(async () => ch.close())

  for (const model of ['a', 'b'] as const) {
    it(`the monitor's window rows give model ${model}'s predictions their own labels`, async () => {
      assert.deepEqual(await monitorLabels(ch, model), expectedLabels(model))
    })

    it(`the labelled_predictions view gives model ${model}'s predictions their own labels`, async () => {
      assert.deepEqual(await viewLabels(ch, model), expectedLabels(model))
    })

    it(`a comparison of model ${model}'s versions reads their own labels`, async () => {
      const scope = { model, a: '1', b: '1', from: START, to: START + HOUR, segment: '' }
      const found = await queryComparison<{ event_id: string; y: string }>(ch, outcomesSql('multiclass_classification'), scopeParams(scope), 'labels')
      const labelled = Object.fromEntries(Object.entries(expectedLabels(model)).filter(([, label]) => label !== null))
      assert.deepEqual(Object.fromEntries(found.map((r) => [r.event_id, r.y])), labelled)
    })
  }

  it('a window reference of model a snapshots model a\'s labels', async () => {
    const model = await saveModel(ch, { name: 'a', task: 'multiclass_classification', features: [{ name: 'x', kind: 'numeric' }] })
    const { referenceId } = await defineWindowReference(ch, { model, version: '1', from: new Date(START), to: new Date(START + HOUR) })
    const found = await rows<{ label_class: string | null }>(ch, 'SELECT label_class FROM reference_rows WHERE reference_id = {id:String}', { id: referenceId })
    const sorted = (labels: (string | null)[]): (string | null)[] => labels.sort((x, y) => String(x).localeCompare(String(y)))
    assert.deepEqual(sorted(found.map((r) => r.label_class)), sorted(Object.values(expectedLabels('a'))))
  })

  it('keeps both models\' labels of one event through a merge', async () => {
    await ch.client.command({ query: 'OPTIMIZE TABLE ground_truth FINAL' })
    assert.deepEqual(await monitorLabels(ch, 'a'), expectedLabels('a'))
    assert.deepEqual(await monitorLabels(ch, 'b'), expectedLabels('b'))
  })

  it('reads a window\'s labels through the table\'s key, not every label', async () => {
    // 200,000 labels of other events, half naming another model and half none, with ids among the cases' (e1x sorts between e1 and e2).
    await ch.client.command({
      query: `INSERT INTO ground_truth (event_id, model, timestamp, label_class, source, kafka_partition, kafka_offset)
              SELECT concat('e', toString(number), 'x'), if(number % 2 = 0, 'other', ''), now64(3), '1', 'http', -1, -1 FROM numbers(200000)`,
    })
    // The window's query, predictions included, may read a few granules of labels (8,192 rows each), not all of them.
    const source = labelledWindowRows({ model: 'a', windowSeconds: 3600, starts: [START] })
    const [row] = await rows<{ n: number }>(ch, `SELECT count() AS n FROM (${source.sql}) WHERE segment = '' SETTINGS max_rows_to_read = 50000`, source.params)
    assert.equal(row?.n, CASES.length)
  })
})

describe('a monitor pass over two models sharing event ids', () => {
  let ch: ClickHouse

  before(async () => {
    ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('labels_pass') }).clickhouse)
    await migrate(ch)
    for (const name of ['a', 'b']) await saveModel(ch, { name, task: 'multiclass_classification', features: [{ name: 'x', kind: 'numeric' }], default_window: '1h' })
    await insertCasePredictions(ch)
    await insertCaseLabels(ch)
  })

  after(async () => ch.close())

  it('computes each model\'s window performance from its own labels', async () => {
    await runMonitorPass(ch, createLogger('warn'), { visibilityMarginMs: 0 })
    const metrics = await rows<{ model: string; metric: string; value: number }>(
      ch,
      `SELECT model, metric, value FROM window_metrics FINAL
       WHERE model_version = '1' AND segment = '' AND window_start = fromUnixTimestamp64Milli({start:Int64}) AND metric IN ('labelled', 'accuracy')
       ORDER BY model, metric`,
      { start: START },
    )
    // Every prediction says 'A': accuracy is the share of a model's labels that are 'A'.
    const expected = (model: 'a' | 'b'): { labelled: number; accuracy: number } => {
      const labels = Object.values(expectedLabels(model)).filter((l) => l !== null)
      return { labelled: labels.length, accuracy: labels.filter((l) => l === 'A').length / labels.length }
    }
    assert.deepEqual(metrics, [
      { model: 'a', metric: 'accuracy', value: expected('a').accuracy },
      { model: 'a', metric: 'labelled', value: expected('a').labelled },
      { model: 'b', metric: 'accuracy', value: expected('b').accuracy },
      { model: 'b', metric: 'labelled', value: expected('b').labelled },
    ])
  })

  it('recomputes, when a label names model a, model a\'s window only; a model-less label recomputes both', async () => {
    const label = (model: string): Record<string, unknown> => ({ event_id: caseEventId(CASES.length - 1), model, timestamp: Date.now(), label_class: 'A', label_value: null, source: 'http', kafka_partition: -1, kafka_offset: -1 })
    await ch.client.insert({ table: 'ground_truth', values: [label('a')], format: 'JSONEachRow' })
    assert.equal((await runMonitorPass(ch, createLogger('warn'), { visibilityMarginMs: 0 })).windows, 1)
    await ch.client.insert({ table: 'ground_truth', values: [label('')], format: 'JSONEachRow' })
    assert.equal((await runMonitorPass(ch, createLogger('warn'), { visibilityMarginMs: 0 })).windows, 2)
  })
})
