/**
 * The shapes of windowed performance metrics, and the constants their definitions depend on.
 * Definitions and references: docs/statistics.md (Performance metrics). Every metric is over the labelled rows of
 * its group only; a metric that has no rows to be computed from is null, never 0 or NaN.
 */

/**
 * What the model predicts, and so which metrics apply.
 *  - binary: `positiveClass` is the label value counted as positive; any other label is negative.
 *  - multiclass: `classes` (optional) are classes the model can predict; they join the classes seen in each
 *    group for the probability metrics (so a declared class with no positives makes ROC AUC null).
 *
 * @example
 * const task: PerformanceTask = { kind: 'binary_classification', positiveClass: '1' }
 */
export type PerformanceTask =
  | { kind: 'binary_classification'; positiveClass: string }
  | { kind: 'multiclass_classification'; classes?: string[] }
  | { kind: 'regression' }

/** Probabilities are clipped to [eps, 1 − eps] before the logarithm of log loss (see the docs for why not sklearn's eps). */
export const LOG_LOSS_EPS = 1e-15

/** Binary predicted class when only a score is given: positive when score ≥ this. */
export const DECISION_THRESHOLD = 0.5

/** Equal-width bins of expected calibration error over [0, 1]; bin = min(floor(p · 10), 9). */
export const ECE_BINS = 10

/** Quantiles of the prediction distribution, exact (type 7, like numpy's default). */
export const QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95] as const

/** Summary of a numeric prediction (score, confidence or value) over the rows that have one. */
export interface NumericSummary {
  count: number
  mean: number
  /** Population standard deviation (divides by n). */
  std: number
  p05: number
  p25: number
  p50: number
  p75: number
  p95: number
}

/** Row counts every group reports, whatever the task. */
export interface Coverage {
  /** Predictions in the group. */
  count: number
  /** Predictions with a label. */
  labelled: number
  /** labelled / count; null when count = 0. */
  labelCoverage: number | null
}

export interface BinaryConfusion {
  tp: number
  fp: number
  fn: number
  tn: number
}

export interface BinaryClassificationMetrics extends Coverage {
  kind: 'binary_classification'
  /** Labelled rows with a predicted class (given, or from the score): the rows of the confusion matrix. */
  evaluated: number
  accuracy: number | null
  precision: number | null
  recall: number | null
  f1: number | null
  confusion: BinaryConfusion
  /** Labelled rows with a positive-class score: the rows of ROC AUC, log loss, Brier and ECE. */
  scored: number
  /** Null when the scored rows hold only one class. */
  rocAuc: number | null
  logLoss: number | null
  brier: number | null
  ece: number | null
  prediction: {
    /** The positive-class score over all rows that have one, labelled or not. */
    score: NumericSummary | null
    /** Share of rows (with a predicted class) predicted positive. */
    positiveShare: number | null
  }
}

export interface ClassMetrics {
  label: string
  /** Labelled rows of this class. */
  support: number
  precision: number
  recall: number
  f1: number
}

export interface ConfusionEntry {
  label: string
  predicted: string
  count: number
}

export interface ClassShare {
  label: string
  count: number
  share: number
}

export interface MulticlassClassificationMetrics extends Coverage {
  kind: 'multiclass_classification'
  /** Labelled rows with a predicted class (given, or the arg-max of the probabilities). */
  evaluated: number
  accuracy: number | null
  precisionMacro: number | null
  recallMacro: number | null
  f1Macro: number | null
  precisionWeighted: number | null
  recallWeighted: number | null
  f1Weighted: number | null
  /** One entry per class seen in the labels or predictions of the evaluated rows, sorted by name. */
  perClass: ClassMetrics[]
  /** Non-zero cells only, sorted by label then predicted. */
  confusion: ConfusionEntry[]
  /** Labelled rows with probabilities: the rows of ROC AUC, log loss, Brier and ECE. */
  scored: number
  /** One-vs-rest, macro; null when a class has no positives (or no negatives) among the scored rows. */
  rocAucMacro: number | null
  logLoss: number | null
  brier: number | null
  ece: number | null
  prediction: {
    /** The highest probability of each row with probabilities, labelled or not. */
    confidence: NumericSummary | null
    /** Share of each predicted class over all rows with a predicted class, sorted by name. */
    classes: ClassShare[]
  }
}

export interface RegressionMetrics extends Coverage {
  kind: 'regression'
  /** Labelled rows with a predicted value. */
  evaluated: number
  mae: number | null
  rmse: number | null
  /** Over the evaluated rows whose label is not 0; null when there are none. */
  mape: number | null
  /** Evaluated rows left out of MAPE because their label is 0. */
  mapeIgnored: number
  /** Null when the labels are constant (SS_tot = 0). */
  r2: number | null
  prediction: {
    value: NumericSummary | null
  }
}

export type PerformanceMetrics = BinaryClassificationMetrics | MulticlassClassificationMetrics | RegressionMetrics

/** The metrics of the task's kind. */
export type MetricsOf<T extends PerformanceTask> = Extract<PerformanceMetrics, { kind: T['kind'] }>
