/**
 * Reference uploads on the embedded engine: CSV, Parquet and Arrow IPC store exactly the file's rows;
 * the same content again is a no-op; another file for the version needs --replace (history kept); a file
 * that does not fit the model is refused, naming the column, with nothing stored.
 */
import assert from 'node:assert/strict'
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { ModelwatchError } from '../../services/core/errors.js'
import type { ModelSpec, ModelSpecInput } from '../../services/monitor/models/model-spec.js'
import { saveModel } from '../../services/monitor/models/registry.js'
import { listReferences, referenceKind, uploadReference, versionReferences } from '../../services/monitor/references/index.js'
import { CHURN_ROWS, churnModel, fixture, housesModel, irisModel, storedRows } from '../fixtures/references/fixtures.js'
import { count, rows, testDataDir, uniqueName } from '../support/harness.js'

let ch: ClickHouse

before(async () => {
  ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('ref_upload') }).clickhouse)
  await migrate(ch)
})
after(async () => {
  await ch.close()
})

const newModel = (make: (name: string) => ModelSpecInput = churnModel): Promise<ModelSpec> => saveModel(ch, make(uniqueName('m')))

/** Everything stored for a model: sets, assignments, and rows of its sets. */
async function storedFor(model: string): Promise<{ sets: number; assignments: number; rows: number }> {
  return {
    sets: await count(ch, 'SELECT count() AS n FROM reference_sets FINAL WHERE model = {m:String}', { m: model }),
    assignments: await count(ch, 'SELECT count() AS n FROM model_versions WHERE model = {m:String}', { m: model }),
    rows: await count(ch, 'SELECT count() AS n FROM reference_rows WHERE reference_id IN (SELECT reference_id FROM reference_sets WHERE model = {m:String})', { m: model }),
  }
}

async function refused(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ModelwatchError, `a ModelwatchError, got ${String(error)}`)
    assert.equal(error.retriable, false)
    assert.match(error.message, pattern)
    assert.doesNotMatch(error.message, /\n/, 'one line')
    return true
  })
}

describe('uploadReference', () => {
  it('stores a CSV exactly: empty cells are missing, blanks around numbers are trimmed, extra columns ignored', async () => {
    const model = await newModel()
    const result = await uploadReference(ch, { model, version: '1', file: fixture('churn.csv') })
    assert.match(result.referenceId, /^[0-9a-f]{16}$/)
    assert.deepEqual({ ...result, referenceId: undefined }, { referenceId: undefined, rows: 5, created: true, assigned: true, ignoredColumns: ['customer_id'] })
    assert.deepEqual(await storedRows(ch, result.referenceId), CHURN_ROWS)
    const [set] = await rows(ch, 'SELECT kind, source, row_count FROM reference_sets FINAL WHERE reference_id = {id:String}', { id: result.referenceId })
    assert.deepEqual(set, { kind: 'upload', source: 'churn.csv', row_count: 5 })
    assert.deepEqual(await versionReferences(ch, model.name), new Map([['1', result.referenceId]]))
    assert.deepEqual(await referenceKind(ch, result.referenceId), { kind: 'upload', source: { file: 'churn.csv' } })
  })

  it('stores Parquet, Arrow IPC file, Feather and Arrow IPC stream as the same rows as the CSV', async () => {
    const model = await newModel()
    const feather = join(mkdtempSync(join(tmpdir(), 'modelwatch-ref-')), 'churn.feather')
    copyFileSync(fixture('churn.arrow'), feather)
    const files = [fixture('churn.parquet'), fixture('churn.arrow'), feather, fixture('churn-stream.ipc')]
    for (const [i, file] of files.entries()) {
      const result = await uploadReference(ch, { model, version: `v${i}`, file })
      assert.equal(result.rows, 5, file)
      assert.equal(result.created, i !== 2, `${file}: the .feather copy has the .arrow file's bytes, so it is the same reference`)
      assert.deepEqual(await storedRows(ch, result.referenceId), CHURN_ROWS, file)
    }
    assert.equal((await listReferences(ch, model.name)).length, 3)
  })

  it('reads proba_<class> columns into probabilities and the label as a class for multiclass', async () => {
    const model = await newModel(irisModel)
    const result = await uploadReference(ch, { model, version: '1', file: fixture('iris.csv') })
    const stored = await storedRows(ch, result.referenceId)
    assert.equal(stored.length, 3)
    const byLength = new Map(stored.map((r) => [r.numeric_features.petal_length, r]))
    assert.deepEqual(byLength.get(1.4)?.probabilities, { setosa: 0.9, versicolor: 0.08, virginica: 0.02 })
    assert.deepEqual(byLength.get(5.9)?.probabilities, { versicolor: 0.1, virginica: 0.9 }, 'an empty probability is left out')
    assert.equal(byLength.get(4.5)?.predicted_class, 'versicolor')
    assert.equal(byLength.get(4.5)?.label_class, 'virginica')
  })

  it('reads value and the label as a number for regression', async () => {
    const model = await newModel(housesModel)
    const result = await uploadReference(ch, { model, version: '1', file: fixture('houses.csv') })
    const stored = await storedRows(ch, result.referenceId)
    assert.deepEqual(
      stored.map((r) => [r.numeric_features.rooms, r.categorical_features.city, r.value, r.label_value, r.label_class]),
      [
        [3, 'Oslo', 250000, 262000, null],
        [5, 'Bergen', 410000.5, null, null],
      ],
    )
  })

  it('is a no-op for the same content again: no second set of rows, no second assignment', async () => {
    const model = await newModel()
    const first = await uploadReference(ch, { model, version: '1', file: fixture('churn.csv') })
    const again = await uploadReference(ch, { model, version: '1', file: fixture('churn.csv') })
    assert.deepEqual(again, { referenceId: first.referenceId, rows: 5, created: false, assigned: false, ignoredColumns: [] })
    assert.deepEqual(await storedFor(model.name), { sets: 1, assignments: 1, rows: 5 })
    const otherVersion = await uploadReference(ch, { model, version: '2', file: fixture('churn.csv') })
    assert.deepEqual({ created: otherVersion.created, assigned: otherVersion.assigned }, { created: false, assigned: true })
    assert.deepEqual(await storedFor(model.name), { sets: 1, assignments: 2, rows: 5 })
  })

  it('gives the same file another id for another model (rows are keyed by id and depend on the model)', async () => {
    const a = await uploadReference(ch, { model: await newModel(), version: '1', file: fixture('churn.csv') })
    const b = await uploadReference(ch, { model: await newModel(), version: '1', file: fixture('churn.csv') })
    assert.notEqual(a.referenceId, b.referenceId)
    assert.equal(b.created, true)
  })

  it('refuses a different file for an assigned version unless replace, then keeps the history', async () => {
    const model = await newModel()
    const first = await uploadReference(ch, { model, version: '1', file: fixture('churn.csv') })
    await refused(
      uploadReference(ch, { model, version: '1', file: fixture('churn-v2.csv') }),
      new RegExp(`^version 1 of ${model.name} already compares against reference ${first.referenceId} \\(uploaded \\d{4}-\\d{2}-\\d{2}T.* from churn\\.csv\\); pass --replace to switch$`),
    )
    assert.deepEqual(await storedFor(model.name), { sets: 1, assignments: 1, rows: 5 }, 'nothing stored')

    const second = await uploadReference(ch, { model, version: '1', file: fixture('churn-v2.csv'), replace: true })
    assert.deepEqual({ ...second, referenceId: undefined }, { referenceId: undefined, rows: 3, created: true, assigned: true, replaced: first.referenceId, ignoredColumns: [] })
    assert.deepEqual(await versionReferences(ch, model.name), new Map([['1', second.referenceId]]))
    const history = await rows<{ reference_id: string; note: string }>(ch, 'SELECT reference_id, note FROM model_versions WHERE model = {m:String} ORDER BY assigned_at', { m: model.name })
    assert.deepEqual(history, [
      { reference_id: first.referenceId, note: 'upload churn.csv' },
      { reference_id: second.referenceId, note: `upload churn-v2.csv; replaces ${first.referenceId}` },
    ])
    assert.deepEqual(await storedFor(model.name), { sets: 2, assignments: 2, rows: 8 }, 'the first reference stays')

    const back = await uploadReference(ch, { model, version: '1', file: fixture('churn.csv'), replace: true })
    assert.deepEqual({ created: back.created, assigned: back.assigned, replaced: back.replaced }, { created: false, assigned: true, replaced: second.referenceId })
    assert.deepEqual(await versionReferences(ch, model.name), new Map([['1', first.referenceId]]))
  })

  it('refuses a file missing a feature column, naming it, and stores nothing', async () => {
    const model = await newModel()
    await refused(
      uploadReference(ch, { model, version: '1', file: fixture('missing-feature.csv') }),
      /^reference file missing-feature\.csv: no column for feature monthly_spend \(numeric\) \(the file has Monthly_Spend; names are case-sensitive\)$/,
    )
    assert.deepEqual(await storedFor(model.name), { sets: 0, assignments: 0, rows: 0 })
  })

  it('refuses text in a numeric column (CSV values, Arrow schema) and stores nothing', async () => {
    const model = await newModel()
    await refused(
      uploadReference(ch, { model, version: '1', file: fixture('wrong-type.csv') }),
      /^reference file wrong-type\.csv: column tenure_months \(numeric feature\): 1 value is not a number, e\.g\. "twelve"$/,
    )
    await refused(
      uploadReference(ch, { model, version: '1', file: fixture('wrong-type.arrow') }),
      /^reference file wrong-type\.arrow: column tenure_months \(numeric feature\) has type Utf8; expected numbers/,
    )
    assert.deepEqual(await storedFor(model.name), { sets: 0, assignments: 0, rows: 0 })
  })

  it('refuses NaN in CSV, Parquet and Arrow, and stores nothing', async () => {
    const model = await newModel()
    for (const file of ['nan.csv', 'nan.parquet', 'nan.arrow']) {
      await refused(uploadReference(ch, { model, version: '1', file: fixture(file) }), /column monthly_spend \(numeric feature\): 1 value is NaN or Infinity, e\.g\. "(NaN|nan)"$/)
    }
    assert.deepEqual(await storedFor(model.name), { sets: 0, assignments: 0, rows: 0 })
  })

  it('refuses a categorical feature in a number column, an empty file, an unknown extension and a missing file', async () => {
    const model = await newModel()
    const dir = mkdtempSync(join(tmpdir(), 'modelwatch-ref-'))
    writeFileSync(join(dir, 'header-only.csv'), 'tenure_months,monthly_spend,plan\n')
    await refused(uploadReference(ch, { model, version: '1', file: join(dir, 'header-only.csv') }), /^reference file header-only\.csv (has no rows|cannot be read as CSV)/)
    writeFileSync(join(dir, 'coded.csv'), 'tenure_months,monthly_spend,plan\n1,2,3\n')
    const coded = await newModel((name) => ({ ...churnModel(name), features: [{ name: 'plan', kind: 'numeric' }] }))
    assert.equal((await uploadReference(ch, { model: coded, version: '1', file: join(dir, 'coded.csv') })).rows, 1, 'CSV text is fine for either kind')
    await refused(uploadReference(ch, { model, version: '1', file: join(dir, 'train.xlsx') }), /unknown extension; use \.csv, \.parquet/)
    await refused(uploadReference(ch, { model, version: '1', file: join(dir, 'nope.csv') }), /nope\.csv does not exist/)
    await refused(uploadReference(ch, { model, version: '1', file: join(dir, 'part-*.csv') }), /globs/)
    assert.deepEqual(await storedFor(model.name), { sets: 0, assignments: 0, rows: 0 })
  })

  it('refuses a Parquet string column for a numeric feature by its type', async () => {
    const model = await newModel((name) => ({ ...churnModel(name), features: [{ name: 'customer_id', kind: 'numeric' }] }))
    await refused(
      uploadReference(ch, { model, version: '1', file: fixture('churn.parquet') }),
      /^reference file churn\.parquet: column customer_id \(numeric feature\) has type String; expected numbers/,
    )
    const categorical = await newModel((name) => ({ ...churnModel(name), features: [{ name: 'tenure_months', kind: 'categorical' }] }))
    await refused(uploadReference(ch, { model: categorical, version: '1', file: fixture('churn.parquet') }), /column tenure_months \(categorical feature\) has type Nullable\(Int32\); expected strings/)
  })
})
