/**
 * Window and rolling references on the embedded engine: a fixed past window is copied (predictions once,
 * with their labels) and stays a snapshot; an empty or unfinished window is refused; a rolling reference
 * is recorded without rows; both follow the same assignment rules as uploads.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { ModelwatchError } from '../../services/core/errors.js'
import type { ModelSpec } from '../../services/monitor/models/model-spec.js'
import { saveModel } from '../../services/monitor/models/registry.js'
import { defineRollingReference, defineWindowReference, listReferences, referenceKind, uploadReference, versionReferences } from '../../services/monitor/references/index.js'
import { churnModel, fixture, storedRows } from '../fixtures/references/fixtures.js'
import { count, testDataDir, uniqueName } from '../support/harness.js'

let ch: ClickHouse

before(async () => {
  ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('ref_window') }).clickhouse)
  await migrate(ch)
})
after(async () => {
  await ch.close()
})

const DAY = 86_400_000
const FROM = Date.UTC(2026, 0, 1)
const TO = FROM + 7 * DAY

const newModel = (): Promise<ModelSpec> => saveModel(ch, churnModel(uniqueName('m')))

async function insertPrediction(model: string, p: { id: string; version?: string; at: number; tenure: number; plan: string | null; score: number }): Promise<void> {
  await ch.client.insert({
    table: 'predictions',
    values: [
      {
        event_id: p.id,
        model,
        model_version: p.version ?? '1',
        timestamp: p.at,
        numeric_features: { tenure_months: p.tenure, monthly_spend: null },
        categorical_features: { plan: p.plan },
        score: p.score,
        probabilities: {},
        predicted_class: p.score >= 0.5 ? '1' : '0',
        value: null,
        segments: {},
        source: 'http',
        kafka_partition: -1,
        kafka_offset: -1,
      },
    ],
    format: 'JSONEachRow',
  })
}

async function insertLabel(id: string, at: number, label: string): Promise<void> {
  await ch.client.insert({
    table: 'ground_truth',
    values: [{ event_id: id, model: '', timestamp: at, label_class: label, label_value: null, source: 'http', kafka_partition: -1, kafka_offset: -1 }],
    format: 'JSONEachRow',
  })
}

/** Four predictions of version 1 inside the window (one delivered twice), one after it, one of version 2. */
async function seed(model: string): Promise<void> {
  await insertPrediction(model, { id: 'e1', at: FROM, tenure: 1, plan: 'pro', score: 0.9 })
  await insertPrediction(model, { id: 'e2', at: FROM + DAY, tenure: 2, plan: 'basic', score: 0.2 })
  await insertPrediction(model, { id: 'e2', at: FROM + DAY, tenure: 2, plan: 'basic', score: 0.2 })
  await insertPrediction(model, { id: 'e3', at: FROM + 2 * DAY, tenure: 3, plan: null, score: 0.6 })
  await insertPrediction(model, { id: 'e4', at: TO - 1, tenure: 4, plan: 'pro', score: 0.7 })
  await insertPrediction(model, { id: 'e5', at: TO, tenure: 5, plan: 'pro', score: 0.8 })
  await insertPrediction(model, { id: 'e6', version: '2', at: FROM + DAY, tenure: 6, plan: 'pro', score: 0.3 })
  await insertLabel('e1', FROM + 3 * DAY, '0')
  await insertLabel('e1', FROM + 4 * DAY, '1')
  await insertLabel('e2', FROM + 3 * DAY, '0')
}

async function refused(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof ModelwatchError && !error.retriable && pattern.test(error.message) && !error.message.includes('\n'))
}

describe('defineWindowReference', () => {
  it('copies the window once per event with its latest label, and stays a snapshot', async () => {
    const model = await newModel()
    await seed(model.name)
    const result = await defineWindowReference(ch, { model, version: '1', from: new Date(FROM), to: new Date(TO) })
    assert.match(result.referenceId, /^[0-9a-f]{16}$/)
    assert.deepEqual({ ...result, referenceId: undefined }, { referenceId: undefined, rows: 4, created: true, assigned: true })
    const stored = await storedRows(ch, result.referenceId)
    assert.deepEqual(
      stored.map((r) => [r.numeric_features.tenure_months, r.categorical_features.plan, r.score, r.predicted_class, r.label_class]),
      [
        [2, 'basic', 0.2, '0', '0'],
        [3, null, 0.6, '1', null],
        [4, 'pro', 0.7, '1', null],
        [1, 'pro', 0.9, '1', '1'],
      ],
    )
    assert.deepEqual(await referenceKind(ch, result.referenceId), {
      kind: 'window',
      source: { version: '1', from: '2026-01-01T00:00:00.000Z', to: '2026-01-08T00:00:00.000Z' },
    })

    // A late label and a late prediction change production data, not the snapshot.
    await insertLabel('e3', TO + DAY, '1')
    await insertPrediction(model.name, { id: 'e7', at: FROM + 5 * DAY, tenure: 7, plan: 'pro', score: 0.1 })
    const again = await defineWindowReference(ch, { model, version: '1', from: new Date(FROM), to: new Date(TO) })
    assert.deepEqual(again, { referenceId: result.referenceId, rows: 4, created: false, assigned: false })
    assert.deepEqual(await storedRows(ch, result.referenceId), stored)
  })

  it('refuses an empty window, a window that has not ended, and a window that ends before it starts', async () => {
    const model = await newModel()
    await seed(model.name)
    await refused(
      defineWindowReference(ch, { model, version: '1', from: new Date(TO + DAY), to: new Date(TO + 2 * DAY) }),
      /^no predictions of .* version 1 from 2026-01-09T00:00:00\.000Z to 2026-01-10T00:00:00\.000Z; a window reference needs production data$/,
    )
    await refused(defineWindowReference(ch, { model, version: '3', from: new Date(FROM), to: new Date(TO) }), /^no predictions of .* version 3/)
    await refused(defineWindowReference(ch, { model, version: '1', from: new Date(FROM), to: new Date(Date.now() + DAY) }), /must be in the past/)
    await refused(defineWindowReference(ch, { model, version: '1', from: new Date(TO), to: new Date(FROM) }), /must end after it starts/)
    assert.equal(await count(ch, 'SELECT count() AS n FROM reference_sets WHERE model = {m:String}', { m: model.name }), 0)
    assert.equal(await count(ch, 'SELECT count() AS n FROM model_versions WHERE model = {m:String}', { m: model.name }), 0)
  })

  it('follows the assignment rules: a version with an upload keeps it unless replace', async () => {
    const model = await newModel()
    await seed(model.name)
    const upload = await uploadReference(ch, { model, version: '1', file: fixture('churn.csv') })
    await refused(defineWindowReference(ch, { model, version: '1', from: new Date(FROM), to: new Date(TO) }), new RegExp(`already compares against reference ${upload.referenceId} \\(uploaded .* from churn\\.csv\\); pass --replace`))
    assert.equal(await count(ch, 'SELECT count() AS n FROM reference_sets WHERE model = {m:String}', { m: model.name }), 1, 'the refused window is not stored')
    const window = await defineWindowReference(ch, { model, version: '1', from: new Date(FROM), to: new Date(TO), replace: true })
    assert.equal(window.replaced, upload.referenceId)
    assert.deepEqual(await versionReferences(ch, model.name), new Map([['1', window.referenceId]]))
  })
})

describe('defineRollingReference', () => {
  it('records a rolling reference without rows, shared by versions, and lists every reference with its versions', async () => {
    const model = await newModel()
    const first = await defineRollingReference(ch, { model, version: '1', windows: 7 })
    assert.deepEqual({ ...first, referenceId: undefined }, { referenceId: undefined, rows: 0, created: true, assigned: true })
    assert.deepEqual(await referenceKind(ch, first.referenceId), { kind: 'rolling', source: { windows: 7 } })
    assert.deepEqual(await defineRollingReference(ch, { model, version: '1', windows: 7 }), { ...first, created: false, assigned: false })
    const second = await defineRollingReference(ch, { model, version: '2', windows: 7 })
    assert.deepEqual({ id: second.referenceId, created: second.created, assigned: second.assigned }, { id: first.referenceId, created: false, assigned: true })

    await refused(defineRollingReference(ch, { model, version: '1', windows: 3 }), /already compares against reference .* \(rolling: the previous 7 windows, defined .*\); pass --replace/)
    await refused(defineRollingReference(ch, { model, version: '1', windows: 0 }), /--windows must be a whole number from 1/)
    const three = await defineRollingReference(ch, { model, version: '1', windows: 3, replace: true })
    const upload = await uploadReference(ch, { model, version: '3', file: fixture('churn.csv') })

    const listed = await listReferences(ch, model.name)
    assert.deepEqual(
      listed.map((r) => ({ id: r.referenceId, kind: r.definition.kind, rows: r.rowCount, versions: r.versions })),
      [
        { id: first.referenceId, kind: 'rolling', rows: 0, versions: ['2'] },
        { id: three.referenceId, kind: 'rolling', rows: 0, versions: ['1'] },
        { id: upload.referenceId, kind: 'upload', rows: 5, versions: ['3'] },
      ],
    )
    assert.match(listed[0]?.createdAt ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
  })

  it('says so for an unknown reference id', async () => {
    await refused(referenceKind(ch, '0000000000000000'), /^no reference 0000000000000000$/)
  })
})
