/**
 * One log line and one set of metric samples per request: method, route pattern (not the raw path, so
 * metric labels stay few), status, duration and the token's name. The request id is taken from a sane
 * `x-request-id` header or made here, and is echoed back and put in every problem document.
 */
import { randomUUID } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import type { Logger } from '../core/logger.js'
import type { MetricsRegistry } from '../core/metrics.js'
import type { ApiEnv } from './deps.js'

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * @example
 * app.use('*', requestLog(log, metrics))
 */
export function requestLog(log: Logger, metrics: MetricsRegistry): MiddlewareHandler<ApiEnv> {
  const requests = metrics.counter('modelwatch_api_requests_total', 'HTTP requests answered, by method, route and status.')
  const seconds = metrics.counter('modelwatch_api_request_seconds_total', 'Time spent answering, by method and route; divided by requests_total, the mean latency.')
  return async (c, next) => {
    const started = performance.now()
    const incoming = c.req.header('x-request-id')
    const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID()
    c.set('requestId', requestId)
    await next()
    c.res.headers.set('x-request-id', requestId)
    const elapsed = (performance.now() - started) / 1000
    const route = routeOf(matchedRoutes(c).map((r) => ({ method: r.method, path: r.path })))
    const status = String(c.res.status)
    requests.inc({ method: c.req.method, route, status })
    seconds.inc({ method: c.req.method, route }, elapsed)
    const fields = { requestId, method: c.req.method, route, path: c.req.path, status: c.res.status, ms: Math.round(elapsed * 1000), token: c.get('principal')?.name }
    if (c.res.status >= 500) log.error(fields, 'request')
    else log.info(fields, 'request')
  }
}

/** The route pattern that answered: the last matched route that is not middleware; 'unmatched' for 404s. */
export function routeOf(matched: readonly { method: string; path: string }[]): string {
  for (let i = matched.length - 1; i >= 0; i--) {
    const route = matched[i]
    if (route !== undefined && route.method !== 'ALL') return route.path
  }
  return 'unmatched'
}
