/**
 * HTTP-ingested events to the Kafka topics, as plain JSON keyed by event_id, through modelwatch's own
 * producer (which checks them against the contract once more before sending). Ingest then stores them
 * exactly as it stores any producer's events. A broker that cannot take them is a retriable failure: 503.
 */
import type { Kafka } from 'kafkajs'
import type { Config } from '../core/config.js'
import { ModelwatchError } from '../core/errors.js'
import { createProducer } from '../producer/index.js'
import type { EventSink } from './event-sink.js'

/**
 * @example
 * const sink = await kafkaEventSink(createKafka(config.kafka, log), config.topics)
 */
export async function kafkaEventSink(kafka: Kafka, topics: Config['topics']): Promise<EventSink> {
  const producer = await createProducer({ kafka, format: 'json', topics: { predictions: topics.predictions, groundTruth: topics.groundTruth } })
  const send = async (what: string, sending: () => Promise<void>): Promise<void> => {
    try {
      await sending()
    } catch (error) {
      if (error instanceof ModelwatchError && !error.retriable) throw error
      throw new ModelwatchError('KAFKA_UNAVAILABLE', `could not produce ${what} to Kafka`, { retriable: true, cause: error })
    }
  }
  return {
    destination: 'kafka',
    predictions: (events) => send('predictions', () => producer.sendPredictions([...events])),
    groundTruth: (events) => send('ground truth', () => producer.sendGroundTruth([...events])),
    close: () => producer.disconnect(),
  }
}
