/**
 * Issue 10, the Secrets class: every secret modelwatch knows goes only where it was configured to go. One
 * `modelwatch start` process runs with every secret variable set to a distinct canary, against ClickHouse over HTTP
 * and the schema registry (each behind a recording proxy, so what reaches them is seen), the shared Kafka, an SMTP
 * server and HTTP receivers standing in for a webhook consumer, Slack and a receiver that echoes its credentials in
 * an error. API calls at every scope (public routes, 401, 403, 404, 405, 422 included) set up channels and a
 * monitor, events make it fire, and deliveries go out. Then each canary is looked for in every place a secret could
 * end up: the process's logs (pino, at trace level), the answers at each scope, each receiver's requests, the SMTP
 * session, ClickHouse and the registry. The table `FLOWS` is the specification: where each canary must appear,
 * and that it appears nowhere else. docs/security.md lists the same flows.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { SMTPServer } from 'smtp-server'
import { verifySignature } from '../../services/alerting/notifiers/webhook-signature.js'
import { freePorts } from '../../services/cli/free-ports.js'
import { CHANNEL_SECRET_PREFIX } from '../../services/core/channel-secrets.js'
import { sleep } from '../../services/core/retry.js'
import { startClickHouseHttpServer, type ClickHouseHttpServer } from '../support/clickhouse-http-server.js'
import { startCli, waitForHealth, type CliProcess } from '../support/cli-process.js'
import { stackFromEnv, testEnv, uniqueName, waitFor } from '../support/harness.js'
import { startReceiver, type Received, type Receiver } from '../support/notify-receiver.js'
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.js'

const canary = (what: string): string => `canary-${what}-${randomBytes(6).toString('hex')}`
const C = {
  apiRead: canary('api-read'),
  apiWrite: canary('api-write'),
  apiAdmin: canary('api-admin'),
  clickhouse: canary('clickhouse-password'),
  kafkaSasl: canary('kafka-sasl-password'),
  registry: canary('registry-password'),
  smtp: canary('smtp-password'),
  hookToken: canary('hook-token'),
  hookSigning: canary('hook-signing-secret'),
  slackPath: canary('slack-url-path'),
  echoToken: canary('echo-token'),
  unused: canary('unused-channel-secret'),
  urlPassword: canary('url-password'),
  urlPath: canary('url-path'),
  urlQuery: canary('url-query'),
}
type Canary = keyof typeof C

/**
 * Where each canary must be found; it must be found nowhere else. Sinks: `log`; `api:<scope>` (every answer at that
 * scope: status line, headers, body; `public` is without or with a wrong token); `<receiver>:auth` (its Authorization
 * headers) and `<receiver>:rest` (everything else it received); `smtp:auth` and `smtp:mail`; `clickhouse:*` and
 * `registry:*` (what the process sent them).
 */
const FLOWS: Record<Canary, string[]> = {
  apiRead: [],
  apiWrite: [],
  apiAdmin: [],
  clickhouse: ['clickhouse:auth'],
  kafkaSasl: [],
  registry: [],
  smtp: ['smtp:auth'],
  hookToken: ['hook:auth'],
  // Never sent: the receiver gets an HMAC made with it (checked below).
  hookSigning: [],
  // The Slack URL is the secret: only Slack (here its stand-in) sees it, as the path it is posted to.
  slackPath: ['slack:rest'],
  // The echo receiver answers 400 quoting the token; the delivery log gets the answer with the token scrubbed.
  echoToken: ['echo:auth'],
  unused: [],
  // A URL's credentials are part of the channel as written: admin sees them, ClickHouse stores them. The bearer
  // token takes the Authorization header, so the URL's user info is not sent.
  urlPassword: ['api:admin', 'clickhouse:rest'],
  urlPath: ['api:admin', 'clickhouse:rest', 'hook:rest'],
  urlQuery: ['api:admin', 'clickhouse:rest', 'hook:rest'],
}

const MINUTE = 60_000
const P = CHANNEL_SECRET_PREFIX

describe('secrets go only where they are configured to go', () => {
  let clickhouse: ClickHouseHttpServer
  let chProxy: RecordingProxy
  let registryProxy: RecordingProxy
  let hook: Receiver
  let slack: Receiver
  let echo: Receiver
  let smtp: SMTPServer
  let service: CliProcess
  let apiPort = 0
  let healthPort = 0
  const smtpAuth: string[] = []
  const smtpMail: string[] = []
  const answers: Record<'public' | 'read' | 'write' | 'admin', string[]> = { public: [], read: [], write: [], admin: [] }
  const tokens = { read: C.apiRead, write: C.apiWrite, admin: C.apiAdmin }

  /** One API call, its whole answer recorded under its scope; fails unless the status is the one expected. */
  async function api(scope: keyof typeof answers, method: string, path: string, expect: number, options: { body?: unknown; raw?: string; token?: string; port?: number } = {}): Promise<unknown> {
    const headers: Record<string, string> = {}
    const token = options.token ?? (scope === 'public' ? undefined : tokens[scope])
    if (token !== undefined) headers.authorization = `Bearer ${token}`
    const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body))
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(`http://127.0.0.1:${options.port ?? apiPort}${path}`, { method, headers, ...(body === undefined ? {} : { body }) })
    const text = await response.text()
    answers[scope].push(`${response.status} ${[...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${text}`)
    assert.equal(response.status, expect, `${scope} ${method} ${path}: ${text}`)
    return response.headers.get('content-type')?.includes('json') === true && text !== '' ? JSON.parse(text) : text
  }

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelwatch-secrets-flow-'))
    clickhouse = await startClickHouseHttpServer({ path: join(dir, 'clickhouse') })
    chProxy = await startRecordingProxy(clickhouse.url, ['authorization', 'x-clickhouse-user', 'x-clickhouse-key'])
    const registry = new URL(stackFromEnv().registryUrl)
    registryProxy = await startRecordingProxy(registry.origin, ['authorization'])
    ;[hook, slack, echo] = await Promise.all([startReceiver(), startReceiver(), startReceiver()])
    echo.fallback = { status: 400, body: `forbidden: Bearer ${C.echoToken} may not call /echo` }
    smtp = new SMTPServer({
      authOptional: false, allowInsecureAuth: true, disabledCommands: ['STARTTLS'], logger: false,
      onAuth(auth, _session, callback) {
        smtpAuth.push(`${auth.method} ${auth.username ?? ''} ${auth.password ?? ''}`)
        callback(null, { user: auth.username })
      },
      onData(stream, _session, callback) {
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('end', () => {
          smtpMail.push(Buffer.concat(chunks).toString('utf8'))
          callback()
        })
      },
    })
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
    const smtpPort = (smtp.server.address() as AddressInfo).port

    ;[apiPort = 0, healthPort = 0] = await freePorts(2)
    const env = testEnv({
      CLICKHOUSE_URL: chProxy.url, CLICKHOUSE_USER: 'default', CLICKHOUSE_PASSWORD: C.clickhouse, CLICKHOUSE_DATABASE: uniqueName('secrets_flow'),
      SCHEMA_REGISTRY_URL: `${registryProxy.url}${registry.pathname}`, SCHEMA_REGISTRY_USERNAME: 'modelwatch', SCHEMA_REGISTRY_PASSWORD: C.registry,
      // No SASL mechanism, so the shared broker (plain) still serves; the password is read and must go nowhere.
      KAFKA_SASL_USERNAME: 'modelwatch', KAFKA_SASL_PASSWORD: C.kafkaSasl,
      MODELWATCH_API_TOKENS: `reader:read:${C.apiRead},writer:write:${C.apiWrite},boss:admin:${C.apiAdmin}`, MODELWATCH_API_RATE_LIMIT: '0',
      MODELWATCH_SMTP_HOST: '127.0.0.1', MODELWATCH_SMTP_PORT: String(smtpPort), MODELWATCH_SMTP_STARTTLS: 'false',
      MODELWATCH_SMTP_USER: 'modelwatch', MODELWATCH_SMTP_PASSWORD: C.smtp,
      [`${P}HOOK_TOKEN`]: C.hookToken, [`${P}HOOK_SIGNING`]: C.hookSigning, [`${P}SLACK`]: `${slack.url}/services/T0/B0/${C.slackPath}`,
      [`${P}ECHO_TOKEN`]: C.echoToken, [`${P}UNUSED`]: C.unused,
      MODELWATCH_API_PORT: String(apiPort), MODELWATCH_HEALTH_PORT: String(healthPort), MODELWATCH_LOG_LEVEL: 'trace',
      MODELWATCH_MONITOR_SCHEDULE: '*/2 * * * * *', MODELWATCH_MONITOR_MIN_GAP_MS: '300', MODELWATCH_ALERT_DEFAULT_MONITORS: 'false',
      MODELWATCH_DELIVERY_POLL_MS: '200', MODELWATCH_DELIVERY_BACKOFF_MS: '200', MODELWATCH_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8',
      MODELWATCH_DATA_DIR: join(dir, 'data'),
    })
    service = startCli(['start'], env)
    const exited = service.exited.then((r) => assert.fail(`modelwatch start exited ${r.code}: ${r.stderr.slice(-2000)}`))
    await Promise.race([waitForHealth(apiPort, 120_000), exited])
  })

  after(async () => {
    if (service.child.exitCode === null) service.child.kill('SIGKILL')
    await Promise.all([hook.close(), slack.close(), echo.close(), new Promise<void>((resolve) => smtp.close(() => resolve()))])
    await Promise.all([chProxy.close(), registryProxy.close()])
    await clickhouse.stop()
  })

  it('refuses, at the API, a channel that would send one of the service\'s own secrets', async () => {
    const problem = await api('admin', 'PUT', '/v1/channels/leak', 422, { body: { name: 'leak', type: 'webhook', url: `${hook.url}/leak`, token_env: 'MODELWATCH_API_TOKENS' } }) as { errors: { path: string }[] }
    assert.deepEqual(problem.errors.map((e) => e.path), ['/token_env'])
    await api('read', 'GET', '/v1/channels/leak', 404)
  })

  it('delivers a firing alert to a signed webhook, Slack and email, and records a refused one', async () => {
    await api('write', 'POST', '/v1/models', 201, { body: { name: 'churn', task: 'binary_classification', positive_class: '1', default_window: '1m', features: [{ name: 'tenure', kind: 'numeric' }] } })
    const channels = [
      { name: 'hook', type: 'webhook', url: `http://bot:${C.urlPassword}@127.0.0.1:${hook.port}/hook/${C.urlPath}?key=${C.urlQuery}`, token_env: `${P}HOOK_TOKEN`, signing_secret_env: `${P}HOOK_SIGNING` },
      { name: 'slack', type: 'slack', url_env: `${P}SLACK` },
      { name: 'mail', type: 'email', to: ['oncall@example.com'] },
      { name: 'echo', type: 'webhook', url: `${echo.url}/echo`, token_env: `${P}ECHO_TOKEN` },
    ]
    for (const channel of channels) {
      await api('write', 'PUT', `/v1/channels/${channel.name}`, 403, { body: channel })
      await api('admin', 'PUT', `/v1/channels/${channel.name}`, 201, { body: channel })
    }
    const monitor = { name: 'score-high', model: 'churn', statistic: 'prediction_score_mean', condition: { above: 0.8 }, min_samples: 10, severity: 'critical', channels: channels.map((c) => c.name) }
    await api('read', 'PUT', '/v1/monitors/score-high', 403, { body: monitor })
    await api('write', 'PUT', '/v1/monitors/score-high', 201, { body: monitor })

    // Events in the previous minute, with enough of the current one left for the window to be judged.
    if (MINUTE - (Date.now() % MINUTE) < 30_000) await sleep(MINUTE - (Date.now() % MINUTE) + 50)
    const at = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE + 1_000
    const events = Array.from({ length: 20 }, (_, i) => ({ event_id: `e${i}`, model: 'churn', model_version: '1', timestamp: at, numeric_features: { tenure: 12 }, prediction: { score: 0.95, predicted_class: '1' } }))
    await api('read', 'POST', '/v1/events/predictions', 403, { body: events })
    await api('write', 'POST', '/v1/events/predictions', 202, { body: events })

    const exited = service.exited.then((r) => assert.fail(`modelwatch start exited ${r.code}: ${r.stderr.slice(-2000)}`))
    type Listed = { items: { channel: string; status: string }[] }
    const settled = (d: Listed) => ['hook', 'slack', 'mail', 'echo'].every((name) => d.items.some((x) => x.channel === name && (x.status === 'delivered' || x.status === 'dead')))
    const deliveries = await Promise.race([waitFor(() => api('admin', 'GET', '/v1/deliveries', 200) as Promise<Listed>, settled, 'a delivery to each channel', 120_000), exited])
    assert.deepEqual(deliveries.items.map((d) => `${d.channel}:${d.status}`).sort(), ['echo:dead', 'hook:delivered', 'mail:delivered', 'slack:delivered'])

    const [signed] = hook.requests
    assert.ok(signed !== undefined)
    assert.equal(signed.headers.authorization, `Bearer ${C.hookToken}`)
    assert.ok(verifySignature({ header: signed.headers['modelwatch-signature'] as string | undefined, body: Buffer.from(signed.body), secret: C.hookSigning }).ok, 'signed with the channel\'s signing secret')
    assert.equal(slack.requests[0]?.path, `/services/T0/B0/${C.slackPath}`)
    assert.equal(echo.requests[0]?.headers.authorization, `Bearer ${C.echoToken}`)
    assert.equal(smtpMail.length, 1)
  })

  it('answers every scope, public routes and errors included', async () => {
    for (const path of ['/healthz', '/readyz', '/', '/status-page/app.js']) await api('public', 'GET', path, 200)
    for (const path of ['/healthz', '/metrics']) await api('public', 'GET', path, 200, { port: healthPort })
    await api('public', 'GET', '/v1/channels', 401)
    await api('public', 'GET', '/v1/channels', 401, { token: `${C.apiAdmin}x` })
    await api('public', 'GET', '/metrics', 401, { token: C.apiRead.slice(0, -1) })
    type Deliveries = { items: { id: string; channel: string; last_error: string }[] }
    const { items } = await api('read', 'GET', '/v1/deliveries', 200) as Deliveries
    const { items: alerts } = await api('read', 'GET', '/v1/alerts', 200) as { items: { fingerprint: string }[] }
    for (const scope of ['read', 'write', 'admin'] as const) {
      for (const path of ['/v1/channels', '/v1/channels/hook', '/v1/channels/slack', '/v1/channels/echo', '/v1/deliveries', '/v1/alerts', '/v1/monitors', '/v1/models', '/metrics', '/openapi.json']) {
        await api(scope, 'GET', path, 200)
      }
      for (const d of items) await api(scope, 'GET', `/v1/deliveries/${d.id}`, 200)
      for (const a of alerts) await api(scope, 'GET', `/v1/alerts/${a.fingerprint}`, 200)
      await api(scope, 'GET', '/v1/nowhere', 404)
      await api(scope, 'DELETE', '/v1/deliveries', 405)
      await api(scope, 'PUT', '/v1/monitors/bad', scope === 'read' ? 403 : 422, { body: { name: 'bad', model: 'churn', statistic: 'nope', condition: {}, channels: ['hook'] } })
      await api(scope, 'PUT', '/v1/channels/bad', scope === 'admin' ? 400 : 403, { raw: '{"name": "bad", "type": ' })
    }
    const hookAsRead = await api('read', 'GET', '/v1/channels/hook', 200) as { spec: { url: string }; redacted: string[] }
    assert.deepEqual([hookAsRead.spec.url, hookAsRead.redacted], [`http://127.0.0.1:${hook.port}/[redacted]`, ['url']])
    // The receiver quoted the token (and the URL's path) in its error; the delivery log has them scrubbed.
    assert.match(items.find((d) => d.channel === 'echo')?.last_error ?? '', /answered 400: forbidden: Bearer \[redacted\] may not call \[redacted\]/)
  })

  it('each canary appears exactly where FLOWS says, and nowhere else', async () => {
    service.child.kill('SIGTERM')
    const result = await service.exited
    assert.equal(result.code, 0, result.stderr.slice(-2000))
    const logged = result.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { msg: string }).msg)
    assert.ok(['api listening', 'request', 'notification delivered', 'notification delivery failed'].every((m) => logged.includes(m)), `the logs were captured: ${logged.length} lines`)

    const split = (requests: readonly Received[]): [string, string] => [
      requests.map((r) => String(r.headers.authorization ?? '')).join('\n'),
      requests.map((r) => `${r.method} ${r.path}\n${Object.entries(r.headers).filter(([k]) => k !== 'authorization').map(([k, v]) => `${k}: ${String(v)}`).join('\n')}\n\n${r.body}`).join('\n'),
    ]
    const proxied = (proxy: RecordingProxy, auth: readonly string[]): [string, string] => [
      proxy.requests.map((r) => auth.map((h) => String(r.headers[h] ?? '')).join(' ')).join('\n'),
      proxy.requests.map((r) => `${r.method} ${r.path}\n${Object.entries(r.headers).filter(([k]) => !auth.includes(k)).map(([k, v]) => `${k}: ${String(v)}`).join('\n')}\n\n${r.body}`).join('\n'),
    ]
    const [hookAuth, hookRest] = split(hook.requests)
    const [slackAuth, slackRest] = split(slack.requests)
    const [echoAuth, echoRest] = split(echo.requests)
    const [chAuth, chRest] = proxied(chProxy, ['authorization', 'x-clickhouse-user', 'x-clickhouse-key'])
    const [registryAuth, registryRest] = proxied(registryProxy, ['authorization'])
    const sinks: Record<string, string> = {
      log: `${result.stdout}\n${result.stderr}`,
      'api:public': answers.public.join('\n'), 'api:read': answers.read.join('\n'), 'api:write': answers.write.join('\n'), 'api:admin': answers.admin.join('\n'),
      'hook:auth': hookAuth, 'hook:rest': hookRest, 'slack:auth': slackAuth, 'slack:rest': slackRest, 'echo:auth': echoAuth, 'echo:rest': echoRest,
      'smtp:auth': smtpAuth.join('\n'), 'smtp:mail': smtpMail.join('\n'),
      'clickhouse:auth': decodeBasic(chAuth), 'clickhouse:rest': chRest, 'registry:auth': decodeBasic(registryAuth), 'registry:rest': registryRest,
    }
    for (const [name, text] of Object.entries(sinks)) if (!['slack:auth', 'registry:auth', 'registry:rest'].includes(name)) assert.ok(text.length > 0, `${name} recorded something`)
    const found = Object.fromEntries(Object.keys(C).map((key) => [key, Object.entries(sinks).filter(([, text]) => text.includes(C[key as Canary])).map(([name]) => name).sort()]))
    assert.deepEqual(found, Object.fromEntries(Object.entries(FLOWS).map(([key, sinksOf]) => [key, [...sinksOf].sort()])))
  })
})

/** `Basic <base64>` headers decoded, so a password sent as basic auth is found as written. */
function decodeBasic(text: string): string {
  return text.replace(/Basic ([A-Za-z0-9+/=]+)/g, (whole, b64: string) => `${whole} ${Buffer.from(b64, 'base64').toString('utf8')}`)
}
