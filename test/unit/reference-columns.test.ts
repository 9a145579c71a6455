import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Bool, Decimal, Dictionary, Field, Float32, Int32, LargeUtf8, TimestampMillisecond, Uint8, Utf8 } from 'apache-arrow'
import { ModelwatchError } from '../../services/core/errors.js'
import type { ModelSpec } from '../../services/monitor/models/model-spec.js'
import { planColumns } from '../../services/monitor/references/check-columns.js'
import { arrowCategory, clickHouseCategory, type FileColumn } from '../../services/monitor/references/column-types.js'
import { assertPlainPath, clickHouseFormat, fileFamily } from '../../services/monitor/references/file-format.js'
import { structureProblem } from '../../services/monitor/references/file-structure.js'

const churn: Pick<ModelSpec, 'task' | 'features'> = {
  task: 'binary_classification',
  features: [
    { name: 'tenure', kind: 'numeric' },
    { name: 'plan', kind: 'categorical' },
  ],
}

const col = (name: string, category: FileColumn['category'], type: string = category): FileColumn => ({ name, type, category })

function refusal(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    assert.ok(error instanceof ModelwatchError)
    assert.equal(error.code, 'USAGE')
    assert.doesNotMatch(error.message, /\n/)
    return error.message
  }
  assert.fail('expected a refusal')
}

describe('reference file formats', () => {
  it('chooses the family by extension, case-insensitively, and refuses others', () => {
    assert.equal(fileFamily('/x/train.CSV'), 'csv')
    assert.equal(fileFamily('train.parquet'), 'parquet')
    for (const name of ['a.arrow', 'a.feather', 'a.ipc']) assert.equal(fileFamily(name), 'arrow')
    assert.match(refusal(() => fileFamily('train.xlsx')), /^file train\.xlsx: unknown extension; use \.csv, \.parquet, or \.arrow\/\.feather\/\.ipc/)
    assert.match(refusal(() => fileFamily('train')), /unknown extension/)
  })

  it('tells an Arrow IPC file from a stream by its magic, and refuses Feather v1', () => {
    assert.equal(clickHouseFormat('arrow', Buffer.from('ARROW1\0\0')), 'Arrow')
    assert.equal(clickHouseFormat('arrow', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0])), 'ArrowStream')
    assert.match(refusal(() => clickHouseFormat('arrow', Buffer.from('FEA1xxxx'), 'old.feather')), /^file old\.feather: Feather v1 is not supported/)
    assert.equal(clickHouseFormat('csv', Buffer.alloc(0)), 'CSVWithNames')
    assert.equal(clickHouseFormat('parquet', Buffer.from('PAR1')), 'Parquet')
  })

  it('accepts well-built files by their first and last bytes, including streams of older Arrow writers and UTF-8 cut at the probe\'s end', () => {
    const stream = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0])
    assert.equal(structureProblem('ArrowStream', 200, stream, Buffer.alloc(10)), undefined)
    assert.equal(structureProblem('ArrowStream', 200, Buffer.from([0x10, 0, 0, 0, 1, 2, 3, 4]), Buffer.alloc(10)), undefined, 'before 0.15: no continuation marker')
    assert.match(structureProblem('ArrowStream', 20, stream, Buffer.alloc(10)) ?? '', /is not an Arrow IPC file or stream/, 'a schema longer than the file')
    const footer = Buffer.concat([Buffer.from([100, 0, 0, 0]), Buffer.from('ARROW1')])
    assert.equal(structureProblem('Arrow', 500, Buffer.from('ARROW1\0\0'), footer), undefined)
    assert.match(structureProblem('Arrow', 50, Buffer.from('ARROW1\0\0'), footer) ?? '', /footer length \(100\) does not fit/)
    assert.equal(structureProblem('Parquet', 500, Buffer.from('PAR1'), Buffer.from('xxxxxxPAR1')), undefined)
    const text = Buffer.from('plan,city\npro,Zürich\n')
    assert.equal(structureProblem('CSVWithNames', 1000, text.subarray(0, text.indexOf('ü') + 1), Buffer.alloc(0)), undefined, 'ü cut in half where the probe ends')
    assert.match(structureProblem('CSVWithNames', 1000, Buffer.from([0x61, 0xe9, 0x2c, 0x62]), Buffer.alloc(0)) ?? '', /not UTF-8/, 'Latin-1 é')
  })

  it('refuses paths ClickHouse would expand as globs', () => {
    assertPlainPath('/data/train-2026.01.csv')
    for (const path of ['/data/*.csv', '/data/part?.csv', '/data/{a,b}.csv']) assert.match(refusal(() => assertPlainPath(path)), /globs/)
  })
})

describe('column categories', () => {
  it('reads ClickHouse types through Nullable and LowCardinality', () => {
    assert.equal(clickHouseCategory('Nullable(Int32)'), 'integer')
    assert.equal(clickHouseCategory('UInt8'), 'integer')
    assert.equal(clickHouseCategory('Float64'), 'float')
    assert.equal(clickHouseCategory('Nullable(Decimal(18, 2))'), 'decimal')
    assert.equal(clickHouseCategory('LowCardinality(Nullable(String))'), 'string')
    assert.equal(clickHouseCategory("Enum8('a' = 1)"), 'string')
    assert.equal(clickHouseCategory('Bool'), 'bool')
    assert.equal(clickHouseCategory('Nullable(DateTime64(3))'), 'other')
    assert.equal(clickHouseCategory('Array(Float64)'), 'other')
  })

  it('reads Arrow types: Int, Float, Decimal, Bool, Utf8, LargeUtf8 and dictionaries of strings', () => {
    assert.equal(arrowCategory(new Field('a', new Int32())), 'integer')
    assert.equal(arrowCategory(new Field('a', new Float32())), 'float')
    assert.equal(arrowCategory(new Field('a', new Decimal(2, 10, 128))), 'decimal')
    assert.equal(arrowCategory(new Field('a', new Bool())), 'bool')
    assert.equal(arrowCategory(new Field('a', new Utf8())), 'string')
    assert.equal(arrowCategory(new Field('a', new LargeUtf8())), 'string')
    assert.equal(arrowCategory(new Field('a', new Dictionary(new Utf8(), new Int32()))), 'string')
    assert.equal(arrowCategory(new Field('a', new Dictionary(new Int32(), new Uint8()))), 'other')
    assert.equal(arrowCategory(new Field('a', new TimestampMillisecond())), 'other')
  })
})

describe('planColumns', () => {
  it('maps features by name, reads known output columns, and reports the rest as ignored', () => {
    const plan = planColumns(churn, [col('id', 'string'), col('tenure', 'integer'), col('plan', 'string'), col('score', 'float'), col('predicted_class', 'integer'), col('label', 'bool'), col('proba_1', 'float')], 'f.parquet')
    assert.deepEqual(plan.numeric, [{ feature: 'tenure', column: 'tenure', read: 'exact', role: 'numeric feature' }])
    assert.deepEqual(plan.categorical, [{ feature: 'plan', column: 'plan', read: 'string', role: 'categorical feature' }])
    assert.deepEqual(plan.score, { column: 'score', read: 'float', role: 'score' })
    assert.deepEqual(plan.predictedClass, { column: 'predicted_class', read: 'convert', role: 'predicted class' })
    assert.deepEqual(plan.labelClass, { column: 'label', read: 'convert', role: 'label' })
    assert.equal(plan.labelValue, undefined)
    assert.deepEqual(plan.probabilities, [{ column: 'proba_1', read: 'float', role: 'probability of class 1', className: '1' }])
    assert.deepEqual(plan.ignored, ['id'])
  })

  it('reads CSV text as numbers to parse or strings, and the label as a value for regression', () => {
    const plan = planColumns({ task: 'regression', features: churn.features }, ['tenure', 'plan', 'value', 'label', 'proba_'].map((n) => col(n, 'text')), 'f.csv')
    assert.equal(plan.numeric[0]?.read, 'text')
    assert.equal(plan.categorical[0]?.read, 'text')
    assert.deepEqual(plan.value, { column: 'value', read: 'text', role: 'value' })
    assert.deepEqual(plan.labelValue, { column: 'label', read: 'text', role: 'label' })
    assert.equal(plan.labelClass, undefined)
    assert.deepEqual(plan.ignored, ['proba_'], 'a bare prefix names no class')
  })

  it('treats a column named like a feature as the feature only', () => {
    const plan = planColumns({ task: 'binary_classification', features: [{ name: 'score', kind: 'numeric' }] }, [col('score', 'float')], 'f.parquet')
    assert.equal(plan.numeric[0]?.column, 'score')
    assert.equal(plan.score, undefined)
  })

  it('names every missing feature and wrong type in one line, with a hint for a case mismatch', () => {
    const message = refusal(() =>
      planColumns(
        { task: 'binary_classification', features: [...churn.features, { name: 'spend', kind: 'numeric' }] },
        [col('Tenure', 'integer'), col('plan', 'integer', 'Int64'), col('spend', 'string', 'Utf8'), col('score', 'string', 'Utf8'), col('label', 'float', 'Float64')],
        'train.arrow',
      ),
    )
    assert.equal(
      message,
      'reference file train.arrow: no column for feature tenure (numeric) (the file has Tenure; names are case-sensitive); ' +
        'column plan (categorical feature) has type Int64; expected strings (categorical features need a string column; store codes as text); ' +
        'column spend (numeric feature) has type Utf8; expected numbers (integer, float or decimal); ' +
        'column score has type Utf8; expected numbers (integer, float or decimal); ' +
        'column label has type Float64; expected class names (a string or integer column)',
    )
  })
})
