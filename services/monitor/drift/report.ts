/**
 * The shape of a drift report. Field names are snake_case because this object is the wire format:
 * `modelwatch drift --json` prints it as it is, and docs/statistics.md defines every field.
 */

/** How a column's drift is decided. Distances drift when score >= threshold; tests when p-value < threshold. */
export type DriftMethod = 'wasserstein' | 'jensen_shannon' | 'ks' | 'chi2' | 'psi'

/** One decision rule: a method and, optionally, its threshold (default: the method's default threshold). */
export interface DriftRule {
  method: DriftMethod
  threshold?: number
}

export interface DriftOptions {
  /** Threshold of each method when a rule does not give one; defaults in DEFAULT_THRESHOLDS. */
  thresholds?: Partial<Record<DriftMethod, number>>
  /** The default rule uses distances above this many non-missing reference values, tests at or below it (1000). */
  largeReference?: number
  /** Rule for every numeric column, replacing the size-based default. */
  numeric?: DriftRule
  /** Rule for every categorical column, replacing the size-based default. */
  categorical?: DriftRule
  /** Rule for one column by name; wins over `numeric` and `categorical`. */
  columns?: Record<string, DriftRule>
  /** The dataset drifts when the share of drifted columns is at least this (0.5). */
  datasetDriftShare?: number
}

export interface TestResult {
  statistic: number | null
  p_value: number | null
}

interface ColumnDriftBase {
  name: string
  /** Non-missing reference values the statistics were computed on. */
  n_reference: number
  /** Non-missing current values the statistics were computed on. */
  n_current: number
  /** Missing current values / all current rows of the column; null when the current side has no rows. */
  missing_share: number | null
  psi: number | null
  jensen_shannon: number | null
  drifted: boolean
  drift_method: DriftMethod
  /** The statistic the decision compared with its threshold (a distance or a p-value); null when it could not be computed. */
  drift_score: number | null
}

export interface NumericColumnDrift extends ColumnDriftBase {
  kind: 'numeric'
  ks: TestResult
  wasserstein: number | null
  wasserstein_normed: number | null
}

export interface CategoricalColumnDrift extends ColumnDriftBase {
  kind: 'categorical'
  chi2: TestResult
  new_category_share: number | null
}

export type ColumnDrift = NumericColumnDrift | CategoricalColumnDrift

export interface DriftReport {
  columns: ColumnDrift[]
  /** Drifted columns / all columns; null when there are no columns. */
  drifted_share: number | null
  dataset_drift: boolean
}
