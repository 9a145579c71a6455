import { isRetriable } from './errors.js'

export interface RetryOptions {
  /** Attempts in all, the first included. `Infinity` retries until `signal` aborts. */
  attempts: number
  initialDelayMs: number
  maxDelayMs: number
  /** Called before each wait; the place to log, pause consumption or send a heartbeat. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void | Promise<void>
  /** Which failures are worth another attempt; by default `isRetriable`. */
  retriable?: (error: unknown) => boolean
  signal?: AbortSignal
}

/**
 * Runs `operation` until it succeeds, retrying retriable failures with exponential backoff and full jitter
 * (delay drawn uniformly from [0, min(max, initial·2^n)]), so many consumers recovering together do not stampede.
 * A permanent failure, the last attempt's failure, or an abort is thrown to the caller.
 *
 * @example
 * const rows = await retry(() => client.query({ query }), { attempts: 5, initialDelayMs: 100, maxDelayMs: 5000 })
 */
export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const retriable = options.retriable ?? isRetriable
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt)
    } catch (error) {
      if (attempt >= options.attempts || !retriable(error) || options.signal?.aborted) throw error
      const delayMs = backoffDelay(attempt, options.initialDelayMs, options.maxDelayMs)
      await options.onRetry?.(error, attempt, delayMs)
      await sleep(delayMs, options.signal)
    }
  }
}

/**
 * The wait after failed attempt `attempt` (1-based): exponential backoff with full jitter, drawn uniformly
 * from [0, min(max, initial·2^(attempt-1))]. Shared by `retry` and the delivery outbox, which stores the result.
 *
 * @example
 * const delayMs = backoffDelay(3, 1000, 300_000) // somewhere in [0, 4000]
 */
export function backoffDelay(attempt: number, initialDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1))
  return Math.round(random() * ceiling)
}

/** Resolves after `ms`, or rejects early with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
