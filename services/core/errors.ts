/**
 * One error taxonomy for modelwatch. Callers classify failures by `code` and `retriable`, never by message text.
 * A retriable failure (a dependency is down) is retried and leaves Kafka offsets uncommitted;
 * a permanent one (bad input) is reported once: to the dead-letter topic, or as a 4xx, or as one line at start-up.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CLICKHOUSE_UNAVAILABLE'
  | 'CLICKHOUSE_QUERY_FAILED'
  | 'KAFKA_UNAVAILABLE'
  | 'SCHEMA_REGISTRY_UNAVAILABLE'
  | 'SCHEMA_INCOMPATIBLE'
  /** The registry has the schema, but it cannot be used: it does not parse or compile, or its type is not supported. */
  | 'SCHEMA_UNUSABLE'
  | 'EVENT_INVALID'
  | 'MIGRATION_FAILED'
  | 'USAGE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'REQUEST_MALFORMED'
  | 'REQUEST_INVALID'
  | 'PAYLOAD_TOO_LARGE'
  | 'METHOD_NOT_ALLOWED'
  | 'INTERNAL'
  | 'NOT_FOUND'
  | 'DELIVERY_FAILED'
  | 'URL_REFUSED'
  | 'MONITOR_INVALID'
  /** The request is valid but the resource's state refuses it (an alert that is not firing, a reference switch without replace). */
  | 'CONFLICT'
  /** One more would pass a configured bound on stored things (MODELWATCH_MAX_SILENCES, …; docs/limits.md). */
  | 'LIMIT_EXCEEDED'

export class ModelwatchError extends Error {
  readonly code: ErrorCode
  readonly retriable: boolean

  constructor(code: ErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ModelwatchError'
    this.code = code
    this.retriable = options.retriable ?? false
  }
}

/** The environment does not describe a usable configuration. Printed as one line, no stack trace. */
export class ConfigError extends ModelwatchError {
  constructor(message: string) {
    super('CONFIG_INVALID', message)
    this.name = 'ConfigError'
  }
}

/** A command-line invocation that cannot be carried out as written (bad flag, missing argument). */
export class UsageError extends ModelwatchError {
  constructor(message: string) {
    super('USAGE', message)
    this.name = 'UsageError'
  }
}

/** True when the failure is worth retrying: a ModelwatchError that says so, or a network-level error. */
export function isRetriable(error: unknown): boolean {
  if (error instanceof ModelwatchError) return error.retriable
  return isNetworkError(error)
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
])

/** A connection-level failure (refused, reset, timed out), found on the error or anywhere in its cause chain. */
export function isNetworkError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code
    if (code !== undefined && NETWORK_ERROR_CODES.has(code)) return true
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return true
  }
  return false
}

/**
 * The error's message followed by its causes' messages (at most `maxDepth` in all), joined by ': ': one line
 * for a user or a health field, never a stack and never the objects the error carries.
 *
 * @example
 * describeError(new ModelwatchError('CLICKHOUSE_UNAVAILABLE', 'insert failed', { cause: new Error('ECONNREFUSED') })) // 'insert failed: ECONNREFUSED'
 */
export function describeError(error: unknown, maxDepth = 4): string {
  const parts: string[] = []
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < maxDepth; e = e.cause, depth++) parts.push(e.message)
  return parts.join(': ') || String(error)
}
