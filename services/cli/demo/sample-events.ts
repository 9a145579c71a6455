/**
 * Synthetic traffic for the demo: a binary churn classifier whose score depends on its features, labels
 * drawn from that score (so the model is informative), and a few malformed messages of each kind.
 * Deterministic for a seed, so two runs tell the same story.
 */
import type { GroundTruthEventInput, PredictionEventInput } from '../../core/events/contracts.js'
import type { ModelSpecInput } from '../../monitor/models/model-spec.js'

/** mulberry32: a tiny seeded PRNG; good enough for synthetic data, not for anything secret. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const PLANS = ['basic', 'pro', 'enterprise'] as const
const REGIONS = ['eu', 'us', 'apac'] as const

export interface SampleEvent {
  prediction: PredictionEventInput
  label: GroundTruthEventInput
}

/**
 * One prediction and its eventual label; `index` makes the event_id unique within a run. With `drifted`,
 * new customers flood in (tenure near zero) on the basic plan: a feature drift the monitor should flag.
 */
export function sampleEvent(random: () => number, runId: string, index: number, timestamp: number, drifted = false): SampleEvent {
  const tenure = drifted ? Math.round(random() * 6) : Math.round(random() * 72)
  const monthlySpend = Math.round((20 + random() * 180) * 100) / 100
  const supportTickets = Math.floor(-Math.log(1 - random()) * 1.5)
  const plan = drifted && random() < 0.7 ? 'basic' : (PLANS[Math.floor(random() * PLANS.length)] ?? 'basic')
  const region = REGIONS[Math.floor(random() * REGIONS.length)] ?? 'eu'
  const logit = -1 + 0.6 * supportTickets - 0.04 * tenure + (plan === 'basic' ? 0.8 : 0)
  const score = 1 / (1 + Math.exp(-logit))
  const eventId = `${runId}-${index}`
  const churned = random() < score
  return {
    prediction: {
      event_id: eventId,
      model: 'churn',
      model_version: '1',
      timestamp,
      numeric_features: { tenure_months: tenure, monthly_spend: monthlySpend, support_tickets: supportTickets, last_login_days: random() < 0.05 ? null : Math.round(random() * 30) },
      categorical_features: { plan, region },
      prediction: { score: Math.round(score * 1e4) / 1e4, predicted_class: score >= 0.5 ? '1' : '0' },
      segments: { region },
    },
    label: { event_id: eventId, model: 'churn', timestamp, label: { class: churned ? '1' : '0' } },
  }
}

/** The demo model as the registry knows it. */
export const DEMO_MODEL: ModelSpecInput = {
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

/** A reference data set for the demo model as CSV: the same process as production before any drift. */
export function referenceCsv(rows: number, seed: number): string {
  const random = seededRandom(seed)
  const lines = ['tenure_months,monthly_spend,support_tickets,last_login_days,plan,region,score,predicted_class,label']
  for (let i = 0; i < rows; i++) {
    const { prediction, label } = sampleEvent(random, 'ref', i, 0)
    const n = prediction.numeric_features ?? {}
    const c = prediction.categorical_features ?? {}
    lines.push([n.tenure_months, n.monthly_spend, n.support_tickets, n.last_login_days ?? '', c.plan, c.region, prediction.prediction.score, prediction.prediction.predicted_class, label.label.class].join(','))
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
