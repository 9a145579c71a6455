/**
 * deadLetterRequests: dead letters cut into produce requests the broker accepts (a record batch over its
 * 1 MB limit was refused, and ingest retried it forever).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEAD_LETTER_REQUEST_BYTES, deadLetterRequests, type DeadLetter } from '../../services/ingest/dead-letter.js'

const letter = (offset: number, bytes: number): DeadLetter => ({
  rejection: { reason: 'oversized', detail: 'x'.repeat(100), model: '' },
  topic: 't', partition: 0, offset: String(offset), key: null, value: Buffer.alloc(bytes), headers: { trace: 'abc' },
})

describe('deadLetterRequests', () => {
  it('keeps every request under the limit, in order, nothing lost or repeated', () => {
    const letters = Array.from({ length: 40 }, (_, i) => letter(i, 60_000 + i))
    const requests = deadLetterRequests(letters)
    assert.ok(requests.length >= 5)
    for (const request of requests) {
      const bytes = request.reduce((sum, l) => sum + (l.value?.length ?? 0), 0)
      assert.ok(bytes <= DEAD_LETTER_REQUEST_BYTES, `${bytes} bytes in one request`)
    }
    assert.deepEqual(requests.flat().map((l) => l.offset), letters.map((l) => l.offset))
  })

  it('sends a letter larger than the limit alone, and small ones together', () => {
    const requests = deadLetterRequests([letter(0, 10), letter(1, DEAD_LETTER_REQUEST_BYTES + 1), letter(2, 10), letter(3, 10)])
    assert.deepEqual(requests.map((r) => r.map((l) => l.offset)), [['0'], ['1'], ['2', '3']])
    assert.deepEqual(deadLetterRequests([]), [])
  })
})
