/**
 * The one Kafka client factory: brokers, TLS and SASL from configuration, kafkajs logs routed into pino.
 */
import { readFileSync } from 'node:fs'
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs'
import type { Config } from '../config.js'
import type { Logger } from '../logger.js'

export type KafkaSettings = NonNullable<Config['kafka']>

/**
 * @example
 * const kafka = createKafka(requireKafka(config, 'ingest'), log)
 * const consumer = kafka.consumer({ groupId: config.ingest.consumerGroup })
 */
export function createKafka(settings: KafkaSettings, log: Logger): Kafka {
  const kafkaLog = log.child({ component: 'kafkajs' })
  const options: KafkaConfig = {
    clientId: settings.clientId,
    brokers: settings.brokers,
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => writeKafkaLog(kafkaLog, entry),
    retry: { initialRetryTime: 100, retries: 8 },
  }
  if (settings.ssl) options.ssl = settings.sslCaFile === undefined ? true : { ca: [readFileSync(settings.sslCaFile, 'utf8')] }
  if (settings.sasl !== undefined) options.sasl = saslOptions(settings.sasl)
  return new Kafka(options)
}

function saslOptions(sasl: NonNullable<KafkaSettings['sasl']>): SASLOptions {
  const { username, password } = sasl
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password }
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password }
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password }
  }
}

function writeKafkaLog(log: Logger, { level, log: entry }: LogEntry): void {
  const { message, ...fields } = entry
  if (level === logLevel.ERROR || level === logLevel.NOTHING) log.error(fields, message)
  else if (level === logLevel.WARN) log.warn(fields, message)
  else if (level === logLevel.INFO) log.info(fields, message)
  else log.debug(fields, message)
}
