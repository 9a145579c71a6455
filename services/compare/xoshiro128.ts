/**
 * A seeded pseudo-random generator, so a bootstrap gives the same answer every time it is asked and the fixture
 * generator (Python) can reproduce it draw for draw: xoshiro128** 1.1 (Blackman & Vigna 2018, period 2^128 − 1,
 * enough for 10^9 draws) seeded by expanding a 32-bit seed with splitmix32.
 */

/** A source of uniform integers in [0, n). */
export interface RandomIndex {
  below(n: number): number
  /** Σ of `count` values picked uniformly with replacement: the resampling loop, with the generator's state in locals. */
  sumOfDraws(values: Float64Array, count: number): number
}

/**
 * xoshiro128** seeded with `seed`. `below(n)` = ⌊u·n⌋ for u = next32 / 2^32 (bias below n / 2^32, irrelevant
 * for resampling).
 *
 * @example
 * const random = xoshiro128(20261126)
 * random.below(10) // the same number on every run
 */
export function xoshiro128(seed: number): RandomIndex {
  // state as int32 so the hot loop stays in small integers; results are read back unsigned
  let s0 = 0
  let s1 = 0
  let s2 = 0
  let s3 = 0
  let x = seed >>> 0
  const split = (): number => {
    x = (x + 0x9e3779b9) >>> 0
    let z = x
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) | 0
  }
  s0 = split()
  s1 = split()
  s2 = split()
  s3 = split()
  return {
    below(n: number): number {
      const r = Math.imul(s1, 5)
      const result = Math.imul((r << 7) | (r >>> 25), 9) >>> 0
      const t = s1 << 9
      s2 ^= s0
      s3 ^= s1
      s1 ^= s2
      s0 ^= s3
      s2 ^= t
      s3 = (s3 << 11) | (s3 >>> 21)
      return Math.floor((result / 4294967296) * n)
    },
    sumOfDraws(values: Float64Array, count: number): number {
      const n = values.length
      let a = s0
      let b = s1
      let c = s2
      let d = s3
      let sum = 0
      for (let i = 0; i < count; i++) {
        const r = Math.imul(b, 5)
        const result = Math.imul((r << 7) | (r >>> 25), 9) >>> 0
        const t = b << 9
        c ^= a
        d ^= b
        b ^= c
        a ^= d
        c ^= t
        d = (d << 11) | (d >>> 21)
        sum += values[Math.floor((result / 4294967296) * n)] as number
      }
      s0 = a
      s1 = b
      s2 = c
      s3 = d
      return sum
    },
  }
}
