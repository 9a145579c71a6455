/**
 * The delivery log (scope read): `GET /v1/deliveries`, the latest state of each notification delivery, newest
 * first, filtered by channel, status, group and creation time; `GET /v1/deliveries/{id}` with every state it
 * went through (the enqueue, then one per attempt). Errors recorded there never hold a secret (outbox.ts).
 */
import { createRoute, z } from '@hono/zod-openapi'
import { ModelwatchError } from '../../core/errors.js'
import { deliveryHistory, listDeliveries, type Delivery, type DeliveryRow } from '../../alerting/outbox.js'
import type { MountRoutes } from '../deps.js'
import { instantParam, jsonContent, notFoundResponse, problemResponses, withScope } from '../openapi.js'

export const MAX_DELIVERIES = 1000

const STATUSES = ['pending', 'retrying', 'delivered', 'dead'] as const

const stateFields = {
  seq: z.number().int(), status: z.enum(STATUSES), attempts: z.number().int(), next_attempt_at: z.string(),
  last_error: z.string(), response_status: z.number().int().nullable(), updated_at: z.string(),
}
const attemptSchema = z.object(stateFields).openapi('DeliveryState')
const deliverySchema = z
  .object({
    id: z.string().openapi({ description: "The notification id, also the receiver's Idempotency-Key" }),
    channel: z.string(), channel_type: z.string(), group_key: z.string(), notification_status: z.enum(['firing', 'resolved']),
    ...stateFields,
    created_at: z.string(),
    notification: z.record(z.string(), z.unknown()).openapi({ description: 'The notification delivered (services/alerting/notification.ts)' }),
  })
  .openapi('Delivery')

const since = instantParam('since').openapi({ description: 'Created at or after this instant (ISO 8601 with a zone)' })

const label = z.string().min(1).max(512)

const list = createRoute({
  method: 'get', path: '/v1/deliveries', tags: ['deliveries'], summary: 'The delivery log, newest first', ...withScope('read'),
  request: {
    query: z.object({
      channel: label.optional(), status: z.enum(STATUSES).optional(), group_key: label.optional(), since: since.optional(),
      limit: z.coerce.number().int().min(1).max(MAX_DELIVERIES).default(100),
    }),
  },
  responses: { 200: jsonContent(z.object({ items: z.array(deliverySchema) }), 'Latest state of each delivery'), ...problemResponses },
})
const getOne = createRoute({
  method: 'get', path: '/v1/deliveries/{id}', tags: ['deliveries'], summary: 'One delivery with its attempts', ...withScope('read'),
  request: { params: z.object({ id: z.string().regex(/^[0-9a-f]{1,64}$/, 'a delivery id is hex digits') }) },
  responses: { 200: jsonContent(deliverySchema.extend({ history: z.array(attemptSchema) }), 'The delivery; `history` in order'), ...notFoundResponse, ...problemResponses },
})

export const deliveryRoutes: MountRoutes = (app, { ch }) => {
  app.openapi(list, async (c) => {
    const query = c.req.valid('query')
    const filter = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined))
    return c.json({ items: (await listDeliveries(ch, filter)).map(view) }, 200)
  })
  app.openapi(getOne, async (c) => {
    const { id } = c.req.valid('param')
    const [delivery] = await listDeliveries(ch, { id, limit: 1 })
    if (delivery === undefined) throw new ModelwatchError('NOT_FOUND', `no delivery ${JSON.stringify(id)}; GET /v1/deliveries lists them`)
    return c.json({ ...view(delivery), history: (await deliveryHistory(ch, id)).map(state) }, 200)
  })
}

const iso = (ms: number): string => new Date(ms).toISOString()

function state(row: DeliveryRow): z.infer<typeof attemptSchema> {
  return { seq: row.seq, status: row.status, attempts: row.attempts, next_attempt_at: iso(row.next_attempt_at), last_error: row.last_error, response_status: row.response_status, updated_at: iso(row.updated_at) }
}

function view(d: Delivery): z.infer<typeof deliverySchema> {
  return {
    id: d.id, channel: d.channel, channel_type: d.channel_type, group_key: d.group_key, notification_status: d.notification_status,
    ...state(d), created_at: iso(d.created_at), notification: { ...d.notification },
  }
}
