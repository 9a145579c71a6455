/**
 * `modelwatch api`: the HTTP API alone (routes, auth and runbook: services/api/README.md). On the embedded
 * engine it must be the only process on the data directory; `modelwatch start` runs it with the others.
 */
import { serveCommand } from './serve.js'

export async function apiCommand(env: NodeJS.ProcessEnv): Promise<void> {
  return serveCommand(env, ['api'])
}
