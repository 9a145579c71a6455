/**
 * The API's read cache for hot list endpoints: concurrent requests share one query, an answer is reused for the
 * TTL and no longer, a write clears it, and a failed query is not remembered. The clock is a plain counter.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createReadCache } from '../../services/api/read-cache.js'

describe('read cache', () => {
  it('runs one query for concurrent requests of the same key', async () => {
    let queries = 0
    const cache = createReadCache<number>(1000, () => 0)
    const load = async (): Promise<number> => {
      queries++
      await new Promise((resolve) => setTimeout(resolve, 10))
      return 42
    }
    const answers = await Promise.all(Array.from({ length: 100 }, () => cache.get('firing', load)))
    assert.equal(queries, 1)
    assert.ok(answers.every((a) => a === 42))
  })

  it('reuses an answer within the TTL, asks again after it, and keeps keys apart', async () => {
    let clock = 0
    let queries = 0
    const cache = createReadCache<number>(1000, () => clock)
    const load = async (): Promise<number> => ++queries
    assert.equal(await cache.get('a', load), 1)
    clock = 999
    assert.equal(await cache.get('a', load), 1)
    assert.equal(await cache.get('b', load), 2)
    clock = 1000
    assert.equal(await cache.get('a', load), 3)
  })

  it('forgets everything on clear (a write through the API), and does not remember failures', async () => {
    let queries = 0
    const cache = createReadCache<number>(1000, () => 0)
    await cache.get('a', async () => ++queries)
    cache.clear()
    assert.equal(await cache.get('a', async () => ++queries), 2)
    await assert.rejects(cache.get('b', async () => Promise.reject(new Error('engine down'))))
    assert.equal(await cache.get('b', async () => 7), 7)
  })
})
