import type { Logger } from './logger.js'
import type { RunningService } from './service.js'

/**
 * Waits for SIGTERM or SIGINT, then stops the services in reverse start order and runs `finally`
 * (closing shared clients). A second signal while stopping exits at once with status 130.
 *
 * @returns a promise that resolves when everything has stopped cleanly.
 */
export function stopOnSignal(services: RunningService[], log: Logger, closeShared: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        log.warn({ signal }, 'second signal; exiting without a clean stop')
        process.exit(130)
      }
      stopping = true
      log.info({ signal }, 'stopping')
      stopAll(services, log, closeShared).then(resolve, reject)
    }
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
  })
}

/** Stops services last-started-first, then closes shared clients; one failure does not skip the rest. */
export async function stopAll(services: RunningService[], log: Logger, closeShared: () => Promise<void>): Promise<void> {
  for (const service of [...services].reverse()) {
    try {
      await service.stop()
    } catch (error) {
      log.error({ service: service.name, err: error }, 'service did not stop cleanly')
    }
  }
  await closeShared()
}
