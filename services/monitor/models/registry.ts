/**
 * The registry of monitored models, kept in ClickHouse (`models`, `model_versions`, migration 002).
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { ModelwatchError } from '../../core/errors.js'
import { ensureRoom, type Bound } from '../../core/limits.js'
import { modelSpecSchema, type ModelSpec, type ModelSpecInput } from './model-spec.js'

interface ModelRow {
  name: string
  task: ModelSpec['task']
  positive_class: string | null
  features: string
  default_window_seconds: number
  final_coverage: number
  final_max_delay_seconds: number
  drift_options: string
}

/** Validates and stores a model definition (creating or replacing it); returns the stored spec. */
export async function saveModel(ch: ClickHouse, input: ModelSpecInput): Promise<ModelSpec> {
  const parsed = modelSpecSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ModelwatchError('USAGE', `invalid model: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`)
  }
  const spec = parsed.data
  const row: ModelRow = {
    name: spec.name,
    task: spec.task,
    positive_class: spec.positive_class ?? null,
    features: JSON.stringify(spec.features),
    default_window_seconds: spec.default_window,
    final_coverage: spec.final_coverage,
    final_max_delay_seconds: spec.final_max_delay,
    drift_options: JSON.stringify(spec.drift),
  }
  await ch.client.insert({ table: 'models', values: [row], format: 'JSONEachRow' })
  return spec
}

/**
 * Refuses a new model once `bound` models are registered (LIMIT_EXCEEDED); replacing one always passes.
 *
 * @example
 * await ensureModelRoom(ch, 'churn', bounds(config.limits).models)
 */
export async function ensureModelRoom(ch: ClickHouse, name: string, bound: Bound): Promise<void> {
  const names = (await listModels(ch)).map((m) => m.name)
  ensureRoom(bound, names.length, names.includes(name) ? 0 : 1)
}

/** Every model, latest definition of each. */
export async function listModels(ch: ClickHouse): Promise<ModelSpec[]> {
  const result = await ch.client.query({ query: 'SELECT * EXCEPT updated_at FROM models FINAL ORDER BY name', format: 'JSONEachRow' })
  return (await result.json<ModelRow>()).map(fromRow)
}

/** One model, or a `USAGE` error naming it when it is not registered. */
export async function getModel(ch: ClickHouse, name: string): Promise<ModelSpec> {
  const result = await ch.client.query({
    query: 'SELECT * EXCEPT updated_at FROM models FINAL WHERE name = {name:String}',
    query_params: { name },
    format: 'JSONEachRow',
  })
  const [row] = await result.json<ModelRow>()
  if (row === undefined) throw new ModelwatchError('USAGE', `no model named ${JSON.stringify(name)}; create it with \`modelwatch model create\``)
  return fromRow(row)
}

function fromRow(row: ModelRow): ModelSpec {
  return {
    name: row.name,
    task: row.task,
    ...(row.positive_class === null ? {} : { positive_class: row.positive_class }),
    features: JSON.parse(row.features) as ModelSpec['features'],
    default_window: row.default_window_seconds,
    final_coverage: row.final_coverage,
    final_max_delay: row.final_max_delay_seconds,
    drift: JSON.parse(row.drift_options) as ModelSpec['drift'],
  }
}
