import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { expectedProtocolError } from '../../services/core/kafka/client.js'

describe('kafkajs log levels', () => {
  it('recognises the protocol errors kafkajs retries or answers itself, by their type and code', () => {
    // What kafkajs's Connection logs for a failed response: the error's message, nothing else.
    assert.deepEqual(expectedProtocolError({ error: "The coordinator is loading and hence can't process requests for this group" }), {
      type: 'GROUP_LOAD_IN_PROGRESS', code: 14, retriable: true, message: "The coordinator is loading and hence can't process requests for this group",
    })
    assert.equal(expectedProtocolError({ error: 'The group coordinator is not available' })?.type, 'GROUP_COORDINATOR_NOT_AVAILABLE')
    assert.equal(expectedProtocolError({ error: 'There is no leader for this topic-partition as we are in the middle of a leadership election' })?.code, 5)
    assert.equal(expectedProtocolError({ error: 'The group is rebalancing, so a rejoin is needed' })?.type, 'REBALANCE_IN_PROGRESS')
  })

  it('leaves real errors alone: non-retriable protocol errors, other messages, lines without an error', () => {
    assert.equal(expectedProtocolError({ error: 'Not authorized to access topics: [Topic authorization failed]' }), undefined)
    assert.equal(expectedProtocolError({ error: 'SASL SCRAM SHA256 authentication failed' }), undefined)
    assert.equal(expectedProtocolError({ retryCount: 3 }), undefined)
  })
})
