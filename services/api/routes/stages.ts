/**
 * `PUT /v1/models/{model}/versions/{version}/stage` (scope write) moves a version to a lifecycle stage (shadow,
 * challenger or canary, production, archived), recorded append-only with the calling token's name, the time and
 * the reason given; `GET /v1/models/{model}/stages` (scope read) lists each version's current stage.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { bounds } from '../../core/limits.js'
import { currentStages, recordStage, stageChangeSchema, STAGES, type StageRecord } from '../../compare/version-stages.js'
import { modelSpecSchema } from '../../monitor/models/model-spec.js'
import type { MountRoutes } from '../deps.js'
import { limitResponse, notFoundResponse, problemResponses, withScope } from '../openapi.js'
import { findModel } from './models.js'

const stageRecordSchema = z
  .object({
    model: z.string(),
    version: z.string(),
    stage: z.enum(STAGES),
    changed_by: z.string().openapi({ description: "The API token's name, or cli:<user>" }),
    reason: z.string(),
    changed_at: z.string(),
  })
  .openapi('VersionStage')

const put = createRoute({
  method: 'put',
  path: '/v1/models/{model}/versions/{version}/stage',
  tags: ['models'],
  summary: 'Move a version to a lifecycle stage (recorded with who, when and why)',
  ...withScope('write'),
  request: {
    params: z.object({ model: modelSpecSchema.shape.name, version: z.string().min(1).max(256) }),
    body: { required: true, content: { 'application/json': { schema: stageChangeSchema } } },
  },
  responses: {
    200: { description: 'The change as recorded', content: { 'application/json': { schema: stageRecordSchema } } },
    ...notFoundResponse,
    ...limitResponse('versions of one model in shadow or challenger', 'MODELWATCH_MAX_CHALLENGERS'),
    ...problemResponses,
  },
})

const list = createRoute({
  method: 'get',
  path: '/v1/models/{model}/stages',
  tags: ['models'],
  summary: "Each version's current stage",
  ...withScope('read'),
  request: { params: z.object({ model: modelSpecSchema.shape.name }) },
  responses: {
    200: { description: 'By version', content: { 'application/json': { schema: z.object({ items: z.array(stageRecordSchema) }) } } },
    ...notFoundResponse,
    ...problemResponses,
  },
})

const view = (r: StageRecord): z.infer<typeof stageRecordSchema> => ({ model: r.model, version: r.version, stage: r.stage, changed_by: r.changedBy, reason: r.reason, changed_at: r.changedAt })

export const stageRoutes: MountRoutes = (app, { ch, config }) => {
  app.openapi(put, async (c) => {
    const { model, version } = c.req.valid('param')
    const { name } = await findModel(ch, model)
    const { stage, reason } = c.req.valid('json')
    const changedBy = c.get('principal')?.name ?? ''
    return c.json(view(await recordStage(ch, { model: name, version, stage, reason, changedBy }, { challengers: bounds(config.limits).challengers })), 200)
  })
  app.openapi(list, async (c) => {
    const { name } = await findModel(ch, c.req.valid('param').model)
    return c.json({ items: [...(await currentStages(ch, name)).values()].map(view) }, 200)
  })
}
