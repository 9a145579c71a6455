/**
 * Rows as a plain-text table with a header, columns padded to their widest cell; numbers right-aligned.
 *
 * @example
 * formatTable([{ reason: 'oversized', n: 3 }])
 * // reason    | n
 * // ----------+--
 * // oversized | 3
 */
export function formatTable(rows: Record<string, unknown>[]): string {
  const first = rows[0]
  if (first === undefined) return '(0 rows)\n'
  const columns = Object.keys(first)
  const cells = rows.map((row) => columns.map((c) => cell(row[c])))
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]?.length ?? 0)))
  const numeric = columns.map((c) => rows.every((row) => typeof row[c] === 'number'))
  const line = (values: string[]): string =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join(' | ').trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-')
  return `${[line(columns), rule, ...cells.map(line)].join('\n')}\n(${rows.length} row${rows.length === 1 ? '' : 's'})\n`
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}
