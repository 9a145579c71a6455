/**
 * What /readyz asks before saying the API can serve: ClickHouse answers a query, and Kafka (when configured)
 * answers a metadata request. Each check has a deadline, so a hung dependency makes /readyz slow by at most
 * that much and answers 503 naming it.
 */
import type { Kafka, Admin } from 'kafkajs'
import type { ClickHouse } from '../core/clickhouse/client.js'
import { describeError } from '../core/errors.js'

export interface ReadinessCheck {
  name: string
  check(): Promise<void>
}

export interface CheckResult {
  ok: boolean
  ms: number
  error?: string
}

/**
 * @example
 * const checks = [clickHouseCheck(ch)]
 */
export function clickHouseCheck(ch: ClickHouse): ReadinessCheck {
  return { name: 'clickhouse', check: async () => void (await ch.client.query({ query: 'SELECT 1', format: 'JSONEachRow' })).json() }
}

/**
 * Keeps one admin connection and asks it for the cluster's brokers; a failed check drops the connection so
 * the next one starts afresh.
 *
 * @example
 * const checks = [clickHouseCheck(ch), kafkaCheck(kafka)]
 */
export function kafkaCheck(kafka: Kafka): ReadinessCheck & { close(): Promise<void> } {
  let admin: Promise<Admin> | undefined
  const connect = async (): Promise<Admin> => {
    const created = kafka.admin({ retry: { retries: 0 } })
    await created.connect()
    return created
  }
  return {
    name: 'kafka',
    check: async () => {
      admin ??= connect()
      try {
        const { brokers } = await (await admin).describeCluster()
        if (brokers.length === 0) throw new Error('the cluster reports no brokers')
      } catch (error) {
        const failed = admin
        admin = undefined
        void failed?.then((a) => a.disconnect()).catch(() => {})
        throw error
      }
    },
    close: async () => {
      await (await admin?.catch(() => undefined))?.disconnect()
    },
  }
}

/**
 * Runs every check at once, each with `timeoutMs`.
 *
 * @example
 * const { ready, checks } = await runChecks([clickHouseCheck(ch)], 2000) // { ready: true, checks: { clickhouse: { ok: true, ms: 3 } } }
 */
export async function runChecks(checks: readonly ReadinessCheck[], timeoutMs: number): Promise<{ ready: boolean; checks: Record<string, CheckResult> }> {
  const results = await Promise.all(
    checks.map(async (c): Promise<[string, CheckResult]> => {
      const started = performance.now()
      let timer: NodeJS.Timeout | undefined
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
      })
      try {
        await Promise.race([c.check(), deadline])
        return [c.name, { ok: true, ms: Math.round(performance.now() - started) }]
      } catch (error) {
        return [c.name, { ok: false, ms: Math.round(performance.now() - started), error: describeError(error, 3) }]
      } finally {
        clearTimeout(timer)
      }
    }),
  )
  return { ready: results.every(([, r]) => r.ok), checks: Object.fromEntries(results) }
}
