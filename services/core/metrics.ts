/**
 * A small Prometheus registry: counters and gauges with labels, rendered in the text exposition format
 * (version 0.0.4). Enough for modelwatch's own /metrics without a client library.
 */
type Labels = Record<string, string>

interface Series {
  labels: Labels
  value: number
}

interface Metric {
  name: string
  help: string
  type: 'counter' | 'gauge'
  series: Map<string, Series>
  /** Gauges may be read at render time instead of set. */
  collect?: () => number
}

export interface Counter {
  inc(labels?: Labels, by?: number): void
  get(labels?: Labels): number
}

export interface Gauge {
  set(value: number, labels?: Labels): void
  get(labels?: Labels): number
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>()

  counter(name: string, help: string): Counter {
    const metric = this.register(name, help, 'counter')
    return {
      inc: (labels = {}, by = 1) => {
        const series = this.seriesOf(metric, labels)
        series.value += by
      },
      get: (labels = {}) => metric.series.get(key(labels))?.value ?? 0,
    }
  }

  gauge(name: string, help: string, collect?: () => number): Gauge {
    const metric = this.register(name, help, 'gauge')
    if (collect !== undefined) metric.collect = collect
    return {
      set: (value, labels = {}) => {
        this.seriesOf(metric, labels).value = value
      },
      get: (labels = {}) => metric.collect?.() ?? metric.series.get(key(labels))?.value ?? 0,
    }
  }

  /** The text exposition format, one HELP/TYPE block per metric. */
  render(): string {
    const lines: string[] = []
    for (const metric of this.metrics.values()) {
      lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`)
      if (metric.collect !== undefined) lines.push(`${metric.name} ${metric.collect()}`)
      for (const series of metric.series.values()) lines.push(`${metric.name}${renderLabels(series.labels)} ${series.value}`)
    }
    return `${lines.join('\n')}\n`
  }

  private register(name: string, help: string, type: Metric['type']): Metric {
    if (this.metrics.has(name)) throw new Error(`metric ${name} is registered twice`)
    const metric: Metric = { name, help, type, series: new Map() }
    this.metrics.set(name, metric)
    return metric
  }

  private seriesOf(metric: Metric, labels: Labels): Series {
    const k = key(labels)
    let series = metric.series.get(k)
    if (series === undefined) {
      series = { labels, value: 0 }
      metric.series.set(k, series)
    }
    return series
  }
}

function key(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)))
}

function renderLabels(labels: Labels): string {
  const entries = Object.entries(labels)
  if (entries.length === 0) return ''
  const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
  return `{${entries.map(([k, v]) => `${k}="${escape(v)}"`).join(',')}}`
}
