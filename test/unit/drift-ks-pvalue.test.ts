/**
 * The KS p-value (ClickHouse's algorithm, from an exact D) against scipy's ks_2samp
 * (test/fixtures/stats/drift-ks-pvalues.json). Both switch from the exact distribution to an asymptotic one above
 * 10,000 values in the larger sample; below it they agree to 1e-12 relative. Above it ClickHouse uses the
 * limiting Kolmogorov distribution and scipy the one-sample distribution at n = n1·n2/(n1+n2): the documented
 * bound (docs/statistics.md) is 0.01 absolute and 5% relative, ClickHouse's p never below scipy's.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { ksPValue } from '../../services/monitor/drift/kolmogorov-smirnov.js'

interface Row { d: number; n1: number; n2: number; p: number; method: 'exact' | 'asymptotic' }
const rows = (JSON.parse(readFileSync(new URL('../fixtures/stats/drift-ks-pvalues.json', import.meta.url), 'utf8')) as { rows: Row[] }).rows

/** ClickHouse's exact loop as written there (every cell, every row), to check the banded version against. */
function clickHouseExact(d: number, a: number, b: number): number {
  const n1 = Math.max(a, b)
  const n2 = Math.min(a, b)
  const q = (0.5 + Math.floor(d * n2 * n1 - 1e-7)) / (n2 * n1)
  const c = new Float64Array(n1 + 1)
  for (let j = 1; j <= n1; j++) c[j] = Math.abs(j / n1) >= q ? 1 : (c[j - 1] ?? 0)
  for (let i = 1; i <= n2; i++) {
    if (Math.abs(i / n2) >= q) c[0] = 1
    for (let j = 1; j <= n1; j++) {
      if (Math.abs(i / n2 - j / n1) >= q) c[j] = 1
      else c[j] = (i / (i + j)) * (c[j] ?? 0) + (j / (i + j)) * (c[j - 1] ?? 0)
    }
  }
  return Math.min(1, Math.max(0, c[n1] ?? Number.NaN))
}

describe('ksPValue', () => {
  it('computes the exact distribution bit for bit as ClickHouse does', () => {
    for (const [a, b] of [[1, 1], [1, 2], [2, 1], [3, 7], [10, 10], [17, 40], [123, 456], [700, 500]] as const) {
      for (let k = 0; k <= 20; k++) {
        const lattice = Math.round((k / 20) * a * b) / (a * b) // d on the lattice of possible values, and off it
        for (const d of [lattice, k / 20]) assert.equal(ksPValue(d, a, b, 'exact'), clickHouseExact(d, a, b), `d=${d} n=${a},${b}`)
      }
    }
  })

  it('matches scipy ks_2samp to 1e-12 relative in the exact regime (at most 10,000 values a side)', () => {
    const exact = rows.filter((r) => r.method === 'exact')
    assert.ok(exact.length >= 40)
    for (const { d, n1, n2, p } of exact) {
      const got = ksPValue(d, n1, n2)
      assert.ok(Math.abs(got - p) <= Math.max(1e-12 * p, 1e-16), `d=${d} n=${n1},${n2}: scipy ${p}, got ${got}`)
    }
  })

  it('stays within the documented bound of scipy in the asymptotic regime', () => {
    const asymptotic = rows.filter((r) => r.method === 'asymptotic')
    assert.ok(asymptotic.length >= 20)
    for (const { d, n1, n2, p } of asymptotic) {
      const got = ksPValue(d, n1, n2)
      assert.ok(got >= p - 1e-12, `d=${d} n=${n1},${n2}: ${got} below scipy's ${p}`)
      assert.ok(got - p <= 0.01 && (got - p) / p <= 0.05, `d=${d} n=${n1},${n2}: scipy ${p}, got ${got}`)
    }
  })

  it('treats ties of the lattice exactly (d · n1 · n2 an integer) and clamps to [0, 1]', () => {
    assert.equal(ksPValue(1, 1, 1), 1)
    assert.equal(ksPValue(0, 50, 70), 1)
    assert.ok(Math.abs(ksPValue(0.5, 10, 10) - 0.16782134274394334) < 1e-15)
    const p = ksPValue(1, 5000, 50_000)
    assert.ok(p >= 0 && p < 1e-12)
  })

  it('is NaN for an empty sample and honours an explicit method', () => {
    assert.ok(Number.isNaN(ksPValue(0.5, 0, 10)))
    const d = 0.05
    assert.notEqual(ksPValue(d, 800, 900, 'exact'), ksPValue(d, 800, 900, 'asymptotic'))
    assert.equal(ksPValue(d, 800, 900), ksPValue(d, 800, 900, 'exact'))
    assert.equal(ksPValue(d, 800, 20_000), ksPValue(d, 800, 20_000, 'asymptotic'))
  })
})
