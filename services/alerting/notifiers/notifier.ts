/**
 * What a notifier is: a function that sends one notification to one channel within one attempt, resolving when
 * the receiver accepted it and throwing a `DeliveryError` (retry or give up) when not. Everything it needs
 * arrives in the context; notifiers read no environment and keep no state.
 */
import type { Config } from '../../core/config.js'
import type { Notification } from '../notification.js'
import type { Mailer } from './email.js'

export interface NotifierContext {
  /** Where the channels' secrets are looked up by name (the process environment in production). */
  env: Readonly<Record<string, string | undefined>>
  config: Pick<Config, 'publicUrl' | 'grafanaUrl' | 'delivery'>
  /** The SMTP transport, when MODELWATCH_SMTP_HOST is set. */
  mailer: Mailer | undefined
  /** Aborts when the attempt's timeout passes or the worker stops. */
  signal: AbortSignal
  now: () => number
}

export interface SendOutcome {
  /** The receiver's HTTP status or SMTP reply code. */
  responseStatus: number | undefined
}

export type Notifier<S> = (notification: Notification, spec: S, ctx: NotifierContext) => Promise<SendOutcome>
