/**
 * Student's t distribution for the t-tests: the tail from the regularised incomplete beta function,
 * P(|T| ≥ t) = I_{ν/(ν+t²)}(ν/2, ½), and the quantile by bisection refined with Newton steps on that tail.
 * I_x(a, b) is Numerical Recipes (3rd ed.) §6.4: the continued fraction evaluated with the modified Lentz method,
 * applied to I_x(a, b) or 1 − I_{1−x}(b, a), whichever converges fast, so the small tail is computed directly
 * and keeps its relative precision. ln Γ is the drift tests' Lanczos approximation.
 * Checked against scipy.stats.t and scipy.special.betainc (test/unit/compare-distributions.test.ts).
 */
import { lnGamma } from '../monitor/drift/chi-square.js'
import { normalQuantile } from './normal.js'

const EPSILON = 1e-16
const TINY = 1e-300
const MAX_ITERATIONS = 100_000

/**
 * The regularised incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b), a, b > 0, 0 ≤ x ≤ 1.
 *
 * @example
 * regularizedBeta(0.5, 2, 2) // 0.5
 */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0) || !(x >= 0 && x <= 1)) return Number.NaN
  if (x === 0 || x === 1) return x
  // x^a (1−x)^b / (a B(a, b)), in logs so large a and b do not overflow
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log1p(-x))
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b
}

/** The continued fraction of I_x(a, b) (NR eq. 6.4.5), modified Lentz. */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b
  const qap = a + 1
  const qam = a - 1
  let c = 1
  let d = 1 - (qab * x) / qap
  if (Math.abs(d) < TINY) d = TINY
  d = 1 / d
  let h = d
  for (let m = 1; m < MAX_ITERATIONS; m++) {
    const m2 = 2 * m
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2))
    d = 1 + aa * d
    if (Math.abs(d) < TINY) d = TINY
    c = 1 + aa / c
    if (Math.abs(c) < TINY) c = TINY
    d = 1 / d
    h *= d * c
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2))
    d = 1 + aa * d
    if (Math.abs(d) < TINY) d = TINY
    c = 1 + aa / c
    if (Math.abs(c) < TINY) c = TINY
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < EPSILON) break
  }
  return h
}

/**
 * Two-sided p-value of a t statistic with `df` degrees of freedom (df may be fractional, as Welch's is).
 *
 * @example
 * tTwoSidedP(2.228138851964939, 10) // 0.05
 */
export function tTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN
  if (!Number.isFinite(t)) return 0
  return Math.min(1, regularizedBeta(df / (df + t * t), df / 2, 0.5))
}

/**
 * P(T ≤ t) for T ~ t with `df` degrees of freedom.
 *
 * @example
 * tCdf(0, 5) // 0.5
 */
export function tCdf(t: number, df: number): number {
  const half = tTwoSidedP(t, df) / 2
  return t >= 0 ? 1 - half : half
}

/**
 * The t with P(T ≤ t) = p. Bisection on the two-sided tail (monotone in |t|) started from the normal quantile,
 * then Newton steps on the t density until the tail matches to machine precision.
 *
 * @example
 * tQuantile(0.975, 10) // 2.228138851964939
 */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) return p === 0 ? Number.NEGATIVE_INFINITY : p === 1 ? Number.POSITIVE_INFINITY : Number.NaN
  if (p === 0.5) return 0
  const tail = 2 * Math.min(p, 1 - p) // wanted P(|T| ≥ t)
  let lo = 0
  let hi = Math.max(1, Math.abs(normalQuantile(tail / 2)))
  while (tTwoSidedP(hi, df) > tail) hi *= 2
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2
    if (tTwoSidedP(mid, df) > tail) lo = mid
    else hi = mid
  }
  let t = (lo + hi) / 2
  const lnNorm = lnGamma((df + 1) / 2) - lnGamma(df / 2) - 0.5 * Math.log(df * Math.PI)
  for (let i = 0; i < 5; i++) {
    const density = Math.exp(lnNorm - ((df + 1) / 2) * Math.log1p((t * t) / df))
    const step = (tTwoSidedP(t, df) - tail) / (2 * density)
    t += step
    if (Math.abs(step) <= 1e-15 * t) break
  }
  return p < 0.5 ? -t : t
}
