/**
 * The version-comparison fixtures written by test/fixtures/compare/generate.py (scipy, statsmodels, and the
 * reference implementations in that script), and the closeness check every compare-*.test.ts uses.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'

type Pair = [number, number]
interface Summary { n: number; mean: number; variance: number }
interface Counts { successes: number; trials: number }
interface Scored { scores: number[]; labels: number[] }
/** The sequential test's documented inputs and outputs at one look. */
export interface SequentialExpected { mde: number; alpha: number; tau: number; difference: number; variance: number; log_likelihood_ratio: number; p_value: number; interval: Pair; concluded: boolean }

/** The shape generate.py writes (snake_case, as Python writes it). */
export interface CompareFixture {
  tolerance: { relative: number; absolute: number }
  distributions: {
    normal_sf: { z: number; sf: number }[]
    normal_quantile: { p: number; z: number }[]
    t_two_sided: { t: number; df: number; p: number }[]
    t_quantile: { p: number; df: number; t: number }[]
    beta: { x: number; a: number; b: number; i: number }[]
  }
  proportions: { a: Counts; b: Counts; alpha: number; difference: number; statistic: number; p_value: number; interval: Pair; wilson_a: Pair; wilson_b: Pair }[]
  welch: { a: Summary; b: Summary; alpha: number; difference: number; statistic: number; p_value: number; df: number; interval: Pair }[]
  paired_t: { differences: Summary; alpha: number; statistic: number; p_value: number; interval: Pair }[]
  mcnemar: { pairs: number; a_only: number; b_only: number; alpha: number; exact: boolean; statistic: number; p_value: number; difference: number; interval: Pair }[]
  delong: {
    single: (Scored & { auc: number; variance: number })[]
    independent: { a: Scored; b: Scored; alpha: number; auc_a: number; auc_b: number; variance_a: number; variance_b: number; statistic: number; p_value: number; interval: Pair }[]
    paired: { labels: number[]; a: number[]; b: number[]; alpha: number; auc_a: number; auc_b: number; statistic: number; p_value: number; interval: Pair }[]
  }
  bootstrap: {
    seed: number
    replicates: number
    first_draws_below_1000: number[]
    unpaired: { a: number[]; b: number[]; alpha: number; difference: number; p_value: number; interval: Pair }[]
    paired: { differences: number[]; alpha: number; difference: number; p_value: number; interval: Pair }[]
    rescaled: { differences: number[]; alpha: number; max_draws: number; difference: number; p_value: number; interval: Pair }
  }
  msprt: { difference: number; variance: number; tau: number; alpha: number; log_likelihood_ratio: number; p_value: number; interval: Pair; concluded: boolean }[]
  /** Accuracy's sequential test as the classification comparisons feed it: unpaired counts, paired outcomes. */
  sequential_classification: {
    unpaired: (SequentialExpected & { a: Counts; b: Counts })[]
    paired: (SequentialExpected & { pairs: number; both: number; a_only: number; b_only: number })[]
  }
  benjamini_hochberg: { p_values: (number | null)[]; adjusted: (number | null)[] }[]
  sample_size: {
    proportions: { p: number; delta: number; alpha: number; power: number; n: number }[]
    means: { sd_a: number; sd_b: number; delta: number; alpha: number; power: number; n: number }[]
  }
}

export const compareFixture = JSON.parse(readFileSync(new URL('../fixtures/compare/compare-statistics.json', import.meta.url), 'utf8')) as CompareFixture

/**
 * Asserts |actual − expected| ≤ relative·|expected| + absolute (defaults: the fixture's 1e-6 and 1e-12).
 *
 * @example
 * assertClose(normalSf(1), 0.15865525393145707, 'sf(1)')
 */
export function assertClose(actual: number, expected: number, what: string, tolerance = compareFixture.tolerance): void {
  const allowed = tolerance.relative * Math.abs(expected) + tolerance.absolute
  assert.ok(Math.abs(actual - expected) <= allowed, `${what}: expected ${expected}, got ${actual} (difference ${Math.abs(actual - expected)} > ${allowed})`)
}
