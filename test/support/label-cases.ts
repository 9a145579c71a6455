/**
 * Test fixture: which label a prediction must get (README, "Events"). Each case is one event scored by models
 * `a` and `b` (version 1) at its own minute after START, with the labels written for it and the label each
 * model's prediction must end up with. Shared by the join test and the migration test, which writes the same
 * labels in the old layout and expects the same answers after migrating.
 */
import type { ClickHouse } from '../../services/core/clickhouse/client.js'
import { labelledWindowRows } from '../../services/monitor/window-sources.js'
import { rows } from './harness.js'

const HOUR = 3_600_000
export const MINUTE = 60_000
/** The hour all cases' predictions fall in (a few hours ago). */
export const START = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR

export interface CaseLabel {
  /** '' for a label that names no model. */
  model: string
  /** Minutes after the prediction. */
  after: number
  label: string
}

export interface LabelCase {
  name: string
  labels: CaseLabel[]
  /** The label each model's prediction must get; null = unlabelled. */
  expected: { a: string | null; b: string | null }
}

export const CASES: LabelCase[] = [
  { name: 'each model labelled with its own model', labels: [{ model: 'a', after: 5, label: 'A' }, { model: 'b', after: 10, label: 'B' }], expected: { a: 'A', b: 'B' } },
  { name: 'a label naming model a only', labels: [{ model: 'a', after: 5, label: 'A' }], expected: { a: 'A', b: null } },
  { name: 'a label naming no model', labels: [{ model: '', after: 5, label: 'X' }], expected: { a: 'X', b: 'X' } },
  { name: 'a later model-less label replaces an earlier model-specific one', labels: [{ model: 'a', after: 5, label: 'A' }, { model: '', after: 10, label: 'X' }], expected: { a: 'X', b: 'X' } },
  { name: 'a later model-specific label replaces an earlier model-less one', labels: [{ model: '', after: 5, label: 'X' }, { model: 'b', after: 10, label: 'B' }], expected: { a: 'X', b: 'B' } },
  { name: 'a correction of a model-specific label', labels: [{ model: 'a', after: 5, label: 'A' }, { model: 'a', after: 20, label: 'A2' }, { model: 'b', after: 10, label: 'B' }], expected: { a: 'A2', b: 'B' } },
  { name: 'a model-specific and a model-less label at the same time', labels: [{ model: '', after: 5, label: 'X' }, { model: 'a', after: 5, label: 'A' }], expected: { a: 'A', b: 'X' } },
  { name: 'a redelivered label', labels: [{ model: '', after: 5, label: 'X' }, { model: '', after: 5, label: 'X' }], expected: { a: 'X', b: 'X' } },
  { name: 'no label', labels: [], expected: { a: null, b: null } },
]

export const caseEventId = (i: number): string => `e${i}`
const predictedAt = (i: number): number => START + i * MINUTE

/** The predictions of every case, both models. */
export async function insertCasePredictions(ch: ClickHouse): Promise<void> {
  const predictions = CASES.flatMap((_, i) =>
    ['a', 'b'].map((model) => ({
      event_id: caseEventId(i), model, model_version: '1', timestamp: predictedAt(i), numeric_features: {}, categorical_features: {},
      score: null, probabilities: {}, predicted_class: 'A', value: null, segments: {}, source: 'http', kafka_partition: -1, kafka_offset: -1,
    })),
  )
  await ch.client.insert({ table: 'predictions', values: predictions, format: 'JSONEachRow' })
}

/** The label rows of every case, as ingest writes them. */
export function caseLabelRows(): Record<string, unknown>[] {
  return CASES.flatMap((c, i) =>
    c.labels.map((l) => ({ event_id: caseEventId(i), model: l.model, timestamp: predictedAt(i) + l.after * MINUTE, label_class: l.label, label_value: null, source: 'http', kafka_partition: -1, kafka_offset: -1 })),
  )
}

/** One insert per label, so no two labels of an event share a part: only the readers' rule decides between them. */
export async function insertCaseLabels(ch: ClickHouse): Promise<void> {
  for (const row of caseLabelRows()) await ch.client.insert({ table: 'ground_truth', values: [row], format: 'JSONEachRow' })
}

/** The labels one model's predictions must get, by event id. */
export function expectedLabels(model: 'a' | 'b'): Record<string, string | null> {
  return Object.fromEntries(CASES.map((c, i) => [caseEventId(i), c.expected[model]]))
}

/** The labels the monitor's window rows give one model's predictions, by event id. */
export async function monitorLabels(ch: ClickHouse, model: 'a' | 'b'): Promise<Record<string, string | null>> {
  const source = labelledWindowRows({ model, windowSeconds: 3600, starts: [START] })
  const found = await rows<{ at: string; label_class: string | null }>(
    ch,
    `SELECT toString(toUnixTimestamp64Milli(timestamp)) AS at, label_class FROM (${source.sql}) WHERE segment = ''`,
    source.params,
  )
  return Object.fromEntries(found.map((r) => [caseEventId((Number(r.at) - START) / MINUTE), r.label_class]))
}

/** The labels the `labelled_predictions` view gives one model's predictions, by event id. */
export async function viewLabels(ch: ClickHouse, model: 'a' | 'b'): Promise<Record<string, string | null>> {
  const found = await rows<{ event_id: string; label_class: string | null }>(ch, 'SELECT event_id, label_class FROM labelled_predictions WHERE model = {model:String}', { model })
  return Object.fromEntries(found.map((r) => [r.event_id, r.label_class]))
}
