/**
 * The monitor's results for scripts and the status page (scope read): `/v1/models/{model}/windows`
 * (window_metrics), `/drift` (drift_metrics) and `/data-quality` (data_quality), newest window first, filtered
 * by version, segment, window length, a time range of window starts and the metric or column.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { parseDuration } from '../../core/duration.js'
import { modelSpecSchema } from '../../monitor/models/model-spec.js'
import type { MountRoutes } from '../deps.js'
import { instantParam, notFoundResponse, problemResponses, withScope } from '../openapi.js'
import { resultQuery, type ResultFilters, type ResultKind } from '../results-query.js'
import { findModel } from './models.js'

export const MAX_LIMIT = 10_000

const duration = z
  .string()
  .transform((text, ctx) => parseDuration(text) ?? (ctx.addIssue({ code: 'custom', message: `must be a duration like 5m, 1h or 1d, got ${JSON.stringify(text)}` }), z.NEVER))
  .openapi({ example: '1h' })
const flag = z.enum(['true', 'false']).transform((v) => v === 'true')

const baseQuery = {
  version: z.string().min(1).max(256).optional(),
  segment: z.string().max(2048).optional().openapi({ description: "'' (segment=) for all traffic of a version, key=value for one segment tag; omitted: every segment" }),
  window: duration.optional().openapi({ description: 'Window length, e.g. 1h' }),
  from: instantParam('from').optional().openapi({ description: 'Windows starting at or after this instant (ISO 8601 with a zone)' }),
  to: instantParam('to').optional().openapi({ description: 'Windows starting before this instant' }),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(1000),
}
const name = z.string().min(1).max(256)
const queries = {
  windows: z.object({ ...baseQuery, metric: name.optional(), final: flag.optional().openapi({ description: 'true: final windows only; false: provisional only' }) }),
  drift: z.object({ ...baseQuery, column: name.optional().openapi({ description: 'a feature, __prediction__, __label__ or __dataset__' }), drifted: flag.optional() }),
  'data-quality': z.object({ ...baseQuery, column: name.optional(), metric: name.optional() }),
}

const windowFields = {
  model: z.string(), model_version: z.string(), segment: z.string(), window_seconds: z.number().int(),
  window_start: z.string(), window_end: z.string(), computed_at: z.string(),
}
const num = z.number().nullable()
const rows = {
  windows: z.object({ ...windowFields, metric: z.string(), value: num, is_final: z.boolean() }).openapi('WindowMetric'),
  drift: z
    .object({
      ...windowFields, reference_id: z.string(), column: z.string(), kind: z.string(), n_reference: z.number().int(), n_current: z.number().int(),
      missing_share: num, psi: num, jensen_shannon: num, ks_statistic: num, ks_p_value: num, wasserstein: num, wasserstein_normed: num,
      chi2_statistic: num, chi2_p_value: num, new_category_share: num, drift_method: z.string(), drift_score: num, drifted: z.boolean(),
    })
    .openapi('DriftMetric'),
  'data-quality': z.object({ ...windowFields, column: z.string(), metric: z.string(), value: num }).openapi('DataQualityMetric'),
}

const TITLES: Record<ResultKind, string> = {
  windows: 'Windowed performance metrics (window_metrics)',
  drift: 'Drift per column and the dataset verdict (drift_metrics)',
  'data-quality': 'Data quality per column (data_quality)',
}

function route<K extends ResultKind>(kind: K) {
  return createRoute({
    method: 'get',
    path: `/v1/models/{model}/${kind}`,
    tags: ['results'],
    summary: TITLES[kind],
    ...withScope('read'),
    request: { params: z.object({ model: modelSpecSchema.shape.name }), query: queries[kind] },
    responses: {
      200: {
        description: 'Newest window first; `truncated` when more rows matched than `limit`',
        content: { 'application/json': { schema: z.object({ items: z.array(rows[kind]), truncated: z.boolean() }) } },
      },
      ...notFoundResponse,
      ...problemResponses,
    },
  })
}

type Query = Omit<ResultFilters, 'model' | 'windowSeconds'> & { window?: number | undefined }
type Row<K extends ResultKind> = z.infer<(typeof rows)[K]>

export const resultRoutes: MountRoutes = (app, { ch }) => {
  async function read<K extends ResultKind>(kind: K, model: string, { window, ...filters }: Query): Promise<{ items: Row<K>[]; truncated: boolean }> {
    await findModel(ch, model)
    const { query, params } = resultQuery(kind, { ...filters, model, windowSeconds: window })
    const found = await (await ch.client.query({ query, query_params: params, format: 'JSONEachRow' })).json<Row<K>>()
    const truncated = found.length > filters.limit
    return { items: truncated ? found.slice(0, filters.limit) : found, truncated }
  }
  app.openapi(route('windows'), async (c) => c.json(await read('windows', c.req.valid('param').model, c.req.valid('query')), 200))
  app.openapi(route('drift'), async (c) => c.json(await read('drift', c.req.valid('param').model, c.req.valid('query')), 200))
  app.openapi(route('data-quality'), async (c) => c.json(await read('data-quality', c.req.valid('param').model, c.req.valid('query')), 200))
}
