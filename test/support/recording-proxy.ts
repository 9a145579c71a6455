/**
 * A real HTTP reverse proxy on 127.0.0.1 that records every request (method, path, headers, body) before forwarding
 * it to the same path at `target` (an origin), for tests that must see what a service sends to a dependency (ClickHouse over HTTP, the schema
 * registry). Headers named in `strip` are recorded, then removed before forwarding: the proxy stands in for a
 * dependency that checks credentials the real one (chDB's server takes user `default` without a password) does not.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ProxiedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

export interface RecordingProxy {
  /** `http://127.0.0.1:<port>` */
  url: string
  requests: ProxiedRequest[]
  close(): Promise<void>
}

export async function startRecordingProxy(target: string, strip: readonly string[] = []): Promise<RecordingProxy> {
  const to = new URL(target)
  const requests: ProxiedRequest[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, body: body.toString('utf8') })
      const headers: IncomingHttpHeaders = { ...req.headers, host: to.host }
      for (const name of strip) delete headers[name.toLowerCase()]
      const upstream = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      })
      upstream.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
        res.end(`proxy: ${error.message}`)
      })
      upstream.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
