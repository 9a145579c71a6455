/**
 * Bounds on how many of each stored thing users may create (the MODELWATCH_MAX_* settings; docs/limits.md).
 * Each one costs work on a hot path (a monitor pass, an alerting run), so one more than the bound is refused
 * with a message naming the setting, rather than slowing every pass down.
 */
import { ModelwatchError } from './errors.js'

export interface Bound {
  /** What is counted, plural: `silences that have not ended`. */
  what: string
  limit: number
  /** The setting that holds `limit`. */
  setting: string
  /** How to make room: `expire one (DELETE /v1/silences/{id})`. */
  remedy: string
}

/**
 * Throws LIMIT_EXCEEDED when `adding` more to `existing` would pass the bound; adding nothing always passes.
 *
 * @example
 * ensureRoom({ what: 'models', limit: config.limits.models, setting: 'MODELWATCH_MAX_MODELS', remedy: 'raise the setting' }, models.length, 1)
 */
export function ensureRoom(bound: Bound, existing: number, adding: number): void {
  if (adding <= 0 || existing + adding <= bound.limit) return
  throw new ModelwatchError(
    'LIMIT_EXCEEDED',
    `at most ${bound.limit} ${bound.what} (${bound.setting}): ${existing} exist and this would add ${adding}; ${bound.remedy}, or raise ${bound.setting}`,
  )
}

/** The limits a Config carries (config.limits). */
export interface Limits {
  models: number
  monitors: number
  silences: number
  channels: number
  challengers: number
}

/**
 * Each configured bound with its wording, so every place that checks one says the same thing.
 *
 * @example
 * ensureRoom(bounds(config.limits).silences, current.length, 1)
 */
export function bounds(limits: Limits): Record<keyof Limits, Bound> {
  return {
    models: { what: 'registered models', limit: limits.models, setting: 'MODELWATCH_MAX_MODELS', remedy: 'replace an existing model' },
    monitors: { what: 'live monitors', limit: limits.monitors, setting: 'MODELWATCH_MAX_MONITORS', remedy: 'delete one (DELETE /v1/monitors/{name}, or apply --prune)' },
    silences: { what: 'silences that have not ended', limit: limits.silences, setting: 'MODELWATCH_MAX_SILENCES', remedy: 'expire one (DELETE /v1/silences/{id})' },
    channels: { what: 'notification channels', limit: limits.channels, setting: 'MODELWATCH_MAX_CHANNELS', remedy: 'delete one (DELETE /v1/channels/{name}, or apply --prune)' },
    challengers: { what: 'versions of one model in shadow or challenger', limit: limits.challengers, setting: 'MODELWATCH_MAX_CHALLENGERS', remedy: 'archive or promote one of them' },
  }
}
