/**
 * Alerts: `GET /v1/alerts` (filtered by status, model, version, monitor, severity and change time; most
 * recently changed first), `GET /v1/alerts/{fingerprint}` with its history, and with scope write
 * `POST /v1/alerts/{fingerprint}/acknowledge` (repeats stop until it resolves or fires anew) and `/resolve`
 * (closed now, receivers told as on a recovery; a breach that persists fires a new alert at the next
 * evaluation). Who acted is the token's name, recorded in the alert's history. See docs/alerting.md.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { ModelwatchError } from '../../core/errors.js'
import { acknowledgeAlert, resolveAlert } from '../../alerting/alert-actions.js'
import { alertHistory, getAlert, listAlerts, type AlertEventRow, type ListedAlert } from '../../alerting/alerts-store.js'
import { createReadCache } from '../read-cache.js'
import { isAcknowledged } from '../../alerting/lifecycle.js'
import { enqueueNotifications } from '../../alerting/outbox.js'
import type { MountRoutes } from '../deps.js'
import { instantParam, jsonContent, notFoundResponse, problemResponses, withScope } from '../openapi.js'
import { problemSchema } from '../problem.js'

export const MAX_ALERTS = 1000

const STATUSES = ['pending', 'firing', 'resolved'] as const
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

const alertSchema = z
  .object({
    fingerprint: z.string(), monitor: z.string(), model: z.string(), model_version: z.string(), segment: z.string(), column: z.string(),
    statistic: z.string(), severity: z.enum(['critical', 'warning', 'info']),
    status: z.enum(['inactive', 'pending', 'firing', 'resolved']),
    value: z.number().nullable(), baseline: z.number().nullable(), threshold: z.number(), condition: z.string(),
    window_start: z.string(), window_end: z.string(), window_seconds: z.number().int(), is_final: z.boolean(), reference_id: z.string(),
    n_current: z.number().nullable(), n_reference: z.number().nullable(),
    started_at: z.string().nullable(), resolved_at: z.string().nullable(), last_notified_at: z.string().nullable(),
    acknowledged: z.object({ by: z.string(), at: z.string(), comment: z.string() }).nullable().openapi({ description: 'Who took the current firing on; null when nobody has' }),
    updated_at: z.string(),
  })
  .openapi('Alert')

const eventSchema = z
  .object({
    event: z.enum(['pending', 'firing', 'repeat', 'resolved', 'inactive', 'acknowledged']), status_from: z.string(), status_to: z.string(),
    value: z.number().nullable(), window_start: z.string(), muted_by: z.string(), notification_ids: z.array(z.string()),
    actor: z.string().openapi({ description: "The API token's name for acknowledged and manual resolved events; '' for the engine" }),
    comment: z.string(), at: z.string(),
  })
  .openapi('AlertEvent')

/** `status=firing&status=pending` and `status=firing,pending` both work. */
const statusList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== ''))
  .pipe(z.array(z.enum(STATUSES)).min(1))
  .openapi({ description: 'pending, firing or resolved; repeat the parameter or give a comma list', example: 'firing,pending' })

const since = instantParam('since').openapi({ description: 'Alerts whose state changed at or after this instant (ISO 8601 with a zone)' })

const label = z.string().min(1).max(256)
const fingerprintParam = z.object({ fingerprint: z.string().regex(/^[0-9a-f]{16}$/, 'a fingerprint is 16 hex digits') })
const conflict = { 409: { description: 'The alert is not in a state the action applies to', content: { 'application/problem+json': { schema: problemSchema } } } }
const actionBody = { body: { required: false, content: { 'application/json': { schema: z.strictObject({ comment: z.string().max(2000).default('') }) } } } }

const list = createRoute({
  method: 'get', path: '/v1/alerts', tags: ['alerts'], summary: 'Alerts, most recently changed first', ...withScope('read'),
  request: {
    query: z.object({
      status: statusList.optional(), model: label.optional(), version: label.optional(), monitor: label.optional(),
      severity: z.enum(['critical', 'warning', 'info']).optional(), since: since.optional(),
      limit: z.coerce.number().int().min(1).max(MAX_ALERTS).default(100),
    }),
  },
  responses: { 200: jsonContent(z.object({ items: z.array(alertSchema), truncated: z.boolean() }), '`truncated` when more alerts matched than `limit`'), ...problemResponses },
})
const getOne = createRoute({
  method: 'get', path: '/v1/alerts/{fingerprint}', tags: ['alerts'], summary: 'One alert with its history', ...withScope('read'),
  request: { params: fingerprintParam },
  responses: { 200: jsonContent(alertSchema.extend({ events: z.array(eventSchema) }), 'The alert; `events` oldest first'), ...notFoundResponse, ...problemResponses },
})
const action = (verb: 'acknowledge' | 'resolve', summary: string) =>
  createRoute({
    method: 'post', path: `/v1/alerts/{fingerprint}/${verb}`, tags: ['alerts'], summary, ...withScope('write'),
    request: { params: fingerprintParam, ...actionBody },
    responses: { 200: jsonContent(alertSchema, 'The alert after the action'), ...notFoundResponse, ...conflict, ...problemResponses },
  })

/** How long a GET /v1/alerts answer is reused (see read-cache.ts); alerts change once per monitor pass. */
const LIST_CACHE_MS = 1_000

export const alertRoutes: MountRoutes = (app, { ch, now }) => {
  const clock = now ?? Date.now
  const handOver = async (notifications: Parameters<typeof enqueueNotifications>[1]) => void (await enqueueNotifications(ch, notifications, clock()))
  const cache = createReadCache<Awaited<ReturnType<typeof listAlerts>>>(LIST_CACHE_MS, clock)
  app.openapi(list, async (c) => {
    const { status, limit, ...rest } = c.req.valid('query')
    const filter = { ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)), ...(status === undefined ? {} : { statuses: status }), limit }
    const { alerts, truncated } = await cache.get(JSON.stringify(filter), () => listAlerts(ch, filter))
    return c.json({ items: alerts.map(view), truncated }, 200)
  })
  app.openapi(getOne, async (c) => {
    const { fingerprint } = c.req.valid('param')
    const alert = await getAlert(ch, fingerprint)
    if (alert === undefined) throw new ModelwatchError('NOT_FOUND', `no alert with fingerprint ${JSON.stringify(fingerprint)}; GET /v1/alerts lists them`)
    return c.json({ ...view(alert), events: (await alertHistory(ch, fingerprint)).map(eventView) }, 200)
  })
  for (const [verb, act, summary] of [
    ['acknowledge', acknowledgeAlert, 'Acknowledge a firing alert: no repeats until it resolves or fires anew'],
    ['resolve', resolveAlert, 'Resolve an alert by hand (receivers are told, as on a recovery)'],
  ] as const) {
    app.openapi(action(verb, summary), async (c) => {
      const { fingerprint } = c.req.valid('param')
      // The body is optional: without one (no Content-Type) the validator hands over {}, so no comment.
      const comment = (c.req.valid('json') as { comment?: string }).comment ?? ''
      const by = c.get('principal')?.name ?? ''
      const changed = await act(ch, fingerprint, { by, comment }, { now: clock(), handOver })
      cache.clear()
      return c.json(view(changed), 200)
    })
  }
}

function view(a: ListedAlert): z.infer<typeof alertSchema> {
  return {
    fingerprint: a.fingerprint, monitor: a.monitor, model: a.model, model_version: a.model_version, segment: a.segment, column: a.column,
    statistic: a.statistic, severity: a.severity, status: a.status, value: a.value, baseline: a.baseline, threshold: a.threshold, condition: a.condition,
    window_start: new Date(a.window_start).toISOString(), window_end: new Date(a.window_end).toISOString(), window_seconds: a.window_seconds, is_final: a.is_final,
    reference_id: a.reference_id, n_current: a.n_current, n_reference: a.n_reference,
    started_at: iso(a.started_at), resolved_at: iso(a.resolved_at), last_notified_at: iso(a.last_notified_at),
    acknowledged: a.acknowledged_at === null || a.status !== 'firing' || !isAcknowledged(a) ? null : { by: a.acknowledged_by, at: new Date(a.acknowledged_at).toISOString(), comment: a.ack_comment },
    updated_at: new Date(a.updated_at).toISOString(),
  }
}

function eventView(e: Required<AlertEventRow>): z.infer<typeof eventSchema> {
  return {
    event: e.event, status_from: e.status_from, status_to: e.status_to, value: e.value, window_start: new Date(e.window_start).toISOString(),
    muted_by: e.muted_by, notification_ids: e.notification_ids, actor: e.actor, comment: e.comment, at: new Date(e.at).toISOString(),
  }
}
