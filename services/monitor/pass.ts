/**
 * One monitor pass: for every registered model, find the windows that changed since the last pass
 * (window-plan.ts), compute their performance, label delay, drift against the version's reference and
 * data quality, and write the results (window-results.ts). Everything is computed in ClickHouse; this
 * file only decides what to compute and shapes the rows.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import type { Logger } from '../core/logger.js'
import { rejectionsPerWindow } from './data-quality/rejections.js'
import { ensureReferenceProfile } from './aggregates/reference-profile.js'
import { missingShares } from './data-quality/missing.js'
import { volumePerWindow, type VolumeFigures } from './data-quality/volume.js'
import { computeWindowDrift, type WindowAggregates } from './drift/window-drift.js'
import type { DriftOptions, DriftReport } from './drift/report.js'
import { labelDelays } from './label-delay.js'
import { metricValues } from './metric-rows.js'
import type { ModelSpec } from './models/model-spec.js'
import { listModels } from './models/registry.js'
import { computePerformance, type PerformanceTask } from './performance/index.js'
import { currentAssignments, type CurrentAssignment } from './references/index.js'
import { LABEL_COLUMN, PREDICTION_COLUMN, type DriftColumn } from './sql-source.js'
import { driftSource, outputColumns, parseGroupKey, performanceSource, type ReferenceSpec, type WindowSelection } from './window-sources.js'
import { emptyResults, writeResults, type WindowKey, type WindowResults } from './window-results.js'
import { VISIBILITY_MARGIN_MS, lastPass, recordPass, windowsToCompute } from './window-plan.js'

export interface PassSummary {
  models: number
  windows: number
  ms: number
}

export interface PassOptions {
  now?: () => number
  /** How far before the previous pass to look for changes; see VISIBILITY_MARGIN_MS. */
  visibilityMarginMs?: number
}

/**
 * @example
 * const summary = await runMonitorPass(ch, log)
 */
export async function runMonitorPass(ch: ClickHouse, log: Logger, options: PassOptions = {}): Promise<PassSummary> {
  const now = options.now ?? Date.now
  const started = performance.now()
  const models = await listModels(ch)
  let windows = 0
  for (const model of models) {
    const passStartedAt = now()
    const modelStarted = performance.now()
    const sinceMs = (await lastPass(ch, model.name, model.default_window)) - (options.visibilityMarginMs ?? VISIBILITY_MARGIN_MS)
    const selection: WindowSelection = { model: model.name, windowSeconds: model.default_window, starts: await windowsToCompute(ch, model, sinceMs, passStartedAt) }
    const assignments = await currentAssignments(ch, model.name)
    const results = selection.starts.length > 0 ? await computeWindows(ch, model, selection, passStartedAt, assignments) : emptyResults()
    const volume = await volumePerWindow(ch, model.name, { windowSeconds: selection.windowSeconds, starts: selection.starts, sinceMs, nowMs: passStartedAt, references: assignments })
    results.dataQuality.push(...volumeRows(model.name, selection.windowSeconds, volume, passStartedAt))
    if (results.windowMetrics.length + results.driftMetrics.length + results.dataQuality.length > 0) {
      await writeResults(ch, results)
      windows += selection.starts.length
      log.info(
        { model: model.name, windows: selection.starts.length, metrics: results.windowMetrics.length, driftRows: results.driftMetrics.length, ms: Math.round(performance.now() - modelStarted) },
        'windows computed',
      )
    }
    await recordPass(ch, model.name, model.default_window, passStartedAt)
  }
  return { models: models.length, windows, ms: Math.round(performance.now() - started) }
}

export function performanceTask(model: ModelSpec): PerformanceTask {
  switch (model.task) {
    case 'binary_classification':
      return { kind: 'binary_classification', positiveClass: model.positive_class ?? '1' }
    case 'multiclass_classification':
      return { kind: 'multiclass_classification' }
    case 'regression':
      return { kind: 'regression' }
  }
}

/** The columns drift is computed for: every feature, the model's output and the label. */
export function driftColumns(model: ModelSpec): DriftColumn[] {
  const output = outputColumns(model).kind
  return [...model.features, { name: PREDICTION_COLUMN, kind: output }, { name: LABEL_COLUMN, kind: output }]
}

export function driftOptions(model: ModelSpec): DriftOptions {
  const columns: NonNullable<DriftOptions['columns']> = {}
  for (const [name, rule] of Object.entries(model.drift.features ?? {})) {
    if (rule.method !== undefined) columns[name] = { method: rule.method, ...(rule.threshold === undefined ? {} : { threshold: rule.threshold }) }
  }
  return { columns, ...(model.drift.datasetDriftShare === undefined ? {} : { datasetDriftShare: model.drift.datasetDriftShare }) }
}

async function computeWindows(ch: ClickHouse, model: ModelSpec, selection: WindowSelection, computedAt: number, assignments: Map<string, CurrentAssignment>): Promise<WindowResults> {
  const results = emptyResults()
  const windowMs = selection.windowSeconds * 1000
  const references = driftReferences(assignments)
  const [performanceByGroup, delays, rejections] = await Promise.all([
    computePerformance(ch, performanceSource(selection), performanceTask(model)),
    labelDelays(ch, selection),
    rejectionsPerWindow(ch, model.name, selection.windowSeconds, selection.starts),
  ])
  const unreferenced = [...new Set([...performanceByGroup.keys()].map((grp) => parseGroupKey(grp).version))].filter((v) => !references.has(v))
  const missing = await missingShares(ch, model, selection, unreferenced)
  for (const [grp, metrics] of performanceByGroup) {
    const { version, segment, windowStart } = parseGroupKey(grp)
    const key: WindowKey = { model: model.name, model_version: version, segment, window_seconds: selection.windowSeconds, window_start: windowStart, window_end: windowStart + windowMs }
    const coverage = metrics.labelCoverage ?? 0
    const isFinal = coverage >= model.final_coverage || computedAt >= key.window_end + model.final_max_delay * 1000 ? 1 : 0
    const delay = delays.get(grp)
    const values = [...metricValues(metrics), { metric: 'label_delay_p50_seconds', value: delay?.p50 ?? null }, { metric: 'label_delay_p90_seconds', value: delay?.p90 ?? null }]
    for (const { metric, value } of values) results.windowMetrics.push({ ...key, metric, value, is_final: isFinal, computed_at: computedAt })
    // All traffic's volume (segment '') comes with its expectation from volumePerWindow, empty windows included.
    if (segment !== '') results.dataQuality.push({ ...key, column: '__events__', metric: 'events', value: metrics.count, computed_at: computedAt })

    // Drift is computed for all traffic of a version (segment ''), not per segment: each comparison is a
    // full pass over the window and its reference, and segments multiply them.
    const reference = references.get(version)
    if (reference !== undefined && segment === '') await addDrift(ch, model, key, reference, computedAt, results)
    for (const [column, value] of missing.get(grp) ?? []) results.dataQuality.push({ ...key, column, metric: 'missing_share', value, computed_at: computedAt })
  }
  for (const r of rejections) {
    const key: WindowKey = { model: model.name, model_version: '', segment: '', window_seconds: selection.windowSeconds, window_start: r.windowStart, window_end: r.windowStart + windowMs }
    results.dataQuality.push({ ...key, column: '__events__', metric: `rejected:${r.reason}`, value: r.count, computed_at: computedAt })
  }
  return results
}

/** Drift and the data-quality figures that come from the same comparison, for one window. */
async function addDrift(ch: ClickHouse, model: ModelSpec, key: WindowKey, reference: ReferenceSpec, computedAt: number, results: WindowResults): Promise<void> {
  const source = driftSource(model, key.model_version, key.segment, key.window_seconds, key.window_start, reference)
  // Bins from the per-minute aggregates when the reference is stored (its edges are fixed) and the window is whole
  // minutes; the first window of a version's reference prepares its edges and backfills what came before.
  let aggregates: WindowAggregates | undefined
  if (reference.kind === 'rows' && key.window_seconds % 60 === 0) {
    const numeric = model.features.filter((f) => f.kind === 'numeric').map((f) => f.name)
    const categorical = model.features.filter((f) => f.kind === 'categorical').map((f) => f.name)
    await ensureReferenceProfile(ch, { model: model.name, version: key.model_version, referenceId: reference.referenceId, numeric, categorical })
    aggregates = { window: { model: model.name, version: key.model_version, referenceId: reference.referenceId, from: key.window_start, to: key.window_end }, columns: [...numeric, ...categorical] }
  }
  const { report, outOfRange } = await computeWindowDrift(ch, source, driftColumns(model), driftOptions(model), aggregates)
  results.driftMetrics.push(...driftRows(report, key, reference.referenceId, computedAt))
  const features = new Set(model.features.map((f) => f.name))
  for (const column of report.columns.filter((c) => features.has(c.name))) {
    const push = (metric: string, value: number | null): void => void results.dataQuality.push({ ...key, column: column.name, metric, value, computed_at: computedAt })
    push('missing_share', column.missing_share)
    if (column.kind === 'numeric') push('out_of_range_share', outOfRange.get(column.name) ?? null)
    else push('new_category_share', column.new_category_share)
  }
}

function driftRows(report: DriftReport, key: WindowKey, referenceId: string, computedAt: number): WindowResults['driftMetrics'] {
  const rows: WindowResults['driftMetrics'] = report.columns.map((c) => ({
    ...key,
    reference_id: referenceId,
    column: c.name,
    kind: c.kind,
    n_reference: c.n_reference,
    n_current: c.n_current,
    missing_share: c.missing_share,
    psi: c.psi,
    jensen_shannon: c.jensen_shannon,
    ks_statistic: c.kind === 'numeric' ? c.ks.statistic : null,
    ks_p_value: c.kind === 'numeric' ? c.ks.p_value : null,
    wasserstein: c.kind === 'numeric' ? c.wasserstein : null,
    wasserstein_normed: c.kind === 'numeric' ? c.wasserstein_normed : null,
    chi2_statistic: c.kind === 'categorical' ? c.chi2.statistic : null,
    chi2_p_value: c.kind === 'categorical' ? c.chi2.p_value : null,
    new_category_share: c.kind === 'categorical' ? c.new_category_share : null,
    drift_method: c.drift_method,
    drift_score: c.drift_score,
    drifted: c.drifted ? 1 : 0,
    computed_at: computedAt,
  }))
  rows.push({
    ...key,
    reference_id: referenceId,
    column: '__dataset__',
    kind: 'dataset',
    // The sample sizes the verdict rests on: the largest of the columns' (a rule's min_samples reads them).
    n_reference: Math.max(0, ...rows.map((r) => r.n_reference)),
    n_current: Math.max(0, ...rows.map((r) => r.n_current)),
    missing_share: null,
    psi: null,
    jensen_shannon: null,
    ks_statistic: null,
    ks_p_value: null,
    wasserstein: null,
    wasserstein_normed: null,
    chi2_statistic: null,
    chi2_p_value: null,
    new_category_share: null,
    drift_method: 'drifted_share',
    drift_score: report.drifted_share,
    drifted: report.dataset_drift ? 1 : 0,
    computed_at: computedAt,
  })
  return rows
}

/** Each version's reference as drift reads it: stored rows, or a rolling definition resolved per window. */
function driftReferences(assignments: Map<string, CurrentAssignment>): Map<string, ReferenceSpec> {
  const resolved = new Map<string, ReferenceSpec>()
  for (const [version, { referenceId, definition }] of assignments) {
    resolved.set(version, definition?.kind === 'rolling' ? { kind: 'rolling', referenceId, windows: definition.source.windows } : { kind: 'rows', referenceId })
  }
  return resolved
}

/** Volume figures as data-quality rows of the window-level column `__events__` (all traffic, segment ''). */
function volumeRows(model: string, windowSeconds: number, figures: VolumeFigures[], computedAt: number): WindowResults['dataQuality'] {
  return figures.flatMap((f) => {
    const key: WindowKey = { model, model_version: f.version, segment: '', window_seconds: windowSeconds, window_start: f.windowStart, window_end: f.windowStart + windowSeconds * 1000 }
    return [
      { ...key, column: '__events__', metric: 'events', value: f.events, computed_at: computedAt },
      { ...key, column: '__events__', metric: 'expected_events', value: f.expectedEvents, computed_at: computedAt },
      { ...key, column: '__events__', metric: 'volume_ratio', value: f.volumeRatio, computed_at: computedAt },
    ]
  })
}
