/**
 * The monitor's pass scheduler when asked for passes by new data (the cron schedule is set to once a year so
 * only requested passes run): requests coalesce, a request during a pass runs one more pass after it, passes
 * never overlap, and requested passes keep the minimum gap.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createLogger } from '../../services/core/logger.js'
import { sleep } from '../../services/core/retry.js'
import { schedulePasses } from '../../services/monitor/scheduler.js'

const YEARLY = '0 0 0 1 1 *'
const log = createLogger('silent')

function recordingPass(durationMs: number): { pass: () => Promise<void>; starts: number[]; ends: number[]; overlapped: () => boolean } {
  const starts: number[] = []
  const ends: number[] = []
  let active = 0
  let overlap = false
  return {
    starts,
    ends,
    overlapped: () => overlap,
    async pass() {
      active += 1
      if (active > 1) overlap = true
      starts.push(Date.now())
      await sleep(durationMs)
      ends.push(Date.now())
      active -= 1
    },
  }
}

describe('monitor pass scheduler', () => {
  it('runs one pass for many requests made before it starts', async () => {
    const recorder = recordingPass(10)
    const scheduler = schedulePasses(YEARLY, recorder.pass, log, { minGapMs: 0 })
    for (let i = 0; i < 5; i++) scheduler.runSoon()
    await sleep(100)
    await scheduler.stop()
    assert.equal(recorder.starts.length, 1)
  })

  it('runs exactly one more pass after the current one when asked during it, never overlapping', async () => {
    const recorder = recordingPass(60)
    const scheduler = schedulePasses(YEARLY, recorder.pass, log, { minGapMs: 0 })
    scheduler.runSoon()
    await sleep(20) // the first pass is running now
    scheduler.runSoon()
    scheduler.runSoon()
    await sleep(250)
    await scheduler.stop()
    assert.equal(recorder.starts.length, 2)
    assert.equal(recorder.overlapped(), false)
  })

  it('keeps the minimum gap between the end of a pass and the start of a requested one', async () => {
    const recorder = recordingPass(5)
    const scheduler = schedulePasses(YEARLY, recorder.pass, log, { minGapMs: 150 })
    scheduler.runSoon()
    await sleep(30)
    scheduler.runSoon()
    await sleep(400)
    await scheduler.stop()
    assert.equal(recorder.starts.length, 2)
    const [firstEnd] = recorder.ends
    const secondStart = recorder.starts[1]
    assert.ok(firstEnd !== undefined && secondStart !== undefined && secondStart - firstEnd >= 145, `gap was ${String((secondStart ?? 0) - (firstEnd ?? 0))} ms`)
  })

  it('starts nothing after stop', async () => {
    const recorder = recordingPass(5)
    const scheduler = schedulePasses(YEARLY, recorder.pass, log, { minGapMs: 50 })
    await scheduler.stop()
    scheduler.runSoon()
    await sleep(100)
    assert.equal(recorder.starts.length, 0)
  })
})
