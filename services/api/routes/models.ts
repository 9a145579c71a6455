/**
 * Models and their versions: `POST /v1/models` (scope write) registers or replaces a model, validated by the
 * same schema as `modelwatch model create`; `GET /v1/models`, `/v1/models/{model}`, its `/versions` (each
 * with the reference it is compared against, and when its predictions start and end) and `/references`.
 * Durations are answered as they are written (`1h`), so a model read back can be posted again as is.
 */
import { createRoute, z } from '@hono/zod-openapi'
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { formatDuration } from '../../core/duration.js'
import { ModelwatchError } from '../../core/errors.js'
import { driftOptionsSchema, featureSchema, modelSpecSchema, type ModelSpec, type ModelSpecInput } from '../../monitor/models/model-spec.js'
import { bounds } from '../../core/limits.js'
import { ensureModelRoom, listModels, saveModel } from '../../monitor/models/registry.js'
import { currentAssignments, describeDefinition, listReferences } from '../../monitor/references/index.js'
import type { MountRoutes } from '../deps.js'
import { jsonContent, limitResponse, notFoundResponse, problemResponses, withScope } from '../openapi.js'

const modelSchema = z
  .object({
    name: z.string(),
    task: modelSpecSchema.shape.task,
    positive_class: z.string().optional(),
    features: z.array(featureSchema),
    default_window: z.string().openapi({ example: '1h' }),
    final_coverage: z.number(),
    final_max_delay: z.string().openapi({ example: '7d' }),
    drift: driftOptionsSchema,
  })
  .openapi('Model')

const referenceSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['upload', 'window', 'rolling']),
    description: z.string(),
    row_count: z.number().int(),
    created_at: z.string(),
    versions: z.array(z.string()).openapi({ description: 'Versions currently compared against it' }),
  })
  .openapi('Reference')

const versionSchema = z
  .object({
    version: z.string(),
    reference_id: z.string().nullable(),
    reference: z.string().nullable().openapi({ description: 'What the reference is, in words; null when the version has none' }),
    assigned_at: z.string().nullable(),
    first_event_at: z.string().nullable(),
    last_event_at: z.string().nullable(),
  })
  .openapi('ModelVersion')

// Schemas made outside the API are used as they are: .openapi() exists only on schemas made after @hono/zod-openapi loads.
const modelParam = z.object({ model: modelSpecSchema.shape.name })
const list = <S extends z.ZodType>(schema: S) => z.object({ items: z.array(schema) })

const create = createRoute({
  method: 'post',
  path: '/v1/models',
  tags: ['models'],
  summary: 'Register a model, or replace its definition',
  ...withScope('write'),
  request: { body: { required: true, content: { 'application/json': { schema: modelSpecSchema } } } },
  responses: { 201: jsonContent(modelSchema, 'Registered'), 200: jsonContent(modelSchema, 'Replaced an existing definition'), ...limitResponse('registered models', 'MODELWATCH_MAX_MODELS'), ...problemResponses },
})
const getAll = createRoute({ method: 'get', path: '/v1/models', tags: ['models'], summary: 'Every model', ...withScope('read'), responses: { 200: jsonContent(list(modelSchema), 'Models by name'), ...problemResponses } })
const getOne = createRoute({
  method: 'get', path: '/v1/models/{model}', tags: ['models'], summary: 'One model', ...withScope('read'),
  request: { params: modelParam }, responses: { 200: jsonContent(modelSchema, 'The model'), ...notFoundResponse, ...problemResponses },
})
const versions = createRoute({
  method: 'get', path: '/v1/models/{model}/versions', tags: ['models'], summary: 'Versions: assigned a reference, or seen in predictions', ...withScope('read'),
  request: { params: modelParam }, responses: { 200: jsonContent(list(versionSchema), 'Versions by name'), ...notFoundResponse, ...problemResponses },
})
const references = createRoute({
  method: 'get', path: '/v1/models/{model}/references', tags: ['models'], summary: 'Reference data sets of the model', ...withScope('read'),
  request: { params: modelParam }, responses: { 200: jsonContent(list(referenceSchema), 'Oldest first'), ...notFoundResponse, ...problemResponses },
})

export const modelRoutes: MountRoutes = (app, { ch, config }) => {
  app.openapi(create, async (c) => {
    // The validator's output has durations in seconds; saveModel takes the definition as written and checks it again.
    const input = (await c.req.json()) as ModelSpecInput
    const existed = (await listModels(ch)).some((m) => m.name === input.name)
    await ensureModelRoom(ch, input.name, bounds(config.limits).models)
    const spec = await saveModel(ch, input)
    return existed ? c.json(view(spec), 200) : c.json(view(spec), 201)
  })
  app.openapi(getAll, async (c) => c.json({ items: (await listModels(ch)).map(view) }, 200))
  app.openapi(getOne, async (c) => c.json(view(await findModel(ch, c.req.valid('param').model)), 200))
  app.openapi(versions, async (c) => {
    const { name } = await findModel(ch, c.req.valid('param').model)
    return c.json({ items: await versionsOf(ch, name) }, 200)
  })
  app.openapi(references, async (c) => {
    const { name } = await findModel(ch, c.req.valid('param').model)
    const items = (await listReferences(ch, name)).map((r) => ({
      id: r.referenceId, kind: r.definition.kind, description: describeDefinition(r.definition), row_count: r.rowCount, created_at: r.createdAt, versions: r.versions,
    }))
    return c.json({ items }, 200)
  })
}

function view(spec: ModelSpec): z.infer<typeof modelSchema> {
  return { ...spec, default_window: formatDuration(spec.default_window), final_max_delay: formatDuration(spec.final_max_delay) }
}

/** The model, or NOT_FOUND. Models are few, so the registry's list is the lookup. */
export async function findModel(ch: ClickHouse, name: string): Promise<ModelSpec> {
  const spec = (await listModels(ch)).find((m) => m.name === name)
  if (spec === undefined) throw new ModelwatchError('NOT_FOUND', `no model named ${JSON.stringify(name)}; POST /v1/models registers one`)
  return spec
}

async function versionsOf(ch: ClickHouse, model: string): Promise<z.infer<typeof versionSchema>[]> {
  const assignments = await currentAssignments(ch, model)
  const seen = await (
    await ch.client.query({
      query: `SELECT model_version AS version, min(timestamp) AS first_event_at, max(timestamp) AS last_event_at
              FROM predictions WHERE model = {model:String} GROUP BY model_version`,
      query_params: { model },
      format: 'JSONEachRow',
    })
  ).json<{ version: string; first_event_at: string; last_event_at: string }>()
  const events = new Map(seen.map((s) => [s.version, s]))
  const names = [...new Set([...assignments.keys(), ...events.keys()])].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
  return names.map((version) => {
    const assigned = assignments.get(version)
    const seenAt = events.get(version)
    return {
      version,
      reference_id: assigned?.referenceId ?? null,
      reference: assigned?.definition === undefined ? null : describeDefinition(assigned.definition),
      assigned_at: assigned?.assignedAt ?? null,
      first_event_at: seenAt?.first_event_at ?? null,
      last_event_at: seenAt?.last_event_at ?? null,
    }
  })
}

