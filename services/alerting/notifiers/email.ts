/**
 * The email notifier: nodemailer over SMTP (MODELWATCH_SMTP_*), a plain-text and an HTML part. The message id
 * derives from the notification id, so a resent email is recognisably the same message. SMTP replies decide the
 * outcome: 4xx (and connection trouble) is worth a retry, 5xx is not.
 */
import { createTransport, type Transporter } from 'nodemailer'
import type { Config } from '../../core/config.js'
import { describeError, isNetworkError } from '../../core/errors.js'
import type { ChannelSpec } from '../channel-spec.js'
import { DeliveryError } from '../delivery-error.js'
import { emailMessage } from './email-message.js'
import type { Notifier } from './notifier.js'

type EmailChannel = Extract<ChannelSpec, { type: 'email' }>
type Smtp = NonNullable<Config['smtp']>

export interface Mailer {
  from: string
  transport: Transporter
  close(): void
}

/**
 * One SMTP transport for the worker's lifetime.
 *
 * @example
 * const mailer = config.smtp === undefined ? undefined : createMailer(config.smtp, config.delivery.timeoutMs)
 */
export function createMailer(smtp: Smtp, timeoutMs: number): Mailer {
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: !smtp.secure && smtp.requireStartTls,
    ignoreTLS: !smtp.secure && !smtp.requireStartTls,
    ...(smtp.auth === undefined ? {} : { auth: { user: smtp.auth.user, pass: smtp.auth.password } }),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  })
  return { from: smtp.from, transport, close: () => transport.close() }
}

/** SMTP failures nodemailer reports without a reply code that a retry cannot fix. */
const PERMANENT_CODES = new Set(['EAUTH', 'ETLS', 'EENVELOPE', 'EMESSAGE'])

/**
 * @example
 * await sendEmail(notification, { name: 'oncall', type: 'email', to: ['oncall@example.com'] }, ctx)
 */
export const sendEmail: Notifier<EmailChannel> = async (notification, spec, ctx) => {
  const shownAs = `email channel ${spec.name}`
  if (ctx.mailer === undefined) throw new DeliveryError(`${shownAs}: no SMTP server configured (set MODELWATCH_SMTP_HOST)`, { retriable: false })
  const { subject, text, html } = emailMessage(notification, ctx.config)
  const messageId = `<${notification.id.replace(/[^A-Za-z0-9._-]/g, '_')}@modelwatch>`
  const sending = ctx.mailer.transport.sendMail({
    from: ctx.mailer.from,
    to: spec.to,
    subject,
    text,
    html,
    messageId,
    headers: { 'X-Modelwatch-Notification': notification.id, 'X-Modelwatch-Status': notification.status },
  })
  let info: { response?: string }
  try {
    info = await abortable(sending, ctx.signal) as { response?: string }
  } catch (error) {
    if (ctx.signal.aborted) throw new DeliveryError(`${shownAs}: no answer from the SMTP server in time`, { retriable: true, cause: error })
    const { responseCode, code } = error as { responseCode?: number; code?: string }
    const retriable = responseCode !== undefined ? responseCode < 500 : !PERMANENT_CODES.has(code ?? '') || isNetworkError(error)
    throw new DeliveryError(`${shownAs}: ${describeError(error)}`, { retriable, responseStatus: responseCode, cause: error })
  }
  const replyCode = Number.parseInt(info.response ?? '', 10)
  return { responseStatus: Number.isFinite(replyCode) ? replyCode : undefined }
}

/** nodemailer takes no AbortSignal: the attempt stops waiting when the signal aborts (its socket timeout ends the rest). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
