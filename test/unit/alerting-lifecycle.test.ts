/**
 * The alert state machine (services/alerting/lifecycle.ts) on small timelines. Windows are one hour; the
 * evaluation clock `t` moves in minutes, as runAlerting does after each 30 s monitor pass.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { markNotified, step, type AlertState } from '../../services/alerting/lifecycle.js'

const HOUR = 3_600_000
const MIN = 60_000
const W1 = 10 * HOUR
const W2 = W1 + HOUR
const W3 = W2 + HOUR
const rule = { for: 1, repeat_interval: 3600 }

/** Steps and marks notified whenever a notification is wanted, as runAlerting does when nothing mutes it. */
function run(states: AlertState | undefined, obs: { outcome: 'breach' | 'ok' | 'insufficient'; window_start: number }, now: number, r = rule) {
  const s = step(states, obs, r, now)
  return { ...s, next: s.notify ? markNotified(s.next, now) : s.next }
}

describe('alert lifecycle', () => {
  it('fires on the first breach with for: 1, and notifies once', () => {
    const a = run(undefined, { outcome: 'breach', window_start: W1 }, W2 + MIN)
    assert.equal(a.next.status, 'firing')
    assert.equal(a.event, 'firing')
    assert.equal(a.notify, true)
    // The same window judged again (labels arrived, the monitor recomputed it): no second alert.
    const b = run(a.next, { outcome: 'breach', window_start: W1 }, W2 + 2 * MIN)
    assert.equal(b.notify, false)
    assert.equal(b.event, undefined)
    assert.equal(b.next.status, 'firing')
  })

  it('waits in pending until `for` breaching windows, counting a window once however often it is judged', () => {
    const r = { for: 3, repeat_interval: 3600 }
    let s = run(undefined, { outcome: 'breach', window_start: W1 }, W1 + MIN, r)
    assert.deepEqual([s.next.status, s.event, s.next.breaches], ['pending', 'pending', 1])
    s = run(s.next, { outcome: 'breach', window_start: W1 }, W1 + 2 * MIN, r)
    assert.deepEqual([s.next.status, s.event, s.next.breaches], ['pending', undefined, 1])
    s = run(s.next, { outcome: 'breach', window_start: W2 }, W2 + MIN, r)
    assert.deepEqual([s.next.status, s.next.breaches], ['pending', 2])
    s = run(s.next, { outcome: 'breach', window_start: W3 }, W3 + MIN, r)
    assert.deepEqual([s.next.status, s.event, s.notify, s.next.breaches], ['firing', 'firing', true, 3])
  })

  it('goes back to inactive when a pending breach recovers, without notifying', () => {
    const r = { for: 2, repeat_interval: 3600 }
    const a = run(undefined, { outcome: 'breach', window_start: W1 }, W1 + MIN, r)
    const b = run(a.next, { outcome: 'ok', window_start: W2 }, W2 + MIN, r)
    assert.deepEqual([b.next.status, b.event, b.notify, b.next.breaches], ['inactive', 'inactive', false, 0])
  })

  it('repeats a firing alert only after repeat_interval, while the breach is observed', () => {
    const a = run(undefined, { outcome: 'breach', window_start: W1 }, W2)
    const early = run(a.next, { outcome: 'breach', window_start: W2 }, W2 + 59 * MIN)
    assert.equal(early.notify, false)
    const due = run(early.next, { outcome: 'breach', window_start: W2 }, W2 + 60 * MIN)
    assert.deepEqual([due.event, due.notify, due.next.last_notified_at], ['repeat', true, W2 + 60 * MIN])
    assert.equal(due.next.started_at, W2, 'a repeat keeps the firing start')
  })

  it('resolves on recovery with a notification, then fires anew on the next breach', () => {
    const a = run(undefined, { outcome: 'breach', window_start: W1 }, W2)
    const resolved = run(a.next, { outcome: 'ok', window_start: W2 }, W3)
    assert.deepEqual([resolved.next.status, resolved.event, resolved.notify, resolved.next.resolved_at], ['resolved', 'resolved', true, W3])
    const again = run(resolved.next, { outcome: 'breach', window_start: W3 }, W3 + HOUR)
    assert.deepEqual([again.next.status, again.event, again.next.started_at, again.next.resolved_at], ['firing', 'firing', W3 + HOUR, null])
  })

  it('resolves quietly when its firing was never notified (muted throughout)', () => {
    const firing = step(undefined, { outcome: 'breach', window_start: W1 }, rule, W2) // wanted, but muted: not marked notified
    const resolved = step(firing.next, { outcome: 'ok', window_start: W2 }, rule, W3)
    assert.deepEqual([resolved.next.status, resolved.event, resolved.notify], ['resolved', 'resolved', false])
  })

  it('notifies a firing alert that was muted as soon as it is no longer muted, without waiting for repeat_interval', () => {
    const firing = step(undefined, { outcome: 'breach', window_start: W1 }, rule, W2)
    const next = step(firing.next, { outcome: 'breach', window_start: W1 }, rule, W2 + MIN)
    assert.deepEqual([next.event, next.notify], ['repeat', true])
  })

  it('holds its state on insufficient data', () => {
    const a = run(undefined, { outcome: 'breach', window_start: W1 }, W2)
    const held = run(a.next, { outcome: 'insufficient', window_start: W2 }, W3)
    assert.deepEqual(held.next, a.next)
    assert.equal(held.notify, false)
  })
})
