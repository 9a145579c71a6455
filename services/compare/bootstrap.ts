/**
 * Percentile bootstrap for the difference in mean per-row loss (log loss) between two versions, with a fixed
 * seed so the answer never changes between calls. Definitions (docs/statistics.md, "Comparing versions";
 * Efron & Tibshirani 1993, ch. 13 and 16):
 *  - unpaired: each replicate resamples version a's n_a losses and version b's n_b losses with replacement,
 *    δ* = mean(b*) − mean(a*);
 *  - paired: each replicate resamples the n per-event differences d_i = loss_b,i − loss_a,i, δ* = mean(d*);
 *  - interval: the α/2 and 1 − α/2 quantiles of the B replicates (linear interpolation, numpy's default);
 *  - p-value: min(1, 2·min(1 + #{δ* ≤ 0}, 1 + #{δ* ≥ 0}) / (B + 1)) (two-sided, never 0).
 * B = 1000 replicates, seed 20261126 (xoshiro128.ts: xoshiro128**).
 * Cost is B × n random reads, each a cache miss once the losses outgrow the CPU cache (measured: bench/compare.ts).
 * Above m = 20,000 values a replicate draws m of them and scales its deviation from the sample mean by √(m/n)
 * (the rescaled m-out-of-n bootstrap: for a mean its variance is then σ²/n, as with n draws; only the skewness it
 * reflects is that of m draws, which shrinks as 1/√m), so a million rows cost what 20,000 do.
 */
import { NAN_INTERVAL, type TestResult } from './interval.js'
import { xoshiro128, type RandomIndex } from './xoshiro128.js'

export const BOOTSTRAP_REPLICATES = 1000
export const BOOTSTRAP_SEED = 20261126
export const BOOTSTRAP_MAX_DRAWS = 20_000

export interface BootstrapOptions {
  alpha: number
  replicates?: number
  seed?: number
  /** Values drawn per replicate and version at most (m above). */
  maxDraws?: number
}

/**
 * Unpaired bootstrap of mean(b) − mean(a). Needs two values per version.
 *
 * @example
 * bootstrapMeanDifference(lossesA, lossesB, { alpha: 0.05 }).interval
 */
export function bootstrapMeanDifference(a: Float64Array, b: Float64Array, options: BootstrapOptions): TestResult {
  if (a.length < 2 || b.length < 2) return undefinedResult('bootstrap')
  const random = xoshiro128(options.seed ?? BOOTSTRAP_SEED)
  const replicates = new Float64Array(options.replicates ?? BOOTSTRAP_REPLICATES)
  const max = options.maxDraws ?? BOOTSTRAP_MAX_DRAWS
  const ma = mean(a)
  const mb = mean(b)
  for (let r = 0; r < replicates.length; r++) replicates[r] = resampledMean(b, mb, random, max) - resampledMean(a, ma, random, max)
  return summarise('bootstrap', mb - ma, replicates, options.alpha)
}

/**
 * Paired bootstrap of the mean per-event difference (b − a). Needs two pairs.
 *
 * @example
 * bootstrapPairedMean(differences, { alpha: 0.05 }).pValue
 */
export function bootstrapPairedMean(differences: Float64Array, options: BootstrapOptions): TestResult {
  if (differences.length < 2) return undefinedResult('bootstrap_paired')
  const random = xoshiro128(options.seed ?? BOOTSTRAP_SEED)
  const replicates = new Float64Array(options.replicates ?? BOOTSTRAP_REPLICATES)
  const max = options.maxDraws ?? BOOTSTRAP_MAX_DRAWS
  const md = mean(differences)
  for (let r = 0; r < replicates.length; r++) replicates[r] = resampledMean(differences, md, random, max)
  return summarise('bootstrap_paired', md, replicates, options.alpha)
}

function summarise(test: string, difference: number, replicates: Float64Array, alpha: number): TestResult {
  let atOrBelow = 0
  let atOrAbove = 0
  for (const d of replicates) {
    if (d <= 0) atOrBelow++
    if (d >= 0) atOrAbove++
  }
  const B = replicates.length
  const pValue = Math.min(1, (2 * Math.min(1 + atOrBelow, 1 + atOrAbove)) / (B + 1))
  const sorted = replicates.slice().sort()
  return { test, difference, interval: { lower: quantile(sorted, alpha / 2), upper: quantile(sorted, 1 - alpha / 2) }, pValue, statistic: Number.NaN }
}

/** The mean of one resample: n draws, or m draws rescaled around the sample mean when n > m. */
function resampledMean(values: Float64Array, sampleMean: number, random: RandomIndex, maxDraws: number): number {
  const n = values.length
  if (n <= maxDraws) return random.sumOfDraws(values, n) / n
  return sampleMean + (random.sumOfDraws(values, maxDraws) / maxDraws - sampleMean) * Math.sqrt(maxDraws / n)
}

function mean(values: Float64Array): number {
  let sum = 0
  for (const v of values) sum += v
  return sum / values.length
}

/** Type 7 quantile of a sorted array (numpy's default linear interpolation). */
function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q
  const i = Math.floor(h)
  const lo = sorted[i] ?? Number.NaN
  const hi = sorted[Math.min(i + 1, sorted.length - 1)] ?? Number.NaN
  return lo + (hi - lo) * (h - i)
}

const undefinedResult = (test: string): TestResult => ({ test, difference: Number.NaN, interval: NAN_INTERVAL, pValue: Number.NaN, statistic: Number.NaN })
