/**
 * Per-channel queues with bounded concurrency: each channel has its own queue and at most `concurrency`
 * attempts in flight, so a slow or failing channel (a receiver that hangs until the timeout) only ever occupies
 * its own slots and never delays another channel's deliveries (no head-of-line blocking). A delivery already
 * queued or in flight is not taken twice.
 */

export interface Dispatchable {
  id: string
  channel: string
}

export interface Dispatcher<T extends Dispatchable> {
  /** Queues the item unless it is already queued or in flight; returns whether it was taken. */
  offer(item: T): boolean
  /** True while the item is queued or in flight. */
  has(id: string): boolean
  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void>
  /** Drops what is queued (in-flight attempts finish on their own). */
  clear(): void
}

/**
 * @example
 * const dispatcher = createDispatcher(4, (delivery) => attemptDelivery(delivery, ctx))
 * for (const d of due) dispatcher.offer(d)
 * await dispatcher.idle()
 */
export function createDispatcher<T extends Dispatchable>(concurrency: number, run: (item: T) => Promise<void>, onError: (error: unknown, item: T) => void = () => {}): Dispatcher<T> {
  const queues = new Map<string, T[]>()
  const active = new Map<string, number>()
  const taken = new Set<string>()
  let waiters: (() => void)[] = []

  const busy = (): boolean => taken.size > 0
  const settle = (): void => {
    if (busy()) return
    const done = waiters
    waiters = []
    for (const resolve of done) resolve()
  }

  const pump = (channel: string): void => {
    const queue = queues.get(channel)
    while (queue !== undefined && queue.length > 0 && (active.get(channel) ?? 0) < concurrency) {
      const item = queue.shift() as T
      active.set(channel, (active.get(channel) ?? 0) + 1)
      void run(item)
        .catch((error: unknown) => onError(error, item))
        .finally(() => {
          active.set(channel, (active.get(channel) ?? 1) - 1)
          taken.delete(item.id)
          pump(channel)
          settle()
        })
    }
    if (queue !== undefined && queue.length === 0 && (active.get(channel) ?? 0) === 0) {
      queues.delete(channel)
      active.delete(channel)
    }
  }

  return {
    offer(item) {
      if (taken.has(item.id)) return false
      taken.add(item.id)
      const queue = queues.get(item.channel) ?? []
      queue.push(item)
      queues.set(item.channel, queue)
      pump(item.channel)
      return true
    },
    has: (id) => taken.has(id),
    idle: () => (busy() ? new Promise<void>((resolve) => waiters.push(resolve)) : Promise.resolve()),
    clear() {
      for (const queue of queues.values()) for (const item of queue.splice(0)) taken.delete(item.id)
      settle()
    },
  }
}
