/**
 * One batch of consumed messages on its way to ClickHouse: the rows, the dead letters, and for each
 * topic-partition the offset range it covers. The range is what makes the batch idempotent: its
 * insert_deduplication_token is derived from it, and its commit is "last offset + 1" per partition.
 * Progress flags let a retried store resume where the failed attempt stopped.
 */
import { createHash } from 'node:crypto'
import type { TopicPartitionOffsetAndMetadata } from 'kafkajs'
import type { DeadLetter } from './dead-letter.js'
import type { GroundTruthRow, PredictionRow } from './rows.js'

interface OffsetRange {
  topic: string
  partition: number
  first: bigint
  last: bigint
}

export class Batch {
  readonly predictions: PredictionRow[] = []
  readonly groundTruth: GroundTruthRow[] = []
  readonly deadLetters: DeadLetter[] = []
  /** Steps of `storeBatch` already done, so a retry does not repeat them (dead letters: how many are on the topic). */
  readonly stored = { deadLettersSent: 0, deadLetterTable: false, predictions: false, groundTruth: false }
  readonly createdAt = Date.now()
  private readonly ranges = new Map<string, OffsetRange>()
  private messages = 0

  /** Messages in the batch, stored and dead-lettered alike. */
  get size(): number {
    return this.messages
  }

  /** Records that the message at `offset` is in this batch (call once per message, in offset order). */
  track(topic: string, partition: number, offset: string): void {
    const key = `${topic}\u0000${partition}`
    const at = BigInt(offset)
    const range = this.ranges.get(key)
    if (range === undefined) this.ranges.set(key, { topic, partition, first: at, last: at })
    else range.last = at
    this.messages++
  }

  /** The offsets to commit once the batch is stored: the next offset to read, per partition. */
  commitOffsets(): TopicPartitionOffsetAndMetadata[] {
    return [...this.ranges.values()].map((r) => ({ topic: r.topic, partition: r.partition, offset: String(r.last + 1n) }))
  }

  /**
   * The same batch always yields the same token, so an insert retried after an ambiguous failure
   * (a timeout after the server had stored it) is dropped by ClickHouse instead of stored twice.
   */
  deduplicationToken(table: string): string {
    const ranges = [...this.ranges.values()]
      .map((r) => `${r.topic}/${r.partition}/${r.first}-${r.last}`)
      .sort()
      .join(',')
    return `modelwatch-${table}-${createHash('sha256').update(ranges).digest('hex').slice(0, 32)}`
  }
}
