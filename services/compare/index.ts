/**
 * Champion/challenger comparison of model versions (docs/statistics.md, "Comparing versions"): the report, its
 * request as the edges take it, the statistical tests over sufficient statistics, and version stages.
 */
export { compareVersions, type CompareOptions, type ComparisonReport, type PairingChoice, type SequentialReport } from './compare-versions.js'
export { compareSegments } from './compare-segments.js'
export { compareRequestSchema, toCompareOptions, type CompareRequest } from './compare-request.js'
export type { MetricComparison, MetricName, VersionValue } from './metric-comparison.js'
export type { Interval, TestResult } from './interval.js'
export type { Verdict } from './verdict.js'
export { twoProportionTest, wilsonInterval, newcombeInterval } from './proportions.js'
export { welchTest, pairedTTest } from './t-tests.js'
export { mcnemarTest } from './mcnemar.js'
export { structuralComponents, aucWithInterval, delongIndependent, delongPaired } from './delong.js'
export { bootstrapMeanDifference, bootstrapPairedMean, BOOTSTRAP_REPLICATES, BOOTSTRAP_SEED } from './bootstrap.js'
export { mixtureSprt, type SequentialState } from './sequential.js'
export { benjaminiHochberg } from './benjamini-hochberg.js'
export { proportionsSampleSize, meansSampleSize } from './sample-size.js'
export { recordStage, currentStages, stageHistory, STAGES, type Stage, type StageRecord } from './version-stages.js'
export { runComparisons, type ComparisonRunOptions, type ComparisonRunSummary } from './comparison-runs.js'
export { dueComparisons, CHALLENGER_STAGES, type DueComparison } from './comparison-plan.js'
export { comparisonRows, concludedOf, type ComparisonRow } from './comparison-rows.js'
export { autoStageChange, evidenceText, AUTO_PROMOTE_ACTOR } from './auto-promote.js'
