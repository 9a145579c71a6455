/**
 * What the API needs from the outside, as one typed bag: `createApp(deps)` builds the whole app from it, so a
 * test makes an app on the real engine without a port, and `main.ts` is the only place that reads config.
 */
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { ClickHouse } from '../core/clickhouse/client.js'
import type { ApiScope, Config } from '../core/config.js'
import type { Logger } from '../core/logger.js'
import type { MetricsRegistry } from '../core/metrics.js'
import type { EventSink } from './event-sink.js'
import type { ReadinessCheck } from './readiness.js'

export interface ApiDeps {
  config: Config
  ch: ClickHouse
  log: Logger
  /** The registry /metrics renders; the app registers its own series on it. */
  metrics: MetricsRegistry
  /** Where POST /v1/events/* goes: the Kafka topics, or straight into ClickHouse. */
  events: EventSink
  /** What /readyz asks. */
  checks: readonly ReadinessCheck[]
  /** Milliseconds clock for the rate limiter and for what the API records; Date.now unless a test moves time itself. */
  now?: () => number
  /** Where channels' secrets are looked up by name (only whether they are set is ever answered); process.env unless given. */
  env?: Readonly<Record<string, string | undefined>>
}

/** Who called: the configured token's name (never the token) and its scope. */
export interface Principal {
  name: string
  scope: ApiScope
}

export interface ApiEnv {
  Variables: {
    requestId: string
    principal: Principal | undefined
  }
}

export type ApiApp = OpenAPIHono<ApiEnv>

/** A resource: registers its routes on the app. Adding one is a routes file plus a line in routes/index.ts. */
export type MountRoutes = (app: ApiApp, deps: ApiDeps) => void
