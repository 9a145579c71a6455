/**
 * Performance metrics as rows of `window_metrics` (long format: one metric, one value). Nested fields
 * become snake_case paths (`prediction.score.p50` → `prediction_score_p50`, `rocAuc` → `roc_auc`);
 * per-class entries carry their class after a colon (`class_f1:cat`), confusion-matrix cells
 * `confusion:<label>><predicted>`. Booleans and strings are not metrics and are left out.
 */
export interface MetricValue {
  metric: string
  value: number | null
}

const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

export function metricValues(metrics: object): MetricValue[] {
  const out: MetricValue[] = []
  walk(metrics, '', out)
  return out
}

function walk(node: unknown, path: string, out: MetricValue[]): void {
  if (typeof node === 'number' || node === null) {
    if (path !== '') out.push({ metric: path, value: typeof node === 'number' && Number.isFinite(node) ? node : null })
    return
  }
  if (Array.isArray(node)) {
    for (const entry of node) {
      if (typeof entry !== 'object' || entry === null) continue
      const record = entry as Record<string, unknown>
      if (typeof record.label === 'string' && typeof record.predicted === 'string' && typeof record.count === 'number') {
        out.push({ metric: `${path}:${record.label}>${record.predicted}`, value: record.count })
      } else if (typeof record.label === 'string') {
        for (const [key, value] of Object.entries(record)) {
          if (key !== 'label' && (typeof value === 'number' || value === null)) out.push({ metric: `class_${snake(key)}:${record.label}`, value: value as number | null })
        }
      }
    }
    return
  }
  if (typeof node === 'object') {
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      walk(value, path === '' ? snake(key) : `${path}_${snake(key)}`, out)
    }
  }
}
