/**
 * The SQL that reads a planned file, written once from the plan: value expressions per column, the value
 * checks, and the SELECT that becomes reference rows. Column names, map keys and class names always travel
 * as query parameters ({rc_N:Identifier}, {rk_N:String}); the SQL text holds only names generated here.
 */
import type { ColumnPlan, NumberColumn, StringColumn } from './check-columns.js'

/**
 * Parameters for column identifiers and literal strings, numbered in order of first use.
 *
 * @example
 * const params = new SqlParams()
 * params.column('plan') // '{rc_0:Identifier}'; params.values = { rc_0: 'plan' }
 */
export class SqlParams {
  readonly values: Record<string, unknown> = {}
  private readonly columns = new Map<string, string>()
  private strings = 0

  /** `{rc_N:Identifier}` for a file column (one parameter per distinct column). */
  column(name: string): string {
    let param = this.columns.get(name)
    if (param === undefined) {
      param = `rc_${this.columns.size}`
      this.columns.set(name, param)
      this.values[param] = name
    }
    return `{${param}:Identifier}`
  }

  /** `{rk_N:String}` for a literal string (a map key or class name). */
  string(value: string): string {
    const param = `rk_${this.strings++}`
    this.values[param] = value
    return `{${param}:String}`
  }
}

/** Strings ClickHouse would read as NaN or an infinity; refused rather than parsed. */
const NON_FINITE_WORDS = "('nan', '+nan', '-nan', 'inf', '+inf', '-inf', 'infinity', '+infinity', '-infinity')"

/** A CSV cell as text: empty (or only blanks) is missing. */
const trimmedText = (ref: string): string => `nullIf(trimBoth(${ref}), '')`

/**
 * The Nullable(Float64) value of a number column. CSV text is parsed with toFloat64OrNull after trimming
 * blanks; the checks have already refused every non-empty cell that does not parse.
 *
 * @example
 * numberValue({ column: 'x', read: 'text', role: 'score' }, params) // "toFloat64OrNull(nullIf(trimBoth({rc_0:Identifier}), ''))"
 */
export function numberValue(column: NumberColumn, params: SqlParams): string {
  const ref = params.column(column.column)
  return column.read === 'text' ? `toFloat64OrNull(${trimmedText(ref)})` : `toFloat64(${ref})`
}

/**
 * The Nullable(String) value of a string column. In CSV an empty cell (quoted or not) is missing.
 *
 * @example
 * stringValue({ column: 'label', read: 'convert', role: 'label' }, params) // 'toString({rc_0:Identifier})'
 */
export function stringValue(column: StringColumn, params: SqlParams): string {
  const ref = params.column(column.column)
  switch (column.read) {
    case 'string':
      return `CAST(${ref}, 'Nullable(String)')`
    case 'text':
      return `nullIf(CAST(${ref}, 'Nullable(String)'), '')`
    case 'convert':
      return `toString(${ref})`
  }
}

export interface ValueCheck {
  column: string
  role: string
  problem: 'not a number' | 'NaN or Infinity'
  /** A boolean SQL condition that holds for each offending row. */
  condition: string
}

/**
 * The value checks of every number column: CSV text must parse, nothing may be NaN or infinite.
 *
 * @example
 * valueChecks(plan, params).map((c) => c.problem) // ['not a number', 'NaN or Infinity', ...]
 */
export function valueChecks(plan: ColumnPlan, params: SqlParams): ValueCheck[] {
  const checks: ValueCheck[] = []
  for (const column of numberColumns(plan)) {
    const ref = params.column(column.column)
    if (column.read === 'text') {
      const text = trimmedText(ref)
      checks.push({
        column: column.column,
        role: column.role,
        problem: 'not a number',
        condition: `${text} IS NOT NULL AND toFloat64OrNull(${text}) IS NULL AND lower(${text}) NOT IN ${NON_FINITE_WORDS}`,
      })
      checks.push({
        column: column.column,
        role: column.role,
        problem: 'NaN or Infinity',
        condition: `lower(${text}) IN ${NON_FINITE_WORDS} OR NOT isFinite(toFloat64OrNull(${text}))`,
      })
    } else if (column.read === 'float') {
      checks.push({ column: column.column, role: column.role, problem: 'NaN or Infinity', condition: `NOT isFinite(toFloat64(${ref}))` })
    }
  }
  return checks
}

/**
 * One query answering every check at once: `rows` (the row count), then `bad_N` (offending rows) and
 * `example_N` (one offending value as text) per check.
 *
 * @example
 * const { query, checks } = checkQuery(plan, source.table, source.settings)
 */
export function checkQuery(plan: ColumnPlan, table: string, settings: string): { query: string; params: Record<string, unknown>; checks: ValueCheck[] } {
  const params = new SqlParams()
  const checks = valueChecks(plan, params)
  const columns = ['count() AS rows']
  checks.forEach((check, i) => {
    columns.push(`countIf(${check.condition}) AS bad_${i}`, `anyIf(toString(${params.column(check.column)}), ${check.condition}) AS example_${i}`)
  })
  return { query: `SELECT ${columns.join(', ')} FROM ${table} ${settings}`, params: params.values, checks }
}

/**
 * The column list of `reference_rows`, in the order rowSelect produces them.
 *
 * @example
 * `INSERT INTO reference_rows (${REFERENCE_ROW_COLUMNS.join(', ')}) ...`
 */
export const REFERENCE_ROW_COLUMNS = [
  'reference_id',
  'numeric_features',
  'categorical_features',
  'score',
  'probabilities',
  'predicted_class',
  'value',
  'label_class',
  'label_value',
] as const

/**
 * The SELECT whose rows become `reference_rows` (columns as REFERENCE_ROW_COLUMNS; the reference id is the
 * caller's `{rr_id:String}` parameter). Missing probabilities
 * are left out of the map (its values are not nullable); absent columns are NULL or empty maps.
 *
 * @example
 * const { query, params } = rowSelect(plan, source.table, source.settings)
 * await ch.client.command({ query: `INSERT INTO reference_rows ${query}`, query_params: { ...params, rr_id: referenceId } })
 */
export function rowSelect(plan: ColumnPlan, table: string, settings: string): { query: string; params: Record<string, unknown> } {
  const params = new SqlParams()
  const nothing = (type: string): string => `CAST(NULL, '${type}')`
  const numeric = plan.numeric.flatMap((c) => [params.string(c.feature), numberValue(c, params)])
  const categorical = plan.categorical.flatMap((c) => [params.string(c.feature), stringValue(c, params)])
  const probabilities = plan.probabilities.flatMap((c) => [params.string(c.className), numberValue(c, params)])
  const select = [
    '{rr_id:String}',
    `CAST(map(${numeric.join(', ')}), 'Map(String, Nullable(Float64))')`,
    `CAST(map(${categorical.join(', ')}), 'Map(String, Nullable(String))')`,
    plan.score === undefined ? nothing('Nullable(Float64)') : numberValue(plan.score, params),
    probabilities.length === 0
      ? "CAST(map(), 'Map(String, Float64)')"
      : `CAST(mapFilter((k, v) -> v IS NOT NULL, map(${probabilities.join(', ')})), 'Map(String, Float64)')`,
    plan.predictedClass === undefined ? nothing('Nullable(String)') : stringValue(plan.predictedClass, params),
    plan.value === undefined ? nothing('Nullable(Float64)') : numberValue(plan.value, params),
    plan.labelClass === undefined ? nothing('Nullable(String)') : stringValue(plan.labelClass, params),
    plan.labelValue === undefined ? nothing('Nullable(Float64)') : numberValue(plan.labelValue, params),
  ]
  return { query: `SELECT ${select.join(',\n  ')}\nFROM ${table} ${settings}`, params: params.values }
}

function numberColumns(plan: ColumnPlan): NumberColumn[] {
  return [
    ...plan.numeric,
    ...(plan.score === undefined ? [] : [plan.score]),
    ...(plan.value === undefined ? [] : [plan.value]),
    ...plan.probabilities,
    ...(plan.labelValue === undefined ? [] : [plan.labelValue]),
  ]
}
