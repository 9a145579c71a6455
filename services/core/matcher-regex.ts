/**
 * The one way modelwatch runs a regular expression a user wrote (silence matchers `=~`, and anything like
 * them later): RE2 semantics, as Alertmanager's matchers, on re2js, a pure-JavaScript port of RE2 whose
 * matching time is linear in the text. JavaScript's own RegExp backtracks: `(a+)+$` against 48 `a`s and a
 * dash never returns, and blocks the event loop while it tries. A pattern is anchored at both ends (it must
 * match the whole value), and must stay within MAX_MATCHER_PATTERN_LENGTH characters and
 * MAX_MATCHER_PATTERN_SIZE atoms (regex-size.ts), so compiling and matching it stay cheap too. Compiled
 * patterns are kept (up to MAX_COMPILED), so a silence is compiled once, not once per alert it is checked against.
 */
import { RE2JS, RE2JSException } from 're2js'
import { expandedSize } from './regex-size.js'

/** Longest pattern accepted, in characters. */
export const MAX_MATCHER_PATTERN_LENGTH = 256
/**
 * Most atoms a pattern may expand to once counted repetitions (`x{3}`) are written out (RE2 itself allows a
 * count of 1000, and their product up to 1000 when nested). At this size the first match of a pattern, which
 * builds its automaton, takes tens of milliseconds on a busy machine; later ones, microseconds.
 */
export const MAX_MATCHER_PATTERN_SIZE = 256
/** Compiled patterns kept; beyond this the oldest is compiled again when next needed. */
const MAX_COMPILED = 4096

/** A compiled pattern: `test` says whether the whole value matches. */
export interface MatcherRegex {
  readonly pattern: string
  test(value: string): boolean
}

export type MatcherRegexResult = { ok: true; regex: MatcherRegex } | { ok: false; problem: string }

const compiled = new Map<string, MatcherRegex>()

/**
 * Compiles `pattern` (from the cache when it was compiled before), or says in one phrase why it is refused.
 *
 * @example
 * const result = compileMatcherRegex('warn.*|critical')
 * if (result.ok) result.regex.test('warning') // true; 'a warning' is false (anchored)
 * compileMatcherRegex('(?=a)') // { ok: false, problem: 'not an RE2 regular expression: invalid or unsupported Perl syntax: `(?=` …' }
 */
export function compileMatcherRegex(pattern: string): MatcherRegexResult {
  const known = compiled.get(pattern)
  if (known !== undefined) return { ok: true, regex: known }
  if (pattern.length > MAX_MATCHER_PATTERN_LENGTH) {
    return { ok: false, problem: `the regular expression is ${pattern.length} characters long; at most ${MAX_MATCHER_PATTERN_LENGTH} (MAX_MATCHER_PATTERN_LENGTH)` }
  }
  const size = expandedSize(pattern)
  if (size > MAX_MATCHER_PATTERN_SIZE) {
    return { ok: false, problem: `the regular expression expands to ${size} atoms once its counted repetitions are written out; at most ${MAX_MATCHER_PATTERN_SIZE} (MAX_MATCHER_PATTERN_SIZE): use + or * instead of large {n,m} counts` }
  }
  let re2: RE2JS
  try {
    re2 = RE2JS.compile(pattern)
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error
    const reason = error.message.replace(/^error parsing regexp: /, '')
    return { ok: false, problem: `not an RE2 regular expression: ${reason} (RE2 syntax, as Alertmanager's: no lookarounds, no backreferences)` }
  }
  const regex: MatcherRegex = { pattern, test: (value) => re2.testExact(value) }
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string)
  compiled.set(pattern, regex)
  return { ok: true, regex }
}

/**
 * Whether `value` matches all of `pattern`; a pattern that does not compile matches nothing (such a pattern
 * is refused where it comes in, so only one stored before a rule changed can get here).
 *
 * @example
 * matchesWhole('plan|tenure', 'plan') // true
 */
export function matchesWhole(pattern: string, value: string): boolean {
  const result = compileMatcherRegex(pattern)
  return result.ok && result.regex.test(value)
}
