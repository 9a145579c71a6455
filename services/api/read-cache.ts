/**
 * A short-lived, single-flight cache for hot read endpoints (GET /v1/alerts). Alerts change once per monitor
 * pass, while dashboards and scripts may ask many times a second, and the embedded engine answers one query at a
 * time: without this, 100 clients queue behind each other. Concurrent requests for the same key share one query;
 * an answer is reused for `ttlMs`; a write through this API clears everything, so a caller sees its own change at
 * once. Changes made by another process (the monitor) show within `ttlMs`.
 */

export interface ReadCache<T> {
  get(key: string, load: () => Promise<T>): Promise<T>
  clear(): void
}

/** Keys kept at most; beyond that the cache starts over (keys are filter combinations, normally a handful). */
const MAX_KEYS = 1_000

/**
 * @example
 * const cache = createReadCache<Alert[]>(1000)
 * const alerts = await cache.get(JSON.stringify(filter), () => listAlerts(ch, filter))
 */
export function createReadCache<T>(ttlMs: number, now: () => number = Date.now): ReadCache<T> {
  const entries = new Map<string, { at: number; value: Promise<T> }>()
  return {
    get(key, load) {
      const entry = entries.get(key)
      if (entry !== undefined && now() - entry.at < ttlMs) return entry.value
      if (entries.size >= MAX_KEYS) entries.clear()
      const value = load()
      const stored = { at: now(), value }
      entries.set(key, stored)
      // A failed load is not remembered: the next request tries again.
      value.catch(() => {
        if (entries.get(key) === stored) entries.delete(key)
      })
      return value
    },
    clear() {
      entries.clear()
    },
  }
}
