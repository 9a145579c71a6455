/**
 * Probes and metrics: `/healthz` (the process answers; no token), `/readyz` (ClickHouse, and Kafka when
 * configured, answer; no token; 503 naming the failing one) and `/metrics` (Prometheus text; scope read).
 */
import { createRoute, z } from '@hono/zod-openapi'
import type { MountRoutes } from '../deps.js'
import { problemResponses, withScope } from '../openapi.js'
import { runChecks } from '../readiness.js'

/** Longest a readiness check may take before it counts as failed. */
const CHECK_TIMEOUT_MS = 2000

const healthSchema = z.object({ status: z.literal('ok') }).openapi('Health')
const readinessSchema = z
  .object({
    ready: z.boolean(),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional() })),
  })
  .openapi('Readiness')

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['operations'],
  summary: 'The process is up (no token needed)',
  responses: { 200: { description: 'Up', content: { 'application/json': { schema: healthSchema } } } },
})

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['operations'],
  summary: 'The dependencies answer (no token needed)',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: readinessSchema } } },
    503: { description: 'A dependency is not answering; `checks` names it', content: { 'application/json': { schema: readinessSchema } } },
  },
})

const metrics = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['operations'],
  summary: 'Prometheus metrics (text exposition format 0.0.4)',
  ...withScope('read'),
  responses: { 200: { description: 'Metrics', content: { 'text/plain': { schema: z.string() } } }, ...problemResponses },
})

export const healthRoutes: MountRoutes = (app, deps) => {
  app.openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200))
  app.openapi(readyz, async (c) => {
    const result = await runChecks(deps.checks, CHECK_TIMEOUT_MS)
    return result.ready ? c.json(result, 200) : c.json(result, 503)
  })
  app.openapi(metrics, (c) => c.text(deps.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4' }))
}
