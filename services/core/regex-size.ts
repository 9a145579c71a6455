/**
 * How big an RE2 program a pattern makes, estimated from its text before anything is compiled. RE2 matches
 * in time linear in the text, but the constant is the program's size, and counted repetition multiplies it:
 * `(?:[a-z]?){40}` is forty copies, and a 256-character pattern of such groups compiles for a second and
 * matches a 160-character name in another. The estimate counts each atom (a character, a class, an escape)
 * once per copy RE2 makes of it; it errs on the high side (an escape such as `\x{41}` counts its characters),
 * never the low one. Syntax errors are left to RE2, which parses the pattern afterwards.
 */

const REPEAT = /^\{(\d+)(,(\d*))?\}/
/** `(`, `(?:`, `(?i:`, `(?P<name>` or `(?<name>`: what opens a group, before what it holds. */
const GROUP_OPENING = /^\((\?(P?<[^>]*>|[a-zA-Z-]*:))?/

/**
 * The pattern's atoms once counted repetitions are expanded, as RE2's simplifier expands them.
 *
 * @example
 * expandedSize('plan|tenure') // 10
 * expandedSize('(?:ab){3}')  // 6
 */
export function expandedSize(pattern: string): number {
  // One frame per open group: the size of what it holds so far, and of the last item (what a quantifier repeats).
  const frames: { total: number; last: number }[] = [{ total: 0, last: 0 }]
  const top = (): { total: number; last: number } => frames[frames.length - 1] as { total: number; last: number }
  const item = (size: number): void => {
    top().total += size
    top().last = size
  }
  let i = 0
  while (i < pattern.length) {
    const c = pattern[i] as string
    if (c === '\\') {
      if (pattern[i + 1] === 'Q') {
        // \Q…\E quotes literally: one atom per character, up to \E or the end.
        const close = pattern.indexOf('\\E', i + 2)
        const stop = close === -1 ? pattern.length : close
        item(Math.max(1, stop - (i + 2)))
        i = close === -1 ? stop : close + 2
      } else {
        item(1)
        i = escapeEnd(pattern, i)
      }
    } else if (c === '[') {
      i = classEnd(pattern, i)
      item(1)
    } else if (c === '(') {
      const flagsOnly = /^\(\?[a-zA-Z-]*\)/.exec(pattern.slice(i))
      if (flagsOnly !== null) {
        i += flagsOnly[0].length
        continue
      }
      frames.push({ total: 0, last: 0 })
      i += (GROUP_OPENING.exec(pattern.slice(i)) as RegExpExecArray)[0].length
    } else if (c === ')') {
      const group = frames.length > 1 ? (frames.pop() as { total: number }) : { total: 0 }
      item(group.total)
      i += 1
    } else if (c === '{' && REPEAT.test(pattern.slice(i))) {
      const [text, min = '0', comma, max = ''] = REPEAT.exec(pattern.slice(i)) as RegExpExecArray
      // x{n} is n copies; x{n,} is n copies and a star; x{n,m} is m copies (the optional ones nested).
      const copies = Math.max(1, comma === undefined ? Number(min) : max === '' ? Number(min) + 1 : Number(max))
      top().total += top().last * (copies - 1)
      top().last *= copies
      i += text.length
    } else if (c === '|' || c === '*' || c === '+' || c === '?') {
      i += 1
    } else {
      item(1)
      i += 1
    }
  }
  return frames.reduce((sum, f) => sum + f.total, 0)
}

/** The index after the escape starting at `i`: `\p{Greek}`, `\x{263a}`, `\pL`, `\x41`, or one character. */
function escapeEnd(pattern: string, i: number): number {
  const kind = pattern[i + 1]
  if ((kind === 'p' || kind === 'P' || kind === 'x') && pattern[i + 2] === '{') {
    const close = pattern.indexOf('}', i + 3)
    return close === -1 ? pattern.length : close + 1
  }
  if (kind === 'p' || kind === 'P') return i + 3
  if (kind === 'x') return i + 4
  return i + 2
}

/** The index after the character class starting at `i` (`[^]a]` and `[[:alpha:]]` included). */
function classEnd(pattern: string, i: number): number {
  let j = i + 1
  if (pattern[j] === '^') j += 1
  if (pattern[j] === ']') j += 1
  while (j < pattern.length && pattern[j] !== ']') {
    if (pattern[j] === '\\') j = escapeEnd(pattern, j)
    else if (pattern.startsWith('[:', j)) {
      const close = pattern.indexOf(':]', j + 2)
      j = close === -1 ? j + 1 : close + 2
    } else j += 1
  }
  return j + 1
}
