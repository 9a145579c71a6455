/**
 * User-written regular expressions (silence matchers) run on a linear-time RE2 engine: anchored at both ends,
 * RE2 syntax only, bounded in length and in size once counted repetitions are expanded, compiled once.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compileMatcherRegex, matchesWhole, MAX_MATCHER_PATTERN_LENGTH, MAX_MATCHER_PATTERN_SIZE } from '../../services/core/matcher-regex.js'
import { expandedSize } from '../../services/core/regex-size.js'

/** Exponential or high-polynomial on a backtracking engine when the text almost matches. */
const CATASTROPHIC = ['(a+)+$', '(a|a)*$', '(a|aa)+$', '(.*a){20}$', '([a-z]+)*$', '(\\w+\\w?)*$', '(a*)*b', '(x+x+)+y', '^(a?){30}a{30}$']

const compiled = (pattern: string) => {
  const result = compileMatcherRegex(pattern)
  if (!result.ok) assert.fail(`${pattern}: ${result.problem}`)
  return result.regex
}
const problem = (pattern: string) => {
  const result = compileMatcherRegex(pattern)
  return result.ok ? '' : result.problem
}
const timed = (work: () => void): number => {
  const started = performance.now()
  work()
  return performance.now() - started
}

describe('matcher regular expressions', () => {
  it('match the whole value, as Alertmanager matchers do', () => {
    assert.equal(matchesWhole('plan|tenure', 'plan'), true)
    assert.equal(matchesWhole('plan|tenure', 'plantenure'), false)
    assert.equal(matchesWhole('pla', 'plan'), false)
    assert.equal(matchesWhole('lan', 'plan'), false)
    assert.equal(matchesWhole('', ''), true)
    assert.equal(problem('a)|(b').length > 0, true, 'a pattern cannot close the anchoring group and escape it')
  })

  it('answer catastrophic-backtracking patterns in linear time, on a 48-character name and on 100 000 characters', () => {
    const short = `${'a'.repeat(48)}-`
    const long = `${'a'.repeat(100_000)}-`
    for (const pattern of CATASTROPHIC) {
      const regex = compiled(pattern)
      regex.test(short) // the first match builds the automaton's states
      assert.ok(timed(() => assert.equal(regex.test(short), false)) < 50, pattern)
      assert.ok(timed(() => assert.equal(regex.test(long), false)) < 2000, pattern)
    }
  })

  it('refuse backreferences and lookarounds, which RE2 does not have, naming RE2', () => {
    for (const pattern of ['(a)\\1', '(?=a)', '(?!a)', '(?<=a)b', '(?<!a)b']) {
      assert.match(problem(pattern), /^not an RE2 regular expression: .+ \(RE2 syntax, as Alertmanager's: no lookarounds, no backreferences\)$/, pattern)
    }
  })

  it(`take ${MAX_MATCHER_PATTERN_LENGTH} characters, not one more`, () => {
    compiled('a'.repeat(MAX_MATCHER_PATTERN_LENGTH))
    assert.equal(problem('a'.repeat(MAX_MATCHER_PATTERN_LENGTH + 1)), 'the regular expression is 257 characters long; at most 256 (MAX_MATCHER_PATTERN_LENGTH)')
  })

  it(`take ${MAX_MATCHER_PATTERN_SIZE} atoms once counted repetitions are expanded, not one more, and refuse a larger one before compiling it`, () => {
    compiled('(?:(?:[a-z]?){16}){16}')
    compiled('[a-f0-9]{64}')
    assert.match(problem('(?:(?:[a-z]?){16}){16}a'), /^the regular expression expands to 257 atoms .*at most 256 \(MAX_MATCHER_PATTERN_SIZE\)/)
    // 240 atoms repeated 1000 times: RE2 would accept it, compile it for a second and match a name for another.
    const huge = `(?:${'[a-z]?'.repeat(40)}){1000}`
    assert.ok(timed(() => assert.match(problem(huge), /expands to 40000 atoms/)) < 50)
  })

  it('compile a pattern once, however often it is used', () => {
    assert.equal(compiled('warn.*|critical'), compiled('warn.*|critical'))
  })
})

describe('expanded size of a pattern', () => {
  it('counts each atom once per copy RE2 makes of it', () => {
    const cases: [string, number][] = [
      ['plan|tenure', 10], ['(?:ab){3}', 6], ['a{2,5}', 5], ['a{3,}', 4], ['((a{10}){10}){10}', 1000], ['[a-z]{3}', 3],
      ['[]a]{2}', 2], ['\\pL{5}', 5], ['\\p{Greek}{2}', 2], ['\\x{263a}{2}', 2], ['\\Qa.b\\E', 3], ['(?i)abc', 3], ['(?P<n>ab)+', 2], ['a{', 2],
    ]
    for (const [pattern, size] of cases) assert.equal(expandedSize(pattern), size, pattern)
  })
})
