/**
 * RFC 9457 problem details: every error the API answers is `application/problem+json` with `type`, `title`,
 * `status`, `detail` and `instance`, plus modelwatch's `code` and `requestId`; invalid input adds one `errors`
 * entry per problem, naming where it is (JSON Pointer) and what is wrong with it.
 */
import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ErrorCode } from '../core/errors.js'

export const fieldErrorSchema = z
  .object({
    in: z.enum(['body', 'query', 'path', 'header']),
    path: z.string().openapi({ description: 'JSON Pointer (RFC 6901) into the part named by `in`; "" for the part as a whole', example: '/3/timestamp' }),
    index: z.number().int().optional().openapi({ description: 'For array bodies (events): the position of the bad item' }),
    message: z.string(),
  })
  .openapi('FieldError')

export const problemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:modelwatch:problem:request-invalid' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().openapi({ description: 'The request path' }),
    code: z.string().openapi({ description: 'modelwatch error code, stable for programs to branch on' }),
    requestId: z.string(),
    errors: z.array(fieldErrorSchema).optional(),
  })
  .openapi('Problem')

export type FieldError = z.infer<typeof fieldErrorSchema>

/** Most field errors listed in one answer; a request with more says how many it left out. */
export const MAX_FIELD_ERRORS = 100

/**
 * The HTTP status of an error code. Exhaustive: a new code does not compile until it is given a status here.
 *
 * @example
 * statusOf('RATE_LIMITED') // 429
 */
export function statusOf(code: ErrorCode): ContentfulStatusCode {
  switch (code) {
    case 'USAGE':
    case 'REQUEST_MALFORMED':
      return 400
    case 'UNAUTHENTICATED':
      return 401
    case 'FORBIDDEN':
      return 403
    case 'NOT_FOUND':
      return 404
    case 'METHOD_NOT_ALLOWED':
      return 405
    case 'CONFLICT':
    case 'LIMIT_EXCEEDED':
      return 409
    case 'PAYLOAD_TOO_LARGE':
      return 413
    case 'REQUEST_INVALID':
    case 'EVENT_INVALID':
    case 'SCHEMA_INCOMPATIBLE':
    case 'SCHEMA_UNUSABLE':
    case 'URL_REFUSED':
    case 'MONITOR_INVALID':
      return 422
    case 'RATE_LIMITED':
      return 429
    case 'DELIVERY_FAILED':
      return 502
    case 'CLICKHOUSE_UNAVAILABLE':
    case 'KAFKA_UNAVAILABLE':
    case 'SCHEMA_REGISTRY_UNAVAILABLE':
      return 503
    case 'CONFIG_INVALID':
    case 'CLICKHOUSE_QUERY_FAILED':
    case 'MIGRATION_FAILED':
    case 'INTERNAL':
      return 500
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 405: 'Method not allowed', 409: 'Conflict', 413: 'Content too large',
  415: 'Unsupported media type', 422: 'Unprocessable content', 429: 'Too many requests', 500: 'Internal error', 502: 'Bad gateway', 503: 'Service unavailable',
}

export interface ProblemOptions {
  /** Overrides the code's status (an HTTP-level refusal such as 415 that has no code of its own). */
  status?: ContentfulStatusCode
  errors?: FieldError[]
  headers?: Record<string, string>
}

/**
 * Answers with a problem document.
 *
 * @example
 * return problem(c, 'NOT_FOUND', `no model named "churn"`)
 */
export function problem(c: Context, code: ErrorCode, detail: string, options: ProblemOptions = {}): Response {
  const status = options.status ?? statusOf(code)
  const body: z.infer<typeof problemSchema> = {
    type: `urn:modelwatch:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    instance: c.req.path,
    code,
    requestId: (c.get('requestId') as string | undefined) ?? '',
  }
  if (options.errors !== undefined) body.errors = options.errors
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json', ...options.headers } })
}

/**
 * zod issues as field errors, at most MAX_FIELD_ERRORS of them, with the detail line that introduces them.
 *
 * @example
 * fieldErrors('body', parsed.error.issues) // { errors: [{ in: 'body', path: '/0/timestamp', index: 0, message: '...' }], detail: '...' }
 */
export function fieldErrors(where: FieldError['in'], issues: readonly { path: readonly PropertyKey[]; message: string }[]): { errors: FieldError[]; detail: string } {
  const errors = issues.slice(0, MAX_FIELD_ERRORS).map((issue): FieldError => {
    const entry: FieldError = { in: where, path: pointer(issue.path), message: issue.message }
    if (typeof issue.path[0] === 'number') entry.index = issue.path[0]
    return entry
  })
  const items = new Set(issues.flatMap((issue) => (typeof issue.path[0] === 'number' ? [issue.path[0]] : [])))
  const first = errors[0]
  const what = items.size === 0 ? `the ${where} is invalid` : items.size === 1 ? `1 item of the ${where} is invalid` : `${items.size} items of the ${where} are invalid`
  const more = issues.length > errors.length ? ` (${issues.length - errors.length} more problems not listed)` : ''
  const detail = first === undefined ? what : `${what}: ${first.path || '(root)'}: ${first.message}${more}`
  return { errors, detail }
}

/** RFC 6901: `~` and `/` in a key are escaped as `~0` and `~1`. */
function pointer(path: readonly PropertyKey[]): string {
  return path.map((key) => `/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')
}
