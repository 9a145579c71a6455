/**
 * The one Kafka client factory: brokers, TLS and SASL from configuration, kafkajs logs routed into pino.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
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

/** A Kafka protocol error as kafkajs's table describes it (kafkajs/src/protocol/error.js). */
interface ProtocolError {
  type: string
  code: number
  retriable: boolean
  message: string
}

/**
 * kafkajs's Connection logs every failed response at ERROR with only the error's message (`error`), although
 * its caller retries the retriable ones. kafkajs's own protocol table gives that message back its type, code
 * and retriable flag (each message belongs to one code), so the line can be judged by them.
 */
const PROTOCOL_ERRORS: ReadonlyMap<string, ProtocolError> = new Map(
  (createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as { errorCodes: ProtocolError[] }).errorCodes.map((e) => [e.message, e]),
)

/** Not retriable in kafkajs's table, but a group member rejoining is how kafkajs answers it. */
const EXPECTED = new Set(['REBALANCE_IN_PROGRESS'])

/**
 * The protocol error an ERROR line of kafkajs reports when it is one kafkajs retries or answers by itself (the
 * group coordinator still loading, a leader election, a rebalance), so it is logged as a warning: a healthy
 * start logs no errors. What the retries do not cure reaches the caller, which logs it as an error.
 */
export function expectedProtocolError(fields: Record<string, unknown>): ProtocolError | undefined {
  const error = typeof fields.error === 'string' ? PROTOCOL_ERRORS.get(fields.error) : undefined
  return error !== undefined && (error.retriable || EXPECTED.has(error.type)) ? error : undefined
}

function writeKafkaLog(log: Logger, { level, log: entry }: LogEntry): void {
  const { message, ...fields } = entry
  const expected = level === logLevel.ERROR ? expectedProtocolError(fields) : undefined
  if (expected !== undefined) log.warn({ ...fields, errorType: expected.type, errorCode: expected.code, retriable: expected.retriable }, message)
  else if (level === logLevel.ERROR || level === logLevel.NOTHING) log.error(fields, message)
  else if (level === logLevel.WARN) log.warn(fields, message)
  else if (level === logLevel.INFO) log.info(fields, message)
  else log.debug(fields, message)
}
