import { Hono } from 'hono'
import type { IngestHealth } from './health.js'

/**
 * The ingest service's HTTP face: `GET /healthz` (200 when storing works, 503 with the failing dependency
 * otherwise) and `GET /metrics` (Prometheus text).
 *
 * @example
 * const res = await createHealthApp(health).request('/healthz')
 */
export function createHealthApp(health: IngestHealth): Hono {
  const app = new Hono()
  app.get('/healthz', (c) => c.json(health.snapshot(), health.healthy ? 200 : 503))
  app.get('/metrics', (c) => c.text(health.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4' }))
  return app
}
