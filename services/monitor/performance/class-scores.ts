/**
 * Accuracy, precision, recall and F1 from confusion counts: pure arithmetic on a few numbers per group,
 * so it runs in TypeScript after ClickHouse has counted. Ratios with a zero denominator are 0, as sklearn's
 * `zero_division=0`; a group with no evaluated rows has null metrics instead (nothing to score).
 */
import type { BinaryConfusion, ClassMetrics, ConfusionEntry, MulticlassClassificationMetrics } from './metrics.js'

/** a / b, or 0 when b = 0 (sklearn's zero_division=0). */
export function ratioOrZero(a: number, b: number): number {
  return b === 0 ? 0 : a / b
}

/** a / b, or null when b = 0 (nothing to measure). */
export function ratioOrNull(a: number, b: number): number | null {
  return b === 0 ? null : a / b
}

export interface BinaryScores {
  accuracy: number | null
  precision: number | null
  recall: number | null
  f1: number | null
}

/**
 * Scores of the positive class. precision = tp/(tp+fp), recall = tp/(tp+fn), F1 = 2tp/(2tp+fp+fn)
 * (the harmonic mean of the two, and 0 rather than undefined when tp = 0).
 *
 * @example
 * binaryScores({ tp: 3, fp: 1, fn: 2, tn: 4 }) // { accuracy: 0.7, precision: 0.75, recall: 0.6, f1: 0.666… }
 */
export function binaryScores(c: BinaryConfusion): BinaryScores {
  const n = c.tp + c.fp + c.fn + c.tn
  if (n === 0) return { accuracy: null, precision: null, recall: null, f1: null }
  return {
    accuracy: (c.tp + c.tn) / n,
    precision: ratioOrZero(c.tp, c.tp + c.fp),
    recall: ratioOrZero(c.tp, c.tp + c.fn),
    f1: ratioOrZero(2 * c.tp, 2 * c.tp + c.fp + c.fn),
  }
}

/** The scores of a multiclass result that come from its confusion counts alone. */
export type MulticlassScores = Pick<
  MulticlassClassificationMetrics,
  'accuracy' | 'precisionMacro' | 'recallMacro' | 'f1Macro' | 'precisionWeighted' | 'recallWeighted' | 'f1Weighted' | 'perClass'
>

/** Code-point order, the order of Python's sorted() and of ClickHouse's byte-wise String comparison. */
export function compareLabels(a: string, b: string): number {
  const x = [...a]
  const y = [...b]
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0)
    if (d !== 0) return d
  }
  return x.length - y.length
}

/**
 * Per-class and averaged scores over the label set L = classes seen in the labels or the predictions of
 * the entries (sklearn's default `unique_labels(y_true, y_pred)`). Macro = unweighted mean over L;
 * weighted = mean weighted by support (true count). zero_division = 0 per class.
 *
 * @example
 * multiclassScores([{ label: 'a', predicted: 'a', count: 2 }, { label: 'b', predicted: 'a', count: 1 }]).f1Macro
 */
export function multiclassScores(confusion: ConfusionEntry[]): MulticlassScores {
  const support = new Map<string, number>()
  const predicted = new Map<string, number>()
  const hits = new Map<string, number>()
  const add = (m: Map<string, number>, k: string, n: number): void => {
    m.set(k, (m.get(k) ?? 0) + n)
  }
  let total = 0
  for (const { label, predicted: p, count } of confusion) {
    total += count
    add(support, label, count)
    add(predicted, p, count)
    add(support, p, 0)
    add(predicted, label, 0)
    if (label === p) add(hits, label, count)
  }
  if (total === 0) {
    return { accuracy: null, precisionMacro: null, recallMacro: null, f1Macro: null, precisionWeighted: null, recallWeighted: null, f1Weighted: null, perClass: [] }
  }
  const perClass = [...support.keys()].sort(compareLabels).map((label): ClassMetrics => {
    const tp = hits.get(label) ?? 0
    const s = support.get(label) ?? 0
    const p = predicted.get(label) ?? 0
    // 2tp + fp + fn = predicted + support
    return { label, support: s, precision: ratioOrZero(tp, p), recall: ratioOrZero(tp, s), f1: ratioOrZero(2 * tp, p + s) }
  })
  const macro = (pick: (c: ClassMetrics) => number): number => perClass.reduce((sum, c) => sum + pick(c), 0) / perClass.length
  const weighted = (pick: (c: ClassMetrics) => number): number => perClass.reduce((sum, c) => sum + c.support * pick(c), 0) / total
  const correct = [...hits.values()].reduce((a, b) => a + b, 0)
  return {
    accuracy: correct / total,
    precisionMacro: macro((c) => c.precision),
    recallMacro: macro((c) => c.recall),
    f1Macro: macro((c) => c.f1),
    precisionWeighted: weighted((c) => c.precision),
    recallWeighted: weighted((c) => c.recall),
    f1Weighted: weighted((c) => c.f1),
    perClass,
  }
}
