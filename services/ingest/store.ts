/**
 * Writes a batch: dead letters to the dead-letter topic and table, then events to ClickHouse, each insert
 * with the batch's deduplication token. The caller commits offsets only after this resolves.
 * Every failure is thrown as retriable: nothing here is the event's fault (validation happened earlier),
 * so the right answer to any failure is to try the same batch again.
 */
import type { Producer } from 'kafkajs'
import type { ClickHouse } from '../core/clickhouse/client.js'
import { ModelwatchError } from '../core/errors.js'
import type { Batch } from './batch.js'
import { deadLetterMessage, deadLetterRequests, deadLetterRow } from './dead-letter.js'

export interface StoreTargets {
  ch: ClickHouse
  deadLetterProducer: Producer
  deadLetterTopic: string
}

export async function storeBatch(batch: Batch, targets: StoreTargets): Promise<void> {
  for (const request of deadLetterRequests(batch.deadLetters.slice(batch.stored.deadLettersSent))) {
    try {
      await targets.deadLetterProducer.send({ topic: targets.deadLetterTopic, acks: -1, messages: request.map(deadLetterMessage) })
    } catch (error) {
      throw new ModelwatchError('KAFKA_UNAVAILABLE', 'could not write to the dead-letter topic', { retriable: true, cause: error })
    }
    batch.stored.deadLettersSent += request.length
  }
  if (!batch.stored.deadLetterTable) {
    await insert(targets.ch, 'dead_letters', batch.deadLetters.map(deadLetterRow), batch)
    batch.stored.deadLetterTable = true
  }
  if (!batch.stored.predictions) {
    await insert(targets.ch, 'predictions', batch.predictions, batch)
    batch.stored.predictions = true
  }
  if (!batch.stored.groundTruth) {
    await insert(targets.ch, 'ground_truth', batch.groundTruth, batch)
    batch.stored.groundTruth = true
  }
}

async function insert(ch: ClickHouse, table: string, values: object[], batch: Batch): Promise<void> {
  if (values.length === 0) return
  try {
    await ch.insertJsonEachRow(table, values, { insert_deduplication_token: batch.deduplicationToken(table), insert_deduplicate: 1 })
  } catch (error) {
    throw new ModelwatchError('CLICKHOUSE_UNAVAILABLE', `insert into ${table} failed`, { retriable: true, cause: error })
  }
}
