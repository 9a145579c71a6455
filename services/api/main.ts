/**
 * The API service: the HTTP API on MODELWATCH_API_PORT. Started by `modelwatch api` alone or by
 * `modelwatch start` with the others. The only file of the API that reads configuration.
 */
import { listen, type Listening } from '../core/http-listen.js'
import { createKafka } from '../core/kafka/client.js'
import type { RunningService, ServiceContext } from '../core/service.js'
import { createApp } from './app.js'
import { clickHouseEventSink } from './event-sink.js'
import { kafkaEventSink } from './kafka-event-sink.js'
import { clickHouseCheck, kafkaCheck } from './readiness.js'

export interface ApiService extends RunningService {
  /** The port the API listens on (useful when configured as 0). */
  port: number
}

/**
 * @example
 * const api = await startApi({ config, ch, log })
 * console.log(`http://127.0.0.1:${api.port}/healthz`)
 */
export async function startApi({ config, ch, log: parent, metrics, signals }: ServiceContext): Promise<ApiService> {
  const log = parent.child({ service: 'api' })
  if (config.api.tokens.length === 0) log.warn('MODELWATCH_API_TOKENS is not set: every route but /healthz and /readyz answers 401')
  const kafka = config.kafka === undefined ? undefined : createKafka(config.kafka, log)
  const kafkaProbe = kafka === undefined ? undefined : kafkaCheck(kafka)
  const events = kafka === undefined ? clickHouseEventSink(ch, () => signals.stored.notify()) : await kafkaEventSink(kafka, config.topics)
  const checks = kafkaProbe === undefined ? [clickHouseCheck(ch)] : [clickHouseCheck(ch), kafkaProbe]
  const app = createApp({ config, ch, log, metrics, events, checks, env: process.env })
  let listening: Listening
  try {
    listening = await listen(app.fetch, config.host, config.api.port)
  } catch (error) {
    await events.close()
    throw error
  }
  const { port } = listening
  log.info({ url: `http://${config.host}:${port}`, events: events.destination, tokens: config.api.tokens.map((t) => `${t.name}:${t.scope}`) }, 'api listening')
  return {
    name: 'api',
    port,
    async stop() {
      await listening.close()
      await events.close()
      await kafkaProbe?.close()
    },
  }
}
