/**
 * The monitor's own probe endpoint, for `modelwatch monitor` running without ingest (whose server answers for a
 * `modelwatch start` process): `GET /healthz` and `GET /metrics` on MODELWATCH_MONITOR_HEALTH_PORT.
 * It judges liveness, not success: a pass that fails (ClickHouse down) still finished, and restarting the pod
 * would not bring ClickHouse back, so failures are reported in the body and in
 * modelwatch_monitor_passes_total{outcome="failed"}; only a scheduler that stopped passing (stuck in a pass, or
 * no tick for a few schedule periods) answers 503.
 */
import { Hono } from 'hono'
import { createTask } from 'node-cron'
import { describeError } from '../core/errors.js'
import type { MetricsRegistry } from '../core/metrics.js'

export type MonitorStatus = 'starting' | 'running' | 'stopping'

/** Periods of the schedule a pass may be late before /healthz answers 503. */
export const STALE_PERIODS = 3
/** Never stricter than this, so a one-second schedule does not flap on an ordinary slow pass. */
export const MIN_STALE_MS = 60_000

export interface MonitorHealthSnapshot {
  status: MonitorStatus
  healthy: boolean
  staleAfterMs: number
  /** When the last pass ended, ok or failed (ISO); absent before the first one. */
  lastPassAt?: string
  lastPassOutcome?: 'ok' | 'failed'
  lastError?: string
  /** Set while a pass runs. */
  passRunningSince?: string
  consecutiveFailures: number
}

/** What the monitor records about its passes, and the judgement /healthz serves. */
export class MonitorHealth {
  status: MonitorStatus = 'starting'
  private lastProgress: number
  private lastPass: { at: number; outcome: 'ok' | 'failed'; error?: string } | undefined
  private runningSince: number | undefined
  private failures = 0

  constructor(readonly staleAfterMs: number, private readonly now: () => number = Date.now) {
    this.lastProgress = now()
  }

  /**
   * Runs one pass and records it; the pass's error is rethrown for the scheduler to log.
   *
   * @example
   * const scheduler = schedulePasses(schedule, () => health.track(pass), log, options)
   */
  async track(pass: () => Promise<void>): Promise<void> {
    this.runningSince = this.now()
    try {
      await pass()
      this.failures = 0
      this.lastPass = { at: this.now(), outcome: 'ok' }
    } catch (error) {
      this.failures += 1
      this.lastPass = { at: this.now(), outcome: 'failed', error: describeError(error, 3) }
      throw error
    } finally {
      this.runningSince = undefined
      this.lastProgress = this.now()
    }
  }

  /** Healthy while not stopping and the last pass (or the start) is no older than `staleAfterMs`. */
  get healthy(): boolean {
    return this.status !== 'stopping' && this.now() - this.lastProgress <= this.staleAfterMs
  }

  snapshot(): MonitorHealthSnapshot {
    const iso = (ms: number): string => new Date(ms).toISOString()
    return {
      status: this.status,
      healthy: this.healthy,
      staleAfterMs: this.staleAfterMs,
      ...(this.lastPass === undefined ? {} : { lastPassAt: iso(this.lastPass.at), lastPassOutcome: this.lastPass.outcome }),
      ...(this.lastPass?.error === undefined ? {} : { lastError: this.lastPass.error }),
      ...(this.runningSince === undefined ? {} : { passRunningSince: iso(this.runningSince) }),
      consecutiveFailures: this.failures,
    }
  }
}

/**
 * How long /healthz tolerates no pass: STALE_PERIODS times the longest gap between the schedule's next runs,
 * at least MIN_STALE_MS. The expression is already validated by the config.
 *
 * @example
 * staleAfterMs('*\/30 * * * * *') // 90_000
 */
export function staleAfterMs(expression: string): number {
  // An unstarted task, used only to ask the cron library when it would fire (no timer runs).
  const task = createTask(expression, () => undefined)
  try {
    const runs = task.getNextRuns(16).map((d) => d.getTime())
    const period = Math.max(0, ...runs.slice(1).map((t, i) => t - (runs[i] ?? t)))
    return Math.max(MIN_STALE_MS, STALE_PERIODS * period)
  } finally {
    void task.destroy()
  }
}

/**
 * `GET /healthz` (200 or 503 with the snapshot as JSON) and `GET /metrics` (the process registry, Prometheus text).
 *
 * @example
 * const res = await createMonitorHealthApp(health, metrics).request('/healthz')
 */
export function createMonitorHealthApp(health: MonitorHealth, metrics: MetricsRegistry): Hono {
  const app = new Hono()
  app.get('/healthz', (c) => c.json(health.snapshot(), health.healthy ? 200 : 503))
  app.get('/metrics', (c) => c.text(metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4' }))
  return app
}
