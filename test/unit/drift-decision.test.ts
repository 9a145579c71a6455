import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ModelwatchError } from '../../services/core/errors.js'
import { datasetDrift, decide, DEFAULT_THRESHOLDS, resolveRule } from '../../services/monitor/drift/decision.js'

const numeric = (nReference: number, name = 'x') => ({ name, kind: 'numeric' as const, nReference })
const categorical = (nReference: number, name = 'c') => ({ name, kind: 'categorical' as const, nReference })

describe('resolveRule (defaults: Evidently data-drift preset)', () => {
  it('uses tests up to 1000 reference values and distances above', () => {
    assert.deepEqual(resolveRule(numeric(1000)), { method: 'ks', threshold: 0.05 })
    assert.deepEqual(resolveRule(numeric(1001)), { method: 'wasserstein', threshold: 0.1 })
    assert.deepEqual(resolveRule(categorical(1000)), { method: 'chi2', threshold: 0.05 })
    assert.deepEqual(resolveRule(categorical(1001)), { method: 'jensen_shannon', threshold: 0.1 })
    assert.deepEqual(resolveRule(numeric(0)), { method: 'ks', threshold: 0.05 })
  })

  it('moves the size switch with largeReference', () => {
    assert.equal(resolveRule(numeric(500), { largeReference: 100 }).method, 'wasserstein')
    assert.equal(resolveRule(numeric(5000), { largeReference: 10_000 }).method, 'ks')
  })

  it('lets a column rule beat a kind rule beat the default; thresholds per rule, per method, or default', () => {
    const options = {
      numeric: { method: 'psi' as const },
      columns: { special: { method: 'ks' as const, threshold: 0.01 } },
      thresholds: { psi: 0.25 },
    }
    assert.deepEqual(resolveRule(numeric(5000), options), { method: 'psi', threshold: 0.25 })
    assert.deepEqual(resolveRule(numeric(5000, 'special'), options), { method: 'ks', threshold: 0.01 })
    assert.deepEqual(resolveRule(categorical(5000), options), { method: 'jensen_shannon', threshold: DEFAULT_THRESHOLDS.jensen_shannon })
    assert.deepEqual(resolveRule(numeric(10), { thresholds: { ks: 0.1 } }), { method: 'ks', threshold: 0.1 })
  })

  it('refuses methods of the other kind and non-finite thresholds', () => {
    assert.throws(() => resolveRule(numeric(10), { numeric: { method: 'chi2' } }), (e: unknown) => e instanceof ModelwatchError && e.code === 'USAGE' && /chi2 does not apply to numeric column "x"/.test(e.message))
    assert.throws(() => resolveRule(categorical(10), { columns: { c: { method: 'wasserstein' } } }), /wasserstein does not apply to categorical/)
    assert.throws(() => resolveRule(categorical(10), { columns: { c: { method: 'ks' } } }), /ks does not apply/)
    assert.throws(() => resolveRule(numeric(10), { numeric: { method: 'psi', threshold: Number.NaN } }), /finite number/)
  })
})

describe('decide', () => {
  const stats = { wasserstein_normed: 0.1, jensen_shannon: 0.05, psi: 0.3, ks: { p_value: 0.05 }, chi2: { p_value: 0.01 } }

  it('drifts at or above a distance threshold and strictly below a p-value threshold', () => {
    assert.deepEqual(decide({ method: 'wasserstein', threshold: 0.1 }, stats), { score: 0.1, drifted: true })
    assert.deepEqual(decide({ method: 'jensen_shannon', threshold: 0.1 }, stats), { score: 0.05, drifted: false })
    assert.deepEqual(decide({ method: 'psi', threshold: 0.2 }, stats), { score: 0.3, drifted: true })
    assert.deepEqual(decide({ method: 'ks', threshold: 0.05 }, stats), { score: 0.05, drifted: false })
    assert.deepEqual(decide({ method: 'chi2', threshold: 0.05 }, stats), { score: 0.01, drifted: true })
  })

  it('never drifts on a statistic that could not be computed', () => {
    const empty = { wasserstein_normed: null, jensen_shannon: null, psi: null, ks: { p_value: null }, chi2: { p_value: null } }
    for (const method of ['wasserstein', 'jensen_shannon', 'psi', 'ks', 'chi2'] as const) {
      assert.deepEqual(decide({ method, threshold: 0.5 }, empty), { score: null, drifted: false })
    }
    assert.deepEqual(decide({ method: 'psi', threshold: 0.1 }, { jensen_shannon: 0, psi: Number.NaN }), { score: null, drifted: false })
  })
})

describe('datasetDrift', () => {
  it('drifts when at least half of the columns drift', () => {
    assert.deepEqual(datasetDrift([true, false]), { drifted_share: 0.5, dataset_drift: true })
    assert.deepEqual(datasetDrift([true, false, false]), { drifted_share: 1 / 3, dataset_drift: false })
    assert.deepEqual(datasetDrift([true, false, false], { datasetDriftShare: 0.3 }), { drifted_share: 1 / 3, dataset_drift: true })
    assert.deepEqual(datasetDrift([]), { drifted_share: null, dataset_drift: false })
  })
})
