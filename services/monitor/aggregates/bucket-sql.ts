/** The one definition of a numeric value's bucket in the per-minute aggregates. */

/**
 * The bucket of a non-missing numeric value `v` against `edges`, `lo`, `hi`: the number of edges < v (numpy
 * searchsorted left, as the raw query bins), or below/above outside the reference's [min, max]. The materialized
 * view in 004 spells the same expression out; test/integration/drift-aggregates.test.ts checks both give the raw query's bins.
 *
 * @example
 * `${bucketSql('p.value', 'e.edges', 'e.lo', 'e.hi')} AS bucket`
 */
export const bucketSql = (v: string, edges: string, lo: string, hi: string): string =>
  `multiIf(${v} < ${lo}, 'below', ${v} > ${hi}, 'above', toString(arrayCount(x -> x < ${v}, ${edges})))`

