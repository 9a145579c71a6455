/**
 * Validated events as ClickHouse rows (the columns of `predictions` and `ground_truth`, migration 001).
 */
import type { GroundTruthEvent, PredictionEvent } from '../core/events/contracts.js'

/** Where a row came from: a Kafka message, or the HTTP ingest endpoint (partition and offset -1). */
export interface RowSource {
  source: 'kafka' | 'http'
  partition: number
  offset: number
}

export const HTTP_SOURCE: RowSource = { source: 'http', partition: -1, offset: -1 }

export interface PredictionRow {
  event_id: string
  model: string
  model_version: string
  timestamp: number
  numeric_features: Record<string, number | null>
  categorical_features: Record<string, string | null>
  score: number | null
  probabilities: Record<string, number>
  predicted_class: string | null
  value: number | null
  segments: Record<string, string>
  source: string
  kafka_partition: number
  kafka_offset: number
}

export interface GroundTruthRow {
  event_id: string
  model: string
  timestamp: number
  label_class: string | null
  label_value: number | null
  source: string
  kafka_partition: number
  kafka_offset: number
}

export function predictionRow(event: PredictionEvent, from: RowSource): PredictionRow {
  return {
    event_id: event.event_id,
    model: event.model,
    model_version: event.model_version,
    timestamp: event.timestamp,
    numeric_features: event.numeric_features,
    categorical_features: event.categorical_features,
    score: event.prediction.score,
    probabilities: event.prediction.probabilities ?? {},
    predicted_class: event.prediction.predicted_class,
    value: event.prediction.value,
    segments: event.segments,
    source: from.source,
    kafka_partition: from.partition,
    kafka_offset: from.offset,
  }
}

export function groundTruthRow(event: GroundTruthEvent, from: RowSource): GroundTruthRow {
  return {
    event_id: event.event_id,
    model: event.model ?? '',
    timestamp: event.timestamp,
    label_class: event.label.class,
    label_value: event.label.value,
    source: from.source,
    kafka_partition: from.partition,
    kafka_offset: from.offset,
  }
}
