/**
 * A small typed producer for modelwatch events. Events are checked against the same contract ingest
 * applies, then sent keyed by event_id: Avro-encoded through the schema registry (Confluent wire format;
 * the default when a registry is given), JSON framed with the shipped JSON Schema contracts through the
 * registry (`format: 'json-schema'`, what Confluent's JSON Schema serializers produce), or plain JSON.
 *
 * @example
 * import { createProducer } from 'modelwatch/producer'
 * const producer = await createProducer({ brokers: ['127.0.0.1:9092'], schemaRegistry: { url: 'http://127.0.0.1:8081' } })
 * await producer.sendPredictions([{ event_id: 'req-1', model: 'churn', model_version: '3', timestamp: Date.now(),
 *   numeric_features: { tenure_months: 14 }, categorical_features: { plan: 'pro' }, prediction: { score: 0.82 } }])
 * await producer.sendGroundTruth([{ event_id: 'req-1', timestamp: Date.now(), label: { class: '1' } }])
 * await producer.disconnect()
 */
import { COMPATIBILITY, SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { Kafka, Partitioners, type Producer } from 'kafkajs'
import type { z } from 'zod'
import {
  groundTruthEventSchema,
  predictionEventSchema,
  type GroundTruthEventInput,
  type PredictionEventInput,
} from '../core/events/contracts.js'
import { ModelwatchError } from '../core/errors.js'
import { createSchemaRegistry, registryStatus } from '../core/kafka/schema-registry.js'
import {
  groundTruthAvroSchema,
  groundTruthJsonSchema,
  predictionAvroSchema,
  predictionJsonSchema,
  type AvroRecordSchema,
} from './schemas.js'

export type { GroundTruthEventInput, PredictionEventInput, AvroRecordSchema }
export { ModelwatchError }

export interface ProducerOptions {
  /** Bootstrap servers; or pass a configured `kafka` (TLS, SASL) instead. */
  brokers?: string[]
  kafka?: Kafka
  schemaRegistry?: { url: string; auth?: { username: string; password: string } }
  /**
   * `avro` (needs schemaRegistry; the default when one is given), `json-schema` (needs schemaRegistry: JSON
   * framed with schemas/events/*.schema.json) or `json` (plain, no registry).
   */
  format?: 'avro' | 'json-schema' | 'json'
  topics?: { predictions?: string; groundTruth?: string }
  /**
   * Avro writer schemas, to send with a newer version of the contract (e.g. an added optional field).
   * The registry's BACKWARD rule decides whether it is accepted; a refusal is a `SCHEMA_INCOMPATIBLE` error.
   */
  schemas?: { prediction?: AvroRecordSchema; groundTruth?: AvroRecordSchema }
}

export interface ModelwatchProducer {
  /** Validates and sends; throws `EVENT_INVALID` naming the first bad event before anything is sent. */
  sendPredictions(events: PredictionEventInput[]): Promise<void>
  sendGroundTruth(events: GroundTruthEventInput[]): Promise<void>
  disconnect(): Promise<void>
}

export const DEFAULT_TOPICS = { predictions: 'modelwatch.predictions', groundTruth: 'modelwatch.ground-truth' } as const

export async function createProducer(options: ProducerOptions): Promise<ModelwatchProducer> {
  const kafka = options.kafka ?? new Kafka({ clientId: 'modelwatch-producer', brokers: options.brokers ?? [] })
  if (options.kafka === undefined && (options.brokers === undefined || options.brokers.length === 0)) {
    throw new ModelwatchError('USAGE', 'createProducer needs brokers or a kafka client')
  }
  const format = options.format ?? (options.schemaRegistry === undefined ? 'json' : 'avro')
  if (format !== 'json' && options.schemaRegistry === undefined) throw new ModelwatchError('USAGE', `format ${format} needs schemaRegistry`)
  const topics = { ...DEFAULT_TOPICS, ...options.topics }
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()

  const writers = {
    prediction: format === 'json-schema' ? jsonWriter('PredictionEvent', predictionJsonSchema) : avroWriter(options.schemas?.prediction ?? predictionAvroSchema),
    groundTruth: format === 'json-schema' ? jsonWriter('GroundTruthEvent', groundTruthJsonSchema) : avroWriter(options.schemas?.groundTruth ?? groundTruthAvroSchema),
  }
  let encode: (topic: string, writer: WriterSchema, value: object) => Promise<Buffer> = async (_t, _w, value) => Buffer.from(JSON.stringify(value))
  if (format !== 'json' && options.schemaRegistry !== undefined) {
    const registry = createSchemaRegistry(options.schemaRegistry, 'modelwatch-producer')
    const ids = new Map<string, Promise<number>>()
    const settings = options.schemaRegistry
    encode = async (topic, writer, value) => {
      const subject = `${topic}-value`
      let id = ids.get(subject)
      if (id === undefined) {
        id = registerSchema(registry, settings, subject, writer)
        ids.set(subject, id)
        id.catch(() => ids.delete(subject))
      }
      return registry.encode(await id, value)
    }
  }

  async function send<S extends z.ZodType>(topic: string, schema: S, writer: WriterSchema, events: z.input<S>[]): Promise<void> {
    const messages = []
    for (const [index, event] of events.entries()) {
      const parsed = schema.safeParse(event)
      if (!parsed.success) {
        const issue = parsed.error.issues[0]
        throw new ModelwatchError('EVENT_INVALID', `event ${index}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`)
      }
      // Fields the contract does not know (a newer schema's additions) are kept for the writer schema.
      const value = { ...(event as object), ...(parsed.data as object) }
      messages.push({ key: (parsed.data as { event_id: string }).event_id, value: await encode(topic, writer, value) })
    }
    if (messages.length > 0) await producer.send({ topic, messages, acks: -1 })
  }

  return {
    sendPredictions: (events) => send(topics.predictions, predictionEventSchema, writers.prediction, events),
    sendGroundTruth: (events) => send(topics.groundTruth, groundTruthEventSchema, writers.groundTruth, events),
    disconnect: () => producer.disconnect(),
  }
}

/** A writer schema as the registry takes it, with the name error messages use. */
interface WriterSchema {
  name: string
  type: SchemaType.AVRO | SchemaType.JSON
  schema: string
}

const avroWriter = (schema: AvroRecordSchema): WriterSchema => ({ name: schema.name, type: SchemaType.AVRO, schema: JSON.stringify(schema) })
const jsonWriter = (name: string, schema: string): WriterSchema => ({ name, type: SchemaType.JSON, schema })

/**
 * Registers the writer schema under the subject with compatibility BACKWARD set explicitly first.
 * Setting it explicitly is what lets the client work with Apicurio's Confluent API too: Apicurio answers
 * "NONE" for a subject without its own rule where Confluent answers 404, and the client refuses a mismatch.
 */
async function registerSchema(
  registry: SchemaRegistry,
  settings: NonNullable<ProducerOptions['schemaRegistry']>,
  subject: string,
  writer: WriterSchema,
): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/vnd.schemaregistry.v1+json' }
  if (settings.auth !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${settings.auth.username}:${settings.auth.password}`).toString('base64')}`
  }
  const base = settings.url.replace(/\/+$/, '')
  const config = await fetch(`${base}/config/${encodeURIComponent(subject)}`, { method: 'PUT', headers, body: JSON.stringify({ compatibility: 'BACKWARD' }) })
  if (!config.ok) {
    throw new ModelwatchError('SCHEMA_REGISTRY_UNAVAILABLE', `schema registry refused to set compatibility of ${subject}: HTTP ${config.status} ${await config.text()}`, { retriable: config.status >= 500 })
  }
  try {
    const { id } = await registry.register({ type: writer.type, schema: writer.schema }, { subject, compatibility: COMPATIBILITY.BACKWARD })
    return id
  } catch (error) {
    if (registryStatus(error) === 409) {
      throw new ModelwatchError(
        'SCHEMA_INCOMPATIBLE',
        `schema ${writer.name} is not BACKWARD-compatible with the versions registered under ${subject}: ` +
          'new fields need defaults, and existing fields cannot change type or be removed without one',
        { cause: error },
      )
    }
    throw error
  }
}
