/**
 * How statistics read their input. A statistic's SQL is written once, against a named relation (`src`)
 * with fixed columns; a `SqlSource` supplies that relation as a query fragment written in code (never
 * built from user input) plus its query parameters. The same drift SQL therefore runs over two uploaded
 * files (`modelwatch drift`), over a reference and a production window (the monitor), or over a test
 * fixture, and stays parameterised throughout.
 */

export interface SqlSource {
  /** A SELECT producing the relation's columns; may use {name:Type} query parameters. */
  sql: string
  params: Record<string, unknown>
}

/**
 * Wraps a statistic's query around a source: `WITH src AS (<source>) <query>`.
 * Parameters of the source and of the query are merged; a clash is a programming error.
 *
 * @example
 * const { query, params } = withSource(source, 'SELECT count() FROM src WHERE side = {side:UInt8}', { side: 1 })
 */
export function withSource(source: SqlSource, query: string, params: Record<string, unknown> = {}): { query: string; params: Record<string, unknown> } {
  for (const key of Object.keys(params)) {
    if (key in source.params) throw new Error(`query parameter ${key} is defined by both the source and the statistic`)
  }
  return { query: `WITH src AS (${source.sql})\n${query}`, params: { ...source.params, ...params } }
}

/**
 * Drift input: one row per (side, column, row) value, long format.
 *   side    UInt8              0 = reference, 1 = current
 *   column  String             feature name, or PREDICTION_COLUMN / LABEL_COLUMN
 *   num     Nullable(Float64)  the value of a numeric column; NULL = missing
 *   cat     Nullable(String)   the value of a categorical column; NULL = missing
 * A column is read as numeric or categorical according to the `DriftColumn` list the caller passes.
 */
export type DriftSource = SqlSource

/** Column names used for the model output and the label in drift input. */
export const PREDICTION_COLUMN = '__prediction__'
export const LABEL_COLUMN = '__label__'

export interface DriftColumn {
  name: string
  kind: 'numeric' | 'categorical'
}

/**
 * Performance input: one row per prediction, with its label when known.
 *   grp              String               the group metrics are computed per (e.g. window and version); one row of metrics per grp
 *   score            Nullable(Float64)    binary: positive-class probability
 *   probabilities    Map(String, Float64) multiclass: class → probability (empty when not given)
 *   predicted_class  Nullable(String)
 *   value            Nullable(Float64)    regression prediction
 *   label_class      Nullable(String)     NULL = not labelled (yet)
 *   label_value      Nullable(Float64)    NULL = not labelled (yet)
 */
export type PerformanceSource = SqlSource
