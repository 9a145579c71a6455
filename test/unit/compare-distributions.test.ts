import { describe, it } from 'node:test'
import { normalQuantile, normalSf } from '../../services/compare/normal.js'
import { regularizedBeta, tQuantile, tTwoSidedP } from '../../services/compare/student-t.js'
import { assertClose, compareFixture } from '../support/compare-fixtures.js'

const d = compareFixture.distributions
const exact = { relative: 1e-9, absolute: 1e-300 }

describe('normal distribution', () => {
  it('normalSf matches scipy.stats.norm.sf to 1e-9 relative, far into both tails', () => {
    for (const { z, sf } of d.normal_sf) assertClose(normalSf(z), sf, `sf(${z})`, exact)
  })
  it('normalQuantile matches scipy.stats.norm.ppf to 1e-9 relative', () => {
    for (const { p, z } of d.normal_quantile) assertClose(normalQuantile(p), z, `ppf(${p})`, { relative: 1e-9, absolute: 1e-12 })
  })
})

describe('t distribution', () => {
  it('regularizedBeta matches scipy.special.betainc to 1e-9 relative', () => {
    for (const { x, a, b, i } of d.beta) assertClose(regularizedBeta(x, a, b), i, `I_${x}(${a}, ${b})`, exact)
  })
  it('tTwoSidedP matches 2·scipy.stats.t.sf to 1e-8 relative, fractional and large df included', () => {
    for (const { t, df, p } of d.t_two_sided) assertClose(tTwoSidedP(t, df), p, `p(t=${t}, df=${df})`, { relative: 1e-8, absolute: 1e-300 })
  })
  it('tQuantile matches scipy.stats.t.ppf to 1e-8 relative', () => {
    for (const { p, df, t } of d.t_quantile) assertClose(tQuantile(p, df), t, `ppf(${p}, ${df})`, { relative: 1e-8, absolute: 1e-12 })
  })
})
