import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { aucWithInterval, delongIndependent, delongPaired, structuralComponents } from '../../services/compare/delong.js'
import { assertClose, compareFixture } from '../support/compare-fixtures.js'

const scored = (scores: number[], labels: number[]) => ({ scores: Float64Array.from(scores), labels: Uint8Array.from(labels) })
const { delong } = compareFixture

describe('DeLong', () => {
  it("reproduces Hanley & McNeil's published example (AUC 0.893) and the reference implementation's variance", () => {
    for (const c of delong.single) {
      const r = aucWithInterval(structuralComponents(scored(c.scores, c.labels)), 0.05)
      assert.equal(Math.round(r.auc * 1000) / 1000, 0.893)
      assertClose(r.auc, c.auc, 'auc')
      assertClose(r.variance, c.variance, 'variance')
    }
  })

  it('independent AUCs: AUC, variance, z, p and interval match the midrank reference (Sun & Xu), ties included', () => {
    for (const [i, c] of delong.independent.entries()) {
      const a = structuralComponents(scored(c.a.scores, c.a.labels))
      const b = structuralComponents(scored(c.b.scores, c.b.labels))
      assertClose(a.auc, c.auc_a, `case ${i} auc a`)
      assertClose(b.auc, c.auc_b, `case ${i} auc b`)
      assertClose(aucWithInterval(a, c.alpha).variance, c.variance_a, `case ${i} variance a`)
      const r = delongIndependent(a, b, c.alpha)
      assertClose(r.statistic, c.statistic, `case ${i} z`)
      assertClose(r.pValue, c.p_value, `case ${i} p`)
      assertClose(r.interval.lower, c.interval[0], `case ${i} lower`)
      assertClose(r.interval.upper, c.interval[1], `case ${i} upper`)
    }
  })

  it('correlated AUCs (same events scored by both versions) match the reference', () => {
    for (const [i, c] of delong.paired.entries()) {
      const a = structuralComponents(scored(c.a, c.labels))
      const b = structuralComponents(scored(c.b, c.labels))
      assertClose(a.auc, c.auc_a, `case ${i} auc a`)
      assertClose(b.auc, c.auc_b, `case ${i} auc b`)
      const r = delongPaired(a, b, c.alpha)
      assertClose(r.statistic, c.statistic, `case ${i} z`)
      assertClose(r.pValue, c.p_value, `case ${i} p`)
      assertClose(r.interval.lower, c.interval[0], `case ${i} lower`)
      assertClose(r.interval.upper, c.interval[1], `case ${i} upper`)
    }
  })

  it('is undefined with one class, and no evidence of a difference for identical scores', () => {
    assert.ok(Number.isNaN(structuralComponents(scored([0.1, 0.2], [1, 1])).auc))
    const labels = [1, 0, 1, 0, 1, 0]
    const same = structuralComponents(scored([0.9, 0.1, 0.8, 0.3, 0.4, 0.5], labels))
    const r = delongPaired(same, same, 0.05)
    assert.equal(r.pValue, 1)
    assert.throws(() => delongPaired(same, structuralComponents(scored([0.1, 0.2, 0.3], [1, 0, 0])), 0.05), RangeError)
  })
})
