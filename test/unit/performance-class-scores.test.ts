/**
 * The TypeScript side of the performance metrics: scores derived from confusion counts (zero_division = 0,
 * sklearn's label set), the empty-window metrics and the parsing of a numeric summary.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { binaryScores, compareLabels, multiclassScores, ratioOrNull, ratioOrZero } from '../../services/monitor/performance/class-scores.js'
import { emptyMetrics } from '../../services/monitor/performance/empty.js'
import { parseSummary } from '../../services/monitor/performance/numeric-summary.js'

const close = (a: number | null | undefined, b: number): void => {
  assert.ok(a !== null && a !== undefined && Math.abs(a - b) < 1e-12, `${a} != ${b}`)
}

describe('binaryScores', () => {
  it('computes accuracy, precision, recall and F1 of the positive class', () => {
    const s = binaryScores({ tp: 3, fp: 1, fn: 2, tn: 4 })
    close(s.accuracy, 0.7)
    close(s.precision, 0.75)
    close(s.recall, 0.6)
    close(s.f1, 2 / 3)
  })

  it('gives 0 for a ratio with a zero denominator (zero_division=0)', () => {
    // nothing predicted positive, no positive labels: precision 0/0, recall 0/0, F1 0/0
    assert.deepEqual(binaryScores({ tp: 0, fp: 0, fn: 0, tn: 5 }), { accuracy: 1, precision: 0, recall: 0, f1: 0 })
    assert.deepEqual(binaryScores({ tp: 0, fp: 0, fn: 3, tn: 1 }), { accuracy: 0.25, precision: 0, recall: 0, f1: 0 })
  })

  it('is all null with nothing evaluated', () => {
    assert.deepEqual(binaryScores({ tp: 0, fp: 0, fn: 0, tn: 0 }), { accuracy: null, precision: null, recall: null, f1: null })
  })
})

describe('multiclassScores', () => {
  // y_true = [a a a b b c], y_pred = [a a b b c a]
  // sklearn: precision [2/3, 1/2, 0], recall [2/3, 1/2, 0], f1 [2/3, 1/2, 0], support [3, 2, 1]
  const confusion = [
    { label: 'a', predicted: 'a', count: 2 },
    { label: 'a', predicted: 'b', count: 1 },
    { label: 'b', predicted: 'b', count: 1 },
    { label: 'b', predicted: 'c', count: 1 },
    { label: 'c', predicted: 'a', count: 1 },
  ]

  it('matches sklearn per class, macro and weighted', () => {
    const s = multiclassScores(confusion)
    close(s.accuracy, 0.5)
    assert.deepEqual(s.perClass.map((c) => [c.label, c.support]), [['a', 3], ['b', 2], ['c', 1]])
    close(s.perClass[0]?.precision, 2 / 3)
    close(s.perClass[1]?.recall, 1 / 2)
    close(s.perClass[2]?.f1, 0)
    close(s.precisionMacro, (2 / 3 + 1 / 2) / 3)
    close(s.f1Weighted, (3 * (2 / 3) + 2 * (1 / 2)) / 6)
  })

  it('includes classes only predicted, or only labelled, with zero_division = 0', () => {
    // y_true = [a a], y_pred = [a z]: z is predicted, never a label (support 0, precision 0)
    const s = multiclassScores([
      { label: 'a', predicted: 'a', count: 1 },
      { label: 'a', predicted: 'z', count: 1 },
    ])
    assert.deepEqual(s.perClass, [
      { label: 'a', support: 2, precision: 1, recall: 0.5, f1: 2 / 3 },
      { label: 'z', support: 0, precision: 0, recall: 0, f1: 0 },
    ])
    close(s.recallMacro, 0.25)
    close(s.recallWeighted, 0.5)
  })

  it('is null with no evaluated rows', () => {
    const s = multiclassScores([])
    assert.equal(s.accuracy, null)
    assert.equal(s.f1Macro, null)
    assert.deepEqual(s.perClass, [])
  })
})

describe('helpers', () => {
  it('orders labels by code point, like Python and ClickHouse', () => {
    assert.deepEqual(['b', 'B', 'a', 'ab', '😀', '\uffff'].sort(compareLabels), ['B', 'a', 'ab', 'b', '\uffff', '😀'])
  })

  it('divides with 0 or null for a zero denominator', () => {
    assert.equal(ratioOrZero(1, 0), 0)
    assert.equal(ratioOrNull(1, 0), null)
    assert.equal(ratioOrNull(1, 4), 0.25)
  })

  it('parses a numeric summary, null when no row had a value', () => {
    assert.equal(parseSummary({ s_n: 0, s_mean: null, s_std: null, s_q: [null, null, null, null, null] }, 's'), null)
    assert.deepEqual(parseSummary({ s_n: 2, s_mean: 1.5, s_std: 0.5, s_q: [1.05, 1.25, 1.5, 1.75, 1.95] }, 's'), {
      count: 2,
      mean: 1.5,
      std: 0.5,
      p05: 1.05,
      p25: 1.25,
      p50: 1.5,
      p75: 1.75,
      p95: 1.95,
    })
  })

  it('describes an empty window as count 0 and null metrics', () => {
    const binary = emptyMetrics({ kind: 'binary_classification', positiveClass: '1' })
    assert.equal(binary.count, 0)
    assert.equal(binary.labelCoverage, null)
    assert.equal(binary.rocAuc, null)
    assert.deepEqual(binary.confusion, { tp: 0, fp: 0, fn: 0, tn: 0 })
    const regression = emptyMetrics({ kind: 'regression' })
    assert.equal(regression.r2, null)
    assert.equal(regression.mapeIgnored, 0)
    assert.equal(emptyMetrics({ kind: 'multiclass_classification' }).rocAucMacro, null)
  })
})
