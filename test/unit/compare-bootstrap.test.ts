import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BOOTSTRAP_REPLICATES, BOOTSTRAP_SEED, bootstrapMeanDifference, bootstrapPairedMean } from '../../services/compare/bootstrap.js'
import { xoshiro128 } from '../../services/compare/xoshiro128.js'
import { assertClose, compareFixture } from '../support/compare-fixtures.js'

const { bootstrap } = compareFixture

describe('bootstrap', () => {
  it('uses the documented seed and replicate count, and draws what the Python port of xoshiro128** draws', () => {
    assert.equal(BOOTSTRAP_SEED, bootstrap.seed)
    assert.equal(BOOTSTRAP_REPLICATES, bootstrap.replicates)
    const random = xoshiro128(BOOTSTRAP_SEED)
    assert.deepEqual(bootstrap.first_draws_below_1000.map(() => random.below(1000)), bootstrap.first_draws_below_1000)
  })

  it('unpaired log-loss difference: the interval and p-value equal the generator replicate for replicate', () => {
    for (const [i, c] of bootstrap.unpaired.entries()) {
      const r = bootstrapMeanDifference(Float64Array.from(c.a), Float64Array.from(c.b), { alpha: c.alpha })
      assertClose(r.difference, c.difference, `case ${i} difference`)
      assertClose(r.pValue, c.p_value, `case ${i} p`)
      assertClose(r.interval.lower, c.interval[0], `case ${i} lower`)
      assertClose(r.interval.upper, c.interval[1], `case ${i} upper`)
    }
  })

  it('paired differences: the same', () => {
    for (const [i, c] of bootstrap.paired.entries()) {
      const r = bootstrapPairedMean(Float64Array.from(c.differences), { alpha: c.alpha })
      assertClose(r.pValue, c.p_value, `case ${i} p`)
      assertClose(r.interval.lower, c.interval[0], `case ${i} lower`)
      assertClose(r.interval.upper, c.interval[1], `case ${i} upper`)
    }
  })

  it('above maxDraws values, draws m of them and rescales by √(m/n), as the generator does', () => {
    const c = bootstrap.rescaled
    const r = bootstrapPairedMean(Float64Array.from(c.differences), { alpha: c.alpha, maxDraws: c.max_draws })
    assertClose(r.pValue, c.p_value, 'p')
    assertClose(r.interval.lower, c.interval[0], 'lower')
    assertClose(r.interval.upper, c.interval[1], 'upper')
  })

  it('gives the same answer on every call', () => {
    const a = Float64Array.from({ length: 50 }, (_, i) => Math.sin(i) + 1)
    const b = Float64Array.from({ length: 60 }, (_, i) => Math.cos(i) + 1)
    assert.deepEqual(bootstrapMeanDifference(a, b, { alpha: 0.05 }), bootstrapMeanDifference(a, b, { alpha: 0.05 }))
  })
})
