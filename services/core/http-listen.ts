/**
 * Starts an HTTP server for a fetch handler (Hono's) and resolves once it listens, with the port it got
 * (the configured one, or a free one when configured as 0); a busy port rejects instead of crashing later.
 */
import { serve, type ServerType } from '@hono/node-server'

export interface Listening {
  server: ServerType
  port: number
}

/**
 * @example
 * const { server, port } = await listen(app.fetch, '127.0.0.1', 0)
 */
export function listen(fetch: (request: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => {
      const address = server.address()
      resolve({ server, port: typeof address === 'object' && address !== null ? address.port : port })
    })
    server.once('error', reject)
  })
}
