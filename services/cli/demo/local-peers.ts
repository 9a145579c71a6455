/**
 * The demo's stand-ins for a team's receivers, on 127.0.0.1 with free ports: a webhook endpoint that verifies
 * modelwatch's signature and appends each delivery to a JSON-lines log, and an SMTP server that saves each email
 * as an .eml file. Real servers, so the demo shows real deliveries (signed, retried, logged) end to end.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { SMTPServer } from 'smtp-server'
import { SIGNATURE_HEADER, verifySignature } from '../../alerting/notifiers/webhook-signature.js'

export interface DeliveredWebhook {
  at: string
  signature: 'valid' | string
  idempotency_key: string | undefined
  body: unknown
}

export interface DemoPeers {
  webhookUrl: string
  smtpPort: number
  webhookLog: string
  inboxDir: string
  webhooks: DeliveredWebhook[]
  emails: string[]
  close(): Promise<void>
}

/**
 * @example
 * const peers = await startDemoPeers('./data/demo', secret)
 * console.log(peers.webhookUrl, peers.inboxDir)
 */
export async function startDemoPeers(dir: string, signingSecret: string): Promise<DemoPeers> {
  const inboxDir = join(dir, 'inbox')
  const webhookLog = join(dir, 'webhooks.log')
  mkdirSync(inboxDir, { recursive: true })
  writeFileSync(webhookLog, '')
  const webhooks: DeliveredWebhook[] = []
  const emails: string[] = []

  const http: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const header = req.headers[SIGNATURE_HEADER.toLowerCase()]
      const verified = verifySignature({ header: Array.isArray(header) ? header[0] : header, body, secret: signingSecret })
      const key = req.headers['idempotency-key']
      const entry: DeliveredWebhook = {
        at: new Date().toISOString(),
        signature: verified.ok ? 'valid' : verified.reason,
        idempotency_key: Array.isArray(key) ? key[0] : key,
        body: parseJson(body.toString('utf8')),
      }
      webhooks.push(entry)
      appendFileSync(webhookLog, `${JSON.stringify(entry)}\n`)
      res.writeHead(verified.ok ? 200 : 401, { 'content-type': 'text/plain' }).end(verified.ok ? 'ok' : verified.reason)
    })
  })
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const file = join(inboxDir, `${String(emails.length + 1).padStart(3, '0')}.eml`)
        writeFileSync(file, Buffer.concat(chunks))
        emails.push(file)
        callback()
      })
    },
  })
  const httpPort = await listenOn(http)
  const smtpPort = await listenOn(smtp.server)
  return {
    webhookUrl: `http://127.0.0.1:${httpPort}/hooks/retrain`,
    smtpPort,
    webhookLog,
    inboxDir,
    webhooks,
    emails,
    async close() {
      await Promise.all([new Promise<void>((resolve) => http.close(() => resolve())), new Promise<void>((resolve) => smtp.close(() => resolve()))])
    },
  }
}

function listenOn(server: Server | SMTPServer['server']): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
