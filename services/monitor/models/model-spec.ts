/**
 * What a monitored model is: its task, its features and their kinds, and how its windows are judged.
 * Validated at the edge (CLI, API) with this schema; stored in the `models` table.
 */
import { z } from 'zod'
import { durationSchema, formatDuration } from '../../core/duration.js'

const duration = durationSchema

export const featureSchema = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/, 'feature names are letters, digits, _ . - (starting with a letter or _)'),
  kind: z.enum(['numeric', 'categorical']),
})

/** Most features of one model: each is a drift computation per window and version. */
export const MAX_MODEL_FEATURES = 1000

/** Shortest window: each pass may recompute every window of the last final_max_delay. */
export const MIN_MODEL_WINDOW_SECONDS = 60
/** Most windows in final_max_delay (a week of one-minute windows): what one pass may have to recompute. */
export const MAX_WINDOWS_UNTIL_FINAL = 10_080

export const driftMethodSchema = z.enum(['wasserstein', 'jensen_shannon', 'ks', 'chi2', 'psi'])

/** Per-model drift settings: a default method/threshold and per-feature overrides; unset means the Evidently-style default. */
export const driftOptionsSchema = z
  .object({
    datasetDriftShare: z.number().gt(0).lte(1).optional(),
    features: z.record(z.string(), z.object({ method: driftMethodSchema.optional(), threshold: z.number().positive().optional() })).optional(),
  })
  .default({})

export const modelSpecSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'model names are letters, digits, _ . - (at most 128)'),
    task: z.enum(['binary_classification', 'multiclass_classification', 'regression']),
    positive_class: z.string().min(1).optional(),
    features: z.array(featureSchema).min(1, 'a model needs at least one feature').max(MAX_MODEL_FEATURES, `a model has at most ${MAX_MODEL_FEATURES} features (MAX_MODEL_FEATURES)`),
    default_window: duration.default(3600),
    final_coverage: z.number().gt(0).lte(1).default(0.95),
    final_max_delay: duration.default(7 * 86_400),
    drift: driftOptionsSchema,
  })
  .superRefine((spec, ctx) => {
    if (spec.task === 'binary_classification' && spec.positive_class === undefined) {
      ctx.addIssue({ code: 'custom', path: ['positive_class'], message: 'binary classification needs positive_class' })
    }
    if (spec.default_window < MIN_MODEL_WINDOW_SECONDS) {
      ctx.addIssue({ code: 'custom', path: ['default_window'], message: `a window is at least ${formatDuration(MIN_MODEL_WINDOW_SECONDS)} (MIN_MODEL_WINDOW_SECONDS)` })
    } else if (spec.final_max_delay / spec.default_window > MAX_WINDOWS_UNTIL_FINAL) {
      const longest = formatDuration(MAX_WINDOWS_UNTIL_FINAL * spec.default_window)
      ctx.addIssue({ code: 'custom', path: ['final_max_delay'], message: `spans at most ${MAX_WINDOWS_UNTIL_FINAL} windows (MAX_WINDOWS_UNTIL_FINAL): at most ${longest} with ${formatDuration(spec.default_window)} windows` })
    }
    const names = spec.features.map((f) => f.name)
    const duplicate = names.find((n, i) => names.indexOf(n) !== i)
    if (duplicate !== undefined) ctx.addIssue({ code: 'custom', path: ['features'], message: `feature ${duplicate} is listed twice` })
  })

export type ModelSpecInput = z.input<typeof modelSpecSchema>
export type ModelSpec = z.output<typeof modelSpecSchema>
export type Feature = z.output<typeof featureSchema>
export type ModelTask = ModelSpec['task']
