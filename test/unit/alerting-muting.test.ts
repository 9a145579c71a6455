/**
 * What keeps a notification from going out: silences (matchers and a time range) and inhibition (a firing
 * critical volume alert of a model version); and grouping, which turns the rest into one notification per
 * group and channel.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { groupNotifications } from '../../services/alerting/grouping.js'
import { inhibitor } from '../../services/alerting/inhibition.js'
import type { AlertSummary } from '../../services/alerting/notification.js'
import { activeSilence, matches, MAX_SILENCE_MATCHERS, silenceProblems, silenceSpecSchema, storedSilenceSchema, type SilenceLabels } from '../../services/alerting/silences.js'

const labels: SilenceLabels = { monitor: 'feature-drift', model: 'churn', version: '3', segment: '', column: 'plan', severity: 'warning' }
const silence = (matchers: object[], starts_at = 1000, ends_at = 2000) => silenceSpecSchema.parse({ id: 's1', matchers, starts_at, ends_at })

describe('silences', () => {
  it('match with =, != and anchored =~', () => {
    assert.equal(matches({ name: 'model', op: '=', value: 'churn' }, labels), true)
    assert.equal(matches({ name: 'model', op: '!=', value: 'churn' }, labels), false)
    assert.equal(matches({ name: 'column', op: '=~', value: 'pl.*|tenure' }, labels), true)
    assert.equal(matches({ name: 'column', op: '=~', value: 'pla' }, labels), false, 'anchored at both ends')
    assert.equal(matches({ name: 'segment', op: '=', value: '' }, labels), true)
  })

  it('apply only inside [starts_at, ends_at) and only when every matcher holds', () => {
    const s = silence([{ name: 'model', value: 'churn' }, { name: 'severity', op: '!=', value: 'critical' }])
    assert.equal(activeSilence([s], labels, 999), undefined)
    assert.equal(activeSilence([s], labels, 1000)?.id, 's1')
    assert.equal(activeSilence([s], labels, 2000), undefined)
    assert.equal(activeSilence([s], { ...labels, severity: 'critical' }, 1500), undefined)
  })

  it('refuse a bad regular expression, an unknown label and an empty range with the field named', () => {
    const problems = (input: object) => silenceSpecSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? []
    assert.match(problems({ id: 'x', matchers: [{ name: 'column', op: '=~', value: '(' }], starts_at: 1, ends_at: 2 })[0] ?? '', /^matchers\.0\.value: not an RE2 regular expression: missing closing \)/)
    assert.match(problems({ id: 'x', matchers: [{ name: 'team', value: 'a' }], starts_at: 1, ends_at: 2 })[0] ?? '', /^matchers\.0\.name: /)
    assert.match(problems({ id: 'x', matchers: [{ name: 'model', value: 'a' }], starts_at: 2, ends_at: 2 })[0] ?? '', /^ends_at: ends_at must be after starts_at/)
  })

  it('refuse patterns RE2 does not have (backreferences, lookarounds), naming RE2', () => {
    for (const value of ['(a)\\1', '(?=a)a', '(?!a)b', '(?<=a)b', '(?<!a)b']) {
      const issue = silenceSpecSchema.safeParse({ id: 'x', matchers: [{ name: 'monitor', op: '=~', value }], starts_at: 1, ends_at: 2 }).error?.issues[0]
      assert.deepEqual(issue?.path, ['matchers', 0, 'value'], value)
      assert.match(issue?.message ?? '', /^not an RE2 regular expression: .*no lookarounds, no backreferences/, value)
    }
  })

  it(`take at most ${MAX_SILENCE_MATCHERS} matchers`, () => {
    const input = (n: number) => ({ id: 'x', matchers: Array.from({ length: n }, () => ({ name: 'model', value: 'churn' })), starts_at: 1, ends_at: 2 })
    assert.equal(silenceSpecSchema.safeParse(input(MAX_SILENCE_MATCHERS)).success, true)
    assert.match(silenceSpecSchema.safeParse(input(MAX_SILENCE_MATCHERS + 1)).error?.issues[0]?.message ?? '', /at most 32 matchers \(MAX_SILENCE_MATCHERS\)/)
  })

  it('read back a silence stored before RE2 (a lookahead): listed, its problem named, and it matches nothing', () => {
    const stored = storedSilenceSchema.parse({ id: 'old', matchers: [{ name: 'column', op: '=~', value: '(?=p)plan' }], starts_at: 1000, ends_at: 2000 })
    assert.equal(matches(stored.matchers[0] as (typeof stored.matchers)[number], labels), false)
    assert.equal(activeSilence([stored], labels, 1500), undefined)
    assert.match(silenceProblems(stored).join(), /^matchers\[0\]: not an RE2 regular expression/)
  })

  it('accept ISO times with an offset', () => {
    const s = silenceSpecSchema.parse({ id: 'x', matchers: [{ name: 'model', value: 'a' }], starts_at: '2026-01-01T00:00:00Z', ends_at: '2026-01-01T02:00:00+01:00' })
    assert.equal(s.ends_at - s.starts_at, 3_600_000, '02:00+01:00 is 01:00Z')
  })
})

describe('inhibition', () => {
  const volume = { fingerprint: 'v', model: 'churn', model_version: '3', statistic: 'volume', severity: 'critical', status: 'firing' }
  const drift = { fingerprint: 'd', model: 'churn', model_version: '3', statistic: 'drift:psi', severity: 'warning', status: 'firing' }

  it('a firing critical volume alert inhibits the other alerts of its model version, not itself', () => {
    const by = inhibitor([volume, drift])
    assert.equal(by(drift), 'v')
    assert.equal(by(volume), undefined)
    assert.equal(by({ ...drift, model_version: '4' }), undefined, 'another version is unaffected')
  })

  it('a warning or resolved volume alert inhibits nothing', () => {
    assert.equal(inhibitor([{ ...volume, severity: 'warning' }, drift])(drift), undefined)
    assert.equal(inhibitor([{ ...volume, status: 'resolved' }, drift])(drift), undefined)
  })
})

describe('grouping', () => {
  const alert = (column: string, status: 'firing' | 'resolved' = 'firing', version = '3'): AlertSummary => ({
    fingerprint: `fp-${column}-${version}`, monitor: 'feature-drift', model: 'churn', model_version: version, segment: '', statistic: 'drift:psi', column,
    severity: 'warning', status, value: 0.3, threshold: 0.2, condition: 'above 0.2', window_start: 0, window_end: 3_600_000, window_seconds: 3600,
    is_final: false, reference_id: 'ref', n_current: 100, n_reference: 1000, started_at: 5, resolved_at: status === 'resolved' ? 6 : null,
  })
  const item = (a: AlertSummary, channels = ['slack', 'email']) => ({ alert: a, channels, change: `${a.fingerprint}:firing:0:` })

  it('makes one notification per channel for 15 features drifting together, listing all 15', () => {
    const features = Array.from({ length: 15 }, (_, i) => `f${String(i).padStart(2, '0')}`)
    const notifications = groupNotifications(features.map((f) => item(alert(f))), 1000)
    assert.deepEqual(notifications.map((n) => n.channel), ['email', 'slack'])
    for (const n of notifications) {
      assert.equal(n.alerts.length, 15)
      assert.equal(n.group_key, 'monitor=feature-drift,model=churn,version=3')
      assert.equal(n.status, 'firing')
    }
    assert.notEqual(notifications[0]?.id, notifications[1]?.id)
  })

  it('keeps versions apart, and calls a group resolved only when all its alerts resolved', () => {
    const notifications = groupNotifications([item(alert('a', 'resolved')), item(alert('b', 'firing')), item(alert('a', 'resolved', '4'))], 1000)
    const byGroup = new Map(notifications.filter((n) => n.channel === 'slack').map((n) => [n.group_key, n.status]))
    assert.deepEqual(Object.fromEntries(byGroup), { 'monitor=feature-drift,model=churn,version=3': 'firing', 'monitor=feature-drift,model=churn,version=4': 'resolved' })
  })

  it('gives the same change the same id, whenever it is computed', () => {
    const a = groupNotifications([item(alert('a')), item(alert('b'))], 1000)
    const b = groupNotifications([item(alert('b')), item(alert('a'))], 2000)
    assert.deepEqual(a.map((n) => n.id), b.map((n) => n.id))
  })
})
