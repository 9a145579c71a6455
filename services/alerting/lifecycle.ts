/**
 * The alert state machine, one per fingerprint (Alertmanager's lifecycle): inactive → pending (breaching,
 * `for` not yet met) → firing → resolved, and back to pending or firing on a new breach. Pure: the caller
 * persists the state (alerts-store.ts) and decides, with silences and inhibition, whether a wanted
 * notification is sent.
 *
 * `for` counts breaching windows, not evaluations: the monitor recomputes a window many times while its
 * labels arrive, and each re-evaluation of the same window replaces that window's verdict instead of adding
 * one. A firing alert wants a notification when it starts firing, again every `repeat_interval` while a
 * breach is observed, and when it resolves (only if its firing was notified: a silenced alert resolves quietly).
 * Insufficient data holds the state as it is.
 *
 * People act on alerts too (the API): acknowledging a firing alert stops its repeat notifications until it
 * resolves or fires anew (a new firing starts unacknowledged); resolving one by hand closes it now, with the
 * resolve notification a recovery would send, and a breach that persists fires a new alert at the next
 * evaluation.
 */
import type { Outcome } from './conditions.js'

export type AlertStatus = 'inactive' | 'pending' | 'firing' | 'resolved'
export type AlertEvent = 'pending' | 'firing' | 'repeat' | 'resolved' | 'inactive' | 'acknowledged'

export interface AlertState {
  status: AlertStatus
  /** Consecutive breaching windows, the current one included. */
  breaches: number
  /** Whether the window last judged breached (so a re-evaluation of it is not counted twice). */
  last_breached: boolean
  /** Start of the window last judged, ms; 0 before the first. */
  window_start: number
  started_at: number | null
  resolved_at: number | null
  last_notified_at: number | null
  /** When someone acknowledged the current firing; null when nobody has (or it fired anew since). */
  acknowledged_at: number | null
  /** Who acknowledged (an API token's name), and what they said; '' when nobody has. */
  acknowledged_by: string
  ack_comment: string
}

export interface StepRule {
  for: number
  /** Seconds. */
  repeat_interval: number
}

export interface Step {
  next: AlertState
  /** The transition (or repeat) this evaluation caused; undefined when nothing changed worth recording. */
  event?: AlertEvent
  /** Whether the event is one receivers hear about (firing, repeat, resolved). */
  notify: boolean
}

export const INITIAL_STATE: AlertState = { status: 'inactive', breaches: 0, last_breached: false, window_start: 0, started_at: null, resolved_at: null, last_notified_at: null, acknowledged_at: null, acknowledged_by: '', ack_comment: '' }

const UNACKNOWLEDGED = { acknowledged_at: null, acknowledged_by: '', ack_comment: '' } as const

/**
 * @example
 * const { next, event, notify } = step(undefined, { outcome: 'breach', window_start: t }, { for: 1, repeat_interval: 3600 }, now)
 * // next.status === 'firing', event === 'firing', notify === true
 */
export function step(previous: AlertState | undefined, observation: { outcome: Outcome; window_start: number }, rule: StepRule, now: number): Step {
  // Callers pass whole alert records; `next` must hold only the state, or spreading it over a freshly observed
  // record would put the previous window's evidence (value, window_end, sample sizes) back on it.
  const prev = stateOf(previous ?? INITIAL_STATE)
  if (observation.outcome === 'insufficient') return { next: prev, notify: false }
  const sameWindow = observation.window_start === prev.window_start
  if (observation.outcome === 'ok') {
    const next: AlertState = { ...prev, breaches: 0, last_breached: false, window_start: observation.window_start }
    if (prev.status === 'firing') {
      const notified = prev.last_notified_at !== null && prev.started_at !== null && prev.last_notified_at >= prev.started_at
      return { next: { ...next, status: 'resolved', resolved_at: now }, event: 'resolved', notify: notified }
    }
    if (prev.status === 'pending') return { next: { ...next, status: 'inactive' }, event: 'inactive', notify: false }
    return { next, notify: false }
  }
  // A breach: a new window adds one; the same window, judged again, counts only if it did not breach before.
  const breaches = sameWindow && prev.last_breached ? prev.breaches : prev.breaches + 1
  const next: AlertState = { ...prev, breaches, last_breached: true, window_start: observation.window_start }
  if (prev.status === 'firing') {
    if (isAcknowledged(prev)) return { next, notify: false }
    const due = prev.last_notified_at === null || prev.started_at === null || prev.last_notified_at < prev.started_at || now - prev.last_notified_at >= rule.repeat_interval * 1000
    return due ? { next, event: 'repeat', notify: true } : { next, notify: false }
  }
  if (breaches >= rule.for) return { next: { ...next, ...UNACKNOWLEDGED, status: 'firing', started_at: now, resolved_at: null }, event: 'firing', notify: true }
  if (prev.status === 'pending') return { next, notify: false }
  return { next: { ...next, status: 'pending' }, event: 'pending', notify: false }
}

function stateOf(s: AlertState): AlertState {
  return {
    status: s.status, breaches: s.breaches, last_breached: s.last_breached, window_start: s.window_start, started_at: s.started_at, resolved_at: s.resolved_at,
    last_notified_at: s.last_notified_at, acknowledged_at: s.acknowledged_at, acknowledged_by: s.acknowledged_by, ack_comment: s.ack_comment,
  }
}

/** The state after a notification for it was handed to delivery. */
export function markNotified<T extends AlertState>(state: T, now: number): T {
  return { ...state, last_notified_at: now }
}

/** Whether someone acknowledged the alert's current firing (an acknowledgement of an earlier one does not count). */
export function isAcknowledged(state: AlertState): boolean {
  return state.acknowledged_at !== null && state.started_at !== null && state.acknowledged_at >= state.started_at
}

/**
 * Someone takes a firing alert on: its repeats stop until it resolves or fires anew. Acknowledging again
 * replaces who and the comment. Undefined when the alert is not firing (nothing to take on).
 *
 * @example
 * acknowledge(firing, { by: 'ops', comment: 'retraining' }, now) // { next: { ...firing, acknowledged_at: now, ... }, event: 'acknowledged', notify: false }
 */
export function acknowledge(state: AlertState, who: { by: string; comment: string }, now: number): Step | undefined {
  if (state.status !== 'firing') return undefined
  return { next: { ...state, acknowledged_at: now, acknowledged_by: who.by, ack_comment: who.comment }, event: 'acknowledged', notify: false }
}

/**
 * Someone resolves a pending or firing alert by hand. Receivers hear it as they would hear a recovery (only
 * if the firing was notified). The breach count is kept, so a breach that persists fires a new alert at the
 * next evaluation instead of waiting `for` windows again. Undefined when the alert is not open.
 *
 * @example
 * resolveManually(firing, now) // { next: { ...firing, status: 'resolved', resolved_at: now }, event: 'resolved', notify: true }
 */
export function resolveManually(state: AlertState, now: number): Step | undefined {
  if (state.status !== 'firing' && state.status !== 'pending') return undefined
  const notified = state.status === 'firing' && state.last_notified_at !== null && state.started_at !== null && state.last_notified_at >= state.started_at
  // A pending alert never fired; closing it makes it inactive, as a recovery would.
  if (state.status === 'pending') return { next: { ...state, status: 'inactive', breaches: 0, last_breached: false }, event: 'inactive', notify: false }
  return { next: { ...state, status: 'resolved', resolved_at: now }, event: 'resolved', notify: notified }
}
