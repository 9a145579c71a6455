/**
 * HTTP ingest for producers without Kafka (scope write): `POST /v1/events/predictions` and
 * `/v1/events/ground-truth` take a JSON array of events checked against the same zod contracts as the Kafka
 * path. All or nothing: if any item is invalid the request is refused with 422, listing every bad item's
 * index and what is wrong with it, and nothing is stored. Accepted events go to the Kafka topics (202), or
 * without Kafka straight into ClickHouse (200). A retried request with the same events is stored once.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { groundTruthEventSchema, predictionEventSchema, type GroundTruthEvent, type PredictionEvent } from '../../core/events/contracts.js'
import type { MountRoutes } from '../deps.js'
import { problemResponses, withScope } from '../openapi.js'

const acceptedSchema = z
  .object({
    accepted: z.number().int().openapi({ description: 'Events in the request, all stored or produced' }),
    destination: z.enum(['kafka', 'clickhouse']),
  })
  .openapi('EventsAccepted')

const accepted = {
  200: { description: 'Stored in ClickHouse (no Kafka configured)', content: { 'application/json': { schema: acceptedSchema } } },
  202: { description: 'Produced to the Kafka topic; ingest stores them', content: { 'application/json': { schema: acceptedSchema } } },
}

function route<S extends z.ZodType>(path: string, summary: string, event: S, maxEvents: number) {
  return createRoute({
    method: 'post',
    path,
    tags: ['events'],
    summary,
    ...withScope('write'),
    request: { body: { required: true, content: { 'application/json': { schema: z.array(event).min(1).max(maxEvents) } } } },
    responses: { ...accepted, ...problemResponses },
  })
}

export const eventRoutes: MountRoutes = (app, { config, events, metrics }) => {
  const counted = metrics.counter('modelwatch_api_events_total', 'Events accepted over HTTP, by kind and destination (kafka or clickhouse).')
  const { maxEvents } = config.api
  const answer = (n: number) => ({ accepted: n, destination: events.destination })
  const status = events.destination === 'kafka' ? 202 : 200

  app.openapi(route('/v1/events/predictions', 'Send predictions (JSON array, all or nothing)', predictionEventSchema, maxEvents), async (c) => {
    const batch = c.req.valid('json') as PredictionEvent[]
    await events.predictions(batch)
    counted.inc({ kind: 'prediction', destination: events.destination }, batch.length)
    return status === 202 ? c.json(answer(batch.length), 202) : c.json(answer(batch.length), 200)
  })
  app.openapi(route('/v1/events/ground-truth', 'Send ground-truth labels (JSON array, all or nothing)', groundTruthEventSchema, maxEvents), async (c) => {
    const batch = c.req.valid('json') as GroundTruthEvent[]
    await events.groundTruth(batch)
    counted.inc({ kind: 'ground_truth', destination: events.destination }, batch.length)
    return status === 202 ? c.json(answer(batch.length), 202) : c.json(answer(batch.length), 200)
  })
}
