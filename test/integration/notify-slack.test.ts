/**
 * Slack delivery against a real HTTP receiver standing in for the incoming webhook: the Block Kit message as
 * Slack receives it (grouped alerts, links, resolved), and the webhook URL (the secret) kept out of errors and logs.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { saveChannel } from '../../services/alerting/channels-store.js'
import { deliverDue, type DeliveryDeps } from '../../services/alerting/delivery-worker.js'
import type { SlackMessage } from '../../services/alerting/notifiers/slack-message.js'
import { enqueueNotifications, listDeliveries } from '../../services/alerting/outbox.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig, type Config } from '../../services/core/config.js'
import { createLogger } from '../../services/core/logger.js'
import { MetricsRegistry } from '../../services/core/metrics.js'
import { testDataDir, uniqueName } from '../support/harness.js'
import { sampleAlert, sampleNotification } from '../support/notify-fixtures.js'
import { startReceiver, type Receiver } from '../support/notify-receiver.js'

const SLACK_PATH = '/services/T000/B000/XXXXsecretXXXX'

describe('slack delivery', () => {
  let ch: ClickHouse
  let config: Config
  let receiver: Receiver
  const logLines: string[] = []
  const log = createLogger('debug', { write: (line: string) => void logLines.push(line) })
  const deps = (): DeliveryDeps => ({ ch, log, config, metrics: new MetricsRegistry(), env: { MODELWATCH_CHANNEL_SECRET_SLACK_OPS: `${receiver.url}${SLACK_PATH}` } })

  before(async () => {
    config = loadConfig({
      MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('notify_slack'), MODELWATCH_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8,::1',
      MODELWATCH_GRAFANA_URL: 'https://grafana.example.com/', MODELWATCH_PUBLIC_URL: 'https://modelwatch.example.com',
    })
    ch = await openClickHouse(config.clickhouse)
    await migrate(ch)
    receiver = await startReceiver()
    await saveChannel(ch, { name: 'ops', type: 'slack', url_env: 'MODELWATCH_CHANNEL_SECRET_SLACK_OPS' })
  })

  after(async () => {
    await receiver.close()
    await ch.close()
  })

  it('posts Block Kit blocks listing every alert of a group, with dashboard and API links and a text fallback', async () => {
    const columns = Array.from({ length: 15 }, (_, i) => `feature_${String(i).padStart(2, '0')}`)
    const alerts = columns.map((column) => sampleAlert({ fingerprint: `fp-${column}`, monitor: 'feature-drift', statistic: 'drift:psi', column, severity: 'warning', value: 0.31, threshold: 0.2, condition: 'above 0.2' }))
    const n = sampleNotification(uniqueName('n'), 'ops', 'firing', alerts)
    await enqueueNotifications(ch, [n])
    assert.equal((await deliverDue(deps())).get(n.id), 'delivered')
    const [request] = receiver.requests.filter((r) => r.body.includes(n.group_key))
    assert.equal(request?.path, SLACK_PATH)
    const message = JSON.parse(request?.body ?? '{}') as SlackMessage
    assert.match(message.text, /^FIRING \(warning\): churn v3 — drift:psi above 0.2 on 15 columns/)
    const header = message.blocks[0]
    assert.equal(header?.type, 'header')
    assert.ok(header?.type === 'header' && header.text.text.includes('churn v3'))
    const everything = JSON.stringify(message.blocks)
    for (const column of columns) assert.ok(everything.includes(`${column}: drift:psi = 0.31 (above 0.2, threshold 0.2)`), column)
    assert.match(everything, /What broke/)
    assert.match(everything, /Window/)
    const actions = message.blocks.find((b) => b.type === 'actions')
    assert.ok(actions?.type === 'actions')
    const urls = actions.elements.map((e) => e.url)
    assert.ok(urls[0]?.startsWith('https://grafana.example.com/d/modelwatch-model-detail?var-model=churn&var-version=3'), urls[0])
    assert.equal(urls[1], 'https://modelwatch.example.com/v1/models/churn')
  })

  it('a resolved notification says it is resolved', async () => {
    const n = sampleNotification(uniqueName('n'), 'ops', 'resolved')
    await enqueueNotifications(ch, [n])
    assert.equal((await deliverDue(deps())).get(n.id), 'delivered')
    const message = JSON.parse(receiver.requests.at(-1)?.body ?? '{}') as SlackMessage
    assert.match(message.text, /^RESOLVED: churn v3/)
    assert.match(JSON.stringify(message.blocks), /\*Resolved\*/)
  })

  it('a refused webhook is dead without the secret URL in last_error or the log', async () => {
    const n = sampleNotification(uniqueName('n'), 'ops')
    await enqueueNotifications(ch, [n])
    receiver.script({ status: 404, body: 'no_service' })
    assert.equal((await deliverDue(deps())).get(n.id), 'dead')
    const [d] = await listDeliveries(ch, { id: n.id })
    assert.match(d?.last_error ?? '', /slack channel ops answered 404: no_service/)
    assert.ok(!(d?.last_error ?? '').includes('secret'), d?.last_error)
    assert.ok(!logLines.join('\n').includes('XXXXsecretXXXX'), 'the Slack URL is not logged')
  })
})
