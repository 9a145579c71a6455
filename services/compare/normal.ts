/**
 * The standard normal distribution: tail probabilities for z-tests and quantiles for intervals. No dependency:
 * the tail is the regularised incomplete gamma function the drift tests already use, Φ(−|z|) = ½·Q(½, z²/2)
 * (erfc(x) = Q(½, x²)), so it keeps its relative precision far into the tail; the quantile is Wichura's AS 241
 * (PPND16, relative error about 1e-16). Checked against scipy.stats.norm (test/unit/compare-distributions.test.ts).
 */
import { regularizedGammaQ } from '../monitor/drift/chi-square.js'

/**
 * P(Z ≥ z) for a standard normal Z.
 *
 * @example
 * normalSf(1.959963984540054) // 0.025
 */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN
  if (z === Number.POSITIVE_INFINITY) return 0
  if (z === Number.NEGATIVE_INFINITY) return 1
  const tail = 0.5 * regularizedGammaQ(0.5, (z * z) / 2)
  return z >= 0 ? tail : 1 - tail
}

/**
 * P(Z ≤ z) for a standard normal Z.
 *
 * @example
 * normalCdf(0) // 0.5
 */
export function normalCdf(z: number): number {
  return normalSf(-z)
}

/**
 * Two-sided p-value of a z statistic, P(|Z| ≥ |z|).
 *
 * @example
 * normalTwoSidedP(1.959963984540054) // 0.05
 */
export function normalTwoSidedP(z: number): number {
  if (Number.isNaN(z)) return Number.NaN
  return Math.min(1, 2 * normalSf(Math.abs(z)))
}

/**
 * The z with P(Z ≤ z) = p (AS 241, Wichura 1988). ±Infinity at 0 and 1, NaN outside [0, 1].
 *
 * @example
 * normalQuantile(0.975) // 1.959963984540054
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN
  if (p === 0) return Number.NEGATIVE_INFINITY
  if (p === 1) return Number.POSITIVE_INFINITY
  const q = p - 0.5
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q
    return (q * poly(A, r)) / poly(B, r)
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p))
  let x: number
  if (r <= 5) {
    r -= 1.6
    x = poly(C, r) / poly(D, r)
  } else {
    r -= 5
    x = poly(E, r) / poly(F, r)
  }
  return q < 0 ? -x : x
}

/** Horner evaluation of c[0] + c[1]·x + … */
function poly(c: readonly number[], x: number): number {
  let s = 0
  for (let i = c.length - 1; i >= 0; i--) s = s * x + (c[i] ?? 0)
  return s
}

const A = [3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125, 45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727]
const B = [1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867, 39307.89580009271061, 28729.085735721942674, 5226.495278852545925]
const C = [1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504, 1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4]
const D = [1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9]
const E = [6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123, 0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7]
const F = [1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15]
