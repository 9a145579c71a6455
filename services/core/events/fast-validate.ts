/**
 * A hand-written check of the event contracts for the ingest hot path. zod (contracts.ts) stays the
 * definition, the source of the JSON Schemas and of every error message: ingest tries this fast check
 * first and asks zod only when it fails, to say why. The two must accept exactly the same values and
 * produce the same output; test/unit/fast-validate.test.ts holds them to that on valid and broken events.
 *
 * Why: zod's general machinery was the largest single cost of ingest (28% of the main thread in the
 * ingest benchmark); these checks do the same work in straight-line code.
 */
import type { GroundTruthEvent, PredictionEvent } from './contracts.js'

type Json = Record<string, unknown>

const MS_MIN = 946_684_800_000
const MS_MAX = 4_102_444_800_000

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const isName = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 256
const isText = (v: unknown): v is string => typeof v === 'string' && v.length <= 1024
const isFinite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
const isTimestamp = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= MS_MIN && v <= MS_MAX

/** A record whose keys are names and whose values pass `valueOk`; `undefined` becomes `{}` (the default). */
function record<T>(v: unknown, valueOk: (x: unknown) => boolean): Record<string, T> | undefined {
  if (v === undefined) return {}
  if (!isObject(v)) return undefined
  for (const key in v) {
    if (!Object.hasOwn(v, key)) continue
    if (key.length < 1 || key.length > 256 || !valueOk(v[key])) return undefined
  }
  return v as Record<string, T>
}

/** `undefined` → null (the default); otherwise the value when it passes, else a miss. */
function nullable<T>(v: unknown, ok: (x: unknown) => x is T): T | null | typeof MISS {
  if (v === undefined || v === null) return null
  return ok(v) ? v : MISS
}
const MISS = Symbol('miss')

/** The event when it satisfies the prediction contract, else undefined. */
export function fastPrediction(raw: unknown): PredictionEvent | undefined {
  if (!isObject(raw)) return undefined
  const { event_id, model, model_version, timestamp, prediction } = raw
  if (!isName(event_id) || !isName(model) || !isName(model_version) || !isTimestamp(timestamp) || !isObject(prediction)) return undefined
  const numeric = record<number | null>(raw.numeric_features, (x) => x === null || isFinite(x))
  const categorical = record<string | null>(raw.categorical_features, (x) => x === null || isText(x))
  const segments = record<string>(raw.segments, isText)
  if (numeric === undefined || categorical === undefined || segments === undefined) return undefined
  const score = nullable(prediction.score, isFinite)
  const value = nullable(prediction.value, isFinite)
  const predictedClass = nullable(prediction.predicted_class, isText)
  let probabilities: Record<string, number> | null = null
  if (prediction.probabilities !== undefined && prediction.probabilities !== null) {
    const checked = record<number>(prediction.probabilities, isFinite)
    if (checked === undefined) return undefined
    probabilities = checked
  }
  if (score === MISS || value === MISS || predictedClass === MISS) return undefined
  if (score === null && probabilities === null && predictedClass === null && value === null) return undefined
  return {
    event_id,
    model,
    model_version,
    timestamp,
    numeric_features: numeric,
    categorical_features: categorical,
    prediction: { score, probabilities, predicted_class: predictedClass, value },
    segments,
  }
}

/** The event when it satisfies the ground-truth contract, else undefined. */
export function fastGroundTruth(raw: unknown): GroundTruthEvent | undefined {
  if (!isObject(raw)) return undefined
  const { event_id, timestamp, label } = raw
  if (!isName(event_id) || !isTimestamp(timestamp) || !isObject(label)) return undefined
  const model = nullable(raw.model, isName)
  const labelClass = nullable(label.class, isText)
  const labelValue = nullable(label.value, isFinite)
  if (model === MISS || labelClass === MISS || labelValue === MISS) return undefined
  if (labelClass === null && labelValue === null) return undefined
  return { event_id, model, timestamp, label: { class: labelClass, value: labelValue } }
}
