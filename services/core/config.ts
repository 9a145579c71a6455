/**
 * The one configuration loader. Every setting comes from an environment variable listed in `environment`
 * (its description is the README's configuration reference), is validated once at start-up, and reaches
 * the rest of the code as the typed `Config`. Library modules never read `process.env`.
 */
import { createHash } from 'node:crypto'
import { isIP } from 'node:net'
import { validate as validCron } from 'node-cron'
import { z } from 'zod'
import { CHANNEL_SECRET_PREFIX } from './channel-secrets.js'
import { durationSchema } from './duration.js'
import { ConfigError } from './errors.js'

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')
const positiveInt = z.coerce.number().int().positive()
const nonNegativeInt = z.coerce.number().int().min(0)
const port = z.coerce.number().int().min(0).max(65535)
const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
const list = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0))
  .pipe(z.array(z.string()).min(1, 'must name at least one host:port'))
/** Comma-separated CIDR networks or single addresses, each checked as node's BlockList would read it. */
const networks = z
  .string()
  .transform((text) => text.split(',').map((n) => n.trim()).filter((n) => n.length > 0))
  .pipe(
    z.array(
      z.string().refine((entry) => {
        const [address = '', prefix, ...rest] = entry.split('/')
        const family = isIP(address)
        const bits = prefix === undefined ? 0 : Number(prefix)
        return family !== 0 && rest.length === 0 && Number.isInteger(bits) && bits >= 0 && bits <= (family === 6 ? 128 : 32)
      }, 'must list networks as CIDR (10.20.0.0/16) or addresses, comma-separated'),
    ),
  )
const topic = z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'must be a valid Kafka topic name')

export type ApiScope = 'read' | 'write' | 'admin'
/** An API token as the API needs it: only the SHA-256 of the secret is kept, so a logged config leaks nothing. */
export interface ApiToken {
  name: string
  scope: ApiScope
  digest: Buffer
}
/** `name:scope:token` entries, comma-separated; messages name the entry, never the secret. */
const apiTokens = z.string().transform((text, ctx): ApiToken[] => {
  const tokens: ApiToken[] = []
  for (const [i, entry] of text.split(',').map((e) => e.trim()).filter((e) => e.length > 0).entries()) {
    const [name = '', scope = '', ...rest] = entry.split(':')
    const secret = rest.join(':')
    const problem = !/^[A-Za-z0-9_.-]{1,64}$/.test(name) ? 'needs a name of letters, digits, _ . - (name:scope:token)'
      : scope !== 'read' && scope !== 'write' && scope !== 'admin' ? `(${name}) needs scope read, write or admin (name:scope:token)`
      : secret.length < 16 ? `(${name}) needs a token of at least 16 characters`
      : tokens.some((t) => t.name === name) ? `(${name}) repeats a name`
      : undefined
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} ${problem}` })
      return z.NEVER
    }
    const digest = createHash('sha256').update(secret).digest()
    if (tokens.some((t) => t.digest.equals(digest))) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} (${name}) repeats another entry's token` })
      return z.NEVER
    }
    tokens.push({ name, scope: scope as ApiScope, digest })
  }
  return tokens
})

interface Variable<S extends z.ZodType> {
  schema: S
  description: string
  default?: string
  /** Never printed, logged, or echoed in an error message. */
  secret?: boolean
}
const variable = <S extends z.ZodType>(v: Variable<S>): Variable<S> => v

/** Every environment variable modelwatch reads, in the order the README lists them. */
export const environment = {
  KAFKA_BROKERS: variable({ schema: list.optional(), description: 'Comma-separated Kafka bootstrap servers (host:port). Unset: no Kafka (the demo starts a local one).' }),
  KAFKA_CLIENT_ID: variable({ schema: z.string().min(1), default: 'modelwatch', description: 'Kafka client id, shown in broker logs and quotas.' }),
  KAFKA_SSL: variable({ schema: bool, default: 'false', description: 'Connect to Kafka over TLS.' }),
  KAFKA_SSL_CA_FILE: variable({ schema: z.string().optional(), description: 'PEM file of CA certificates for Kafka TLS (default: the system store).' }),
  KAFKA_SASL_MECHANISM: variable({ schema: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(), description: 'SASL mechanism: plain, scram-sha-256 or scram-sha-512. Unset: no SASL.' }),
  KAFKA_SASL_USERNAME: variable({ schema: z.string().optional(), description: 'SASL user name.' }),
  KAFKA_SASL_PASSWORD: variable({ schema: z.string().optional(), description: 'SASL password.', secret: true }),
  SCHEMA_REGISTRY_URL: variable({ schema: url.optional(), description: 'Confluent-compatible schema registry URL (Confluent, or Apicurio at /apis/ccompat/v7). Unset: only plain JSON events are decoded.' }),
  SCHEMA_REGISTRY_USERNAME: variable({ schema: z.string().optional(), description: 'Schema registry basic-auth user.' }),
  SCHEMA_REGISTRY_PASSWORD: variable({ schema: z.string().optional(), description: 'Schema registry basic-auth password.', secret: true }),
  CLICKHOUSE_URL: variable({ schema: url.optional(), description: 'ClickHouse HTTP(S) endpoint, e.g. https://ch.internal:8443. Unset: the embedded engine (chDB) in MODELWATCH_DATA_DIR.' }),
  CLICKHOUSE_USER: variable({ schema: z.string().min(1), default: 'default', description: 'ClickHouse user (HTTP mode).' }),
  CLICKHOUSE_PASSWORD: variable({ schema: z.string(), default: '', description: 'ClickHouse password (HTTP mode).', secret: true }),
  CLICKHOUSE_DATABASE: variable({ schema: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/, 'must be a plain identifier'), default: 'modelwatch', description: 'Database holding modelwatch tables; created by migrations.' }),
  CLICKHOUSE_REQUEST_TIMEOUT_MS: variable({ schema: positiveInt, default: '30000', description: 'Timeout of one ClickHouse request (HTTP mode).' }),
  MODELWATCH_DATA_DIR: variable({ schema: z.string().min(1), default: './data', description: 'Directory of the embedded engine. One process owns it at a time.' }),
  MODELWATCH_TOPIC_PREDICTIONS: variable({ schema: topic, default: 'modelwatch.predictions', description: 'Topic of prediction events.' }),
  MODELWATCH_TOPIC_GROUND_TRUTH: variable({ schema: topic, default: 'modelwatch.ground-truth', description: 'Topic of ground-truth events.' }),
  MODELWATCH_TOPIC_DLQ: variable({ schema: topic, default: 'modelwatch.dlq', description: 'Dead-letter topic for events that cannot be decoded or validated.' }),
  MODELWATCH_CONSUMER_GROUP: variable({ schema: z.string().min(1), default: 'modelwatch-ingest', description: 'Kafka consumer group of the ingest service.' }),
  MODELWATCH_BATCH_SIZE: variable({ schema: positiveInt, default: '10000', description: 'Most messages (events and dead letters) in one insert into ClickHouse. Ingest holds at most two batches (one being stored, one filling) plus the messages of the Kafka fetches it is handling (at most 8 MiB per broker).' }),
  MODELWATCH_BATCH_LINGER_MS: variable({ schema: positiveInt, default: '1000', description: 'Longest time an event waits in the buffer before it is inserted.' }),
  MODELWATCH_MAX_EVENT_BYTES: variable({ schema: positiveInt, default: '65536', description: 'Larger messages go to the dead-letter topic as oversized.' }),
  MODELWATCH_HEALTH_PORT: variable({ schema: port, default: '9465', description: 'Port of the ingest health endpoint (/healthz, /metrics); 0 picks a free one.' }),
  MODELWATCH_MONITOR_SCHEDULE: variable({ schema: z.string().refine((v) => validCron(v), 'must be a cron expression (6 fields with seconds, e.g. */30 * * * * *)'), default: '*/30 * * * * *', description: 'When the monitor computes new and updated windows (cron, with seconds).' }),
  MODELWATCH_MONITOR_MIN_GAP_MS: variable({ schema: nonNegativeInt, default: '2000', description: 'When ingest in the same process stores events, the monitor runs a pass this long after the previous one ended at the earliest (besides its schedule).' }),
  MODELWATCH_MONITOR_HEALTH_PORT: variable({ schema: z.union([z.literal('off'), port]), default: '9466', description: 'Port of the monitor health endpoint (/healthz, /metrics) of `modelwatch monitor`; 0 picks a free one, off opens none. `modelwatch start` and the demo leave it off unless set: ingest on MODELWATCH_HEALTH_PORT answers for that process.' }),
  MODELWATCH_ALERT_DEFAULT_CHANNELS: variable({ schema: z.string().transform((v) => v.split(',').map((c) => c.trim()).filter((c) => c.length > 0)).pipe(z.array(z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must list channel names (letters, digits, _ . -)'))), default: '', description: 'Comma-separated channels the default monitors of a new model notify (dataset drift, key metric drop, volume drop, missing share). Empty: they alert without notifying until a monitor names channels.' }),
  MODELWATCH_ALERT_DEFAULT_MONITORS: variable({ schema: bool, default: 'true', description: 'Create the default monitors (dataset drift, key metric drop, volume drop, missing share) for each new model. false: only monitors you declare.' }),
  MODELWATCH_AUTO_PROMOTE: variable({ schema: bool, default: 'false', description: 'When the sequential test of a champion/challenger comparison concludes, change the stages by itself: a better challenger becomes production (the old production version is archived), a worse one is archived; recorded as changed by modelwatch with the evidence. false: only the comparison alerts fire.' }),
  MODELWATCH_API_PORT: variable({ schema: port, default: '8080', description: 'Port of the HTTP API (modelwatch api, modelwatch start); 0 picks a free one.' }),
  MODELWATCH_API_TOKENS: variable({ schema: apiTokens.optional(), description: 'API bearer tokens as name:scope:token, comma-separated; scope read, write or admin (each includes the ones before); tokens at least 16 characters. Unset: only /healthz and /readyz answer.', secret: true }),
  MODELWATCH_API_RATE_LIMIT: variable({ schema: z.coerce.number().int().min(0), default: '600', description: 'Requests per minute per API token (token bucket, bursts up to the same number); 0 turns the limit off.' }),
  MODELWATCH_API_MAX_BODY_BYTES: variable({ schema: positiveInt, default: '1048576', description: 'Larger API request bodies are refused with 413.' }),
  MODELWATCH_API_MAX_UPLOAD_BYTES: variable({ schema: positiveInt, default: '268435456', description: 'Larger reference files sent to PUT /v1/models/{model}/versions/{version}/reference are refused with 413 (the other routes keep MODELWATCH_API_MAX_BODY_BYTES).' }),
  MODELWATCH_API_MAX_EVENTS: variable({ schema: positiveInt, default: '1000', description: 'Most events in one POST /v1/events/* request.' }),
  MODELWATCH_MAX_MODELS: variable({ schema: positiveInt, default: '10000', description: 'Most registered models; each adds its changed windows to every monitor pass. Registering one more (API, `modelwatch model create`) is refused with 409 LIMIT_EXCEEDED.' }),
  MODELWATCH_MAX_MONITORS: variable({ schema: positiveInt, default: '50000', description: 'Most live monitors (alert rules); each is one query per alerting run. Creating more through the API or `modelwatch apply` is refused with 409 LIMIT_EXCEEDED (the default monitors of a new model are still made).' }),
  MODELWATCH_MAX_SILENCES: variable({ schema: positiveInt, default: '1000', description: 'Most silences that have not ended; every notifying alert is checked against each. Creating more (API, `modelwatch apply`) is refused with 409 LIMIT_EXCEEDED.' }),
  MODELWATCH_MAX_CHANNELS: variable({ schema: positiveInt, default: '200', description: 'Most notification channels. Creating more (API, `modelwatch apply`) is refused with 409 LIMIT_EXCEEDED.' }),
  MODELWATCH_MAX_CHALLENGERS: variable({ schema: positiveInt, default: '10', description: 'Most versions of one model in the shadow or challenger stage at once; each is compared with the production version every closed window. Moving one more there is refused with 409 LIMIT_EXCEEDED.' }),
  MODELWATCH_MAX_QUERY_RANGE: variable({ schema: durationSchema, default: '90d', description: 'Longest period a comparison of two versions (`modelwatch compare`, GET /v1/models/{model}/compare) reads raw events over; a longer one is refused with 422.' }),
  MODELWATCH_HOST: variable({ schema: z.string().min(1), default: '127.0.0.1', description: 'Address the HTTP endpoints listen on (0.0.0.0 in containers).' }),
  MODELWATCH_LOG_LEVEL: variable({ schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', description: 'Log level (pino).' }),
  MODELWATCH_PUBLIC_URL: variable({ schema: url.optional(), description: 'Public base URL of the modelwatch API, linked from notifications (e.g. https://modelwatch.example.com). Unset: no API links.' }),
  MODELWATCH_GRAFANA_URL: variable({ schema: url.optional(), description: 'Grafana base URL; notifications link its modelwatch-model-detail dashboard. Unset: no dashboard links.' }),
  MODELWATCH_SMTP_HOST: variable({ schema: z.string().min(1).optional(), description: 'SMTP server for email channels. Unset: email deliveries fail (dead) saying so.' }),
  MODELWATCH_SMTP_PORT: variable({ schema: port, default: '587', description: 'SMTP port (587 submission with STARTTLS, 465 implicit TLS).' }),
  MODELWATCH_SMTP_SECURE: variable({ schema: bool, default: 'false', description: 'Implicit TLS from the first byte (port 465). false: plain connection upgraded with STARTTLS.' }),
  MODELWATCH_SMTP_STARTTLS: variable({ schema: bool, default: 'true', description: 'Refuse to send (or authenticate) unless the server upgrades to TLS with STARTTLS. Only false for a trusted local relay.' }),
  MODELWATCH_SMTP_USER: variable({ schema: z.string().min(1).optional(), description: 'SMTP user. Unset: no authentication.' }),
  MODELWATCH_SMTP_PASSWORD: variable({ schema: z.string().optional(), description: 'SMTP password.', secret: true }),
  MODELWATCH_SMTP_FROM: variable({ schema: z.string().min(3), default: 'modelwatch <modelwatch@localhost>', description: 'From address of notification emails.' }),
  MODELWATCH_DELIVERY_MAX_ATTEMPTS: variable({ schema: positiveInt, default: '8', description: 'Attempts per notification delivery before it is dead.' }),
  MODELWATCH_DELIVERY_TIMEOUT_MS: variable({ schema: positiveInt, default: '10000', description: 'Timeout of one delivery attempt (connect, send, response).' }),
  MODELWATCH_DELIVERY_BACKOFF_MS: variable({ schema: positiveInt, default: '1000', description: 'Backoff ceiling after the first failed attempt; doubles per attempt, full jitter.' }),
  MODELWATCH_DELIVERY_BACKOFF_MAX_MS: variable({ schema: positiveInt, default: '300000', description: 'Largest backoff between attempts (a Retry-After header may ask for longer, up to an hour).' }),
  MODELWATCH_DELIVERY_POLL_MS: variable({ schema: positiveInt, default: '1000', description: 'How often the delivery worker looks for due deliveries.' }),
  MODELWATCH_DELIVERY_CONCURRENCY: variable({ schema: positiveInt, default: '4', description: 'Deliveries in flight per channel; channels never wait for each other.' }),
  MODELWATCH_WEBHOOK_ALLOWED_NETWORKS: variable({ schema: networks, default: '', description: 'Comma-separated networks (CIDR like 10.20.0.0/16, or single addresses) that webhook and Slack URLs may reach although private, loopback or link-local, and over plain http. Empty: public https receivers only.' }),
} as const satisfies Record<string, Variable<z.ZodType>> & NoChannelSecrets

/**
 * A notification channel may send any MODELWATCH_CHANNEL_SECRET_* variable to its receiver (channel-secrets.ts),
 * so no variable modelwatch itself reads may have that prefix: one that did fails the type check here.
 */
type NoChannelSecrets = { readonly [name: `${typeof CHANNEL_SECRET_PREFIX}${string}`]: never }

type Environment = typeof environment
type Values = { [K in keyof Environment]: z.output<Environment[K]['schema']> }

function parseEnvironment(env: NodeJS.ProcessEnv): Values {
  const values: Record<string, unknown> = {}
  const problems: string[] = []
  for (const [key, spec] of Object.entries(environment) as [keyof Environment, Variable<z.ZodType>][]) {
    const raw = env[key] === '' && spec.default === undefined ? undefined : (env[key] ?? spec.default)
    const parsed = spec.schema.safeParse(raw)
    if (parsed.success) values[key] = parsed.data
    else {
      const shown = spec.secret || raw === undefined ? '' : ` (got ${JSON.stringify(raw)})`
      problems.push(`${key} ${parsed.error.issues[0]?.message ?? 'is invalid'}${shown}`)
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`)
  return values as Values
}

export type Config = ReturnType<typeof shapeConfig>

function shapeConfig(v: Values) {
  return {
    kafka: v.KAFKA_BROKERS === undefined ? undefined : {
      brokers: v.KAFKA_BROKERS,
      clientId: v.KAFKA_CLIENT_ID,
      ssl: v.KAFKA_SSL,
      sslCaFile: v.KAFKA_SSL_CA_FILE,
      sasl: v.KAFKA_SASL_MECHANISM === undefined ? undefined : {
        mechanism: v.KAFKA_SASL_MECHANISM,
        username: v.KAFKA_SASL_USERNAME ?? '',
        password: v.KAFKA_SASL_PASSWORD ?? '',
      },
    },
    registry: v.SCHEMA_REGISTRY_URL === undefined ? undefined : {
      url: v.SCHEMA_REGISTRY_URL,
      auth: v.SCHEMA_REGISTRY_USERNAME === undefined ? undefined : { username: v.SCHEMA_REGISTRY_USERNAME, password: v.SCHEMA_REGISTRY_PASSWORD ?? '' },
    },
    clickhouse: {
      url: v.CLICKHOUSE_URL,
      user: v.CLICKHOUSE_USER,
      password: v.CLICKHOUSE_PASSWORD,
      database: v.CLICKHOUSE_DATABASE,
      requestTimeoutMs: v.CLICKHOUSE_REQUEST_TIMEOUT_MS,
      dataDir: v.MODELWATCH_DATA_DIR,
    },
    topics: {
      predictions: v.MODELWATCH_TOPIC_PREDICTIONS,
      groundTruth: v.MODELWATCH_TOPIC_GROUND_TRUTH,
      deadLetter: v.MODELWATCH_TOPIC_DLQ,
    },
    ingest: {
      consumerGroup: v.MODELWATCH_CONSUMER_GROUP,
      batchSize: v.MODELWATCH_BATCH_SIZE,
      lingerMs: v.MODELWATCH_BATCH_LINGER_MS,
      maxEventBytes: v.MODELWATCH_MAX_EVENT_BYTES,
      healthPort: v.MODELWATCH_HEALTH_PORT,
    },
    monitor: {
      schedule: v.MODELWATCH_MONITOR_SCHEDULE,
      minGapMs: v.MODELWATCH_MONITOR_MIN_GAP_MS,
      healthPort: v.MODELWATCH_MONITOR_HEALTH_PORT === 'off' ? undefined : v.MODELWATCH_MONITOR_HEALTH_PORT,
    },
    alerting: {
      defaultChannels: v.MODELWATCH_ALERT_DEFAULT_CHANNELS,
      defaultMonitors: v.MODELWATCH_ALERT_DEFAULT_MONITORS,
    },
    compare: {
      autoPromote: v.MODELWATCH_AUTO_PROMOTE,
    },
    api: {
      port: v.MODELWATCH_API_PORT,
      tokens: v.MODELWATCH_API_TOKENS ?? [],
      rateLimitPerMinute: v.MODELWATCH_API_RATE_LIMIT,
      maxBodyBytes: v.MODELWATCH_API_MAX_BODY_BYTES,
      maxUploadBytes: v.MODELWATCH_API_MAX_UPLOAD_BYTES,
      maxEvents: v.MODELWATCH_API_MAX_EVENTS,
    },
    limits: {
      models: v.MODELWATCH_MAX_MODELS,
      monitors: v.MODELWATCH_MAX_MONITORS,
      silences: v.MODELWATCH_MAX_SILENCES,
      channels: v.MODELWATCH_MAX_CHANNELS,
      challengers: v.MODELWATCH_MAX_CHALLENGERS,
      queryRangeMs: v.MODELWATCH_MAX_QUERY_RANGE * 1000,
    },
    host: v.MODELWATCH_HOST,
    logLevel: v.MODELWATCH_LOG_LEVEL,
    publicUrl: v.MODELWATCH_PUBLIC_URL,
    grafanaUrl: v.MODELWATCH_GRAFANA_URL,
    smtp: v.MODELWATCH_SMTP_HOST === undefined ? undefined : {
      host: v.MODELWATCH_SMTP_HOST,
      port: v.MODELWATCH_SMTP_PORT,
      secure: v.MODELWATCH_SMTP_SECURE,
      requireStartTls: v.MODELWATCH_SMTP_STARTTLS,
      auth: v.MODELWATCH_SMTP_USER === undefined ? undefined : { user: v.MODELWATCH_SMTP_USER, password: v.MODELWATCH_SMTP_PASSWORD ?? '' },
      from: v.MODELWATCH_SMTP_FROM,
    },
    delivery: {
      maxAttempts: v.MODELWATCH_DELIVERY_MAX_ATTEMPTS,
      timeoutMs: v.MODELWATCH_DELIVERY_TIMEOUT_MS,
      backoffMs: v.MODELWATCH_DELIVERY_BACKOFF_MS,
      backoffMaxMs: v.MODELWATCH_DELIVERY_BACKOFF_MAX_MS,
      pollMs: v.MODELWATCH_DELIVERY_POLL_MS,
      concurrency: v.MODELWATCH_DELIVERY_CONCURRENCY,
      allowedNetworks: v.MODELWATCH_WEBHOOK_ALLOWED_NETWORKS,
    },
  }
}

/**
 * Reads and validates the configuration. Every bad variable is named in one `ConfigError` line;
 * secrets are never echoed.
 *
 * @example
 * const config = loadConfig(process.env)
 */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const values = parseEnvironment(env)
  if (values.KAFKA_SASL_MECHANISM !== undefined && (values.KAFKA_SASL_USERNAME === undefined || values.KAFKA_SASL_PASSWORD === undefined)) {
    throw new ConfigError('invalid configuration: KAFKA_SASL_MECHANISM is set, so KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required')
  }
  if (values.SCHEMA_REGISTRY_USERNAME !== undefined && values.SCHEMA_REGISTRY_PASSWORD === undefined) {
    throw new ConfigError('invalid configuration: SCHEMA_REGISTRY_USERNAME is set, so SCHEMA_REGISTRY_PASSWORD is required')
  }
  if (values.MODELWATCH_SMTP_USER !== undefined && values.MODELWATCH_SMTP_PASSWORD === undefined) {
    throw new ConfigError('invalid configuration: MODELWATCH_SMTP_USER is set, so MODELWATCH_SMTP_PASSWORD is required')
  }
  return shapeConfig(values)
}

/** Fails with a clear line when a service that needs Kafka is started without it. */
export function requireKafka(config: Config, service: string): NonNullable<Config['kafka']> {
  if (config.kafka === undefined) throw new ConfigError(`${service} needs Kafka: set KAFKA_BROKERS (e.g. 127.0.0.1:9092)`)
  return config.kafka
}
