/**
 * Shadow traffic for the promotion tests: every event scored by each given version (same event_id, so the
 * comparison is paired), labelled, deterministic. Binary model; logit ~ N(±μ, 1) per version with its own noise,
 * so a larger μ separates the classes better (higher accuracy) and equal μ means equally good versions.
 */
import type { ClickHouse } from '../../services/core/clickhouse/client.js'
import { seededRandom } from '../../services/cli/demo/seeded-random.js'

export interface ShadowSeed {
  model: string
  /** [version, μ] */
  versions: readonly (readonly [string, number])[]
  /** First event's timestamp, ms; events are spread evenly over `ms`. */
  start: number
  ms: number
  events: number
  seed: number
  /** Prefix of the event ids, so several batches do not collide. */
  prefix?: string
  /** Mean of the feature x (drawn N(shift, 1)); shifting it makes the batch drift. Default 0. */
  shift?: number
}

/**
 * @example
 * await seedShadow(ch, { model: 'churn', versions: [['1', 0.3], ['2', 1.5]], start: T0, ms: HOUR, events: 200, seed: 1 })
 */
export async function seedShadow(ch: ClickHouse, s: ShadowSeed): Promise<void> {
  const uniform = seededRandom(s.seed)
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())
  const predictions: object[] = []
  const labels: object[] = []
  for (let i = 0; i < s.events; i++) {
    const id = `${s.prefix ?? 'e'}-${i}`
    const y = uniform() < 0.5 ? 1 : 0
    const timestamp = s.start + Math.floor((i * s.ms) / s.events)
    for (const [version, mu] of s.versions) {
      predictions.push({
        event_id: id, model: s.model, model_version: version, timestamp, numeric_features: { x: (s.shift ?? 0) + normal() }, categorical_features: {}, probabilities: {},
        predicted_class: null, score: 1 / (1 + Math.exp(-((y === 1 ? mu : -mu) + normal()))), value: null, segments: {}, source: 'http', kafka_partition: -1, kafka_offset: -1,
      })
    }
    labels.push({ event_id: id, model: '', timestamp: timestamp + 1000, label_class: String(y), label_value: null, source: 'http', kafka_partition: -1, kafka_offset: -1 })
  }
  await ch.client.insert({ table: 'predictions', values: predictions, format: 'JSONEachRow' })
  await ch.client.insert({ table: 'ground_truth', values: labels, format: 'JSONEachRow' })
}
