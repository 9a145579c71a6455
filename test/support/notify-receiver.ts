/**
 * A real HTTP receiver on 127.0.0.1 standing in for Slack, a webhook consumer, GitHub or Airflow: it records every
 * request (raw body included, for signature checks) and answers from a script: a status (with headers, e.g.
 * Retry-After), or `hang` to never answer. Once the script runs out it answers `fallback` (200 by default).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

export type Answer = { status: number; headers?: Record<string, string>; body?: string } | { hang: true }

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  url: string
  port: number
  requests: Received[]
  /** Answers for the next requests, in order. */
  script(...answers: Answer[]): void
  fallback: Answer
  close(): Promise<void>
}

export async function startReceiver(port = 0): Promise<Receiver> {
  const queue: Answer[] = []
  const requests: Received[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      const answer = queue.shift() ?? receiver.fallback
      if ('hang' in answer) return
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers })
      res.end(answer.body ?? (answer.status < 300 ? 'ok' : 'no'))
    })
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const actual = (server.address() as AddressInfo).port
  const receiver: Receiver = {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    requests,
    script: (...answers) => void queue.push(...answers),
    fallback: { status: 200 },
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
  return receiver
}
