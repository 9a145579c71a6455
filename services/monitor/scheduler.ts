/**
 * Runs monitor passes on a cron schedule (node-cron, with seconds), never two at once: a pass that
 * overruns makes the next tick skip, logged, rather than pile up.
 */
import { schedule } from 'node-cron'
import type { Logger } from '../core/logger.js'

export interface PassScheduler {
  /** Stops scheduling and waits for a pass in progress to finish. */
  stop(): Promise<void>
}

export function schedulePasses(expression: string, pass: () => Promise<void>, log: Logger): PassScheduler {
  let running: Promise<void> | undefined
  const task = schedule(expression, () => {
    if (running !== undefined) {
      log.warn('previous monitor pass still running; this tick is skipped')
      return
    }
    running = pass()
      .catch((error: unknown) => log.error({ err: error }, 'monitor pass failed'))
      .finally(() => {
        running = undefined
      })
  })
  return {
    async stop() {
      await task.stop()
      await running
    },
  }
}
