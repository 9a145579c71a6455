/**
 * Monitors (alert rules): `GET /v1/monitors` (optionally of one model), `GET /v1/monitors/{name}`, and with
 * scope write `PUT /v1/monitors/{name}` (create or replace; the body is a monitor as in monitors.yaml) and
 * `DELETE /v1/monitors/{name}` (a tombstone: its alerts stay in the history and resolve at the next run).
 * A monitor must name a registered model, a metric that model's task has, and channels that exist, as with
 * `modelwatch apply`. Monitors are answered as they are written (durations as `1h`), so one read back can be
 * put again as is.
 */
import { createRoute, z } from '@hono/zod-openapi'
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { ModelwatchError } from '../../core/errors.js'
import { bounds, ensureRoom } from '../../core/limits.js'
import { findChannel } from '../../alerting/channels-store.js'
import { monitorModelProblems } from '../../alerting/monitor-model-check.js'
import { monitorSpecSchema, monitorSpecToInput } from '../../alerting/monitor-spec.js'
import { deleteMonitors, getMonitor, listMonitors, saveMonitors, type StoredMonitor } from '../../alerting/monitors-store.js'
import { listModels } from '../../monitor/models/registry.js'
import type { MountRoutes } from '../deps.js'
import { jsonContent, limitResponse, notFoundResponse, problemResponses, withScope } from '../openapi.js'

const monitorSchema = z
  .object({
    name: z.string(),
    model: z.string(),
    statistic: z.string(),
    spec: z.record(z.string(), z.unknown()).openapi({ description: 'The monitor as written (durations as 1h); PUT it back as is' }),
    origin: z.enum(['apply', 'default', 'api']).openapi({ description: 'Who wrote it: modelwatch apply, the default monitors, or the API' }),
    updated_at: z.string(),
  })
  .openapi('Monitor')

const nameParam = z.object({ name: z.string().regex(/^[A-Za-z0-9_.-]{1,160}$/, 'monitor names are letters, digits, _ . - (at most 160)') })

const list = createRoute({
  method: 'get', path: '/v1/monitors', tags: ['monitors'], summary: 'Monitors, by name', ...withScope('read'),
  request: { query: z.object({ model: z.string().min(1).max(128).optional() }) },
  responses: { 200: jsonContent(z.object({ items: z.array(monitorSchema) }), 'Live monitors by name'), ...problemResponses },
})
const getOne = createRoute({
  method: 'get', path: '/v1/monitors/{name}', tags: ['monitors'], summary: 'One monitor', ...withScope('read'),
  request: { params: nameParam }, responses: { 200: jsonContent(monitorSchema, 'The monitor'), ...notFoundResponse, ...problemResponses },
})
/** The body of PUT: a monitor whose model, metric and channels exist, checked like `modelwatch apply` does. */
const checkedMonitor = (ch: ClickHouse) =>
  monitorSpecSchema.superRefine(async (spec, ctx) => {
    const model = (await listModels(ch)).find((m) => m.name === spec.model)
    for (const text of monitorModelProblems(spec, model)) {
      const [field = '', ...rest] = text.split(': ')
      ctx.addIssue({ code: 'custom', path: [field], message: rest.join(': ') })
    }
    const channels = await Promise.all(spec.channels.map((channel) => findChannel(ch, channel)))
    channels.forEach((found, i) => {
      if (found === undefined) ctx.addIssue({ code: 'custom', path: ['channels', i], message: `no channel named ${JSON.stringify(spec.channels[i])}; PUT /v1/channels/{name} creates one` })
    })
  })

const put = (ch: ClickHouse) =>
  createRoute({
    method: 'put', path: '/v1/monitors/{name}', tags: ['monitors'], summary: 'Create or replace a monitor', ...withScope('write'),
    request: { params: nameParam, body: { required: true, content: { 'application/json': { schema: checkedMonitor(ch) } } } },
    responses: { 201: jsonContent(monitorSchema, 'Created'), 200: jsonContent(monitorSchema, 'Replaced'), ...limitResponse('live monitors', 'MODELWATCH_MAX_MONITORS'), ...problemResponses },
  })
const remove = createRoute({
  method: 'delete', path: '/v1/monitors/{name}', tags: ['monitors'], summary: 'Delete a monitor (its alerts resolve at the next run, quietly)', ...withScope('write'),
  request: { params: nameParam }, responses: { 204: { description: 'Deleted' }, ...notFoundResponse, ...problemResponses },
})

export const monitorRoutes: MountRoutes = (app, { ch, now, config }) => {
  const clock = now ?? Date.now
  app.openapi(list, async (c) => {
    const { model } = c.req.valid('query')
    return c.json({ items: (await listMonitors(ch, model === undefined ? {} : { model })).map(view) }, 200)
  })
  app.openapi(getOne, async (c) => c.json(view(await find(c.req.valid('param').name)), 200))
  app.openapi(put(ch), async (c) => {
    const { name } = c.req.valid('param')
    const spec = c.req.valid('json')
    if (spec.name !== name) throw new ModelwatchError('REQUEST_INVALID', `the body is invalid: /name: must be the name in the path (${JSON.stringify(name)}), got ${JSON.stringify(spec.name)}`)
    const existed = (await getMonitor(ch, name)) !== undefined
    if (!existed) ensureRoom(bounds(config.limits).monitors, (await listMonitors(ch)).length, 1)
    const at = clock()
    await saveMonitors(ch, [spec], { origin: 'api', now: at })
    const stored = view({ spec, origin: 'api', updated_at: at })
    return existed ? c.json(stored, 200) : c.json(stored, 201)
  })
  app.openapi(remove, async (c) => {
    const monitor = await find(c.req.valid('param').name)
    await deleteMonitors(ch, [{ name: monitor.spec.name, model: monitor.spec.model }], { origin: 'api', now: clock() })
    return c.body(null, 204)
  })

  async function find(name: string): Promise<StoredMonitor> {
    const monitor = await getMonitor(ch, name)
    if (monitor === undefined) throw new ModelwatchError('NOT_FOUND', `no monitor named ${JSON.stringify(name)}; GET /v1/monitors lists them`)
    return monitor
  }
}

function view(m: StoredMonitor): z.infer<typeof monitorSchema> {
  return { name: m.spec.name, model: m.spec.model, statistic: m.spec.statistic, spec: monitorSpecToInput(m.spec), origin: m.origin, updated_at: new Date(m.updated_at).toISOString() }
}
