/**
 * The one logger: pino, JSON lines on stdout. Components take a child with `{ service, component }`;
 * messages are constant strings and the data goes in fields, so logs can be queried.
 */
import { pino, type Logger } from 'pino'

export type { Logger }

/** Paths redacted wherever they appear in a logged object, in case a config or client object is logged whole. */
const REDACT = ['password', '*.password', '*.*.password', 'sasl', '*.sasl', 'authorization', '*.authorization', 'headers.authorization']

/**
 * @example
 * const log = createLogger('info').child({ service: 'ingest', component: 'consumer' })
 * log.info({ topic, partition, events: 100 }, 'batch stored')
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: undefined, redact: { paths: REDACT, censor: '[redacted]' }, timestamp: pino.stdTimeFunctions.isoTime }, destination)
}
