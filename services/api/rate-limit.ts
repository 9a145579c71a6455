/**
 * A per-token rate limit: one token bucket per API token name, holding up to `perMinute` requests and refilled
 * at `perMinute` a minute, so a client may burst up to a minute's allowance and is then held to the rate.
 * Buckets exist only for configured tokens (requests without a valid token never get this far), so the map
 * stays as small as the token list.
 */
import type { MiddlewareHandler } from 'hono'
import type { ApiEnv } from './deps.js'
import { problem } from './problem.js'

export type Take = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number }

export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes one request from `key`'s bucket, or says how long until one is available.
   *
   * @example
   * const buckets = new TokenBuckets(60)
   * buckets.take('ci') // { ok: true, remaining: 59 }
   */
  take(key: string): Take {
    const now = this.now()
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now }
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) * this.perMinute) / 60_000)
    bucket.at = now
    this.buckets.set(key, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return { ok: true, remaining: Math.floor(bucket.tokens) }
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / this.perMinute)) }
  }
}

/**
 * Answers 429 with Retry-After (whole seconds) when the caller's token has used its allowance.
 * `perMinute` 0 turns the limit off; requests without a principal (the public probes) are not counted.
 *
 * @example
 * app.use('*', rateLimit(config.api.rateLimitPerMinute))
 */
export function rateLimit(perMinute: number, now?: () => number): MiddlewareHandler<ApiEnv> {
  const buckets = new TokenBuckets(perMinute, now)
  return async (c, next) => {
    const principal = c.get('principal')
    if (perMinute === 0 || principal === undefined) return next()
    const taken = buckets.take(principal.name)
    if (!taken.ok) {
      return problem(c, 'RATE_LIMITED', `token ${principal.name} made more than ${perMinute} requests a minute; retry in ${taken.retryAfterSeconds} s`, {
        headers: { 'retry-after': String(taken.retryAfterSeconds) },
      })
    }
    await next()
  }
}
