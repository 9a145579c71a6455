/**
 * How a reference file's columns map onto a model, decided from the file's schema alone (before any value
 * is read, and before anything is stored):
 *
 * - every model feature is a column of the same name (exact, case-sensitive); numeric features need a
 *   number column (Int*, UInt*, Float*, Decimal, Bool; or CSV text, whose values are parsed later),
 *   categorical features a string column (String/Enum; Arrow Utf8, LargeUtf8 or a dictionary of them)
 * - optional model output: `score`, `value` and `proba_<class>` (numbers), `predicted_class` (a string, or
 *   an integer/bool column, stored as its text)
 * - optional `label`: the class for classification tasks (like predicted_class), the value for regression
 * - a column named like a feature is that feature only; any other column is ignored (and reported)
 */
import type { ModelSpec } from '../models/model-spec.js'
import { ModelwatchError } from '../../core/errors.js'
import type { ColumnCategory, FileColumn } from './column-types.js'

/** How a number is read: `float` may be NaN/Inf (checked), `exact` cannot be, `text` is parsed from CSV. */
export type NumberRead = 'float' | 'exact' | 'text'
/** How a string is read: `string` as typed, `text` a CSV cell (empty = missing), `convert` an integer/bool as text. */
export type StringRead = 'string' | 'text' | 'convert'

export interface NumberColumn {
  column: string
  read: NumberRead
  /** What the column is, for messages: "numeric feature", "score", ... */
  role: string
}

export interface StringColumn {
  column: string
  read: StringRead
  role: string
}

export interface ColumnPlan {
  numeric: (NumberColumn & { feature: string })[]
  categorical: (StringColumn & { feature: string })[]
  score?: NumberColumn
  value?: NumberColumn
  probabilities: (NumberColumn & { className: string })[]
  predictedClass?: StringColumn
  labelClass?: StringColumn
  labelValue?: NumberColumn
  /** Columns that play no part, in file order. */
  ignored: string[]
}

/**
 * Columns named `proba_<class>` hold the probability of that class.
 *
 * @example
 * 'proba_setosa'.slice(PROBABILITY_PREFIX.length) // 'setosa'
 */
export const PROBABILITY_PREFIX = 'proba_'

const NUMBER_READ: Partial<Record<ColumnCategory, NumberRead>> = { float: 'float', integer: 'exact', decimal: 'exact', bool: 'exact', text: 'text' }
const FEATURE_STRING_READ: Partial<Record<ColumnCategory, StringRead>> = { string: 'string', text: 'text' }
const CLASS_READ: Partial<Record<ColumnCategory, StringRead>> = { string: 'string', text: 'text', integer: 'convert', bool: 'convert' }

/**
 * Maps the file's columns onto the model, or throws one USAGE error naming every missing column and every
 * column of the wrong type.
 *
 * @example
 * const plan = planColumns(model, [{ name: 'tenure', type: 'Int64', category: 'integer' }], 'train.parquet')
 * plan.numeric // [{ feature: 'tenure', column: 'tenure', read: 'exact', role: 'numeric feature' }]
 */
export function planColumns(model: Pick<ModelSpec, 'task' | 'features'>, columns: readonly FileColumn[], fileName: string): ColumnPlan {
  const byName = new Map(columns.map((c) => [c.name, c]))
  const problems: string[] = []
  const used = new Set<string>()
  const plan: ColumnPlan = { numeric: [], categorical: [], probabilities: [], ignored: [] }

  const missing = model.features.filter((f) => !byName.has(f.name))
  if (missing.length > 0) problems.push(missingMessage(missing, columns))

  const take = <R>(column: FileColumn, role: string, reads: Partial<Record<ColumnCategory, R>>, expected: string): R | undefined => {
    used.add(column.name)
    const read = reads[column.category]
    if (read === undefined) problems.push(`${columnLabel(column.name, role)} has type ${column.type}; expected ${expected}`)
    return read
  }
  const numberColumn = (column: FileColumn, role: string): NumberColumn | undefined => {
    const read = take(column, role, NUMBER_READ, 'numbers (integer, float or decimal)')
    return read === undefined ? undefined : { column: column.name, read, role }
  }
  const classColumn = (column: FileColumn, role: string): StringColumn | undefined => {
    const read = take(column, role, CLASS_READ, 'class names (a string or integer column)')
    return read === undefined ? undefined : { column: column.name, read, role }
  }

  for (const feature of model.features) {
    const column = byName.get(feature.name)
    if (column === undefined) continue
    if (feature.kind === 'numeric') {
      const planned = numberColumn(column, 'numeric feature')
      if (planned !== undefined) plan.numeric.push({ ...planned, feature: feature.name })
    } else {
      const read = take(column, 'categorical feature', FEATURE_STRING_READ, 'strings (categorical features need a string column; store codes as text)')
      if (read !== undefined) plan.categorical.push({ column: column.name, read, role: 'categorical feature', feature: feature.name })
    }
  }

  const featureNames = new Set(model.features.map((f) => f.name))
  const output = (name: string): FileColumn | undefined => (featureNames.has(name) ? undefined : byName.get(name))
  const score = output('score')
  if (score !== undefined) plan.score = numberColumn(score, 'score')
  const value = output('value')
  if (value !== undefined) plan.value = numberColumn(value, 'value')
  const predicted = output('predicted_class')
  if (predicted !== undefined) plan.predictedClass = classColumn(predicted, 'predicted class')
  for (const column of columns) {
    if (featureNames.has(column.name) || !column.name.startsWith(PROBABILITY_PREFIX) || column.name.length === PROBABILITY_PREFIX.length) continue
    const className = column.name.slice(PROBABILITY_PREFIX.length)
    const planned = numberColumn(column, `probability of class ${className}`)
    if (planned !== undefined) plan.probabilities.push({ ...planned, className })
  }
  const label = output('label')
  if (label !== undefined) {
    if (model.task === 'regression') plan.labelValue = numberColumn(label, 'label')
    else plan.labelClass = classColumn(label, 'label')
  }

  if (problems.length > 0) throw new ModelwatchError('USAGE', `reference file ${fileName}: ${problems.join('; ')}`)
  plan.ignored = columns.map((c) => c.name).filter((name) => !used.has(name))
  return plan
}

/**
 * How messages name a column: with its role, unless the name says it already.
 *
 * @example
 * columnLabel('tenure', 'numeric feature') // 'column tenure (numeric feature)'
 */
export function columnLabel(column: string, role: string): string {
  return column === role ? `column ${column}` : `column ${column} (${role})`
}

function missingMessage(missing: ModelSpec['features'], columns: readonly FileColumn[]): string {
  const lower = new Map(columns.map((c) => [c.name.toLowerCase(), c.name]))
  const named = missing.map((f) => {
    const nearMiss = lower.get(f.name.toLowerCase())
    return `${f.name} (${f.kind})${nearMiss === undefined ? '' : ` (the file has ${nearMiss}; names are case-sensitive)`}`
  })
  return `no column for feature${missing.length === 1 ? '' : 's'} ${named.join(', ')}`
}
