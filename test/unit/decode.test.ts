/**
 * decodeEvent: every way a message can be refused, and what a good one becomes. Plain-JSON cases only;
 * the wire format through a real registry is covered in test/integration/ingest.test.ts.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ModelwatchError } from '../../services/core/errors.js'
import type { WriterSchemas } from '../../services/core/kafka/writer-schemas.js'
import { PACKAGE_ROOT } from '../../services/core/package-root.js'
import { decodeEvent } from '../../services/ingest/decode.js'
import { REJECT_REASONS } from '../../services/ingest/reject-reasons.js'

const options = { registry: undefined, maxEventBytes: 1024 }
const good = { event_id: 'e1', model: 'churn', model_version: '3', timestamp: 1_764_000_000_000, prediction: { score: 0.7 } }
const bytes = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))

async function reasonOf(value: Buffer | null, kind: 'prediction' | 'ground_truth' = 'prediction'): Promise<string> {
  const result = await decodeEvent(kind, value, options)
  return result.ok ? 'accepted' : result.rejection.reason
}

describe('decodeEvent', () => {
  it('accepts a minimal JSON prediction and fills the defaults', async () => {
    const result = await decodeEvent('prediction', bytes(good), options)
    assert.ok(result.ok)
    assert.deepEqual(result.event.numeric_features, {})
    assert.deepEqual(result.event.segments, {})
    assert.equal(result.event.prediction.score, 0.7)
    assert.equal(result.event.prediction.predicted_class, null)
  })

  it('keeps null feature values as missing values', async () => {
    const result = await decodeEvent('prediction', bytes({ ...good, numeric_features: { a: null, b: 2 } }), options)
    assert.ok(result.ok)
    assert.deepEqual(result.event.numeric_features, { a: null, b: 2 })
  })

  it('drops fields the contract does not know (a newer schema version)', async () => {
    const result = await decodeEvent('prediction', bytes({ ...good, added_later: 'x' }), options)
    assert.ok(result.ok)
    assert.equal('added_later' in result.event, false)
  })

  it('accepts a ground-truth event with a class label', async () => {
    const result = await decodeEvent('ground_truth', bytes({ event_id: 'e1', timestamp: 1_764_000_000_000, label: { class: '1' } }), options)
    assert.ok(result.ok)
    assert.equal(result.event.label.class, '1')
    assert.equal(result.event.model, null)
  })

  it('refuses an empty value or a tombstone as empty_message', async () => {
    assert.equal(await reasonOf(null), 'empty_message')
    assert.equal(await reasonOf(Buffer.alloc(0)), 'empty_message')
  })

  it('refuses a message over the size limit as oversized, before parsing it', async () => {
    assert.equal(await reasonOf(bytes({ ...good, pad: 'x'.repeat(2000) })), 'oversized')
  })

  it('refuses bytes that are neither wire format nor JSON as bad_magic_byte', async () => {
    assert.equal(await reasonOf(Buffer.from([0x01, 0x02, 0x03])), 'bad_magic_byte')
    assert.equal(await reasonOf(bytes('"just a string"')), 'bad_magic_byte')
  })

  it('refuses a wire-format message when no registry is configured as unknown_schema_id', async () => {
    assert.equal(await reasonOf(Buffer.from([0x00, 0x00, 0x00, 0x00, 0x07, 0x02])), 'unknown_schema_id')
  })

  it('refuses a wire-format message shorter than its header as bad_magic_byte', async () => {
    assert.equal(await reasonOf(Buffer.from([0x00, 0x00])), 'bad_magic_byte')
  })

  it('refuses truncated JSON as invalid_json', async () => {
    assert.equal(await reasonOf(bytes('{"event_id": "e1"')), 'invalid_json')
  })

  it('refuses NaN and Infinity (as Python json.dumps writes them) as non_finite_number', async () => {
    assert.equal(await reasonOf(bytes('{"event_id":"e1","numeric_features":{"a":NaN}}')), 'non_finite_number')
    assert.equal(await reasonOf(bytes('{"event_id":"e1","prediction":{"score":-Infinity}}')), 'non_finite_number')
  })

  it('refuses a missing required field as missing_field, naming it', async () => {
    const result = await decodeEvent('prediction', bytes({ ...good, model: undefined }), options)
    assert.ok(!result.ok)
    assert.equal(result.rejection.reason, 'missing_field')
    assert.match(result.rejection.detail, /^model:/)
  })

  it('refuses a field of the wrong type as wrong_type, naming its path', async () => {
    const result = await decodeEvent('prediction', bytes({ ...good, numeric_features: { tenure: 'twelve' } }), options)
    assert.ok(!result.ok)
    assert.equal(result.rejection.reason, 'wrong_type')
    assert.match(result.rejection.detail, /^numeric_features\.tenure:/)
    assert.equal(result.rejection.model, 'churn')
  })

  it('refuses a timestamp in seconds and an empty prediction as invalid_value', async () => {
    assert.equal(await reasonOf(bytes({ ...good, timestamp: 1_764_000_000 })), 'invalid_value')
    assert.equal(await reasonOf(bytes({ ...good, prediction: {} })), 'invalid_value')
  })

  it('refuses a label with neither class nor value as invalid_value', async () => {
    assert.equal(await reasonOf(bytes({ event_id: 'e1', timestamp: 1_764_000_000_000, label: {} }), 'ground_truth'), 'invalid_value')
  })

  it('survives a nesting bomb within the size limit (20,000 levels) and names the field', async () => {
    const bomb = `{"event_id":"e1","model":"churn","model_version":"3","timestamp":1764000000000,"prediction":{"score":0.7},"numeric_features":{"deep":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`
    const result = await decodeEvent('prediction', bytes(bomb), { registry: undefined, maxEventBytes: 65_536 })
    assert.ok(!result.ok)
    assert.equal(result.rejection.reason, 'wrong_type')
    assert.match(result.rejection.detail, /^numeric_features\.deep:/)
  })
})

describe('decodeEvent: the wire format, by what the registry lookup says', () => {
  const wire = (id: number, payload: string): Buffer => Buffer.concat([Buffer.from([0, 0, 0, 0, id]), Buffer.from(payload)])
  const lookups = (answer: WriterSchemas['get']): { registry: WriterSchemas; maxEventBytes: number } => ({ registry: { get: answer }, maxEventBytes: 1024 })

  it('sets a message aside as unusable_schema or unknown_schema_id as the lookup says, with its detail', async () => {
    const unusable = await decodeEvent('prediction', wire(7, '{}'), lookups(async () => ({ ok: false, problem: 'unusable', detail: 'schema id 7 (PROTOBUF): no' })))
    assert.deepEqual(unusable, { ok: false, rejection: { reason: 'unusable_schema', detail: 'schema id 7 (PROTOBUF): no', model: '' } })
    const missing = await decodeEvent('prediction', wire(8, '{}'), lookups(async () => ({ ok: false, problem: 'not_found', detail: 'schema id 8 is not in the registry' })))
    assert.ok(!missing.ok && missing.rejection.reason === 'unknown_schema_id')
  })

  it('lets an unreachable registry through as the retriable error it is: the message waits', async () => {
    const down = new ModelwatchError('SCHEMA_REGISTRY_UNAVAILABLE', 'no answer', { retriable: true })
    await assert.rejects(decodeEvent('prediction', wire(9, '{}'), lookups(async () => { throw down })), down)
  })

  it('sets a message aside as decode_failed, saying so, when the decoder itself fails unexpectedly', async () => {
    const result = await decodeEvent('prediction', wire(9, '{}'), lookups(async () => { throw new TypeError('cannot read x of undefined') }))
    assert.ok(!result.ok)
    assert.equal(result.rejection.reason, 'decode_failed')
    assert.match(result.rejection.detail, /^unexpected decoder error: cannot read x/)
  })
})

describe('reject reasons', () => {
  it('are the ones the README lists', () => {
    const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8')
    const listed = /reasons: ((?:`[a-z_]+`,?\s*)+)/.exec(readme)?.[1] ?? ''
    assert.deepEqual([...listed.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]).sort(), Object.keys(REJECT_REASONS).sort())
  })
})
