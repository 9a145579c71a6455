/**
 * Per-row log loss of a binary classifier, as the monitor defines it (docs/statistics.md, Performance metrics):
 * −ln(clip(p_true, ε, 1 − ε)), p_true = s for a positive label and 1 − s for a negative one, ε = LOG_LOSS_EPS.
 */
import { LOG_LOSS_EPS } from '../monitor/performance/metrics.js'

/**
 * @example
 * logLosses({ scores: Float64Array.of(0.9), labels: Uint8Array.of(1) }) // Float64Array [0.10536…]
 */
export function logLosses({ scores, labels }: { scores: Float64Array; labels: Uint8Array }): Float64Array {
  const out = new Float64Array(scores.length)
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] ?? Number.NaN
    const pTrue = labels[i] === 1 ? s : 1 - s
    out[i] = -Math.log(Math.min(Math.max(pTrue, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS))
  }
  return out
}
