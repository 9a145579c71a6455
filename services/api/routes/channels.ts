/**
 * Notification channels: `GET /v1/channels`, `GET /v1/channels/{name}`, and with scope admin (a channel
 * decides where data goes) `PUT /v1/channels/{name}` (create or replace; the body is a channel as in
 * monitors.yaml) and `DELETE /v1/channels/{name}` (refused while a monitor names it). A channel holds no
 * secret, only the names of the MODELWATCH_CHANNEL_SECRET_* variables that do; the answer says whether they are
 * set in the API's environment (`secret_configured`), never their values. A webhook URL may carry credentials, so
 * below admin it shows only its scheme, host and port (channel-redaction.ts); admin sees it as written.
 */
import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { isChannelSecretName } from '../../core/channel-secrets.js'
import { ModelwatchError } from '../../core/errors.js'
import { bounds, ensureRoom } from '../../core/limits.js'
import { redactChannel } from '../../alerting/channel-redaction.js'
import { channelSpecSchema, secretReferences, type ChannelSpec } from '../../alerting/channel-spec.js'
import { channelOrigins, deleteChannel, findChannel, listChannels, saveChannel } from '../../alerting/channels-store.js'
import { listMonitors } from '../../alerting/monitors-store.js'
import { scopeAllows } from '../auth.js'
import type { ApiEnv, MountRoutes } from '../deps.js'
import { jsonContent, limitResponse, notFoundResponse, problemResponses, withScope } from '../openapi.js'
import { problemSchema } from '../problem.js'

const channelSchema = z
  .object({
    name: z.string(),
    type: z.enum(['slack', 'email', 'webhook']),
    spec: z.record(z.string(), z.unknown()).openapi({ description: 'The channel as written (admin; PUT it back as is), or with the fields in `redacted` hidden (read, write)' }),
    redacted: z.array(z.string()).openapi({ description: "Fields of spec hidden from this caller's scope: a webhook `url` shows only scheme, host and port below admin (its user info, path and query may be credentials)" }),
    secret_env: z.array(z.string()).openapi({ description: 'The environment variables the channel reads its secrets from' }),
    secret_configured: z.boolean().openapi({ description: 'Every variable in secret_env is a channel secret variable (MODELWATCH_CHANNEL_SECRET_*) set where the API runs (true when there are none)' }),
    origin: z.enum(['api', 'apply']),
  })
  .openapi('Channel')

const nameParam = z.object({ name: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'channel names are letters, digits, _ . - (at most 128)') })

const list = createRoute({
  method: 'get', path: '/v1/channels', tags: ['channels'], summary: 'Notification channels by name', ...withScope('read'),
  responses: { 200: jsonContent(z.object({ items: z.array(channelSchema) }), 'Channels by name'), ...problemResponses },
})
const getOne = createRoute({
  method: 'get', path: '/v1/channels/{name}', tags: ['channels'], summary: 'One channel', ...withScope('read'),
  request: { params: nameParam }, responses: { 200: jsonContent(channelSchema, 'The channel'), ...notFoundResponse, ...problemResponses },
})
const put = createRoute({
  method: 'put', path: '/v1/channels/{name}', tags: ['channels'], summary: 'Create or replace a channel', ...withScope('admin'),
  request: { params: nameParam, body: { required: true, content: { 'application/json': { schema: channelSpecSchema } } } },
  responses: { 201: jsonContent(channelSchema, 'Created'), 200: jsonContent(channelSchema, 'Replaced'), ...limitResponse('notification channels', 'MODELWATCH_MAX_CHANNELS'), ...problemResponses },
})
const remove = createRoute({
  method: 'delete', path: '/v1/channels/{name}', tags: ['channels'], summary: 'Delete a channel no monitor names', ...withScope('admin'),
  request: { params: nameParam },
  responses: {
    204: { description: 'Deleted; deliveries still queued for it go dead at their next attempt' },
    ...notFoundResponse,
    409: { description: 'Monitors still name the channel', content: { 'application/problem+json': { schema: problemSchema } } },
    ...problemResponses,
  },
})

export const channelRoutes: MountRoutes = (app, { ch, now, env, config }) => {
  const clock = now ?? Date.now
  // main.ts passes the process environment; the fallback keeps an app built without it honest.
  const secrets = env ?? process.env
  const view = (c: Context<ApiEnv>, spec: ChannelSpec, origin: 'api' | 'apply' | undefined): z.infer<typeof channelSchema> => {
    const names = secretReferences(spec).map((r) => r.variable)
    // A name outside the prefix (a channel saved before the rule) is never looked up, not even to say it is set.
    const configured = names.every((n) => isChannelSecretName(n) && (secrets[n] ?? '') !== '')
    const principal = c.get('principal')
    const shown = principal !== undefined && scopeAllows(principal.scope, 'admin') ? { spec, redacted: [] } : redactChannel(spec)
    return { name: spec.name, type: spec.type, spec: shown.spec, redacted: shown.redacted, secret_env: names, secret_configured: configured, origin: origin ?? 'api' }
  }
  app.openapi(list, async (c) => {
    const [channels, origins] = await Promise.all([listChannels(ch), channelOrigins(ch)])
    return c.json({ items: channels.map((s) => view(c, s, origins.get(s.name))) }, 200)
  })
  app.openapi(getOne, async (c) => {
    const { name } = c.req.valid('param')
    const spec = await findChannel(ch, name)
    if (spec === undefined) throw notFound(name)
    return c.json(view(c, spec, (await channelOrigins(ch)).get(name)), 200)
  })
  app.openapi(put, async (c) => {
    const { name } = c.req.valid('param')
    const body = c.req.valid('json')
    if (body.name !== name) throw new ModelwatchError('REQUEST_INVALID', `the body is invalid: /name: must be the name in the path (${JSON.stringify(name)}), got ${JSON.stringify(body.name)}`)
    const existed = (await findChannel(ch, name)) !== undefined
    if (!existed) ensureRoom(bounds(config.limits).channels, (await listChannels(ch)).length, 1)
    const spec = await saveChannel(ch, body, clock(), 'api')
    return existed ? c.json(view(c, spec, 'api'), 200) : c.json(view(c, spec, 'api'), 201)
  })
  app.openapi(remove, async (c) => {
    const { name } = c.req.valid('param')
    if ((await findChannel(ch, name)) === undefined) throw notFound(name)
    const users = (await listMonitors(ch)).filter((m) => m.spec.channels.includes(name)).map((m) => m.spec.name)
    if (users.length > 0) throw new ModelwatchError('CONFLICT', `channel ${name} is named by monitor${users.length === 1 ? '' : 's'} ${users.join(', ')}; change them first`)
    if (!(await deleteChannel(ch, name, clock(), 'api'))) throw notFound(name)
    return c.body(null, 204)
  })
}

const notFound = (name: string) => new ModelwatchError('NOT_FOUND', `no channel named ${JSON.stringify(name)}; GET /v1/channels lists them`)

