import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Batch } from '../../services/ingest/batch.js'

describe('Batch', () => {
  it('commits the offset after the last one tracked, per topic-partition', () => {
    const batch = new Batch()
    batch.track('p', 0, '10')
    batch.track('p', 0, '11')
    batch.track('p', 1, '5')
    batch.track('g', 0, '99')
    assert.equal(batch.size, 4)
    assert.deepEqual(
      batch.commitOffsets().sort((a, b) => `${a.topic}${a.partition}`.localeCompare(`${b.topic}${b.partition}`)),
      [
        { topic: 'g', partition: 0, offset: '100' },
        { topic: 'p', partition: 0, offset: '12' },
        { topic: 'p', partition: 1, offset: '6' },
      ],
    )
  })

  it('handles offsets beyond 2^53 exactly', () => {
    const batch = new Batch()
    batch.track('p', 0, '9007199254740993')
    assert.equal(batch.commitOffsets()[0]?.offset, '9007199254740994')
  })

  it('derives the same deduplication token from the same ranges, whatever the partition order', () => {
    const a = new Batch()
    a.track('p', 0, '1')
    a.track('p', 1, '7')
    const b = new Batch()
    b.track('p', 1, '7')
    b.track('p', 0, '1')
    assert.equal(a.deduplicationToken('predictions'), b.deduplicationToken('predictions'))
  })

  it('derives different tokens for different ranges and for different tables', () => {
    const a = new Batch()
    a.track('p', 0, '1')
    const b = new Batch()
    b.track('p', 0, '1')
    b.track('p', 0, '2')
    assert.notEqual(a.deduplicationToken('predictions'), b.deduplicationToken('predictions'))
    assert.notEqual(a.deduplicationToken('predictions'), a.deduplicationToken('ground_truth'))
  })
})
