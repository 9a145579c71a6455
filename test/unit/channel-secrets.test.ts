/**
 * The channel-secret rule as pure logic: which variables a channel may name (every `*_env` field, by one check),
 * that none of modelwatch's own variables has the prefix, that a refused name is never read, and what a caller
 * below admin sees of a channel's URL.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { credentialParts, redactChannel, redactUrl, scrub } from '../../services/alerting/channel-redaction.js'
import { channelSpecSchema, storedChannelSpecSchema } from '../../services/alerting/channel-spec.js'
import { DeliveryError, secretFrom } from '../../services/alerting/delivery-error.js'
import { parseMonitorsFile } from '../../services/alerting/monitors-file.js'
import { CHANNEL_SECRET_PREFIX, isChannelSecretName } from '../../services/core/channel-secrets.js'
import { environment } from '../../services/core/config.js'

/** Every field of every channel type whose name ends in `_env`, with a valid channel of that type around it. */
function envFields(): { type: string; field: string; base: Record<string, unknown> }[] {
  const bases: Record<string, Record<string, unknown>> = {
    slack: { name: 'c', type: 'slack', url_env: `${CHANNEL_SECRET_PREFIX}OK` },
    email: { name: 'c', type: 'email', to: ['a@example.com'] },
    webhook: { name: 'c', type: 'webhook', url: 'https://ci.example.com/hook' },
  }
  return channelSpecSchema.options.flatMap((option) => {
    const type = String(option.shape.type.value)
    const base = bases[type]
    assert.ok(base !== undefined, `a base channel for type ${type}`)
    return Object.keys(option.shape).filter((k) => k.endsWith('_env')).map((field) => ({ type, field, base }))
  })
}

describe('channel secret variables', () => {
  it('no variable modelwatch reads starts with the channel-secret prefix', () => {
    const own = Object.keys(environment)
    assert.ok(own.length > 40 && own.includes('MODELWATCH_API_TOKENS'))
    assert.deepEqual(own.filter((name) => name.startsWith(CHANNEL_SECRET_PREFIX) || isChannelSecretName(name)), [])
  })

  it('every *_env field of every channel type refuses the service\'s own variables and accepts a channel secret', () => {
    const fields = envFields()
    assert.deepEqual(fields.map((f) => `${f.type}.${f.field}`).sort(), ['slack.url_env', 'webhook.signing_secret_env', 'webhook.token_env'])
    for (const { type, field, base } of fields) {
      for (const own of Object.keys(environment)) {
        const parsed = channelSpecSchema.safeParse({ ...base, [field]: own })
        assert.equal(parsed.success, false, `${type}.${field} accepted ${own}`)
        assert.deepEqual(parsed.error?.issues.map((i) => [i.path.join('.'), i.message]), [[field, `must name a variable set aside for channel secrets: ${CHANNEL_SECRET_PREFIX} followed by A-Z, 0-9 or _`]])
      }
      assert.equal(channelSpecSchema.safeParse({ ...base, [field]: `${CHANNEL_SECRET_PREFIX}RETRAIN_TOKEN` }).success, true)
      // A channel stored before the rule still reads back, so it can be listed and replaced.
      assert.equal(storedChannelSpecSchema.safeParse({ ...base, [field]: 'MODELWATCH_API_TOKENS' }).success, true)
    }
  })

  it('a name is a channel secret only with the prefix and something after it, in A-Z, 0-9, _', () => {
    assert.equal(isChannelSecretName(`${CHANNEL_SECRET_PREFIX}SLACK_OPS`), true)
    for (const name of [CHANNEL_SECRET_PREFIX, `${CHANNEL_SECRET_PREFIX}slack`, `X${CHANNEL_SECRET_PREFIX}A`, `${CHANNEL_SECRET_PREFIX}A-B`, `${CHANNEL_SECRET_PREFIX}${'A'.repeat(103)}`]) {
      assert.equal(isChannelSecretName(name), false, name)
    }
    assert.equal(isChannelSecretName(`${CHANNEL_SECRET_PREFIX}${'A'.repeat(102)}`), true, '128 characters in all')
  })

  it('monitors.yaml names the entry and the field of a channel that names another variable', () => {
    const text = `channels:\n  - { name: ok, type: slack, url_env: ${CHANNEL_SECRET_PREFIX}SLACK }\n  - { name: leak, type: webhook, url: "https://x.example.com/", signing_secret_env: CLICKHOUSE_PASSWORD }\n`
    assert.throws(() => parseMonitorsFile(text, 'monitors.yaml'), {
      code: 'MONITOR_INVALID',
      message: `monitors.yaml: channels[1] (leak): signing_secret_env: must name a variable set aside for channel secrets: ${CHANNEL_SECRET_PREFIX} followed by A-Z, 0-9 or _`,
    })
  })

  it('at delivery, a variable outside the prefix is a permanent error and is never read', () => {
    const read: string[] = []
    const env = new Proxy({ MODELWATCH_API_TOKENS: 'a:admin:0123456789abcdef' } as Record<string, string | undefined>, {
      get: (target, key) => {
        read.push(String(key))
        return Reflect.get(target, key) as unknown
      },
    })
    const refused = (() => {
      try {
        secretFrom(env, { field: 'token_env', variable: 'MODELWATCH_API_TOKENS' }, 'webhook channel x')
      } catch (error) {
        return error
      }
      return undefined
    })()
    assert.ok(refused instanceof DeliveryError)
    assert.equal(refused.retriable, false)
    assert.match(refused.message, /^webhook channel x: token_env names MODELWATCH_API_TOKENS, which is not a channel secret variable/)
    assert.deepEqual(read, [])
    assert.equal(secretFrom({ [`${CHANNEL_SECRET_PREFIX}T`]: 'v' }, { field: 'token_env', variable: `${CHANNEL_SECRET_PREFIX}T` }, 'w'), 'v')
  })
})

describe('channel redaction', () => {
  it('keeps a URL\'s scheme, host and port and hides user info, path, query and fragment', () => {
    assert.equal(redactUrl('https://bot:pw@hooks.example.com:8443/services/T/B/x?k=1#f'), 'https://hooks.example.com:8443/[redacted]')
    assert.equal(redactUrl('https://hooks.slack.com/services/T0/B0/secret'), 'https://hooks.slack.com/[redacted]')
    assert.equal(redactUrl('https://ci.example.com/?token=abc'), 'https://ci.example.com/[redacted]')
    assert.equal(redactUrl('https://user@ci.example.com'), 'https://ci.example.com/[redacted]')
    assert.equal(redactUrl('https://ci.example.com'), 'https://ci.example.com', 'nothing to hide')
    assert.equal(redactUrl('https://ci.example.com/'), 'https://ci.example.com/', 'nothing to hide')
    assert.equal(redactUrl('not a url'), '[redacted]')
  })

  it('names what it hid; email and Slack channels have nothing to hide', () => {
    const hook = { name: 'h', type: 'webhook' as const, url: 'https://ci.example.com/hook?token=t', template: 'generic' as const }
    assert.deepEqual(redactChannel(hook), { spec: { ...hook, url: 'https://ci.example.com/[redacted]' }, redacted: ['url'] })
    assert.deepEqual(redactChannel({ ...hook, url: 'https://ci.example.com' }).redacted, [])
    const slack = { name: 's', type: 'slack' as const, url_env: `${CHANNEL_SECRET_PREFIX}S` }
    assert.deepEqual(redactChannel(slack), { spec: slack, redacted: [] })
  })

  it('scrubs every secret from a receiver\'s answer, a longer one before a part of it', () => {
    const url = new URL('https://bot:pw-123@h.example.com/services/T/B/xyz?k=q1')
    assert.deepEqual(credentialParts(url), ['bot', 'pw-123', '/services/T/B/xyz', '?k=q1'])
    assert.equal(scrub('bad token tok-1 for /services/T/B/xyz?k=q1', ['tok-1', ...credentialParts(url)]), 'bad token [redacted] for [redacted][redacted]')
    assert.equal(scrub('abcdef', ['abc', 'abcdef']), '[redacted]')
    assert.equal(scrub('unchanged', ['']), 'unchanged')
  })
})
