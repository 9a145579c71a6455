/**
 * A realistic dataset for the dashboards check, produced by the real pipeline pieces: a model saved through
 * the registry, a reference uploaded from a CSV file, predictions and labels in the event tables (as ingest
 * stores them), dead letters in ingest's row shape, then a monitor pass (window_metrics, drift_metrics,
 * data_quality) and an alerting run with its notifications in the outbox (alerts, alert_events, deliveries).
 *
 * Model `churn` (binary, positive class '1'), features `tenure` (numeric) and `plan` (categorical), two
 * versions: '1' and a challenger whose name holds a quote and a backslash (`2'rc\`), so every panel is also
 * run with a value that breaks naive quoting. Windows of one hour, H = the start of the current hour:
 *  - H-2h: both versions like the reference, all labelled (3 in 4 correct);
 *  - H-1h: version '1' drifts (tenure +30, a plan never seen), half labelled; the challenger stays put.
 * Version '1' is in production since H-3h and the other the challenger since H-2h (version_stages), and
 * comparison_results holds the challenger's comparison with the champion since H-2h as the monitor writes it
 * at the end of each window (H-1h, H) for all traffic, plus the same for `region=eu`. The two versions are
 * equally good, so the verdicts are "no significant difference" and the sequential test goes on.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { enqueueNotifications } from '../../services/alerting/outbox.js'
import { runAlerting } from '../../services/alerting/run-alerting.js'
import { seededRandom } from '../../services/cli/demo/seeded-random.js'
import { comparisonRows } from '../../services/compare/comparison-rows.js'
import { runComparisons } from '../../services/compare/comparison-runs.js'
import { compareVersions, recordStage } from '../../services/compare/index.js'
import type { ClickHouse } from '../../services/core/clickhouse/client.js'
import type { Logger } from '../../services/core/logger.js'
import { deadLetterRow } from '../../services/ingest/dead-letter.js'
import { HTTP_SOURCE, predictionRow, groundTruthRow } from '../../services/ingest/rows.js'
import { saveModel } from '../../services/monitor/models/registry.js'
import { runMonitorPass } from '../../services/monitor/pass.js'
import { uploadReference } from '../../services/monitor/references/index.js'

const HOUR = 3_600_000

export const SEED = {
  model: 'churn',
  versions: ['1', "2'rc\\"] as const,
  segment: 'region=eu',
  windowSeconds: 3600,
} as const

export interface Seeded {
  /** The current hour's start; the seeded windows are the two hours before it. */
  hour: number
  /** A time range covering the seed, as a dashboard's time picker would hold it. */
  fromMs: number
  toMs: number
}

/**
 * @example
 * const { fromMs, toMs } = await seedDashboards(ch, log)
 */
export async function seedDashboards(ch: ClickHouse, log: Logger): Promise<Seeded> {
  const random = seededRandom(11)
  const hour = Math.floor(Date.now() / HOUR) * HOUR
  const model = await saveModel(ch, {
    name: SEED.model, task: 'binary_classification', positive_class: '1', default_window: '1h', final_coverage: 0.9,
    features: [{ name: 'tenure', kind: 'numeric' }, { name: 'plan', kind: 'categorical' }],
  })

  const dir = mkdtempSync(join(tmpdir(), 'modelwatch-dashboards-'))
  const file = join(dir, 'reference.csv')
  const lines = ['tenure,plan,score,predicted_class,label']
  for (let i = 0; i < 1500; i++) {
    const predicted = i % 2 === 0 ? '1' : '0'
    const label = i % 4 < 3 ? predicted : predicted === '1' ? '0' : '1'
    lines.push(`${(random() * 48).toFixed(2)},${i % 3 === 0 ? 'basic' : 'pro'},${predicted === '1' ? 0.8 : 0.2},${predicted},${label}`)
  }
  writeFileSync(file, `${lines.join('\n')}\n`)
  for (const version of SEED.versions) await uploadReference(ch, { model, version, file })

  const predictions = []
  const labels = []
  for (const version of SEED.versions) {
    for (const [start, drifted] of [[hour - 2 * HOUR, false], [hour - HOUR, version === '1']] as const) {
      for (let i = 0; i < 200; i++) {
        const predicted = i % 2 === 0 ? '1' : '0'
        const eventId = `${version}-${start}-${i}`
        const timestamp = start + i * 15_000
        predictions.push(predictionRow({
          event_id: eventId, model: SEED.model, model_version: version, timestamp,
          numeric_features: { tenure: i % 25 === 0 ? null : random() * 48 + (drifted ? 30 : 0) },
          categorical_features: { plan: drifted && i % 4 === 0 ? 'enterprise' : i % 3 === 0 ? 'basic' : 'pro' },
          prediction: { score: predicted === '1' ? 0.8 : 0.2, predicted_class: predicted, probabilities: {}, value: null },
          segments: { region: i % 5 < 3 ? 'eu' : 'us' },
        }, HTTP_SOURCE))
        const labelled = start === hour - 2 * HOUR || i % 2 === 0
        if (labelled) {
          const label = i % 4 < 3 ? predicted : predicted === '1' ? '0' : '1'
          labels.push(groundTruthRow({ event_id: eventId, model: SEED.model, timestamp: timestamp + 600_000, label: { class: label, value: null } }, HTTP_SOURCE))
        }
      }
    }
  }
  await ch.insertJsonEachRow('predictions', predictions, {})
  await ch.insertJsonEachRow('ground_truth', labels, {})

  const letters = [['invalid_json', 'Unexpected token } in JSON at position 12'], ['missing_field', 'prediction: required'], ['invalid_json', 'Unexpected end of JSON input']] as const
  await ch.insertJsonEachRow('dead_letters', letters.map(([reason, detail], i) => deadLetterRow({
    rejection: { reason, detail, model: SEED.model }, topic: 'modelwatch.predictions', partition: 0, offset: String(1000 + i),
    key: null, value: Buffer.from('{"model":"churn",'), headers: {},
  })), {})

  await runMonitorPass(ch, log, { visibilityMarginMs: 0 })
  // A channel on the default monitors, so the firing alerts become deliveries in the outbox.
  const { notifications } = await runAlerting(ch, { log, defaultChannels: ['ops-webhook'] })
  await enqueueNotifications(ch, notifications)
  await seedComparisons(ch, log, hour)
  return { hour, fromMs: hour - 3 * HOUR, toMs: Date.now() }
}

/**
 * Stages (champion promoted at H-3h, challenger started at H-2h), then the comparisons as the monitor writes
 * them after the windows ending at H-1h and at H (all traffic), and the same evaluations for one segment,
 * which the monitor does not run by itself.
 */
async function seedComparisons(ch: ClickHouse, log: Logger, hour: number): Promise<void> {
  const [champion, challenger] = SEED.versions
  await recordStage(ch, { model: SEED.model, version: champion, stage: 'production', changedBy: 'cli:seed', reason: 'first version' }, { now: hour - 3 * HOUR })
  await recordStage(ch, { model: SEED.model, version: challenger, stage: 'challenger', changedBy: 'cli:seed', reason: 'retrained with tenure buckets' }, { now: hour - 2 * HOUR })
  for (const now of [hour - HOUR + 1, Date.now()]) {
    const { evaluated, failed } = await runComparisons(ch, { log, now: () => now })
    if (evaluated !== 1 || failed.length > 0) throw new Error(`the seed's comparison at ${new Date(now).toISOString()} ran ${evaluated} times, failed ${failed.length}`)
  }
  for (const to of [hour - HOUR, hour]) {
    const report = await compareVersions(ch, { model: SEED.model, a: champion, b: challenger, from: hour - 2 * HOUR, to, segment: SEED.segment })
    await ch.insertJsonEachRow('comparison_results', comparisonRows(report, Date.now()), {})
  }
}
