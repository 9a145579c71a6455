/**
 * `GET /v1/models/{model}/compare?a=V1&b=V2` (scope read): champion/challenger comparison of two versions over a
 * period and segment — per metric the value per version with its interval, the difference with its interval,
 * raw and Benjamini–Hochberg p-values, a verdict and the samples still needed — and the sequential test's state.
 * Same request as `modelwatch compare` (services/compare/compare-request.ts); definitions in docs/statistics.md.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { compareRequestSchema, toCompareOptions } from '../../compare/compare-request.js'
import { compareVersions } from '../../compare/compare-versions.js'
import { modelSpecSchema } from '../../monitor/models/model-spec.js'
import type { MountRoutes } from '../deps.js'
import { notFoundResponse, problemResponses, withScope } from '../openapi.js'
import { findModel } from './models.js'

const interval = z.object({ lower: z.number(), upper: z.number() }).nullable()
const value = z.object({ value: z.number().nullable(), interval, n: z.number().int() })
const verdict = z.enum(['better', 'worse', 'no_significant_difference', 'not_enough_data'])

const metricSchema = z
  .object({
    metric: z.enum(['accuracy', 'precision', 'recall', 'roc_auc', 'log_loss', 'mae', 'mse']),
    higherIsBetter: z.boolean(),
    test: z.string().openapi({ example: 'two_proportion_z' }),
    a: value,
    b: value,
    difference: z.number().nullable().openapi({ description: 'b − a' }),
    differenceInterval: interval,
    pValue: z.number().nullable(),
    adjustedPValue: z.number().nullable().openapi({ description: 'Benjamini–Hochberg across the metrics of this report' }),
    verdict,
    samplesNeeded: z.number().int().nullable().openapi({ description: 'More labelled events (paired: pairs) per version to detect the minimum detectable effect' }),
  })
  .openapi('MetricComparison')

const reportSchema = z
  .object({
    model: z.string(),
    task: modelSpecSchema.shape.task,
    a: z.string(),
    b: z.string(),
    from: z.string(),
    to: z.string(),
    segment: z.string(),
    paired: z.boolean(),
    alpha: z.number(),
    power: z.number(),
    mde: z.number(),
    counts: z.object({
      a: z.object({ predictions: z.number().int(), labelled: z.number().int() }),
      b: z.object({ predictions: z.number().int(), labelled: z.number().int() }),
      pairs: z.number().int(),
    }),
    metrics: z.array(metricSchema),
    sequential: z.object({
      metric: z.string(),
      state: z.enum(['continue', 'b_better', 'b_worse', 'not_enough_data']),
      difference: z.number().nullable(),
      interval,
      pValue: z.number().nullable().openapi({ description: 'Always-valid p-value (mixture SPRT)' }),
      logLikelihoodRatio: z.number().nullable(),
      logThreshold: z.number(),
      tau: z.number().nullable(),
      alpha: z.number().openapi({ description: 'P(ever concluding when the versions are equal) ≤ alpha, however often one looks' }),
    }),
  })
  .openapi('ComparisonReport')

const compare = createRoute({
  method: 'get',
  path: '/v1/models/{model}/compare',
  tags: ['models'],
  summary: 'Compare two versions of a model: is b better than a?',
  ...withScope('read'),
  request: { params: z.object({ model: modelSpecSchema.shape.name }), query: compareRequestSchema },
  responses: {
    200: { description: 'The comparison', content: { 'application/json': { schema: reportSchema } } },
    ...notFoundResponse,
    ...problemResponses,
  },
})

export const compareRoutes: MountRoutes = (app, { ch, now, config }) => {
  app.openapi(compare, async (c) => {
    const { name } = await findModel(ch, c.req.valid('param').model)
    const report = await compareVersions(ch, toCompareOptions(name, c.req.valid('query'), (now ?? Date.now)(), config.limits.queryRangeMs))
    return c.json(report, 200)
  })
}
