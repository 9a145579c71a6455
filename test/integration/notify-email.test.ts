/**
 * Email delivery through nodemailer to a real SMTP server (smtp-server) on 127.0.0.1 with AUTH: the message as
 * received and parsed (headers, the plain-text and the HTML part), and SMTP rejections: 5xx is dead, 4xx retried.
 */
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { saveChannel } from '../../services/alerting/channels-store.js'
import { deliverDue, type DeliveryDeps } from '../../services/alerting/delivery-worker.js'
import { enqueueNotifications, listDeliveries } from '../../services/alerting/outbox.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig, type Config } from '../../services/core/config.js'
import { createLogger } from '../../services/core/logger.js'
import { MetricsRegistry } from '../../services/core/metrics.js'
import { testDataDir, uniqueName } from '../support/harness.js'
import { sampleNotification } from '../support/notify-fixtures.js'

const USER = 'modelwatch'
const PASSWORD = 'smtp-pass-5e1d'

describe('email delivery', () => {
  let ch: ClickHouse
  let config: Config
  let server: SMTPServer
  const received: { envelopeTo: string[]; user: string | undefined; mail: ParsedMail }[] = []
  const logLines: string[] = []
  const log = createLogger('debug', { write: (line: string) => void logLines.push(line) })
  const deps = (): DeliveryDeps => ({ ch, log, config, metrics: new MetricsRegistry(), env: {} })

  before(async () => {
    server = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === USER && auth.password === PASSWORD) return callback(null, { user: auth.username })
        callback(new Error('Invalid username or password'))
      },
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith('nobody@')) return callback(Object.assign(new Error('no such mailbox'), { responseCode: 550 }))
        if (address.address.startsWith('busy@')) return callback(Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 }))
        callback()
      },
      onData(stream, session, callback) {
        simpleParser(stream).then((mail) => {
          received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), user: session.user, mail })
          callback()
        }, callback)
      },
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.server.address() as AddressInfo
    config = loadConfig({
      MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('notify_email'), MODELWATCH_PUBLIC_URL: 'https://modelwatch.example.com',
      MODELWATCH_SMTP_HOST: '127.0.0.1', MODELWATCH_SMTP_PORT: String(port), MODELWATCH_SMTP_STARTTLS: 'false',
      MODELWATCH_SMTP_USER: USER, MODELWATCH_SMTP_PASSWORD: PASSWORD, MODELWATCH_SMTP_FROM: 'modelwatch <alerts@example.com>',
      MODELWATCH_DELIVERY_BACKOFF_MS: '1', MODELWATCH_DELIVERY_BACKOFF_MAX_MS: '5',
    })
    ch = await openClickHouse(config.clickhouse)
    await migrate(ch)
  })

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await ch.close()
  })

  it('sends an authenticated email with a plain-text and an HTML part', async () => {
    await saveChannel(ch, { name: 'oncall', type: 'email', to: ['oncall@example.com', 'ml-team@example.com'] })
    const n = sampleNotification(uniqueName('n'), 'oncall')
    await enqueueNotifications(ch, [n])
    assert.equal((await deliverDue(deps())).get(n.id), 'delivered')
    const [got, ...more] = received.filter((r) => r.mail.headers.get('x-modelwatch-notification') === n.id)
    assert.ok(got)
    assert.equal(more.length, 0)
    assert.equal(got.user, USER)
    assert.deepEqual(got.envelopeTo, ['oncall@example.com', 'ml-team@example.com'])
    assert.equal(got.mail.from?.text, '"modelwatch" <alerts@example.com>')
    assert.equal(got.mail.subject, '[modelwatch] FIRING (critical): churn v3 — roc_auc below 0.8')
    assert.equal(got.mail.messageId, `<${n.id}@modelwatch>`)
    assert.match(got.mail.text ?? '', /What broke: roc_auc = 0\.71 \(below 0\.8, threshold 0\.8\)/)
    assert.match(got.mail.text ?? '', /API: https:\/\/modelwatch\.example\.com\/v1\/models\/churn/)
    assert.match(String(got.mail.html), /<h2[^>]*>FIRING \(critical\): churn v3 — roc_auc below 0\.8<\/h2>/)
    assert.match(String(got.mail.html), /<td[^>]*>0\.71<\/td>/)
    const [d] = await listDeliveries(ch, { id: n.id })
    assert.equal(d?.response_status, 250)
    assert.ok(!logLines.join('\n').includes(PASSWORD), 'the SMTP password is not logged')
  })

  it('a permanent SMTP rejection (550) is dead, a temporary one (451) is retried', async () => {
    await saveChannel(ch, { name: 'nobody', type: 'email', to: ['nobody@example.com'] })
    await saveChannel(ch, { name: 'busy', type: 'email', to: ['busy@example.com'] })
    const dead = sampleNotification(uniqueName('n'), 'nobody')
    const later = sampleNotification(uniqueName('n'), 'busy')
    await enqueueNotifications(ch, [dead, later])
    const outcomes = await deliverDue(deps())
    assert.equal(outcomes.get(dead.id), 'dead')
    assert.equal(outcomes.get(later.id), 'retrying')
    const [d] = await listDeliveries(ch, { id: dead.id })
    assert.equal(d?.response_status, 550)
    assert.match(d?.last_error ?? '', /email channel nobody: .*no such mailbox/)
  })
})
