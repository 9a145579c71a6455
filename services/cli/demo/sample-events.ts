/**
 * Synthetic traffic for the demo's two models, deterministic for a seed:
 *  - `churn`, a binary classifier with two versions serving split traffic: the true churn probability depends on
 *    support tickets, tenure, plan and monthly spend; version 1 (the champion) ignores spend, version 2 (the
 *    challenger) models it, so it is truly better. Labels are drawn from the true probability.
 *  - `delivery_eta`, a regressor of delivery minutes from distance, items and hour; its predictions are the
 *    true mean plus noise, labels the true time.
 * Injections: `drifted` churn traffic comes from new customers (short tenure, mostly the basic plan, more
 * tickets, lower spend): a feature drift. `slowed` deliveries take 8 minutes longer than the model knows
 * (road works): a performance drop with unchanged features.
 */
import type { GroundTruthEventInput, PredictionEventInput } from '../../core/events/contracts.js'
import type { ModelSpecInput } from '../../monitor/models/model-spec.js'
import { seededRandom } from './seeded-random.js'

export interface SampleEvent {
  prediction: PredictionEventInput
  label: GroundTruthEventInput
}

const PLANS = ['basic', 'pro', 'enterprise'] as const
const REGIONS = ['eu', 'us', 'apac'] as const
const pick = <T>(random: () => number, values: readonly T[]): T => values[Math.floor(random() * values.length)] as T
const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x))

/** Churn version 2's edge over version 1: the weight of monthly spend (per currency unit above 110) it knows about. */
export const SPEND_WEIGHT = -0.02

export const CHURN_MODEL: ModelSpecInput = {
  name: 'churn',
  task: 'binary_classification',
  positive_class: '1',
  features: [
    { name: 'tenure_months', kind: 'numeric' },
    { name: 'monthly_spend', kind: 'numeric' },
    { name: 'support_tickets', kind: 'numeric' },
    { name: 'last_login_days', kind: 'numeric' },
    { name: 'plan', kind: 'categorical' },
    { name: 'region', kind: 'categorical' },
  ],
  default_window: '1m',
  final_coverage: 0.75,
  final_max_delay: '5m',
}

export const ETA_MODEL: ModelSpecInput = {
  name: 'delivery_eta',
  task: 'regression',
  features: [
    { name: 'distance_km', kind: 'numeric' },
    { name: 'items', kind: 'numeric' },
    { name: 'hour', kind: 'numeric' },
    { name: 'city', kind: 'categorical' },
  ],
  default_window: '1m',
  final_coverage: 0.75,
  final_max_delay: '5m',
}

/**
 * One churn prediction of `version` ('1' or '2') and its eventual label.
 *
 * @example
 * const { prediction, label } = churnEvent(seededRandom(1), 'run1-0', Date.now(), '2', false)
 */
export function churnEvent(random: () => number, eventId: string, timestamp: number, version: '1' | '2', drifted: boolean): SampleEvent {
  const tenure = drifted ? Math.round(random() * 6) : Math.round(random() * 72)
  const spend = drifted ? round(20 + random() * 60, 2) : round(20 + random() * 180, 2)
  const tickets = Math.floor(-Math.log(1 - random()) * (drifted ? 3 : 1.5))
  const plan = drifted && random() < 0.7 ? 'basic' : pick(random, PLANS)
  const region = pick(random, REGIONS)
  const known = -1 + 0.6 * tickets - 0.04 * tenure + (plan === 'basic' ? 0.8 : 0)
  const spendTerm = SPEND_WEIGHT * (spend - 110)
  const score = sigmoid(version === '2' ? known + spendTerm : known)
  const churned = random() < sigmoid(known + spendTerm)
  return {
    prediction: {
      event_id: eventId,
      model: 'churn',
      model_version: version,
      timestamp,
      numeric_features: { tenure_months: tenure, monthly_spend: spend, support_tickets: tickets, last_login_days: random() < 0.05 ? null : Math.round(random() * 30) },
      categorical_features: { plan, region },
      prediction: { score: round(score, 4), predicted_class: score >= 0.5 ? '1' : '0' },
      segments: { region },
    },
    label: { event_id: eventId, model: 'churn', timestamp, label: { class: churned ? '1' : '0' } },
  }
}

/**
 * One delivery-time prediction and the time the delivery really took.
 *
 * @example
 * const { prediction, label } = etaEvent(seededRandom(1), 'run1-e0', Date.now(), false)
 */
export function etaEvent(random: () => number, eventId: string, timestamp: number, slowed: boolean): SampleEvent {
  const distance = round(0.5 + random() * 12, 2)
  const items = 1 + Math.floor(random() * 8)
  const hour = Math.floor(random() * 24)
  const city = pick(random, ['berlin', 'paris', 'madrid'] as const)
  const rush = hour >= 17 && hour <= 19 ? 6 : 0
  const expected = 12 + 2.5 * distance + 0.8 * items + rush
  const actual = expected + (slowed ? 8 : 0) + (random() - 0.5) * 6
  const predicted = expected + (random() - 0.5) * 4
  return {
    prediction: {
      event_id: eventId,
      model: 'delivery_eta',
      model_version: '1',
      timestamp,
      numeric_features: { distance_km: distance, items, hour },
      categorical_features: { city },
      prediction: { value: round(predicted, 2) },
      segments: { city },
    },
    label: { event_id: eventId, model: 'delivery_eta', timestamp, label: { value: round(actual, 2) } },
  }
}

/** Reference data for a churn version as CSV: the same process as production before any drift. */
export function churnReferenceCsv(rows: number, seed: number, version: '1' | '2'): string {
  const random = seededRandom(seed)
  const lines = ['tenure_months,monthly_spend,support_tickets,last_login_days,plan,region,score,predicted_class,label']
  for (let i = 0; i < rows; i++) {
    const { prediction, label } = churnEvent(random, `ref-${i}`, 0, version, false)
    const n = prediction.numeric_features ?? {}
    const c = prediction.categorical_features ?? {}
    const p = prediction.prediction
    lines.push([n.tenure_months, n.monthly_spend, n.support_tickets, n.last_login_days ?? '', c.plan, c.region, 'score' in p ? p.score : '', 'predicted_class' in p ? p.predicted_class : '', 'class' in label.label ? label.label.class : ''].join(','))
  }
  return `${lines.join('\n')}\n`
}

/** Reference data for the regressor as CSV. */
export function etaReferenceCsv(rows: number, seed: number): string {
  const random = seededRandom(seed)
  const lines = ['distance_km,items,hour,city,value,label']
  for (let i = 0; i < rows; i++) {
    const { prediction, label } = etaEvent(random, `ref-${i}`, 0, false)
    const n = prediction.numeric_features ?? {}
    const p = prediction.prediction
    lines.push([n.distance_km, n.items, n.hour, prediction.categorical_features?.city, 'value' in p ? p.value : '', 'value' in label.label ? label.label.value : ''].join(','))
  }
  return `${lines.join('\n')}\n`
}

/** Malformed messages, one per kind the dead-letter topic distinguishes, as raw bytes. */
export function malformedMessages(runId: string): Buffer[] {
  const base = { event_id: `${runId}-bad`, model: 'churn', model_version: '1', timestamp: Date.now(), prediction: { score: 0.5 } }
  return [
    Buffer.from('{"event_id": "truncated'),
    Buffer.from('{"event_id":"x","model":"churn","model_version":"1","timestamp":1764000000000,"numeric_features":{"a":NaN},"prediction":{"score":0.1}}'),
    Buffer.from(JSON.stringify({ ...base, model: undefined })),
    Buffer.from(JSON.stringify({ ...base, numeric_features: { tenure_months: 'twelve' } })),
    Buffer.from(JSON.stringify({ ...base, timestamp: Math.floor(Date.now() / 1000) })),
    Buffer.from([0x01, 0x02, 0x03]),
    Buffer.from([0x00, 0x00, 0x0f, 0x42, 0x3f, 0x02]),
  ]
}
