/**
 * DeLong's test for ROC AUC (DeLong, DeLong & Clarke-Pearson 1988), with the fast algorithm of Sun & Xu (2014).
 * For a version with m positives (scores X_i) and n negatives (Y_j), the structural components are
 *   V10_i = (#{j: Y_j < X_i} + ½·#{j: Y_j = X_i}) / n,   V01_j = (#{i: X_i > Y_j} + ½·#{i: X_i = Y_j}) / m,
 * AUC = mean V10 = mean V01 (ties count half, as roc_auc_score), and Var(AUC) = S10/m + S01/n with S10, S01
 * the sample variances (m − 1, n − 1) of the components.
 * Sun & Xu write V10_i = (T_Z,i − T_X,i)/n with midranks T over all and over positives only; the same counts
 * come from two sorted arrays and binary searches, O((m + n) log(m + n)) with native typed-array sorts.
 *  - independent samples (split traffic): z = (AUC_b − AUC_a) / √(Var_a + Var_b);
 *  - correlated (paired: the same events and labels scored by both): Var(AUC_b − AUC_a) =
 *    (S10_aa + S10_bb − 2·S10_ab)/m + (S01_aa + S01_bb − 2·S01_ab)/n, S_ab the covariance of the components.
 * Intervals are AUC ± z_{1−α/2}·√Var (not clipped to [0, 1]); p = 2·Φ(−|z|).
 */
import { NAN_INTERVAL, type Interval, type TestResult } from './interval.js'
import { normalQuantile, normalTwoSidedP } from './normal.js'

/** Scores and labels (1 positive, 0 negative) of one version, row by row. */
export interface ScoredLabels {
  scores: Float64Array
  labels: Uint8Array
}

/** Structural components of one version, in row order of its positives and its negatives. */
export interface StructuralComponents {
  auc: number
  v10: Float64Array
  v01: Float64Array
}

/**
 * AUC and structural components; NaN AUC and empty components unless both classes occur.
 *
 * @example
 * structuralComponents({ scores: Float64Array.of(0.9, 0.2, 0.6), labels: Uint8Array.of(1, 0, 0) }).auc // 1
 */
export function structuralComponents({ scores, labels }: ScoredLabels): StructuralComponents {
  let m = 0
  for (let i = 0; i < labels.length; i++) m += labels[i] === 1 ? 1 : 0
  const n = labels.length - m
  if (m === 0 || n === 0) return { auc: Number.NaN, v10: new Float64Array(0), v01: new Float64Array(0) }
  const positives = new Float64Array(m)
  const negatives = new Float64Array(n)
  for (let i = 0, p = 0, q = 0; i < labels.length; i++) {
    if (labels[i] === 1) positives[p++] = scores[i] ?? Number.NaN
    else negatives[q++] = scores[i] ?? Number.NaN
  }
  const sortedPositives = positives.slice().sort()
  const sortedNegatives = negatives.slice().sort()
  const v10 = new Float64Array(m)
  const v01 = new Float64Array(n)
  let sum = 0
  for (let i = 0; i < m; i++) {
    const x = positives[i] ?? Number.NaN
    const below = lowerBound(sortedNegatives, x)
    v10[i] = (below + 0.5 * (upperBound(sortedNegatives, x) - below)) / n
    sum += v10[i] ?? 0
  }
  for (let j = 0; j < n; j++) {
    const y = negatives[j] ?? Number.NaN
    const atOrBelow = upperBound(sortedPositives, y)
    v01[j] = (m - atOrBelow + 0.5 * (atOrBelow - lowerBound(sortedPositives, y))) / m
  }
  return { auc: sum / m, v10, v01 }
}

/**
 * AUC of one version with its DeLong interval.
 *
 * @example
 * aucWithInterval(components, 0.05).interval
 */
export function aucWithInterval(c: StructuralComponents, alpha: number): { auc: number; variance: number; interval: Interval } {
  const variance = covariance(c.v10, c.v10) / c.v10.length + covariance(c.v01, c.v01) / c.v01.length
  const half = normalQuantile(1 - alpha / 2) * Math.sqrt(variance)
  return { auc: c.auc, variance, interval: Number.isFinite(half) ? { lower: c.auc - half, upper: c.auc + half } : NAN_INTERVAL }
}

/**
 * DeLong's test for two independent AUCs (different events per version).
 *
 * @example
 * delongIndependent(structuralComponents(a), structuralComponents(b), 0.05).pValue
 */
export function delongIndependent(a: StructuralComponents, b: StructuralComponents, alpha: number): TestResult {
  const variance = aucWithInterval(a, alpha).variance + aucWithInterval(b, alpha).variance
  return fromVariance('delong_independent', b.auc - a.auc, variance, alpha)
}

/**
 * DeLong's test for two correlated AUCs: both versions' components over the same positives and negatives,
 * in the same order (structuralComponents of the same labels).
 *
 * @example
 * delongPaired(structuralComponents({ scores: a, labels }), structuralComponents({ scores: b, labels }), 0.05)
 */
export function delongPaired(a: StructuralComponents, b: StructuralComponents, alpha: number): TestResult {
  if (a.v10.length !== b.v10.length || a.v01.length !== b.v01.length) throw new RangeError('paired DeLong needs both versions scored on the same labelled events')
  const m = a.v10.length
  const n = a.v01.length
  const s10 = covariance(a.v10, a.v10) + covariance(b.v10, b.v10) - 2 * covariance(a.v10, b.v10)
  const s01 = covariance(a.v01, a.v01) + covariance(b.v01, b.v01) - 2 * covariance(a.v01, b.v01)
  return fromVariance('delong_paired', b.auc - a.auc, s10 / m + s01 / n, alpha)
}

function fromVariance(test: string, difference: number, variance: number, alpha: number): TestResult {
  if (!Number.isFinite(difference) || !Number.isFinite(variance)) return { test, difference: Number.NaN, interval: NAN_INTERVAL, pValue: Number.NaN, statistic: Number.NaN }
  const se = Math.sqrt(Math.max(0, variance))
  const half = normalQuantile(1 - alpha / 2) * se
  // Equal AUCs with no variance (e.g. identical scores) are no evidence of a difference.
  const statistic = se === 0 ? (difference === 0 ? 0 : Math.sign(difference) * Number.POSITIVE_INFINITY) : difference / se
  return { test, difference, interval: { lower: difference - half, upper: difference + half }, pValue: normalTwoSidedP(statistic), statistic }
}

/** Sample covariance (n − 1); NaN below two values. Two passes, so large means do not cost precision. */
function covariance(x: Float64Array, y: Float64Array): number {
  const n = x.length
  if (n < 2) return Number.NaN
  let mx = 0
  let my = 0
  for (let i = 0; i < n; i++) {
    mx += x[i] ?? 0
    my += y[i] ?? 0
  }
  mx /= n
  my /= n
  let s = 0
  for (let i = 0; i < n; i++) s += ((x[i] ?? 0) - mx) * ((y[i] ?? 0) - my)
  return s / (n - 1)
}

/** Index of the first element ≥ v in a sorted array. */
function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sorted[mid] ?? 0) < v) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Index of the first element > v in a sorted array. */
function upperBound(sorted: Float64Array, v: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sorted[mid] ?? 0) <= v) lo = mid + 1
    else hi = mid
  }
  return lo
}
