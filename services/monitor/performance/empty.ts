/**
 * The metrics of a group with no rows at all (an empty window): count 0, every metric null. A GROUP BY never
 * returns such a group, so computePerformance adds them for the groups the caller asked for.
 */
import type { BinaryClassificationMetrics, MetricsOf, MulticlassClassificationMetrics, PerformanceTask, RegressionMetrics } from './metrics.js'

const coverage = { count: 0, labelled: 0, labelCoverage: null }

/**
 * @example
 * emptyMetrics({ kind: 'regression' }) // { kind: 'regression', count: 0, …, mae: null, … }
 */
export function emptyMetrics<T extends PerformanceTask>(task: T): MetricsOf<T> {
  switch (task.kind) {
    case 'binary_classification': {
      const m: BinaryClassificationMetrics = {
        kind: 'binary_classification',
        ...coverage,
        evaluated: 0,
        accuracy: null,
        precision: null,
        recall: null,
        f1: null,
        confusion: { tp: 0, fp: 0, fn: 0, tn: 0 },
        scored: 0,
        rocAuc: null,
        logLoss: null,
        brier: null,
        ece: null,
        prediction: { score: null, positiveShare: null },
      }
      return m as MetricsOf<T>
    }
    case 'multiclass_classification': {
      const m: MulticlassClassificationMetrics = {
        kind: 'multiclass_classification',
        ...coverage,
        evaluated: 0,
        accuracy: null,
        precisionMacro: null,
        recallMacro: null,
        f1Macro: null,
        precisionWeighted: null,
        recallWeighted: null,
        f1Weighted: null,
        perClass: [],
        confusion: [],
        scored: 0,
        rocAucMacro: null,
        logLoss: null,
        brier: null,
        ece: null,
        prediction: { confidence: null, classes: [] },
      }
      return m as MetricsOf<T>
    }
    case 'regression': {
      const m: RegressionMetrics = {
        kind: 'regression',
        ...coverage,
        evaluated: 0,
        mae: null,
        rmse: null,
        mape: null,
        mapeIgnored: 0,
        r2: null,
        prediction: { value: null },
      }
      return m as MetricsOf<T>
    }
  }
}
