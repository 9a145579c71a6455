/**
 * What Grafana and the ClickHouse data source plugin (grafana-clickhouse-datasource v4) do to a panel's SQL
 * before ClickHouse sees it, in the same order, so the dashboards test runs the SQL a user's Grafana would:
 *  1. the plugin's frontend replaces `$__conditionalAll(condition, $var)` by `1=1` when the variable is All
 *     (or empty) and by the condition otherwise (CHDatasource.applyConditionalAll);
 *  2. Grafana interpolates template variables (`$var`, `${var}`, `${var:format}`, `[[var]]`), leaving
 *     names it does not know (the backend's `$__` macros) alone;
 *  3. the plugin's backend expands its time macros (pkg/macros/macros.go).
 * Anything left unexpanded, an unknown variable, format or macro is an error here: a dashboard must not
 * depend on something this reproduction (and so the check) does not cover.
 */

/** A template variable's current value; `all` stands for Grafana's `$__all` selection. */
export type VariableValue = { value: string } | { all: true; options: string[] }

export interface QueryContext {
  /** Time range, ms since the epoch. */
  fromMs: number
  toMs: number
  /** Grafana's `$__interval` for the panel, in ms. */
  intervalMs: number
  variables: Record<string, VariableValue>
}

const CONDITIONAL_ALL = '$__conditionalAll('

/**
 * Expands a ClickHouse panel's `rawSql` as Grafana and the plugin would.
 *
 * @example
 * const sql = expandClickHouseSql("SELECT 1 WHERE $__timeFilter(ts) AND m = decodeURLComponent('${model:percentencode}')",
 *   { fromMs: 0, toMs: 3_600_000, intervalMs: 60_000, variables: { model: { value: 'churn' } } })
 */
export function expandClickHouseSql(rawSql: string, ctx: QueryContext): string {
  const interpolated = interpolateVariables(applyConditionalAll(rawSql, ctx), ctx)
  const expanded = expandMacros(interpolated, ctx)
  const left = /\$\w+|\$\{|\[\[/.exec(expanded)
  if (left !== null) throw new Error(`unexpanded "${left[0]}" left in the query: ${expanded}`)
  return expanded
}

/** Step 1, the plugin's frontend macro: arguments split at top-level commas, as its getMacroArgs does. */
export function applyConditionalAll(sql: string, ctx: QueryContext): string {
  let at = sql.lastIndexOf(CONDITIONAL_ALL)
  while (at !== -1) {
    const open = at + CONDITIONAL_ALL.length - 1
    const { args, end } = macroArgs(sql, open)
    const [condition, variable] = args
    if (args.length !== 2 || condition === undefined || variable === undefined) throw new Error(`$__conditionalAll takes (condition, $variable), got ${args.length} arguments: ${sql.slice(at, end)}`)
    const name = /^\s*\$\{?(\w+)\}?\s*$/.exec(variable)?.[1]
    if (name === undefined) throw new Error(`$__conditionalAll's second argument must be a variable, got "${variable.trim()}"`)
    const value = lookup(ctx, name)
    const isAll = 'all' in value || value.value === ''
    sql = sql.slice(0, at) + (isAll ? '1=1' : condition) + sql.slice(end)
    at = sql.lastIndexOf(CONDITIONAL_ALL)
  }
  return sql
}

/** Step 2, Grafana's templateSrv.replace with the plugin's default format for unformatted references. */
export function interpolateVariables(sql: string, ctx: QueryContext): string {
  const pattern = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?::([^}]+))?\}/g
  return sql.replace(pattern, (match, plain?: string, bracket?: string, bracketFormat?: string, braced?: string, bracedFormat?: string) => {
    const name = plain ?? bracket ?? braced ?? ''
    // `$__name` is a backend macro (or a Grafana built-in this check does not support): step 3 handles it.
    if (name.startsWith('__')) return match
    const value = lookup(ctx, name)
    const values = 'all' in value ? value.options : value.value
    return formatValue(values, bracketFormat ?? bracedFormat, name)
  })
}

/**
 * Grafana's variable formats that a ClickHouse query can use (public/app/features/templating/formatRegistry.ts);
 * without a format, the plugin's own: a list becomes 'a','b' and a single value is inserted as it is.
 */
export function formatValue(value: string | string[], format: string | undefined, name = '?'): string {
  const list = Array.isArray(value) ? value : [value]
  const quote = (v: string): string => `'${v.replace(/'/g, "\\'")}'`
  switch (format) {
    case undefined:
      return Array.isArray(value) ? `'${value.join("','")}'` : value
    case 'raw':
    case 'text':
      return list.join(',')
    case 'csv':
      return list.join(',')
    case 'singlequote':
      return list.map(quote).join(',')
    case 'sqlstring':
      return list.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')
    case 'percentencode':
      return encodeURIComponentStrict(Array.isArray(value) ? `{${value.join(',')}}` : value)
    default:
      throw new Error(`variable ${name} uses the format "${format}", which this check does not reproduce`)
  }
}

/** Grafana's encodeURIComponentStrict: also encodes ! ' ( ) *, so the result holds only [A-Za-z0-9-_.~%]. */
export function encodeURIComponentStrict(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** Step 3, the backend macros of grafana-clickhouse-datasource v4 (pkg/macros/macros.go). */
export function expandMacros(sql: string, ctx: QueryContext): string {
  const from = Math.floor(ctx.fromMs / 1000)
  const to = Math.floor(ctx.toMs / 1000)
  const seconds = Math.max(Math.floor(ctx.intervalMs / 1000), 1)
  const ms = Math.max(Math.floor(ctx.intervalMs), 1)
  const noArgs: Record<string, string> = {
    fromTime: `toDateTime(${from})`,
    toTime: `toDateTime(${to})`,
    fromTime_ms: `fromUnixTimestamp64Milli(${ctx.fromMs})`,
    toTime_ms: `fromUnixTimestamp64Milli(${ctx.toMs})`,
    interval_s: String(seconds),
  }
  const oneArg: Record<string, (column: string) => string> = {
    timeFilter: (c) => `${c} >= toDateTime(${from}) AND ${c} <= toDateTime(${to})`,
    timeFilter_ms: (c) => `${c} >= fromUnixTimestamp64Milli(${ctx.fromMs}) AND ${c} <= fromUnixTimestamp64Milli(${ctx.toMs})`,
    dateFilter: (c) => `${c} >= toDate('${isoDate(ctx.fromMs)}') AND ${c} <= toDate('${isoDate(ctx.toMs)}')`,
    timeInterval: (c) => `toStartOfInterval(toDateTime(${c}), INTERVAL ${seconds} second)`,
    timeInterval_ms: (c) => `toStartOfInterval(toDateTime64(${c}, 3), INTERVAL ${ms} millisecond)`,
  }
  let out = ''
  let rest = sql
  for (let match = /\$__(\w+)/.exec(rest); match !== null; match = /\$__(\w+)/.exec(rest)) {
    const name = match[1] ?? ''
    out += rest.slice(0, match.index)
    const after = match.index + match[0].length
    const simple = noArgs[name]
    const withArg = oneArg[name]
    if (simple !== undefined) {
      out += simple
      rest = rest.slice(after)
    } else if (withArg !== undefined) {
      if (rest[after] !== '(') throw new Error(`$__${name} needs a column argument: ${rest.slice(match.index, match.index + 40)}`)
      const { args, end } = macroArgs(rest, after)
      const [column] = args
      if (args.length !== 1 || column === undefined) throw new Error(`$__${name} takes one argument, got ${args.length}`)
      out += withArg(column.trim())
      rest = rest.slice(end)
    } else {
      throw new Error(`unknown macro $__${name}: this check does not reproduce it, so it cannot vouch for the query`)
    }
  }
  return out + rest
}

/** The arguments of the call whose '(' is at `open`, split at top-level commas; `end` is after its ')'. */
function macroArgs(text: string, open: number): { args: string[]; end: number } {
  let depth = 0
  let start = open + 1
  const args: string[] = []
  for (let i = open; i < text.length; i++) {
    const c = text[i]
    if (c === '(') depth++
    else if (c === ')') depth--
    if (c === ',' && depth === 1) {
      args.push(text.slice(start, i))
      start = i + 1
    }
    if (depth === 0) {
      args.push(text.slice(start, i))
      return { args, end: i + 1 }
    }
  }
  throw new Error(`unbalanced parentheses after: ${text.slice(open, open + 60)}`)
}

function lookup(ctx: QueryContext, name: string): VariableValue {
  const value = ctx.variables[name]
  if (value === undefined) throw new Error(`the query uses $${name}, which the dashboard does not define`)
  return value
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}
