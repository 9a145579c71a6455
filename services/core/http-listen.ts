/**
 * Starts an HTTP server for a fetch handler (Hono's) and resolves once it listens, with the port it got
 * (the configured one, or a free one when configured as 0); a busy port rejects instead of crashing later.
 */
import { serve, type ServerType } from '@hono/node-server'

export interface Listening {
  server: ServerType
  port: number
  /** Stops listening once requests in flight finish; idle keep-alive connections (a scraper's) are closed so they cannot hold it open. */
  close(): Promise<void>
}

/**
 * @example
 * const { server, port } = await listen(app.fetch, '127.0.0.1', 0)
 */
export function listen(fetch: (request: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => {
      const address = server.address()
      resolve({ server, port: typeof address === 'object' && address !== null ? address.port : port, close: () => closeGracefully(server) })
    })
    server.once('error', reject)
  })
}

function closeGracefully(server: ServerType): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  if ('closeIdleConnections' in server) server.closeIdleConnections()
  return closed
}
