/**
 * What people do to alerts, in the state machine (services/alerting/lifecycle.ts): an acknowledgement stops
 * repeats of the current firing only; a manual resolve closes it, tells receivers as a recovery would, and a
 * breach that persists fires anew at the next evaluation. Windows are one hour; `t` moves in minutes.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { acknowledge, isAcknowledged, markNotified, resolveManually, step, type AlertState } from '../../services/alerting/lifecycle.js'

const HOUR = 3_600_000
const MIN = 60_000
const W1 = 10 * HOUR
const W2 = W1 + HOUR
const W3 = W2 + HOUR
const rule = { for: 1, repeat_interval: 3600 }
const ops = { by: 'ops', comment: 'retraining' }

/** Steps and marks notified whenever a notification is wanted, as runAlerting does when nothing mutes it. */
function run(state: AlertState | undefined, outcome: 'breach' | 'ok', windowStart: number, now: number, r = rule) {
  const s = step(state, { outcome, window_start: windowStart }, r, now)
  return { ...s, next: s.notify ? markNotified(s.next, now) : s.next }
}

describe('acknowledging and resolving alerts by hand', () => {
  it('acknowledges only a firing alert, recording who and why, without notifying', () => {
    const pending = run(undefined, 'breach', W1, W2, { for: 2, repeat_interval: 3600 })
    assert.equal(acknowledge(pending.next, ops, W2 + MIN), undefined)
    const firing = run(undefined, 'breach', W1, W2)
    const acked = acknowledge(firing.next, ops, W2 + MIN)
    assert.deepEqual([acked?.event, acked?.notify, acked?.next.acknowledged_at, acked?.next.acknowledged_by, acked?.next.ack_comment], ['acknowledged', false, W2 + MIN, 'ops', 'retraining'])
    assert.equal(acked?.next.status, 'firing', 'an acknowledged alert keeps firing')
  })

  it('stops repeats of an acknowledged alert while the breach lasts, but still sends its resolve', () => {
    const firing = run(undefined, 'breach', W1, W2)
    const acked = acknowledge(firing.next, ops, W2 + MIN)?.next
    assert.ok(acked !== undefined)
    const later = run(acked, 'breach', W3, W3 + 5 * HOUR)
    assert.deepEqual([later.event, later.notify, later.next.status], [undefined, false, 'firing'], 'no repeat even long after repeat_interval')
    const resolved = run(later.next, 'ok', W3 + HOUR, W3 + 6 * HOUR)
    assert.deepEqual([resolved.event, resolved.notify], ['resolved', true])
  })

  it('starts a new firing unacknowledged, so its repeats come again', () => {
    const firing = run(undefined, 'breach', W1, W2)
    const acked = acknowledge(firing.next, ops, W2 + MIN)?.next
    assert.ok(acked !== undefined)
    const resolved = run(acked, 'ok', W2, W3)
    const again = run(resolved.next, 'breach', W3, W3 + HOUR)
    assert.deepEqual([again.event, again.notify, again.next.acknowledged_at, again.next.acknowledged_by], ['firing', true, null, ''])
    assert.equal(isAcknowledged(again.next), false)
    const repeat = run(again.next, 'breach', W3 + HOUR, W3 + 2 * HOUR)
    assert.deepEqual([repeat.event, repeat.notify], ['repeat', true])
  })

  it('resolves a firing alert by hand with the notification a recovery sends, and fires anew if the breach persists', () => {
    const r = { for: 2, repeat_interval: 3600 }
    const firing = run(run(undefined, 'breach', W1, W2, r).next, 'breach', W2, W3, r)
    assert.equal(firing.next.status, 'firing')
    const resolved = resolveManually(firing.next, W3 + MIN)
    assert.deepEqual([resolved?.event, resolved?.notify, resolved?.next.status, resolved?.next.resolved_at], ['resolved', true, 'resolved', W3 + MIN])
    assert.ok(resolved !== undefined)
    // The same window judged again, still breaching: a new alert at once, not after `for` more windows.
    const again = run(resolved.next, 'breach', W2, W3 + 2 * MIN, r)
    assert.deepEqual([again.event, again.notify, again.next.status, again.next.started_at], ['firing', true, 'firing', W3 + 2 * MIN])
  })

  it('resolves quietly an alert whose firing nobody was told of, closes a pending one, and refuses a resolved one', () => {
    const muted = step(undefined, { outcome: 'breach', window_start: W1 }, rule, W2).next
    assert.equal(resolveManually(muted, W2 + MIN)?.notify, false)
    const pending = run(undefined, 'breach', W1, W2, { for: 2, repeat_interval: 3600 })
    assert.deepEqual([resolveManually(pending.next, W2 + MIN)?.next.status, resolveManually(pending.next, W2 + MIN)?.event], ['inactive', 'inactive'])
    const resolved = run(run(undefined, 'breach', W1, W2).next, 'ok', W2, W3)
    assert.equal(resolveManually(resolved.next, W3 + MIN), undefined)
  })
})
