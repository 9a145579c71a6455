/**
 * What the demo registers before traffic starts: its two models with their references (one per churn version,
 * each with its own scores), their stages, the notification channels pointing at the demo's local receivers,
 * and the monitors of services/cli/demo/monitors.yaml.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { saveChannel } from '../../alerting/channels-store.js'
import { parseMonitorsFile } from '../../alerting/monitors-file.js'
import { saveMonitors } from '../../alerting/monitors-store.js'
import { recordStage } from '../../compare/index.js'
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { PACKAGE_ROOT } from '../../core/package-root.js'
import { saveModel } from '../../monitor/models/registry.js'
import { uploadReference } from '../../monitor/references/index.js'
import { CHURN_MODEL, ETA_MODEL, churnReferenceCsv, etaReferenceCsv } from './sample-events.js'

/**
 * The two models, their references (one per churn version: each version's own scores), channels and monitors.
 * Without a webhook receiver (produce-only), monitors notify the email channel only.
 *
 * @example
 * await registerDemoModels(ch, './data/demo', peers.webhookUrl, 'MODELWATCH_CHANNEL_SECRET_DEMO_SIGNING')
 */
export async function registerDemoModels(ch: ClickHouse, demoDir: string, webhookUrl: string | undefined, signingSecretEnv: string): Promise<void> {
  const churn = await saveModel(ch, CHURN_MODEL)
  const eta = await saveModel(ch, ETA_MODEL)
  await recordStage(ch, { model: 'churn', version: '1', stage: 'production', changedBy: 'demo', reason: 'the champion' })
  await recordStage(ch, { model: 'churn', version: '2', stage: 'challenger', changedBy: 'demo', reason: 'retrained with monthly spend; serves half the traffic' })
  await recordStage(ch, { model: 'delivery_eta', version: '1', stage: 'production', changedBy: 'demo', reason: 'the only version' })
  for (const version of ['1', '2'] as const) {
    const file = join(demoDir, `churn-v${version}-reference.csv`)
    writeFileSync(file, churnReferenceCsv(5_000, 7, version))
    await uploadReference(ch, { model: churn, version, file, replace: true })
  }
  const etaFile = join(demoDir, 'delivery-eta-reference.csv')
  writeFileSync(etaFile, etaReferenceCsv(5_000, 11))
  await uploadReference(ch, { model: eta, version: '1', file: etaFile, replace: true })
  if (webhookUrl !== undefined) await saveChannel(ch, { name: 'retrain-webhook', type: 'webhook', url: webhookUrl, template: 'generic', signing_secret_env: signingSecretEnv })
  await saveChannel(ch, { name: 'ml-team-email', type: 'email', to: ['ml-team@example.com'] })
  const file = join(PACKAGE_ROOT, 'services', 'cli', 'demo', 'monitors.yaml')
  const { monitors } = parseMonitorsFile(readFileSync(file, 'utf8'), 'monitors.yaml')
  const reachable = (channels: string[]): string[] => (webhookUrl === undefined ? channels.filter((c) => c !== 'retrain-webhook') : channels)
  await saveMonitors(ch, monitors.map((m) => ({ ...m, channels: reachable(m.channels) })), { origin: 'apply' })
}
