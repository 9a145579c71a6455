/**
 * Bearer-token authentication with scopes read < write < admin. Tokens come from MODELWATCH_API_TOKENS, which
 * config.ts keeps only as SHA-256 digests; a presented token is hashed and compared with every configured
 * digest by `timingSafeEqual` (equal lengths by construction), so the answer takes the same time whichever
 * token, or how much of one, was guessed. Only a token's name ever reaches a log line.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import type { ApiScope, ApiToken } from '../core/config.js'
import type { ApiEnv, Principal } from './deps.js'
import { problem } from './problem.js'
import { STATUS_PAGE_PATHS } from './routes/status-page.js'

/** Routes that answer without a token: a load balancer or orchestrator probes them, and the status page's assets (data needs a token). */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', ...STATUS_PAGE_PATHS])

const RANK: Record<ApiScope, number> = { read: 1, write: 2, admin: 3 }

const CHALLENGE = { 'www-authenticate': 'Bearer realm="modelwatch"' }

/**
 * The configured token matching `presented`, if any. Every digest is compared, match or not.
 *
 * @example
 * findToken(config.api.tokens, 'read-token-0123456789') // { name: 'ci', scope: 'read', digest: <Buffer> }
 */
export function findToken(tokens: readonly ApiToken[], presented: string): ApiToken | undefined {
  const digest = createHash('sha256').update(presented).digest()
  let found: ApiToken | undefined
  for (const token of tokens) if (timingSafeEqual(token.digest, digest) && found === undefined) found = token
  return found
}

/** True when `held` includes `needed` (admin includes write, write includes read). */
export function scopeAllows(held: ApiScope, needed: ApiScope): boolean {
  return RANK[held] >= RANK[needed]
}

/**
 * Sets `principal` from the Authorization header, or answers 401 with a WWW-Authenticate challenge.
 * PUBLIC_PATHS pass without one.
 *
 * @example
 * app.use('*', authenticate(config.api.tokens))
 */
export function authenticate(tokens: readonly ApiToken[]): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (PUBLIC_PATHS.has(c.req.path)) return next()
    const header = c.req.header('authorization')
    if (header === undefined) return problem(c, 'UNAUTHENTICATED', 'this endpoint needs a bearer token: Authorization: Bearer <token>', { headers: CHALLENGE })
    const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(header)
    const token = match?.[1] === undefined ? undefined : findToken(tokens, match[1])
    if (token === undefined) return problem(c, 'UNAUTHENTICATED', 'the bearer token is not valid', { headers: CHALLENGE })
    const principal: Principal = { name: token.name, scope: token.scope }
    c.set('principal', principal)
    return next()
  }
}

/**
 * Answers 403 unless the caller's token has `scope` (or a higher one). Runs after `authenticate`.
 *
 * @example
 * createRoute({ method: 'post', path: '/v1/models', middleware: requireScope('write'), ... })
 */
export function requireScope(scope: ApiScope): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const principal = c.get('principal')
    if (principal === undefined) return problem(c, 'UNAUTHENTICATED', 'this endpoint needs a bearer token: Authorization: Bearer <token>', { headers: CHALLENGE })
    if (!scopeAllows(principal.scope, scope)) {
      return problem(c, 'FORBIDDEN', `this endpoint needs scope ${scope}; token ${principal.name} has scope ${principal.scope}`)
    }
    return next()
  }
}
