/**
 * The ingest fast path must agree with the zod contract exactly: on valid events it returns what zod
 * returns, on broken ones it refuses what zod refuses. The broken events are every valid fixture with one
 * field changed in one way (removed, nulled, wrong type, out of range, NaN, an empty key...).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { groundTruthEventSchema, predictionEventSchema } from '../../services/core/events/contracts.js'
import { fastGroundTruth, fastPrediction } from '../../services/core/events/fast-validate.js'

const T = 1_764_000_000_000

const validPredictions: unknown[] = [
  { event_id: 'e', model: 'm', model_version: '1', timestamp: T, prediction: { score: 0.5 } },
  { event_id: 'e', model: 'm', model_version: '1', timestamp: T, numeric_features: { a: 1, b: null }, categorical_features: { c: 'x', d: null }, prediction: { probabilities: { a: 0.2, b: 0.8 }, predicted_class: 'b' }, segments: { r: 'eu' }, extra: 1 },
  { event_id: 'e', model: 'm', model_version: '1', timestamp: T, prediction: { value: -3.5, score: null, probabilities: null, extra: true } },
  { event_id: 'e'.repeat(256), model: 'm', model_version: 'v', timestamp: 946_684_800_000, prediction: { predicted_class: '' } },
]
const validLabels: unknown[] = [
  { event_id: 'e', timestamp: T, label: { class: '1' } },
  { event_id: 'e', model: 'm', timestamp: T, label: { value: 0, class: null }, extra: [] },
  { event_id: 'e', model: null, timestamp: T, label: { value: 2.5 } },
]

const replacements: unknown[] = [undefined, null, '', 'x', 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, T / 1000, T * 1000, [], {}, { '': 1 }, { k: 'x'.repeat(1025) }, { k: Number.NaN }, 'x'.repeat(257), true]

/** Every way of changing one field (top level, or one level down) of `event` to one of `replacements`. */
function mutations(event: Record<string, unknown>): unknown[] {
  const out: unknown[] = []
  for (const key of Object.keys(event)) {
    for (const r of replacements) out.push({ ...event, [key]: r })
    const inner = event[key]
    if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
      for (const innerKey of Object.keys(inner)) for (const r of replacements) out.push({ ...event, [key]: { ...inner, [innerKey]: r } })
    }
  }
  return out
}

function agree(fast: (raw: unknown) => unknown, schema: typeof predictionEventSchema | typeof groundTruthEventSchema, raw: unknown): void {
  const expected = schema.safeParse(raw)
  const actual = fast(raw)
  if (expected.success) assert.deepEqual(actual, expected.data, `accepted by zod: ${JSON.stringify(raw)}`)
  else assert.equal(actual, undefined, `refused by zod (${expected.error.issues[0]?.message}): ${JSON.stringify(raw)}`)
}

describe('fast event validation', () => {
  it('returns what zod returns for valid predictions and labels', () => {
    for (const raw of validPredictions) agree(fastPrediction, predictionEventSchema, raw)
    for (const raw of validLabels) agree(fastGroundTruth, groundTruthEventSchema, raw)
  })

  it('agrees with zod on every one-field change of the valid predictions', () => {
    const cases = validPredictions.flatMap((e) => mutations(e as Record<string, unknown>))
    assert.ok(cases.length > 500)
    for (const raw of cases) agree(fastPrediction, predictionEventSchema, raw)
  })

  it('agrees with zod on every one-field change of the valid labels', () => {
    for (const raw of validLabels.flatMap((e) => mutations(e as Record<string, unknown>))) agree(fastGroundTruth, groundTruthEventSchema, raw)
  })

  it('refuses non-objects as zod does', () => {
    for (const raw of [null, undefined, 1, 'x', [], [{}]]) {
      agree(fastPrediction, predictionEventSchema, raw)
      agree(fastGroundTruth, groundTruthEventSchema, raw)
    }
  })
})
