/**
 * The API as a Hono app, built from its dependencies alone (no port, no config reading), so tests call
 * `createApp(deps).request(...)` against the real engine. Every request passes, in order: the request log,
 * authentication, the per-token rate limit and the body limit; then its route validates what it reads with
 * zod. Every refusal and failure is answered as problem+json.
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ModelwatchError, describeError, type ErrorCode } from '../core/errors.js'
import type { Logger } from '../core/logger.js'
import { allowedMethods } from './allowed-methods.js'
import { authenticate } from './auth.js'
import type { ApiApp, ApiDeps, ApiEnv } from './deps.js'
import { serveOpenApi } from './openapi.js'
import { fieldErrors, problem, statusOf, type FieldError } from './problem.js'
import { rateLimit } from './rate-limit.js'
import { requestLog } from './request-log.js'
import { ROUTES } from './routes/index.js'
import { isReferenceUpload } from './routes/versions.js'

const WHERE: Record<string, FieldError['in']> = { json: 'body', form: 'body', query: 'query', param: 'path', header: 'header' }

/**
 * @example
 * const app = createApp({ config, ch, log, metrics: new MetricsRegistry(), events: clickHouseEventSink(ch), checks: [clickHouseCheck(ch)] })
 * const res = await app.request('/v1/models', { headers: { authorization: `Bearer ${token}` } })
 */
export function createApp(deps: ApiDeps): ApiApp {
  const app: ApiApp = new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (result.success) return undefined
      const { errors, detail } = fieldErrors(WHERE[result.target] ?? 'body', result.error.issues)
      return problem(c, 'REQUEST_INVALID', detail, { errors })
    },
  })
  const { maxBodyBytes, rateLimitPerMinute, tokens } = deps.config.api
  app.use('*', requestLog(deps.log, deps.metrics))
  app.use('*', authenticate(tokens))
  app.use('*', rateLimit(rateLimitPerMinute, deps.now))
  const limit = bodyLimit({ maxSize: maxBodyBytes, onError: (c) => problem(c, 'PAYLOAD_TOO_LARGE', `the request body is larger than ${maxBodyBytes} bytes (MODELWATCH_API_MAX_BODY_BYTES)`) })
  // A reference upload streams its (larger) body to disk under its own limit, MODELWATCH_API_MAX_UPLOAD_BYTES.
  app.use('*', (c, next) => (isReferenceUpload(c.req.method, c.req.path) ? next() : limit(c, next)))
  for (const mount of ROUTES) mount(app, deps)
  serveOpenApi(app)
  app.notFound((c) => {
    const allowed = allowedMethods(app.routes, c.req.path)
    if (allowed.length === 0) return problem(c, 'NOT_FOUND', `no route ${c.req.method} ${c.req.path}; the routes are listed at /openapi.json`)
    return problem(c, 'METHOD_NOT_ALLOWED', `${c.req.path} does not answer ${c.req.method}; it answers ${allowed.join(', ')}`, { headers: { allow: allowed.join(', ') } })
  })
  app.onError((error, c) => errorProblem(c, error, deps.log))
  return app
}

/** HTTP-level refusals raised inside hono (malformed JSON, wrong content type) and the code they mean. */
const HTTP_CODES: Record<number, ErrorCode> = { 400: 'REQUEST_MALFORMED', 413: 'PAYLOAD_TOO_LARGE', 415: 'REQUEST_MALFORMED' }

/**
 * A thrown error as a problem. Client errors say what was wrong; a dependency failure (retriable) says which
 * and asks for a retry; anything else is logged with the request id and answered without internals.
 */
function errorProblem(c: Context<ApiEnv>, error: unknown, log: Logger): Response {
  const requestId = c.get('requestId')
  if (error instanceof HTTPException && error.status < 500) {
    return problem(c, HTTP_CODES[error.status] ?? 'REQUEST_MALFORMED', error.message || 'the request cannot be read', { status: error.status as ContentfulStatusCode })
  }
  if (error instanceof ModelwatchError) {
    const status = statusOf(error.code)
    if (status < 500) return problem(c, error.code, error.message)
    if (error.retriable) {
      log.warn({ requestId, code: error.code, err: describeError(error) }, 'dependency failed')
      return problem(c, error.code, `${error.message}; retry shortly`, { headers: { 'retry-after': '5' } })
    }
  }
  log.error({ requestId, err: error }, 'request failed')
  return problem(c, 'INTERNAL', `internal error; the service log has it under request id ${requestId}`)
}
