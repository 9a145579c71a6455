/**
 * The API's pure rules: token configuration and lookup, scopes, the token bucket, 404 against 405, field
 * errors as JSON Pointers, route labels for metrics, and result queries that carry every value as a parameter.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { allowedMethods } from '../../services/api/allowed-methods.js'
import { findToken, scopeAllows } from '../../services/api/auth.js'
import { fieldErrors, MAX_FIELD_ERRORS } from '../../services/api/problem.js'
import { TokenBuckets } from '../../services/api/rate-limit.js'
import { routeOf } from '../../services/api/request-log.js'
import { resultQuery } from '../../services/api/results-query.js'
import { loadConfig } from '../../services/core/config.js'
import { ConfigError } from '../../services/core/errors.js'

const SECRET = 'ci-secret-0123456789'

describe('API tokens in configuration', () => {
  it('parses name:scope:token entries and keeps only digests of the secrets', () => {
    const { tokens } = loadConfig({ MODELWATCH_API_TOKENS: ` ci:read:${SECRET}, ops:admin:a:b:c-0123456789abcdef ,` }).api
    assert.deepEqual(tokens.map((t) => [t.name, t.scope, t.digest.length]), [['ci', 'read', 32], ['ops', 'admin', 32]])
    assert.ok(!JSON.stringify(tokens).includes(SECRET))
    assert.equal(findToken(tokens, 'a:b:c-0123456789abcdef')?.name, 'ops', 'a token may contain colons')
    assert.deepEqual(loadConfig({}).api.tokens, [])
  })

  it('names the bad entry and never echoes a secret', () => {
    const cases: [string, RegExp][] = [
      [`ci:read:short`, /MODELWATCH_API_TOKENS entry 1 \(ci\) needs a token of at least 16 characters/],
      [`ci:root:${SECRET}`, /entry 1 \(ci\) needs scope read, write or admin/],
      [`a:read:${SECRET}1,a:write:${SECRET}2`, /entry 2 \(a\) repeats a name/],
      [`a:read:${SECRET},b:write:${SECRET}`, /entry 2 \(b\) repeats another entry's token/],
      [`:read:${SECRET}`, /entry 1 needs a name/],
    ]
    for (const [value, message] of cases) {
      assert.throws(() => loadConfig({ MODELWATCH_API_TOKENS: value }), (error: unknown) => {
        assert.ok(error instanceof ConfigError)
        assert.match(error.message, message)
        assert.ok(!error.message.includes(SECRET) && !error.message.includes('short'), error.message)
        return true
      })
    }
  })

  it('finds a token only by its whole secret', () => {
    const { tokens } = loadConfig({ MODELWATCH_API_TOKENS: `ci:write:${SECRET}` }).api
    assert.equal(findToken(tokens, SECRET)?.scope, 'write')
    for (const guess of [SECRET.slice(0, -1), `${SECRET}0`, '', SECRET.toUpperCase()]) assert.equal(findToken(tokens, guess), undefined, guess)
  })

  it('orders scopes read < write < admin', () => {
    assert.deepEqual(
      (['read', 'write', 'admin'] as const).map((held) => (['read', 'write', 'admin'] as const).map((needed) => scopeAllows(held, needed))),
      [[true, false, false], [true, true, false], [true, true, true]],
    )
  })
})

describe('token bucket', () => {
  it('allows a burst of a minute\'s allowance, then one request per 60/rate seconds', () => {
    let now = 0
    const buckets = new TokenBuckets(6, () => now)
    assert.deepEqual(Array.from({ length: 6 }, () => buckets.take('a').ok), [true, true, true, true, true, true])
    assert.deepEqual(buckets.take('a'), { ok: false, retryAfterSeconds: 10 })
    now = 4_000
    assert.deepEqual(buckets.take('a'), { ok: false, retryAfterSeconds: 6 })
    now = 10_000
    assert.deepEqual(buckets.take('a'), { ok: true, remaining: 0 })
    assert.deepEqual(buckets.take('b'), { ok: true, remaining: 5 }, 'each key has its own bucket')
    now = 10_000 + 3_600_000
    assert.deepEqual(buckets.take('a'), { ok: true, remaining: 5 }, 'a bucket never holds more than the allowance')
  })
})

describe('404 or 405', () => {
  const routes = [{ method: 'ALL', path: '*' }, { method: 'GET', path: '/v1/models' }, { method: 'POST', path: '/v1/models' }, { method: 'GET', path: '/v1/models/:model/drift' }]
  it('lists the methods of the routes whose pattern matches the path', () => {
    assert.deepEqual(allowedMethods(routes, '/v1/models'), ['GET', 'HEAD', 'POST'])
    assert.deepEqual(allowedMethods(routes, '/v1/models/churn.v2/drift'), ['GET', 'HEAD'])
    assert.deepEqual(allowedMethods(routes, '/v1/models/a/b/drift'), [])
    assert.deepEqual(allowedMethods(routes, '/v1/modelsX'), [])
  })
  it('labels a request by its route pattern, unmatched when only middleware ran', () => {
    assert.equal(routeOf(routes.slice(0, 4).filter((r) => r.path !== '/v1/models')), '/v1/models/:model/drift')
    assert.equal(routeOf([{ method: 'ALL', path: '*' }]), 'unmatched')
  })
})

describe('field errors', () => {
  it('turns zod paths into JSON Pointers, with the item index for arrays, and caps the list', () => {
    const { errors, detail } = fieldErrors('body', [{ path: [2, 'numeric_features', 'a/b~c'], message: 'bad' }, { path: [], message: 'root' }])
    assert.deepEqual(errors, [{ in: 'body', path: '/2/numeric_features/a~1b~0c', index: 2, message: 'bad' }, { in: 'body', path: '', message: 'root' }])
    assert.equal(detail, '1 item of the body is invalid: /2/numeric_features/a~1b~0c: bad')
    const many = fieldErrors('body', Array.from({ length: MAX_FIELD_ERRORS + 5 }, (_, i) => ({ path: [i], message: 'x' })))
    assert.equal(many.errors.length, MAX_FIELD_ERRORS)
    assert.match(many.detail, /^105 items of the body are invalid: \/0: x \(5 more problems not listed\)$/)
  })
})

describe('result queries', () => {
  it('reads FINAL and carries every filter value as a typed parameter, never in the SQL text', () => {
    const hostile = "x' OR 1=1 --"
    const { query, params } = resultQuery('drift', { model: hostile, version: hostile, segment: '', windowSeconds: 3600, from: 1, to: 2, column: hostile, drifted: true, limit: 10 })
    assert.ok(!query.includes(hostile))
    assert.match(query, /FROM drift_metrics FINAL WHERE model = \{model:String\} AND model_version = \{version:String\} AND segment = \{segment:String\}/)
    assert.match(query, /`column` = \{column:String\} AND drifted = \{drifted:Bool\}/)
    assert.match(query, /ORDER BY window_start DESC/)
    assert.deepEqual(params, { model: hostile, version: hostile, segment: '', windowSeconds: 3600, from: 1, to: 2, column: hostile, drifted: true, limit: 11 })
  })
  it('leaves out the filters that are not given', () => {
    const { query, params } = resultQuery('windows', { model: 'm', limit: 5 })
    assert.match(query, /WHERE model = \{model:String\}\s+ORDER BY/)
    assert.deepEqual(params, { model: 'm', limit: 6 })
  })
})
