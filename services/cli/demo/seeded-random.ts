/**
 * mulberry32: a tiny seeded PRNG, so two runs of the demo (and test fixtures built from it) tell the same
 * story. Good enough for synthetic data, not for anything secret.
 *
 * @example
 * const random = seededRandom(42)
 * random() // 0.6011037519201636, every time
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
