/**
 * Which methods a path answers to, from the app's route table: the difference between 404 (no such
 * resource) and 405 (the resource exists, not with this method; the Allow header lists what does).
 */

/**
 * @example
 * allowedMethods([{ method: 'GET', path: '/v1/models/:model' }], '/v1/models/churn') // ['GET', 'HEAD']
 */
export function allowedMethods(routes: readonly { method: string; path: string }[], path: string): string[] {
  const methods = new Set<string>()
  for (const route of routes) {
    if (route.method === 'ALL' || !patternOf(route.path).test(path)) continue
    methods.add(route.method)
    if (route.method === 'GET') methods.add('HEAD')
  }
  return [...methods].sort()
}

const patterns = new Map<string, RegExp>()

/** Hono's path syntax as a regular expression: `:name` is one segment, `*` anything. */
function patternOf(path: string): RegExp {
  let pattern = patterns.get(path)
  if (pattern === undefined) {
    const source = path
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/')
    pattern = new RegExp(`^${source}/?$`)
    patterns.set(path, pattern)
  }
  return pattern
}
