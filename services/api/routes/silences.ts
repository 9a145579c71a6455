/**
 * Silences: `GET /v1/silences` (those not yet ended, or `?state=all`), and with scope write `POST
 * /v1/silences` (matchers and a time range; `created_by` is the token's name) and `DELETE /v1/silences/{id}`
 * (expires it now; its record stays). A silence holds back notifications of the alerts it matches from the
 * next alerting run on; the alerts still change state (docs/alerting.md).
 */
import { randomBytes } from 'node:crypto'
import { createRoute, z } from '@hono/zod-openapi'
import { ModelwatchError } from '../../core/errors.js'
import { bounds, ensureRoom } from '../../core/limits.js'
import { matchersSchema, silenceSpecSchema, type Silence } from '../../alerting/silences.js'
import { expireSilence, listSilences, saveSilences } from '../../alerting/silences-store.js'
import type { MountRoutes } from '../deps.js'
import { jsonContent, notFoundResponse, problemResponses, withScope } from '../openapi.js'
import { problemSchema } from '../problem.js'

const silenceSchema = z
  .object({
    id: z.string(),
    matchers: z.array(z.object({ name: z.string(), op: z.enum(['=', '!=', '=~']), value: z.string() })),
    starts_at: z.string(),
    ends_at: z.string(),
    created_by: z.string(),
    comment: z.string(),
    state: z.enum(['active', 'pending', 'expired']).openapi({ description: 'active now, starting later, or ended' }),
  })
  .openapi('Silence')

const { id, starts_at: instant } = silenceSpecSchema.shape
const createBody = z
  .strictObject({
    id: id.optional().openapi({ description: 'Unset: one is made up' }),
    matchers: matchersSchema,
    starts_at: instant.optional().openapi({ description: 'ms since the epoch or ISO 8601 with a zone; unset: now' }),
    ends_at: instant,
    comment: z.string().max(2000).default(''),
  })
  .openapi('SilenceRequest')

const idParam = z.object({ id })

/** Most silences one GET answers; `state=all` keeps every expired one, so the list grows without end. */
export const MAX_SILENCES_LISTED = 10_000

const list = createRoute({
  method: 'get', path: '/v1/silences', tags: ['silences'], summary: 'Silences by id', ...withScope('read'),
  request: {
    query: z.object({
      state: z.enum(['active', 'all']).default('active').openapi({ description: 'active: not yet ended (active or starting later); all: expired ones too' }),
      limit: z.coerce.number().int().min(1).max(MAX_SILENCES_LISTED).default(1000),
    }),
  },
  responses: { 200: jsonContent(z.object({ items: z.array(silenceSchema), truncated: z.boolean() }), 'Silences by id; `truncated` when more matched than `limit`'), ...problemResponses },
})
const create = createRoute({
  method: 'post', path: '/v1/silences', tags: ['silences'], summary: 'Create a silence', ...withScope('write'),
  request: { body: { required: true, content: { 'application/json': { schema: createBody } } } },
  responses: {
    201: jsonContent(silenceSchema, 'Created'),
    409: { description: 'A silence with this id has not ended (CONFLICT), or MODELWATCH_MAX_SILENCES silences have not ended (LIMIT_EXCEEDED)', content: { 'application/problem+json': { schema: problemSchema } } },
    ...problemResponses,
  },
})
const expire = createRoute({
  method: 'delete', path: '/v1/silences/{id}', tags: ['silences'], summary: 'Expire a silence now', ...withScope('write'),
  request: { params: idParam }, responses: { 200: jsonContent(silenceSchema, 'The silence, ended now'), ...notFoundResponse, ...problemResponses },
})

export const silenceRoutes: MountRoutes = (app, { ch, now, config }) => {
  const clock = now ?? Date.now
  app.openapi(list, async (c) => {
    const at = clock()
    const { state, limit } = c.req.valid('query')
    const items = await listSilences(ch, { now: at, ended: state === 'all', limit: limit + 1 })
    return c.json({ items: items.slice(0, limit).map((s) => view(s, at)), truncated: items.length > limit }, 200)
  })
  app.openapi(create, async (c) => {
    const body = c.req.valid('json')
    const at = clock()
    const startsAt = body.starts_at ?? at
    if (body.ends_at <= Math.max(startsAt, at)) throw new ModelwatchError('REQUEST_INVALID', `the body is invalid: /ends_at: must be after starts_at and in the future (${new Date(Math.max(startsAt, at)).toISOString()})`)
    const silenceId = body.id ?? `s-${randomBytes(6).toString('hex')}`
    const current = await listSilences(ch, { now: at, ended: false })
    if (current.some((s) => s.id === silenceId)) {
      throw new ModelwatchError('CONFLICT', `silence ${silenceId} exists and has not ended; DELETE /v1/silences/${silenceId} first, or choose another id`)
    }
    ensureRoom(bounds(config.limits).silences, current.length, 1)
    const silence = silenceSpecSchema.parse({ id: silenceId, matchers: body.matchers, starts_at: startsAt, ends_at: body.ends_at, created_by: c.get('principal')?.name ?? '', comment: body.comment })
    await saveSilences(ch, [silence], at)
    return c.json(view(silence, at), 201)
  })
  app.openapi(expire, async (c) => {
    const silenceId = c.req.valid('param').id
    const at = clock()
    if (!(await expireSilence(ch, silenceId, at))) throw new ModelwatchError('NOT_FOUND', `no silence ${JSON.stringify(silenceId)} that has not ended; GET /v1/silences?state=all lists every one`)
    const expired = (await listSilences(ch, { now: at, ended: true })).find((s) => s.id === silenceId)
    if (expired === undefined) throw new ModelwatchError('INTERNAL', `silence ${silenceId} was expired but cannot be read back`)
    return c.json(view(expired, at), 200)
  })
}

function view(s: Silence, now: number): z.infer<typeof silenceSchema> {
  const state = now >= s.ends_at ? 'expired' : now < s.starts_at ? 'pending' : 'active'
  return { ...s, starts_at: new Date(s.starts_at).toISOString(), ends_at: new Date(s.ends_at).toISOString(), state }
}
