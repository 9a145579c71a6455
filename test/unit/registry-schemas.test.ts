/**
 * Compiling writer schemas: JSON Schema of every supported draft (the shipped 2020-12 contracts first),
 * formats, what counts as unusable; Avro types whose decoding of hostile bytes is bounded.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ModelwatchError } from '../../services/core/errors.js'
import { avroType } from '../../services/core/kafka/avro-type.js'
import { compileJsonSchema } from '../../services/core/kafka/json-schema.js'
import { PACKAGE_ROOT } from '../../services/core/package-root.js'

const shipped = (file: string): string => readFileSync(join(PACKAGE_ROOT, 'schemas', 'events', file), 'utf8')
const event = { event_id: 'e1', model: 'churn', model_version: '3', timestamp: 1_764_000_000_000, prediction: { score: 0.7 } }

function unusable(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    assert.ok(error instanceof ModelwatchError, `a ModelwatchError, got ${String(error)}`)
    assert.equal(error.code, 'SCHEMA_UNUSABLE')
    assert.equal(error.retriable, false)
    return error.message
  }
  assert.fail('expected SCHEMA_UNUSABLE')
}

describe('compileJsonSchema', () => {
  it('compiles the shipped draft 2020-12 contracts, which accept a valid event and refuse a broken one', () => {
    const prediction = compileJsonSchema(shipped('prediction.schema.json'))
    assert.equal(prediction(event), true)
    assert.equal(prediction({ ...event, timestamp: 'yesterday' }), false)
    assert.equal(prediction.errors?.[0]?.instancePath, '/timestamp')
    const label = compileJsonSchema(shipped('ground-truth.schema.json'))
    assert.equal(label({ event_id: 'e1', timestamp: 1_764_000_000_000, label: { class: '1' } }), true)
    assert.equal(label({ event_id: 'e1', label: {} }), false)
  })

  it('compiles the same contract twice (two registry ids for one $id) without a clash', () => {
    assert.equal(compileJsonSchema(shipped('prediction.schema.json'))(event), true)
    assert.equal(compileJsonSchema(shipped('prediction.schema.json'))(event), true)
  })

  it('reads the draft from $schema: 2019-09, draft-07, draft-06, and none (draft-07, as Confluent assumes)', () => {
    for (const $schema of ['https://json-schema.org/draft/2019-09/schema', 'http://json-schema.org/draft-07/schema#', 'http://json-schema.org/draft-06/schema#', undefined]) {
      const validate = compileJsonSchema({ $schema, type: 'object', required: ['a'], properties: { a: { type: 'integer' } } })
      assert.equal(validate({ a: 1 }), true, String($schema))
      assert.equal(validate({ a: 'x' }), false, String($schema))
    }
  })

  it('checks standard formats', () => {
    const validate = compileJsonSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema', properties: { at: { type: 'string', format: 'date-time' }, mail: { format: 'email' } } })
    assert.equal(validate({ at: '2026-11-01T12:00:00Z', mail: 'a@example.com' }), true)
    assert.equal(validate({ at: 'yesterday' }), false)
    assert.equal(validate({ mail: 'not an address' }), false)
  })

  it('resolves references passed alongside, and forgets them afterwards', () => {
    const root = { $id: 'urn:t:root', $schema: 'https://json-schema.org/draft/2020-12/schema', properties: { n: { $ref: 'urn:t:n' } } }
    const asInteger = compileJsonSchema(root, [{ $id: 'urn:t:n', type: 'integer' }])
    const asString = compileJsonSchema(root, [{ $id: 'urn:t:n', type: 'string' }])
    assert.deepEqual([asInteger({ n: 1 }), asInteger({ n: 'a' })], [true, false])
    assert.deepEqual([asString({ n: 1 }), asString({ n: 'a' })], [false, true])
  })

  it('calls a schema unusable when it is not JSON, not an object, of an unsupported draft, or does not compile', () => {
    assert.match(unusable(() => compileJsonSchema('{"type": ')), /not JSON/)
    assert.match(unusable(() => compileJsonSchema('[1, 2]')), /must be a JSON object/)
    assert.match(unusable(() => compileJsonSchema({ $schema: 'http://json-schema.org/draft-04/schema#' })), /draft-04.*not supported/)
    assert.match(unusable(() => compileJsonSchema({ properties: { a: { $ref: '#/definitions/missing' } } })), /does not compile/)
    assert.match(unusable(() => compileJsonSchema({ type: 'no-such-type' })), /does not compile/)
  })
})

describe('avroType', () => {
  const prediction = avroType(shipped('prediction.avsc'))
  const value = {
    event_id: 'e1', model: 'churn', model_version: '3', timestamp: 1_764_000_000_000,
    numeric_features: { tenure: 14, spend: null }, categorical_features: { plan: 'pro' },
    prediction: { score: 0.7, probabilities: { a: 0.3, b: 0.7 }, predicted_class: null, value: null }, segments: { region: 'eu' },
  }

  it('decodes what it encodes, maps and unions included', () => {
    assert.deepEqual({ ...prediction.fromBuffer(prediction.toBuffer(value)), prediction: { ...value.prediction } }, value)
  })

  it('refuses a map block count larger than the bytes left at once, instead of looping 2^31 times', () => {
    // The fields before numeric_features, encoded alone, then a block count of 2^31 - 1 and nothing else.
    const head = avroType({ type: 'record', name: 'Head', fields: [{ name: 'event_id', type: 'string' }, { name: 'model', type: 'string' }, { name: 'model_version', type: 'string' }, { name: 'timestamp', type: 'long' }] })
    const hostile = Buffer.concat([head.toBuffer(value), Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x0f])])
    const started = performance.now()
    assert.throws(() => prediction.fromBuffer(hostile), /truncated/)
    assert.ok(performance.now() - started < 1_000, `refused in ${performance.now() - started} ms`)
  })

  it('bounds arrays: sized items by the bytes left, zero-width items (nulls) by count', () => {
    const type = avroType({ type: 'record', name: 'R', fields: [{ name: 'nulls', type: { type: 'array', items: 'null' } }, { name: 'longs', type: { type: 'array', items: 'long' } }] })
    assert.deepEqual({ ...type.fromBuffer(type.toBuffer({ nulls: [null, null], longs: [1, 2, 3] })) }, { nulls: [null, null], longs: [1, 2, 3] })
    const hugeCount = Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x0f])
    assert.throws(() => type.fromBuffer(Buffer.concat([Buffer.from([0x00]), hugeCount])), /truncated/)
    assert.throws(() => type.fromBuffer(Buffer.concat([hugeCount, Buffer.from([0x00, 0x00])])), /truncated/)
  })
})
