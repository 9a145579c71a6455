/**
 * The event contracts as JSON Schema (draft 2020-12), generated from the zod contract so the two cannot
 * disagree. `npm run schemas:json` writes them to `schemas/events/`; a unit test checks the committed copies.
 */
import { z } from 'zod'
import { groundTruthEventSchema, predictionEventSchema } from './contracts.js'

export function eventJsonSchemas(): Record<string, object> {
  const render = (schema: z.ZodType, id: string): object => ({
    $id: `urn:modelwatch:schemas:events:${id}`,
    ...z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }),
  })
  return {
    'prediction.schema.json': render(predictionEventSchema, 'prediction.schema.json'),
    'ground-truth.schema.json': render(groundTruthEventSchema, 'ground-truth.schema.json'),
  }
}
