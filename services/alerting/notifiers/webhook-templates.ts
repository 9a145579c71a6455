/**
 * Webhook templates: the generic payload as is, or shaped for a receiver that expects its own request.
 *  - `github_repository_dispatch`: POST https://api.github.com/repos/OWNER/REPO/dispatches with
 *    `{event_type, client_payload}`; GitHub allows at most 10 top-level keys in client_payload.
 *  - `airflow_dag_run`: POST …/api/v1/dags/DAG_ID/dagRuns with `{dag_run_id, conf}`; the run id derives from the
 *    notification id, so a resend cannot start a second run (Airflow answers 409, which counts as delivered).
 */
import type { ChannelSpec } from '../channel-spec.js'
import type { WebhookPayload } from './webhook-payload.js'

export type WebhookTemplate = Extract<ChannelSpec, { type: 'webhook' }>['template']

export interface TemplatedRequest {
  body: unknown
  headers: Record<string, string>
  /** Statuses besides 2xx that mean the receiver already has this request. */
  alsoDelivered: number[]
}

/** The generic payload's keys a GitHub client_payload carries (its limit is 10). */
const GITHUB_KEYS = ['id', 'status', 'reason', 'model', 'model_version', 'monitor', 'severity', 'group_key', 'created_at', 'alerts'] as const

/**
 * Airflow run ids allow letters, digits and `_.~:+-`; anything else becomes `_`.
 *
 * @example
 * airflowRunId('n:9f/2') // 'modelwatch__n:9f_2'
 */
export function airflowRunId(notificationId: string): string {
  return `modelwatch__${notificationId.replace(/[^A-Za-z0-9_.~:+-]/g, '_')}`.slice(0, 250)
}

/**
 * The request body and extra headers for a template.
 *
 * @example
 * const { body, headers } = templatedRequest('github_repository_dispatch', webhookPayload(notification, links))
 */
export function templatedRequest(template: WebhookTemplate, payload: WebhookPayload): TemplatedRequest {
  switch (template) {
    case 'generic':
      return { body: payload, headers: {}, alsoDelivered: [] }
    case 'github_repository_dispatch':
      return {
        body: {
          event_type: `modelwatch-${payload.status}`,
          client_payload: Object.fromEntries(GITHUB_KEYS.map((k) => [k, payload[k]])),
        },
        headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
        alsoDelivered: [],
      }
    case 'airflow_dag_run':
      return { body: { dag_run_id: airflowRunId(payload.id), conf: payload }, headers: {}, alsoDelivered: [409] }
  }
}
