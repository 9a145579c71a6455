import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createDispatcher } from '../../services/alerting/delivery-dispatcher.js'

interface Item { id: string; channel: string }

function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => {}
  const promise = new Promise<void>((resolve) => (open = resolve))
  return { promise, open }
}

describe('delivery dispatcher', () => {
  it('a channel whose attempts never return does not delay another channel', async () => {
    const stuck = gate()
    const done: string[] = []
    const dispatcher = createDispatcher<Item>(1, async (item) => {
      if (item.channel === 'slow') await stuck.promise
      done.push(item.id)
    })
    for (const id of ['s1', 's2', 's3']) dispatcher.offer({ id, channel: 'slow' })
    for (const id of ['f1', 'f2']) dispatcher.offer({ id, channel: 'fast' })
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(done, ['f1', 'f2'])
    stuck.open()
    await dispatcher.idle()
    assert.deepEqual(done, ['f1', 'f2', 's1', 's2', 's3'])
  })

  it('runs at most `concurrency` attempts of one channel at once', async () => {
    let running = 0
    let peak = 0
    const dispatcher = createDispatcher<Item>(2, async () => {
      running++
      peak = Math.max(peak, running)
      await new Promise((r) => setImmediate(r))
      running--
    })
    for (let i = 0; i < 7; i++) dispatcher.offer({ id: `i${i}`, channel: 'c' })
    await dispatcher.idle()
    assert.equal(peak, 2)
  })

  it('does not take an item that is queued or in flight, and takes it again once done', async () => {
    const release = gate()
    let runs = 0
    const dispatcher = createDispatcher<Item>(1, async () => {
      runs++
      await release.promise
    })
    assert.equal(dispatcher.offer({ id: 'a', channel: 'c' }), true)
    assert.equal(dispatcher.offer({ id: 'a', channel: 'c' }), false)
    assert.equal(dispatcher.has('a'), true)
    release.open()
    await dispatcher.idle()
    assert.equal(dispatcher.has('a'), false)
    assert.equal(dispatcher.offer({ id: 'a', channel: 'c' }), true)
    await dispatcher.idle()
    assert.equal(runs, 2)
  })

  it('reports a failed run and carries on', async () => {
    const errors: string[] = []
    const dispatcher = createDispatcher<Item>(1, async (item) => {
      if (item.id === 'bad') throw new Error('boom')
    }, (error, item) => errors.push(`${item.id}: ${(error as Error).message}`))
    dispatcher.offer({ id: 'bad', channel: 'c' })
    dispatcher.offer({ id: 'good', channel: 'c' })
    await dispatcher.idle()
    assert.deepEqual(errors, ['bad: boom'])
  })
})
