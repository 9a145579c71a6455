import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { chiSquareSurvival, lnGamma, regularizedGammaQ } from '../../services/monitor/drift/chi-square.js'

const grid = JSON.parse(readFileSync(new URL('../fixtures/stats/drift-chi2-sf.json', import.meta.url), 'utf8')) as { rows: { x: number; df: number; sf: number }[] }

describe('chiSquareSurvival', () => {
  it('matches scipy.stats.chi2.sf to 1e-10 relative', () => {
    assert.ok(grid.rows.length > 150)
    for (const { x, df, sf } of grid.rows) {
      const got = chiSquareSurvival(x, df)
      const error = sf === 0 ? Math.abs(got) : Math.abs(got - sf) / sf
      assert.ok(error <= 1e-10, `chi2.sf(${x}, ${df}) = ${sf}, got ${got} (relative error ${error})`)
    }
  })

  it('keeps relative precision for tiny p-values', () => {
    // the grid goes down to ~1e-300; check the tail is not rounded to 0 by computing 1 - P
    const tiny = grid.rows.filter((r) => r.sf > 0 && r.sf < 1e-100)
    assert.ok(tiny.length > 0)
    for (const { x, df, sf } of tiny) assert.ok(Math.abs(chiSquareSurvival(x, df) - sf) / sf < 1e-10)
  })

  it('is 1 at 0 and undefined without degrees of freedom', () => {
    assert.equal(chiSquareSurvival(0, 3), 1)
    assert.ok(Number.isNaN(chiSquareSurvival(1, 0)))
    assert.ok(Number.isNaN(chiSquareSurvival(Number.NaN, 2)))
  })

  it('has closed forms at df = 2 (e^(-x/2)) and the 5% critical value at df = 1', () => {
    for (const x of [0.1, 1, 5, 50, 500]) assert.ok(Math.abs(chiSquareSurvival(x, 2) - Math.exp(-x / 2)) <= 1e-14 * Math.exp(-x / 2))
    assert.ok(Math.abs(chiSquareSurvival(3.841458820694124, 1) - 0.05) < 1e-12)
  })
})

describe('regularizedGammaQ and lnGamma', () => {
  it('match known values', () => {
    assert.ok(Math.abs(regularizedGammaQ(1, 2) - Math.exp(-2)) < 1e-15)
    assert.ok(Math.abs(lnGamma(5) - Math.log(24)) < 1e-13)
    assert.ok(Math.abs(lnGamma(0.5) - Math.log(Math.sqrt(Math.PI))) < 1e-14)
    assert.ok(Math.abs(lnGamma(101) - 363.73937555556347) < 1e-11)
  })
})
