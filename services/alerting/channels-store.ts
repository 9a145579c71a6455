/**
 * Notification channels, kept in ClickHouse (`notification_channels`, migration 006): a ReplacingMergeTree where
 * the latest row per name wins and a delete is a tombstone row that FINAL hides. Specs are validated by
 * `channelSpecSchema` on the way in; they hold the names of secret-bearing variables, never secrets.
 */
import type { ClickHouse } from '../core/clickhouse/client.js'
import { ModelwatchError } from '../core/errors.js'
import { channelSpecSchema, storedChannelSpecSchema, type ChannelSpec, type ChannelSpecInput } from './channel-spec.js'

/** Who wrote a channel's latest definition; `apply --prune` removes only what apply wrote. */
export type ChannelOrigin = 'api' | 'apply'

interface ChannelRow {
  name: string
  type: string
  spec: string
  origin: ChannelOrigin
  is_deleted: 0 | 1
  updated_at: number
}

/**
 * Validates and stores a channel (creating or replacing it); returns the stored spec.
 *
 * @example
 * await saveChannel(ch, { name: 'retrain', type: 'webhook', url: 'https://ci.example.com/hook', signing_secret_env: 'MODELWATCH_CHANNEL_SECRET_RETRAIN' })
 */
export async function saveChannel(ch: ClickHouse, input: ChannelSpecInput, now: number = Date.now(), origin: ChannelOrigin = 'api'): Promise<ChannelSpec> {
  const parsed = channelSpecSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ModelwatchError('USAGE', `invalid channel: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`)
  }
  const spec = parsed.data
  const row: ChannelRow = { name: spec.name, type: spec.type, spec: JSON.stringify(spec), origin, is_deleted: 0, updated_at: now }
  await ch.client.insert({ table: 'notification_channels', values: [row], format: 'JSONEachRow' })
  return spec
}

/**
 * Every channel, latest definition of each, by name.
 *
 * @example
 * for (const channel of await listChannels(ch)) console.log(channel.name, channel.type)
 */
export async function listChannels(ch: ClickHouse): Promise<ChannelSpec[]> {
  const result = await ch.client.query({ query: 'SELECT spec FROM notification_channels FINAL ORDER BY name', format: 'JSONEachRow' })
  return (await result.json<{ spec: string }>()).map((r) => parseStored(r.spec))
}

/**
 * Who wrote each live channel's latest definition, by name.
 *
 * @example
 * const prunable = [...(await channelOrigins(ch))].filter(([, origin]) => origin === 'apply')
 */
export async function channelOrigins(ch: ClickHouse): Promise<Map<string, ChannelOrigin>> {
  const result = await ch.client.query({ query: 'SELECT name, origin FROM notification_channels FINAL ORDER BY name', format: 'JSONEachRow' })
  return new Map((await result.json<{ name: string; origin: ChannelOrigin }>()).map((r) => [r.name, r.origin]))
}

/**
 * One channel, or undefined when there is none of that name (never saved, or deleted).
 *
 * @example
 * const channel = await findChannel(ch, 'retrain')
 */
export async function findChannel(ch: ClickHouse, name: string): Promise<ChannelSpec | undefined> {
  const result = await ch.client.query({
    query: 'SELECT spec FROM notification_channels FINAL WHERE name = {name:String}',
    query_params: { name },
    format: 'JSONEachRow',
  })
  const [row] = await result.json<{ spec: string }>()
  return row === undefined ? undefined : parseStored(row.spec)
}

/**
 * One channel, or a `NOT_FOUND` error naming it.
 *
 * @example
 * const channel = await getChannel(ch, 'retrain')
 */
export async function getChannel(ch: ClickHouse, name: string): Promise<ChannelSpec> {
  const spec = await findChannel(ch, name)
  if (spec === undefined) throw new ModelwatchError('NOT_FOUND', `no notification channel named ${JSON.stringify(name)}`)
  return spec
}

/**
 * Deletes a channel (a tombstone); resolves false when there was none of that name. Deliveries already queued
 * for it go dead at their next attempt, saying the channel is gone.
 *
 * @example
 * const existed = await deleteChannel(ch, 'retrain')
 */
export async function deleteChannel(ch: ClickHouse, name: string, now: number = Date.now(), origin: ChannelOrigin = 'api'): Promise<boolean> {
  const existing = await findChannel(ch, name)
  if (existing === undefined) return false
  const row: ChannelRow = { name, type: existing.type, spec: JSON.stringify(existing), origin, is_deleted: 1, updated_at: now }
  await ch.client.insert({ table: 'notification_channels', values: [row], format: 'JSONEachRow' })
  return true
}

/**
 * Stored specs were valid when saved; parsing again keeps a hand-edited row from reaching a notifier unchecked. A
 * channel saved before the channel-secret rule still parses (so it can be listed, replaced or deleted); the
 * notifiers refuse the variables it names (delivery-error.ts).
 */
function parseStored(text: string): ChannelSpec {
  const parsed = storedChannelSpecSchema.safeParse(JSON.parse(text))
  if (!parsed.success) throw new ModelwatchError('CLICKHOUSE_QUERY_FAILED', `a stored notification channel is not a valid spec: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  return parsed.data
}
