/**
 * What the ingest service knows about itself: whether it can store, what it has paused, and its counters.
 * Served as /healthz (JSON; 503 while Kafka, ClickHouse, the registry or the dead-letter topic is failing,
 * or after the consumer stopped for good) and /metrics (Prometheus).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import { describeError } from '../core/errors.js'
import { MetricsRegistry, type Counter, type Gauge } from '../core/metrics.js'

/** `failed`: the consumer stopped after an error kafkajs does not retry; only a restart of the process helps. */
export type IngestStatus = 'starting' | 'running' | 'degraded' | 'failed' | 'stopping' | 'stopped'

export interface DependencyState {
  ok: boolean
  since: string
  lastError?: string
}

export class IngestHealth {
  status: IngestStatus = 'starting'
  readonly dependencies: Record<'kafka' | 'clickhouse' | 'schemaRegistry' | 'deadLetterTopic', DependencyState> = {
    kafka: { ok: true, since: new Date().toISOString() },
    clickhouse: { ok: true, since: new Date().toISOString() },
    schemaRegistry: { ok: true, since: new Date().toISOString() },
    deadLetterTopic: { ok: true, since: new Date().toISOString() },
  }
  /** `topic/partition` entries paused, with why. */
  readonly paused = new Map<string, string>()
  readonly consumed: Counter
  readonly stored: Counter
  readonly deadLettered: Counter
  readonly batches: Counter
  readonly storeFailures: Counter
  readonly lastBatchSize: Gauge
  readonly lastInsertSeconds: Gauge
  readonly consumerLag: Gauge
  readonly eventLoopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 })
  readonly eventLoopP99: Gauge
  readonly eventLoopMax: Gauge

  /** `metrics`: the process's registry (ServiceContext.metrics), so the API's /metrics shows ingest's series too. */
  constructor(readonly metrics: MetricsRegistry = new MetricsRegistry()) {
    this.consumed = this.metrics.counter('modelwatch_ingest_messages_total', 'Kafka messages consumed, by topic.')
    this.stored = this.metrics.counter('modelwatch_ingest_events_stored_total', 'Events stored in ClickHouse, by table.')
    this.deadLettered = this.metrics.counter('modelwatch_ingest_dead_letters_total', 'Messages sent to the dead-letter topic, by reason.')
    this.batches = this.metrics.counter('modelwatch_ingest_batches_total', 'Batches stored, by trigger (size, linger, shutdown).')
    this.storeFailures = this.metrics.counter('modelwatch_ingest_store_failures_total', 'Failed attempts to store a batch, by dependency.')
    this.lastBatchSize = this.metrics.gauge('modelwatch_ingest_last_batch_size', 'Messages in the last stored batch.')
    this.lastInsertSeconds = this.metrics.gauge('modelwatch_ingest_last_store_seconds', 'Time to store the last batch, retries included.')
    this.consumerLag = this.metrics.gauge('modelwatch_ingest_consumer_lag', 'Messages behind the newest per topic and partition, as of the last fetch.')
    this.eventLoopP99 = this.metrics.gauge('modelwatch_event_loop_delay_p99_seconds', 'p99 event-loop delay since start.', () => this.eventLoopDelay.percentile(99) / 1e9)
    this.eventLoopMax = this.metrics.gauge('modelwatch_event_loop_delay_max_seconds', 'Largest event-loop delay since start.', () => this.eventLoopDelay.max / 1e9)
    this.eventLoopDelay.enable()
  }

  markDependency(name: keyof IngestHealth['dependencies'], ok: boolean, error?: unknown): void {
    const current = this.dependencies[name]
    const next: DependencyState = { ok, since: current.ok === ok ? current.since : new Date().toISOString() }
    if (!ok) next.lastError = describeError(error, 3)
    this.dependencies[name] = next
    const allOk = Object.values(this.dependencies).every((d) => d.ok)
    if (this.status === 'running' || this.status === 'degraded') this.status = allOk ? 'running' : 'degraded'
  }

  get healthy(): boolean {
    return this.status === 'running' || this.status === 'starting'
  }

  snapshot(): object {
    return {
      status: this.status,
      dependencies: this.dependencies,
      paused: Object.fromEntries(this.paused),
      eventLoopDelayMs: { p99: this.eventLoopDelay.percentile(99) / 1e6, max: this.eventLoopDelay.max / 1e6 },
    }
  }
}
