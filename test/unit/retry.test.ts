import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ModelwatchError } from '../../services/core/errors.js'
import { retry } from '../../services/core/retry.js'

const fast = { initialDelayMs: 1, maxDelayMs: 2 }
const down = (): ModelwatchError => new ModelwatchError('CLICKHOUSE_UNAVAILABLE', 'down', { retriable: true })

describe('retry', () => {
  it('retries a retriable failure until the operation succeeds, reporting each retry', async () => {
    const seen: number[] = []
    const result = await retry(
      async (attempt) => {
        if (attempt < 3) throw down()
        return attempt
      },
      { ...fast, attempts: 5, onRetry: (_e, attempt) => void seen.push(attempt) },
    )
    assert.equal(result, 3)
    assert.deepEqual(seen, [1, 2])
  })

  it('does not retry a permanent failure', async () => {
    let calls = 0
    await assert.rejects(
      retry(async () => {
        calls++
        throw new ModelwatchError('EVENT_INVALID', 'bad')
      }, { ...fast, attempts: 5 }),
      /bad/,
    )
    assert.equal(calls, 1)
  })

  it('gives up after the allowed attempts with the last error', async () => {
    let calls = 0
    await assert.rejects(retry(async () => { calls++; throw down() }, { ...fast, attempts: 3 }), /down/)
    assert.equal(calls, 3)
  })

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController()
    const pending = retry(async () => { throw down() }, { attempts: Number.POSITIVE_INFINITY, initialDelayMs: 10_000, maxDelayMs: 10_000, signal: controller.signal, onRetry: () => controller.abort(new Error('aborted')) })
    await assert.rejects(pending)
  })
})
