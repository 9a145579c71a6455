/**
 * The end of the demo's short mode: waiting until the results are final for what was sent, and the summary of
 * which alerts fire and what was delivered.
 */
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { sleep } from '../../core/retry.js'
import type { MonitorService } from '../../monitor/main.js'

/**
 * Waits until the results are final for what was sent: every prediction and label stored, then a monitor pass
 * (with its alerting run) that started after that, then no delivery pending; at most 180 s. A pass that ends
 * after the data was stored may have started before, so it waits for the end of the pass after that one.
 *
 * @example
 * await settle(ch, monitor, { runId, predictions: sent, labels: labelsSent }, showTimeline, () => interrupted)
 */
export async function settle(ch: ClickHouse, monitor: MonitorService | undefined, expected: { runId: string; predictions: number; labels: number }, tick: () => Promise<void>, stop: () => boolean): Promise<void> {
  const deadline = Date.now() + 180_000
  const lastPassEnd = (): number => Date.parse(monitor?.health.snapshot().lastPassAt ?? '1970-01-01T00:00:00Z')
  const wait = async (done: () => Promise<boolean>, what: string): Promise<void> => {
    while (!(await done())) {
      if (stop()) return
      if (Date.now() > deadline) throw new Error(`demo: gave up waiting for ${what}`)
      await tick()
      await sleep(500)
    }
  }
  await wait(async () => {
    const [stored] = await (
      await ch.client.query({
        query: `SELECT (SELECT count() FROM predictions FINAL WHERE startsWith(event_id, {prefix:String})) AS predictions,
                       (SELECT count() FROM ground_truth FINAL WHERE startsWith(event_id, {prefix:String})) AS labels`,
        query_params: { prefix: `${expected.runId}-` },
        format: 'JSONEachRow',
      })
    ).json<{ predictions: number; labels: number }>()
    return Number(stored?.predictions) >= expected.predictions && Number(stored?.labels) >= expected.labels
  }, 'every event to be stored')
  const storedAt = Date.now()
  await wait(async () => lastPassEnd() > storedAt, 'a monitor pass')
  const firstEnd = lastPassEnd()
  await wait(async () => lastPassEnd() > firstEnd, 'a monitor pass over everything stored')
  await wait(async () => {
    const [state] = await (
      await ch.client.query({
        query: `SELECT count() AS undelivered FROM (SELECT id FROM deliveries GROUP BY id HAVING argMax(status, seq) IN ('pending', 'retrying'))`,
        format: 'JSONEachRow',
      })
    ).json<{ undelivered: number }>()
    return Number(state?.undelivered ?? 0) === 0
  }, 'the notifications to be delivered')
}

/**
 * Which alerts fire and what was delivered, as lines for the terminal.
 *
 * @example
 * for (const line of await summary(ch)) say(line)
 */
export async function summary(ch: ClickHouse): Promise<string[]> {
  const alerts = await (
    await ch.client.query({
      query: `SELECT monitor, model_version, status, severity, value FROM alerts FINAL WHERE status IN ('firing', 'pending') ORDER BY monitor, model_version`,
      format: 'JSONEachRow',
    })
  ).json<{ monitor: string; model_version: string; status: string; severity: string; value: number | null }>()
  const deliveries = await (
    await ch.client.query({
      query: `SELECT channel, argMax(status, seq) AS status, count() AS rows FROM deliveries GROUP BY id, channel ORDER BY channel`,
      format: 'JSONEachRow',
    })
  ).json<{ channel: string; status: string }>()
  const byChannel = new Map<string, string[]>()
  for (const d of deliveries) byChannel.set(d.channel, [...(byChannel.get(d.channel) ?? []), d.status])
  return [
    `summary: ${alerts.length} alert(s) firing`,
    ...alerts.map((a) => `  ${a.status.padEnd(8)} ${a.severity.padEnd(8)} ${a.monitor} v${a.model_version} (value ${a.value === null ? '-' : Number(a.value.toPrecision(4))})`),
    ...[...byChannel].map(([channel, statuses]) => `  ${channel}: ${statuses.length} notification(s), ${statuses.filter((s) => s === 'delivered').length} delivered`),
  ]
}
