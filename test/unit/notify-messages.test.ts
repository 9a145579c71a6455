import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { emailMessage } from '../../services/alerting/notifiers/email-message.js'
import { parseRetryAfter } from '../../services/alerting/notifiers/http-post.js'
import { headline } from '../../services/alerting/notifiers/message-text.js'
import { slackMessage } from '../../services/alerting/notifiers/slack-message.js'
import { webhookPayload } from '../../services/alerting/notifiers/webhook-payload.js'
import { airflowRunId, templatedRequest } from '../../services/alerting/notifiers/webhook-templates.js'
import { sampleAlert, sampleNotification } from '../support/notify-fixtures.js'

const links = { grafanaUrl: 'https://grafana.example.com', publicUrl: 'https://mw.example.com/' }
const drift = (n: number) => Array.from({ length: n }, (_, i) => sampleAlert({ fingerprint: `f${i}`, statistic: 'drift:psi', column: `c${i}`, condition: 'above 0.2', threshold: 0.2, value: 0.25, severity: i === 0 ? 'critical' : 'warning' }))

describe('notification messages', () => {
  it('headlines name the state, the most severe level, the model and what broke', () => {
    assert.equal(headline(sampleNotification('n', 'c')), 'FIRING (critical): churn v3 — roc_auc below 0.8')
    assert.equal(headline(sampleNotification('n', 'c', 'firing', drift(15))), 'FIRING (critical): churn v3 — drift:psi above 0.2 on 15 columns')
    assert.equal(headline(sampleNotification('n', 'c', 'resolved')), 'RESOLVED: churn v3 — roc_auc below 0.8')
  })

  it('Slack: stays within 50 blocks and 3,000 characters a section, saying how many alerts are left out', () => {
    const message = slackMessage(sampleNotification('n', 'c', 'firing', drift(3000)), links)
    assert.ok(message.blocks.length <= 50)
    for (const block of message.blocks) if (block.type === 'section') assert.ok(block.text.text.length <= 3000)
    assert.match(JSON.stringify(message.blocks), /…and \d+ more alerts/)
    assert.ok(message.text.split('\n').length <= 22)
  })

  it('Slack: escapes mrkdwn control characters in names', () => {
    const message = slackMessage(sampleNotification('n', 'c', 'firing', [sampleAlert({ column: '<a&b>' })]), {})
    assert.match(JSON.stringify(message.blocks), /&lt;a&amp;b&gt;/)
    assert.equal(message.blocks.some((b) => b.type === 'actions'), false, 'no links without URLs configured')
  })

  it('email: the same content as text and HTML, HTML escaped', () => {
    const { subject, text, html } = emailMessage(sampleNotification('n', 'c', 'firing', [sampleAlert({ column: '<script>' })]), links)
    assert.equal(subject, '[modelwatch] FIRING (critical): churn v3 — roc_auc below 0.8')
    assert.match(text, /- \[critical\] <script>: roc_auc = 0\.71/)
    assert.match(html, /&lt;script&gt;/)
    assert.ok(!html.includes('<script>'))
    assert.match(text, /Dashboard: https:\/\/grafana\.example\.com\/d\/modelwatch-model-detail\?var-model=churn&var-version=3&from=\d+&to=\d+/)
    assert.match(text, /API: https:\/\/mw\.example\.com\/v1\/models\/churn$/m)
  })

  it('webhook payload: shared fields at the top, null where the alerts differ, evidence per alert in ISO time', () => {
    const n = sampleNotification('n', 'c', 'firing', [sampleAlert(), sampleAlert({ model_version: '4', fingerprint: 'f2' })])
    const payload = webhookPayload(n, {})
    assert.equal(payload.model, 'churn')
    assert.equal(payload.model_version, null)
    assert.equal(payload.severity, 'critical')
    assert.match(payload.alerts[0]?.evidence.window_start ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    assert.deepEqual(payload.links, { dashboard: null, api: null })
  })

  it('templates: GitHub gets at most 10 client_payload keys, Airflow an idempotent run id and 409 as delivered', () => {
    const payload = webhookPayload(sampleNotification('n:1/x', 'c'), links)
    const github = templatedRequest('github_repository_dispatch', payload)
    const body = github.body as { event_type: string; client_payload: object }
    assert.equal(body.event_type, 'modelwatch-firing')
    assert.equal(Object.keys(body.client_payload).length, 10)
    const airflow = templatedRequest('airflow_dag_run', payload)
    assert.deepEqual(airflow.alsoDelivered, [409])
    assert.equal((airflow.body as { dag_run_id: string }).dag_run_id, 'modelwatch__n:1_x')
    assert.equal(airflowRunId('a b'), 'modelwatch__a_b')
    assert.deepEqual(templatedRequest('generic', payload).body, payload)
  })

  it('Retry-After: seconds or an HTTP date, capped at an hour', () => {
    const now = Date.parse('2026-03-01T10:00:00Z')
    assert.equal(parseRetryAfter('120', now), 120_000)
    assert.equal(parseRetryAfter('Sun, 01 Mar 2026 10:00:30 GMT', now), 30_000)
    assert.equal(parseRetryAfter('999999', now), 3_600_000)
    assert.equal(parseRetryAfter('soon', now), undefined)
    assert.equal(parseRetryAfter(undefined, now), undefined)
  })
})
