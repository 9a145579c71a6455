/**
 * The event contracts: what a prediction and a ground-truth event must look like once decoded,
 * whatever the wire format (Avro through the registry, JSON Schema through the registry, or plain JSON).
 * This zod schema is the one validator; `schemas/events/*.schema.json` is generated from it
 * (`npm run schemas:json`) and a test keeps the committed copies equal to it.
 */
import { z } from 'zod'

/** zod's number() already refuses NaN and ±Infinity, which would poison every sum and quantile downstream. */
const finite = z.number()

const name = z.string().min(1).max(256)
const eventId = z.string().min(1).max(256)
/** ms since the Unix epoch; bounded to years 2000–2100 so a seconds or µs timestamp is caught, not stored. */
const timestampMs = z
  .number()
  .int()
  .min(946_684_800_000, { message: 'must be ms since the Unix epoch (looks like seconds or earlier than 2000)' })
  .max(4_102_444_800_000, { message: 'must be ms since the Unix epoch (later than 2100: microseconds?)' })

export const predictionEventSchema = z
  .object({
    event_id: eventId,
    model: name,
    model_version: name,
    timestamp: timestampMs,
    numeric_features: z.record(name, finite.nullable()).default({}),
    categorical_features: z.record(name, z.string().max(1024).nullable()).default({}),
    prediction: z
      .object({
        score: finite.nullable().default(null),
        probabilities: z.record(name, finite).nullable().default(null),
        predicted_class: z.string().max(1024).nullable().default(null),
        value: finite.nullable().default(null),
      })
      .refine((p) => p.score !== null || p.probabilities !== null || p.predicted_class !== null || p.value !== null, {
        message: 'needs at least one of score, probabilities, predicted_class, value',
      }),
    segments: z.record(name, z.string().max(1024)).default({}),
  })
  .meta({ title: 'PredictionEvent', description: 'One model prediction, as modelwatch ingests it.' })

export const groundTruthEventSchema = z
  .object({
    event_id: eventId,
    model: name.nullable().default(null),
    timestamp: timestampMs,
    label: z
      .object({
        class: z.string().max(1024).nullable().default(null),
        value: finite.nullable().default(null),
      })
      .refine((l) => l.class !== null || l.value !== null, { message: 'needs class or value' }),
  })
  .meta({ title: 'GroundTruthEvent', description: 'The true outcome for a prediction, joined by event_id.' })

export type PredictionEvent = z.output<typeof predictionEventSchema>
export type GroundTruthEvent = z.output<typeof groundTruthEventSchema>
/** What a producer may send: defaults (empty maps, null fields) may be left out. */
export type PredictionEventInput = z.input<typeof predictionEventSchema>
export type GroundTruthEventInput = z.input<typeof groundTruthEventSchema>

export type EventKind = 'prediction' | 'ground_truth'

export const eventSchemas = {
  prediction: predictionEventSchema,
  ground_truth: groundTruthEventSchema,
} as const
