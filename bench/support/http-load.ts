/**
 * A small closed-loop HTTP load generator for the benchmarks: `connections` keep-alive connections, each sending
 * its next GET as soon as the previous answer is read, for a fixed time. Reports requests per second and
 * latency percentiles of the measured phase (a warm-up phase before it is not counted). Node's own http client,
 * so it needs no dependency; on a small machine the client's CPU share is part of what limits the figures,
 * which is why benchmarks print a baseline endpoint measured the same way next to the one under test.
 */
import { Agent, request } from 'node:http'

export interface LoadOptions {
  url: string
  headers?: Record<string, string>
  connections: number
  durationMs: number
  warmupMs?: number
}

export interface LoadResult {
  url: string
  connections: number
  seconds: number
  requests: number
  requestsPerSecond: number
  /** Answers that were not 2xx, by status (0 = the request failed). */
  errors: Record<string, number>
  latencyMs: { p50: number; p90: number; p99: number; max: number }
}

/**
 * The `q` quantile (0..1) of ascending `sorted` values, nearest rank; NaN when empty.
 *
 * @example
 * percentile([1, 2, 3, 4], 0.5) // 2
 */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)))
  return sorted[rank - 1] as number
}

function get(url: URL, headers: Record<string, string>, agent: Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', headers, agent }, (res) => {
      res.resume()
      res.once('end', () => resolve(res.statusCode ?? 0))
      res.once('error', () => resolve(0))
    })
    req.once('error', () => resolve(0))
    req.end()
  })
}

/**
 * @example
 * const r = await runLoad({ url: 'http://127.0.0.1:8080/healthz', connections: 100, durationMs: 10_000 })
 * console.log(r.requestsPerSecond, r.latencyMs.p99)
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url)
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections })
  const headers = options.headers ?? {}
  const latencies: number[] = []
  const errors: Record<string, number> = {}
  const warmupEnds = performance.now() + (options.warmupMs ?? 1_000)
  const ends = warmupEnds + options.durationMs
  const worker = async (): Promise<void> => {
    while (performance.now() < ends) {
      const started = performance.now()
      const status = await get(url, headers, agent)
      const finished = performance.now()
      if (started < warmupEnds || finished > ends) continue
      latencies.push(finished - started)
      if (status < 200 || status >= 300) errors[String(status)] = (errors[String(status)] ?? 0) + 1
    }
  }
  try {
    await Promise.all(Array.from({ length: options.connections }, worker))
  } finally {
    agent.destroy()
  }
  latencies.sort((a, b) => a - b)
  const seconds = options.durationMs / 1000
  const round = (ms: number): number => Math.round(ms * 10) / 10
  return {
    url: options.url,
    connections: options.connections,
    seconds,
    requests: latencies.length,
    requestsPerSecond: Math.round(latencies.length / seconds),
    errors,
    latencyMs: { p50: round(percentile(latencies, 0.5)), p90: round(percentile(latencies, 0.9)), p99: round(percentile(latencies, 0.99)), max: round(latencies.at(-1) ?? Number.NaN) },
  }
}
