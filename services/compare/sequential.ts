/**
 * An always-valid sequential test: the mixture sequential probability ratio test (mSPRT) with a normal mixture
 * (Robbins 1970; Johari, Koomen, Pekelis & Walsh 2017, "Peeking at A/B tests"; confidence sequence as in
 * Howard, Ramdas, McAuliffe & Sekhon 2021). A team may look after every window and stop the first time it
 * concludes: the chance of ever concluding when the versions are equal is at most α, however often it looks.
 *
 * With the estimated difference d = θ̂_b − θ̂_a (of means or proportions), its variance v = s_a²/n_a + s_b²/n_b
 * (plug-in, as Johari et al. do for large samples) and a N(0, τ²) mixture over the true difference θ,
 *   Λ = √(v / (v + τ²)) · exp(τ²·d² / (2v(v + τ²)))
 * the always-valid p-value is min(1, 1/Λ) and the test concludes when Λ ≥ 1/α. Inverting Λ(θ) < 1/α gives the
 * (1 − α) confidence sequence d ± √(v(v + τ²)/τ² · (2·ln(1/α) + ln((v + τ²)/v))).
 * Computed afresh at each look from all data so far: taking the running minimum of the p-value across looks
 * (Johari et al.) would also be valid; this value is never smaller, so it is conservative.
 */
import type { Interval } from './interval.js'

export interface SequentialState {
  /** Always-valid two-sided p-value, min(1, 1/Λ). */
  pValue: number
  /** ln Λ, the mixture likelihood ratio's log. */
  logLikelihoodRatio: number
  /** ln(1/α): the test concludes when logLikelihoodRatio reaches it. */
  logThreshold: number
  /** The (1 − α) confidence sequence for b − a at this look. */
  interval: Interval
  /** Λ ≥ 1/α: the difference is established (its sign is that of `difference`). */
  concluded: boolean
  difference: number
  /** The mixture's standard deviation τ. */
  tau: number
  /** The promised error rate: P(ever concluding | no difference) ≤ α. */
  alpha: number
}

/**
 * The mSPRT state after the data so far.
 *
 * @example
 * mixtureSprt({ difference: 0.04, variance: 0.0001, tau: 0.04, alpha: 0.05 }).concluded // true
 */
export function mixtureSprt({ difference, variance, tau, alpha }: { difference: number; variance: number; tau: number; alpha: number }): SequentialState {
  const logThreshold = Math.log(1 / alpha)
  if (!Number.isFinite(difference) || !(variance > 0) || !(tau > 0)) {
    return { pValue: Number.NaN, logLikelihoodRatio: Number.NaN, logThreshold, interval: { lower: Number.NaN, upper: Number.NaN }, concluded: false, difference, tau, alpha }
  }
  const t2 = tau * tau
  const logLikelihoodRatio = 0.5 * Math.log(variance / (variance + t2)) + (t2 * difference * difference) / (2 * variance * (variance + t2))
  const radius = Math.sqrt(((variance * (variance + t2)) / t2) * (2 * logThreshold + Math.log((variance + t2) / variance)))
  return {
    pValue: Math.min(1, Math.exp(-logLikelihoodRatio)),
    logLikelihoodRatio,
    logThreshold,
    interval: { lower: difference - radius, upper: difference + radius },
    concluded: logLikelihoodRatio >= logThreshold,
    difference,
    tau,
    alpha,
  }
}
