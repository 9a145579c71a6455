import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { benjaminiHochberg } from '../../services/compare/benjamini-hochberg.js'
import { meansSampleSize, proportionsSampleSize, samplesStillNeeded } from '../../services/compare/sample-size.js'
import { pairedDifferenceSums, proportionSums, sampleVariance } from '../../services/compare/sample-variance.js'
import { mixtureSprt } from '../../services/compare/sequential.js'
import { pairedProportionsDifference, proportionsDifference, type EstimatedDifference } from '../../services/compare/sequential-input.js'
import { decideVerdict } from '../../services/compare/verdict.js'
import { assertClose, compareFixture, type SequentialExpected } from '../support/compare-fixtures.js'

describe('mixture SPRT', () => {
  it('likelihood ratio, always-valid p-value and confidence sequence follow the closed forms', () => {
    for (const c of compareFixture.msprt) {
      const s = mixtureSprt(c)
      const what = `d=${c.difference} v=${c.variance}`
      assertClose(s.logLikelihoodRatio, c.log_likelihood_ratio, `${what} ln Λ`)
      assertClose(s.pValue, c.p_value, `${what} p`)
      assertClose(s.interval.lower, c.interval[0], `${what} lower`)
      assertClose(s.interval.upper, c.interval[1], `${what} upper`)
      assert.equal(s.concluded, c.concluded, what)
    }
  })

  it('on accuracy, v uses the outcomes\' sample variances (÷ n − 1) as documented; v, ln Λ, p and the sequence match numpy/scipy (generate.py)', () => {
    const check = (estimate: EstimatedDifference, c: SequentialExpected, what: string): void => {
      assertClose(estimate.difference, c.difference, `${what} d`)
      assertClose(estimate.variance, c.variance, `${what} v`)
      const s = mixtureSprt({ ...estimate, tau: c.tau, alpha: c.alpha })
      assertClose(s.logLikelihoodRatio, c.log_likelihood_ratio, `${what} ln Λ`)
      assertClose(s.pValue, c.p_value, `${what} p`)
      assertClose(s.interval.lower, c.interval[0], `${what} lower`)
      assertClose(s.interval.upper, c.interval[1], `${what} upper`)
      assert.equal(s.concluded, c.concluded, what)
    }
    for (const c of compareFixture.sequential_classification.unpaired) check(proportionsDifference(c.a, c.b), c, `unpaired ${c.a.successes}/${c.a.trials} vs ${c.b.successes}/${c.b.trials}`)
    for (const c of compareFixture.sequential_classification.paired) check(pairedProportionsDifference({ pairs: c.pairs, aOnly: c.a_only, bOnly: c.b_only }), c, `paired ${c.pairs} (${c.a_only}, ${c.b_only})`)
  })

  it('the sample variance of counted outcomes is n/(n − 1) times the plug-in one, and undefined below two values', () => {
    assert.equal(sampleVariance(proportionSums({ successes: 3, trials: 4 })), 0.25)
    assert.equal(sampleVariance(proportionSums({ successes: 5, trials: 5 })), 0)
    // D = (+1 ×10, −1 ×4, 0 ×86): mean 0.06, Σ(D − 0.06)² = 14 − 100·0.06²
    assertClose(sampleVariance(pairedDifferenceSums({ pairs: 100, aOnly: 4, bOnly: 10 })), (14 - 100 * 0.06 ** 2) / 99, 'paired')
    assert.ok(Number.isNaN(sampleVariance(proportionSums({ successes: 1, trials: 1 }))))
  })

  it('concludes exactly when the confidence sequence excludes 0', () => {
    for (const difference of [-0.05, -0.02, -0.01, 0, 0.005, 0.012, 0.03]) {
      const s = mixtureSprt({ difference, variance: 2e-5, tau: 0.02, alpha: 0.05 })
      assert.equal(s.concluded, s.interval.lower > 0 || s.interval.upper < 0, `d=${difference}`)
    }
  })

  it('keeps its promise: equal versions looked at after every one of 200 batches conclude in at most ~α of 400 runs', () => {
    // Deterministic pseudo-normal draws (sum of 12 uniforms from a linear congruential generator): pure logic, no Math.random.
    let state = 12345
    const uniform = (): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296)
    const normal = (): number => Array.from({ length: 12 }, uniform).reduce((s, u) => s + u, 0) - 6
    let concluded = 0
    for (let run = 0; run < 400; run++) {
      let sumA = 0
      let sumB = 0
      let n = 0
      for (let look = 0; look < 200; look++) {
        for (let i = 0; i < 10; i++) {
          sumA += normal()
          sumB += normal()
          n++
        }
        if (mixtureSprt({ difference: sumB / n - sumA / n, variance: 2 / n, tau: 0.2, alpha: 0.05 }).concluded) {
          concluded++
          break
        }
      }
    }
    assert.ok(concluded / 400 <= 0.07, `concluded in ${concluded} of 400 runs`)
  })
})

describe('Benjamini–Hochberg', () => {
  it('matches statsmodels multipletests(method="fdr_bh"); undefined p-values stay undefined and do not count', () => {
    for (const c of compareFixture.benjamini_hochberg) {
      const adjusted = benjaminiHochberg(c.p_values.map((p) => p ?? Number.NaN))
      c.adjusted.forEach((expected, i) => {
        if (expected === null) assert.ok(Number.isNaN(adjusted[i]))
        else assertClose(adjusted[i] ?? Number.NaN, expected, `${JSON.stringify(c.p_values)}[${i}]`)
      })
    }
  })
})

describe('sample size', () => {
  it('two proportions match statsmodels samplesize_proportions_2indep_onetail', () => {
    for (const c of compareFixture.sample_size.proportions) assertClose(proportionsSampleSize(c.p, c.delta, c.alpha, c.power), c.n, `p=${c.p} δ=${c.delta}`)
  })
  it('two means follow (z_{1−α/2} + z_{1−β})²(σa² + σb²)/δ²', () => {
    for (const c of compareFixture.sample_size.means) assertClose(meansSampleSize(c.sd_a, c.sd_b, c.delta, c.alpha, c.power), c.n, `σ=${c.sd_a},${c.sd_b} δ=${c.delta}`)
  })
  it('what is still needed never goes below 0 and is unknown when the requirement is', () => {
    assert.equal(samplesStillNeeded(1093.4, 800), 294)
    assert.equal(samplesStillNeeded(100, 5000), 0)
    assert.equal(samplesStillNeeded(Number.NaN, 10), null)
    assert.ok(Number.isNaN(proportionsSampleSize(0.99, 0.05, 0.05, 0.8)))
  })
})

describe('verdict', () => {
  const base = { enoughData: true, adjustedPValue: 0.001, alpha: 0.05 }
  it('is direction-aware: higher accuracy and lower error are both better', () => {
    assert.equal(decideVerdict({ ...base, difference: 0.02, higherIsBetter: true }), 'better')
    assert.equal(decideVerdict({ ...base, difference: -0.02, higherIsBetter: true }), 'worse')
    assert.equal(decideVerdict({ ...base, difference: -0.02, higherIsBetter: false }), 'better')
    assert.equal(decideVerdict({ ...base, difference: 0.02, higherIsBetter: false }), 'worse')
  })
  it('says no significant difference at or above α, and not enough data when the data or the test are missing', () => {
    assert.equal(decideVerdict({ ...base, adjustedPValue: 0.05, difference: 0.02, higherIsBetter: true }), 'no_significant_difference')
    assert.equal(decideVerdict({ ...base, enoughData: false, difference: 0.02, higherIsBetter: true }), 'not_enough_data')
    assert.equal(decideVerdict({ ...base, adjustedPValue: Number.NaN, difference: 0.02, higherIsBetter: true }), 'not_enough_data')
  })
})
