import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { mcnemarTest } from '../../services/compare/mcnemar.js'
import { twoProportionTest, wilsonInterval } from '../../services/compare/proportions.js'
import { pairedTTest, welchTest } from '../../services/compare/t-tests.js'
import { assertClose, compareFixture } from '../support/compare-fixtures.js'

describe('two independent proportions', () => {
  it('z statistic and p-value match statsmodels proportions_ztest; Newcombe matches confint_proportions_2indep', () => {
    for (const c of compareFixture.proportions) {
      const r = twoProportionTest(c.a, c.b, c.alpha)
      const what = `${c.a.successes}/${c.a.trials} vs ${c.b.successes}/${c.b.trials}`
      assertClose(r.difference, c.difference, `${what} difference`)
      assertClose(r.statistic, c.statistic, `${what} z`)
      assertClose(r.pValue, c.p_value, `${what} p`)
      assertClose(r.interval.lower, c.interval[0], `${what} lower`)
      assertClose(r.interval.upper, c.interval[1], `${what} upper`)
    }
  })
  it('Wilson intervals match statsmodels proportion_confint(method="wilson")', () => {
    for (const c of compareFixture.proportions) {
      for (const [side, expected] of [[c.a, c.wilson_a], [c.b, c.wilson_b]] as const) {
        const w = wilsonInterval(side, c.alpha)
        assertClose(w.lower, expected[0], `wilson ${side.successes}/${side.trials} lower`)
        assertClose(w.upper, expected[1], `wilson ${side.successes}/${side.trials} upper`)
      }
    }
  })
  it('is no evidence of a difference when both versions are always right, and undefined without trials', () => {
    const r = twoProportionTest({ successes: 40, trials: 40 }, { successes: 50, trials: 50 }, 0.05)
    assert.equal(r.statistic, 0)
    assert.equal(r.pValue, 1)
    assert.ok(Number.isNaN(twoProportionTest({ successes: 0, trials: 0 }, { successes: 5, trials: 9 }, 0.05).pValue))
  })
})

describe('t-tests', () => {
  it("Welch's test matches scipy ttest_ind(equal_var=False): t, p and the interval (Welch–Satterthwaite df)", () => {
    for (const [i, c] of compareFixture.welch.entries()) {
      const r = welchTest(c.a, c.b, c.alpha)
      assertClose(r.difference, c.difference, `case ${i} difference`)
      assertClose(r.statistic, c.statistic, `case ${i} t`)
      assertClose(r.pValue, c.p_value, `case ${i} p`)
      assertClose(r.interval.lower, c.interval[0], `case ${i} lower`)
      assertClose(r.interval.upper, c.interval[1], `case ${i} upper`)
    }
  })
  it('the paired t-test matches scipy ttest_rel', () => {
    for (const [i, c] of compareFixture.paired_t.entries()) {
      const r = pairedTTest(c.differences, c.alpha)
      assertClose(r.statistic, c.statistic, `case ${i} t`)
      assertClose(r.pValue, c.p_value, `case ${i} p`)
      assertClose(r.interval.lower, c.interval[0], `case ${i} lower`)
      assertClose(r.interval.upper, c.interval[1], `case ${i} upper`)
    }
  })
  it('needs two values per side', () => {
    assert.ok(Number.isNaN(welchTest({ n: 1, mean: 1, variance: 0 }, { n: 5, mean: 1, variance: 1 }, 0.05).pValue))
    assert.ok(Number.isNaN(pairedTTest({ n: 1, mean: 1, variance: 0 }, 0.05).pValue))
  })
})

describe('McNemar', () => {
  it('matches statsmodels mcnemar: exact below 25 discordant pairs, corrected chi-square above', () => {
    for (const c of compareFixture.mcnemar) {
      const r = mcnemarTest({ pairs: c.pairs, aOnly: c.a_only, bOnly: c.b_only }, c.alpha)
      const what = `${c.a_only}/${c.b_only} of ${c.pairs}`
      assert.equal(r.test, c.exact ? 'mcnemar_exact' : 'mcnemar_chi2', what)
      assertClose(r.statistic, c.statistic, `${what} statistic`)
      assertClose(r.pValue, c.p_value, `${what} p`)
      assertClose(r.difference, c.difference, `${what} difference`)
      assertClose(r.interval.lower, c.interval[0], `${what} lower`)
      assertClose(r.interval.upper, c.interval[1], `${what} upper`)
    }
  })
})
