/**
 * Labels of two models that share event ids, through the real pipeline (producer → broker and registry →
 * ingest → embedded ClickHouse), arriving before and after their predictions: each model's predictions take
 * the labels that name it or name no model, the latest of them, and never another model's.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { GroundTruthEventInput, PredictionEventInput } from '../../services/core/events/contracts.js'
import { createProducer, type ModelwatchProducer } from '../../services/producer/index.js'
import { count, rows, stackFromEnv, startTestIngest, testEnv, waitFor, type RunningIngest } from '../support/harness.js'

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0)
const MINUTE = 60_000

const prediction = (eventId: string, model: string): PredictionEventInput => ({
  event_id: eventId, model, model_version: '1', timestamp: T0, numeric_features: { x: 1 }, categorical_features: {}, prediction: { predicted_class: 'A' },
})
const label = (eventId: string, model: string | undefined, minutes: number, cls: string): GroundTruthEventInput => ({
  event_id: eventId, ...(model === undefined ? {} : { model }), timestamp: T0 + minutes * MINUTE, label: { class: cls },
})

describe('ingest: labels of two models sharing event ids', () => {
  let run: RunningIngest
  let producer: ModelwatchProducer

  before(async () => {
    run = await startTestIngest(testEnv())
    const { brokers, registryUrl } = stackFromEnv()
    producer = await createProducer({ brokers, schemaRegistry: { url: registryUrl }, topics: { predictions: run.config.topics.predictions, groundTruth: run.config.topics.groundTruth } })
  })

  after(async () => {
    await producer.disconnect()
    await run.stop()
  })

  it('joins each model its own labels, whether they arrive before or after the predictions', async () => {
    // Before the predictions: one naming model a, one naming no model.
    await producer.sendGroundTruth([label('k1', 'a', 5, 'A1'), label('k2', undefined, 5, 'X')])
    await waitFor(async () => run.ingest.health.stored.get({ table: 'ground_truth' }), (n) => n === 2, 'early labels stored')
    await producer.sendPredictions(['k1', 'k2', 'k3'].flatMap((id) => [prediction(id, 'a'), prediction(id, 'b')]))
    await waitFor(() => count(run.ch, "SELECT count() AS n FROM predictions FINAL WHERE startsWith(event_id, 'k')"), (n) => n === 6, 'predictions stored')
    // After them: model b's labels of k1 and k3, and a later label of k2 for model a only.
    await producer.sendGroundTruth([label('k1', 'b', 10, 'B1'), label('k3', 'b', 10, 'B3'), label('k2', 'a', 10, 'A2')])
    await waitFor(async () => run.ingest.health.stored.get({ table: 'ground_truth' }), (n) => n === 5, 'late labels stored')

    const joined = await rows<{ model: string; event_id: string; label_class: string | null }>(
      run.ch,
      "SELECT model, event_id, label_class FROM labelled_predictions WHERE startsWith(event_id, 'k') ORDER BY model, event_id",
    )
    assert.deepEqual(joined, [
      { model: 'a', event_id: 'k1', label_class: 'A1' },
      { model: 'a', event_id: 'k2', label_class: 'A2' },
      { model: 'a', event_id: 'k3', label_class: null },
      { model: 'b', event_id: 'k1', label_class: 'B1' },
      { model: 'b', event_id: 'k2', label_class: 'X' },
      { model: 'b', event_id: 'k3', label_class: 'B3' },
    ])
  })
})
