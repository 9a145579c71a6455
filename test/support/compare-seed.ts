/**
 * Labelled predictions of a binary model `churn` for the compare and stage surfaces' tests: version '1' and a
 * truly better version '2' on split traffic (n events each, logit ~ N(±μ, 1) with μ 0.6 and 1.2), deterministic,
 * in the hour that starts at `start`.
 */
import type { ClickHouse } from '../../services/core/clickhouse/client.js'
import { saveModel } from '../../services/monitor/models/registry.js'
import { seededRandom } from '../../services/cli/demo/seeded-random.js'

/**
 * @example
 * await seedComparison(ch, START, 600)
 */
export async function seedComparison(ch: ClickHouse, start: number, n: number): Promise<void> {
  await saveModel(ch, { name: 'churn', task: 'binary_classification', positive_class: '1', features: [{ name: 'x', kind: 'numeric' }] })
  const uniform = seededRandom(20261126)
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())
  const predictions: object[] = []
  const labels: object[] = []
  for (const [version, mu] of [['1', 0.6], ['2', 1.2]] as const) {
    for (let i = 0; i < n; i++) {
      const id = `${version}-${i}`
      const y = uniform() < 0.5 ? 1 : 0
      predictions.push({
        event_id: id, model: 'churn', model_version: version, timestamp: start + i * 1000, numeric_features: {}, categorical_features: {}, probabilities: {},
        predicted_class: null, score: 1 / (1 + Math.exp(-((y === 1 ? mu : -mu) + normal()))), value: null, segments: {}, source: 'http', kafka_partition: -1, kafka_offset: -1,
      })
      labels.push({ event_id: id, model: '', timestamp: start + 3_600_000, label_class: String(y), label_value: null, source: 'http', kafka_partition: -1, kafka_offset: -1 })
    }
  }
  await ch.client.insert({ table: 'predictions', values: predictions, format: 'JSONEachRow' })
  await ch.client.insert({ table: 'ground_truth', values: labels, format: 'JSONEachRow' })
}
