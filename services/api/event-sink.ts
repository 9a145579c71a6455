/**
 * Where HTTP-ingested events go. With Kafka configured, to the topics (kafka-event-sink.ts), so ingest stores
 * them like any producer's; without Kafka, straight into ClickHouse here, through ingest's row conversion
 * (source 'http', partition and offset -1) and its exactly-once rules: an insert_deduplication_token derived
 * from the rows, so a retried request with the same events is dropped by ClickHouse, and the tables' sorting
 * keys, which collapse a re-sent event under FINAL even when the retry's batch differs.
 */
import { createHash } from 'node:crypto'
import type { ClickHouse } from '../core/clickhouse/client.js'
import { ModelwatchError } from '../core/errors.js'
import type { GroundTruthEvent, PredictionEvent } from '../core/events/contracts.js'
import { HTTP_SOURCE, groundTruthRow, predictionRow } from '../ingest/rows.js'

export interface EventSink {
  destination: 'kafka' | 'clickhouse'
  predictions(events: readonly PredictionEvent[]): Promise<void>
  groundTruth(events: readonly GroundTruthEvent[]): Promise<void>
  close(): Promise<void>
}

/**
 * @example
 * const sink = clickHouseEventSink(ch)
 * await sink.predictions([event]) // stored; the same call again stores nothing new
 *
 * `onStored` runs after each insert (the monitor of the same process computes the new windows soon).
 */
export function clickHouseEventSink(ch: ClickHouse, onStored: () => void = () => {}): EventSink {
  const insert = async (table: string, rows: readonly object[]): Promise<void> => {
    let text = ''
    for (const row of rows) text += `${JSON.stringify(row)}\n`
    const token = `modelwatch-http-${table}-${createHash('sha256').update(text).digest('hex').slice(0, 32)}`
    try {
      await ch.insertJsonEachRow(table, rows, { insert_deduplication_token: token, insert_deduplicate: 1 })
    } catch (error) {
      throw new ModelwatchError('CLICKHOUSE_UNAVAILABLE', `insert into ${table} failed`, { retriable: true, cause: error })
    }
    onStored()
  }
  return {
    destination: 'clickhouse',
    predictions: (events) => insert('predictions', events.map((e) => predictionRow(e, HTTP_SOURCE))),
    groundTruth: (events) => insert('ground_truth', events.map((e) => groundTruthRow(e, HTTP_SOURCE))),
    close: async () => {},
  }
}
