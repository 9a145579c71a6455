/**
 * "Something changed" between services of one process, so work that depends on it can start at once instead of
 * at the next scheduled tick: ingest stored events → the monitor computes their windows; the monitor queued
 * notifications → delivery sends them. Carries no data (the data is in ClickHouse); a listener that is busy just
 * remembers to run again. Services in separate processes do not see each other's signals and fall back to
 * their schedules.
 */

export interface Signal {
  notify(): void
  /** Calls `listener` on every notify; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void
}

/** The signals `modelwatch start` shares between its services. */
export interface ServiceSignals {
  /** Ingest (Kafka or HTTP) stored new predictions or labels. */
  stored: Signal
  /** The rule engine queued notifications in the outbox. */
  notificationsQueued: Signal
}

/**
 * @example
 * const stored = createSignal()
 * const unsubscribe = stored.subscribe(() => monitor.runSoon())
 * stored.notify()
 */
export function createSignal(): Signal {
  const listeners = new Set<() => void>()
  return {
    notify() {
      for (const listener of listeners) listener()
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
  }
}

/** @example const signals = createServiceSignals() */
export function createServiceSignals(): ServiceSignals {
  return { stored: createSignal(), notificationsQueued: createSignal() }
}
