/**
 * Inhibition, kept to one documented rule: while a `critical` volume alert fires for a model version (its
 * traffic dropped or stopped), the version's other alerts notify nobody. Performance, drift and data quality
 * of a window with little or no traffic are noise, and the volume alert already says what is wrong. Like
 * silences, inhibition mutes notifications only; the inhibited alerts still change state.
 */

export interface InhibitionCandidate {
  fingerprint: string
  model: string
  model_version: string
  statistic: string
  severity: string
  status: string
}

/**
 * A function naming the alert that inhibits a given alert (its fingerprint), or undefined when none does.
 *
 * @example
 * const inhibitedBy = inhibitor(allAlerts)
 * inhibitedBy(driftAlert) // the fingerprint of a firing critical volume alert of the same model version
 */
export function inhibitor(alerts: readonly InhibitionCandidate[]): (alert: InhibitionCandidate) => string | undefined {
  const sources = new Map<string, string>()
  for (const a of alerts) {
    if (a.statistic === 'volume' && a.severity === 'critical' && a.status === 'firing') sources.set(`${a.model}\t${a.model_version}`, a.fingerprint)
  }
  return (alert) => (alert.statistic === 'volume' ? undefined : sources.get(`${alert.model}\t${alert.model_version}`))
}
