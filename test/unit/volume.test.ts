/**
 * Volume figures from counts per window: which windows are reported (empty ones only after the version was
 * live), and what each kind of reference leads one to expect. Windows are one hour; W(k) is the k-th hour.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ACTIVE_LOOKBACK_WINDOWS, volumeFigures, type VolumeReference } from '../../services/monitor/data-quality/volume.js'

const HOUR = 3_600_000
const W = (k: number): number => k * HOUR
const counts = (entries: Record<string, [number, number][]>): Map<string, Map<number, number>> =>
  new Map(Object.entries(entries).map(([version, perWindow]) => [version, new Map(perWindow.map(([k, n]) => [W(k), n]))]))

describe('volume figures', () => {
  const noReference = new Map<string, VolumeReference>()

  it('reports a closed empty window as zero for a live version, and nothing for a version silent for the whole lookback', () => {
    const figures = volumeFigures(counts({ live: [[99, 5]], retired: [[100 - ACTIVE_LOOKBACK_WINDOWS - 1, 5]] }), [W(100)], new Set([W(100)]), 3600, noReference)
    assert.deepEqual(figures, [{ version: 'live', windowStart: W(100), events: 0, expectedEvents: null, volumeRatio: null }])
  })

  it('does not report an empty window that is not closed (still open, or computed for another reason)', () => {
    assert.deepEqual(volumeFigures(counts({ live: [[99, 5]] }), [W(100)], new Set(), 3600, noReference), [])
  })

  it('expects a fixed-window reference\'s rate times the window: 7,200 rows over two days → 150 an hour', () => {
    const references = new Map<string, VolumeReference>([
      ['1', { definition: { kind: 'window', source: { version: '1', from: '2026-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z' } }, rowCount: 7200 }],
    ])
    const [figure] = volumeFigures(counts({ '1': [[10, 75]] }), [W(10)], new Set(), 3600, references)
    assert.deepEqual(figure, { version: '1', windowStart: W(10), events: 75, expectedEvents: 150, volumeRatio: 0.5 })
  })

  it('expects the mean of the previous N windows for a rolling reference, counting empty ones as 0', () => {
    const references = new Map<string, VolumeReference>([['1', { definition: { kind: 'rolling', source: { windows: 3 } }, rowCount: 0 }]])
    // W7: 90, W8: nothing, W9: 30 → expected at W10 = (90 + 0 + 30) / 3 = 40
    const [figure] = volumeFigures(counts({ '1': [[7, 90], [9, 30], [10, 60]] }), [W(10)], new Set(), 3600, references)
    assert.deepEqual(figure, { version: '1', windowStart: W(10), events: 60, expectedEvents: 40, volumeRatio: 1.5 })
  })

  it('gives no ratio when nothing is expected (an uploaded file, or no traffic before)', () => {
    const references = new Map<string, VolumeReference>([['1', { definition: { kind: 'upload', source: { file: 'train.csv' } }, rowCount: 500 }]])
    const [figure] = volumeFigures(counts({ '1': [[10, 60]] }), [W(10)], new Set(), 3600, references)
    assert.deepEqual(figure, { version: '1', windowStart: W(10), events: 60, expectedEvents: null, volumeRatio: null })
  })
})
