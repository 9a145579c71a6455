/**
 * Runs monitor passes on a cron schedule (node-cron, with seconds), and soon after new data when asked
 * (`runSoon`, from ingest in the same process), never two at once. A cron tick during a pass is skipped; a
 * request for a pass during a pass runs one more right after it, so no new data waits for the next tick.
 * Requested passes keep at least `minGapMs` between them, so a steady stream of batches does not turn into a
 * pass per batch.
 */
import { schedule } from 'node-cron'
import type { Logger } from '../core/logger.js'

export interface PassScheduler {
  /** Asks for a pass as soon as the minimum gap allows (coalesced with any already asked for). */
  runSoon(): void
  /** Stops scheduling and waits for a pass in progress to finish. */
  stop(): Promise<void>
}

export interface SchedulerOptions {
  /** Shortest time from the end of one pass to the start of a requested one. */
  minGapMs: number
}

/**
 * @example
 * const scheduler = schedulePasses('*\/30 * * * * *', pass, log, { minGapMs: 2000 })
 * ingestSignal.subscribe(() => scheduler.runSoon())
 */
export function schedulePasses(expression: string, pass: () => Promise<void>, log: Logger, options: SchedulerOptions): PassScheduler {
  let running: Promise<void> | undefined
  let requested = false
  let timer: NodeJS.Timeout | undefined
  let lastEnd = 0
  let stopped = false

  const start = (): void => {
    requested = false
    running = pass()
      .catch((error: unknown) => log.error({ err: error }, 'monitor pass failed'))
      .finally(() => {
        running = undefined
        lastEnd = Date.now()
        if (requested) runSoon()
      })
  }

  const runSoon = (): void => {
    if (stopped) return
    requested = true
    if (running !== undefined || timer !== undefined) return
    timer = setTimeout(() => {
      timer = undefined
      if (!stopped && running === undefined) start()
    }, Math.max(0, lastEnd + options.minGapMs - Date.now()))
  }

  const task = schedule(expression, () => {
    if (running !== undefined) {
      log.debug('monitor pass still running; this tick is skipped')
      return
    }
    start()
  })

  return {
    runSoon,
    async stop() {
      stopped = true
      if (timer !== undefined) clearTimeout(timer)
      await task.stop()
      await running
    },
  }
}
