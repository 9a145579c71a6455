/**
 * Samples per version needed to detect a minimum detectable effect δ with a two-sided test at level α and
 * power 1 − β (normal approximation; docs/statistics.md, "Comparing versions"):
 *  - two proportions (Fleiss, Levin & Paik 2003, §4.2, without continuity correction), p₂ = p₁ + δ, p̄ = (p₁ + p₂)/2:
 *    n = (z_{1−α/2}·√(2·p̄(1 − p̄)) + z_{1−β}·√(p₁(1 − p₁) + p₂(1 − p₂)))² / δ²
 *    — statsmodels' samplesize_proportions_2indep_onetail(diff=δ, prop2=p₁, power, alpha=α, alternative='two-sided');
 *  - two means with standard deviations σ_a, σ_b (and a paired design with σ the per-event differences' and
 *    σ_b = 0): n = (z_{1−α/2} + z_{1−β})²·(σ_a² + σ_b²) / δ²;
 *  - any estimate whose variance v falls as 1/n (ROC AUC by DeLong): n_required = n·(z_{1−α/2} + z_{1−β})²·v / δ².
 */
import { normalQuantile } from './normal.js'

/**
 * Per-version sample size for a difference of δ between two proportions, from p (version a's). NaN when
 * p + δ leaves [0, 1] or δ = 0.
 *
 * @example
 * proportionsSampleSize(0.8, 0.05, 0.05, 0.8) // 1093.4…
 */
export function proportionsSampleSize(p: number, delta: number, alpha: number, power: number): number {
  const p2 = p + delta
  if (delta === 0 || !(p >= 0 && p <= 1 && p2 >= 0 && p2 <= 1)) return Number.NaN
  const mean = (p + p2) / 2
  const za = normalQuantile(1 - alpha / 2)
  const zb = normalQuantile(power)
  return (za * Math.sqrt(2 * mean * (1 - mean)) + zb * Math.sqrt(p * (1 - p) + p2 * (1 - p2))) ** 2 / delta ** 2
}

/**
 * Per-version (or, paired, per-pair) sample size for a difference of δ between two means.
 *
 * @example
 * meansSampleSize(1, 1, 0.2, 0.05, 0.8) // 392.4…
 */
export function meansSampleSize(sdA: number, sdB: number, delta: number, alpha: number, power: number): number {
  if (delta === 0 || !Number.isFinite(sdA) || !Number.isFinite(sdB)) return Number.NaN
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(power)
  return (z * z * (sdA * sdA + sdB * sdB)) / (delta * delta)
}

/**
 * Sample size from an estimate's current variance, for statistics without a closed power formula (ROC AUC):
 * the variance of the difference falls as 1/n, so n_required = n·(z_{1−α/2} + z_{1−β})²·v / δ².
 *
 * @example
 * varianceScaledSampleSize(500, 0.0004, 0.02, 0.05, 0.8) // 3924.3…
 */
export function varianceScaledSampleSize(n: number, variance: number, delta: number, alpha: number, power: number): number {
  if (delta === 0 || !Number.isFinite(variance)) return Number.NaN
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(power)
  return (n * z * z * variance) / (delta * delta)
}

/**
 * What is still missing: ⌈required⌉ minus what each version has (the smaller arm), never below 0; null when the
 * requirement is undefined.
 *
 * @example
 * samplesStillNeeded(1093.4, 800) // 294
 */
export function samplesStillNeeded(required: number, have: number): number | null {
  if (!Number.isFinite(required)) return null
  return Math.max(0, Math.ceil(required) - have)
}
