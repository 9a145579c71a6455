/**
 * Migrations apply one process at a time. A migration that reshapes a table (copy, swap, catch up) is safe to
 * run again after an interruption, but two processes interleaving its steps are not; services often start
 * together against one server, so the runner takes this lock before it applies anything.
 *
 * The lock is a table, `schema_migrations_lock_<n>`. ClickHouse lets exactly one of two concurrent
 * `CREATE TABLE` of one name succeed, so creating it takes the lock and dropping it releases it. The holder
 * writes a heartbeat row every lease/4; a lock whose latest heartbeat (or, before the first, its creation) is
 * older than the lease belongs to a process that died, and is taken over by creating the next number — which
 * again only one process can. A process that then finds another live lock beside its own lost a race it could
 * not see, and backs off. Ages are the server's (now64), so the processes' clocks do not matter.
 *
 * The embedded engine needs none of this: its data directory admits one process (data-dir-lock.ts), and
 * calls within a process queue on an in-process mutex.
 */
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import { ModelwatchError } from '../errors.js'
import { sleep } from '../retry.js'
import type { ClickHouse } from './client.js'

export interface MigrationLockOptions {
  /** A lock without a heartbeat for this long is taken over (default 30 s). */
  leaseMs?: number
  /** How often a waiting process looks again (default 1 s, jittered). */
  pollMs?: number
  /** Gives up waiting after this long (default: waits as long as the holder lives). */
  timeoutMs?: number
}

export interface MigrationLock {
  /** Throws MIGRATION_FAILED (retriable) when another process has taken the lock over: stop applying. */
  assertHeld(): Promise<void>
  release(): Promise<void>
}

const PREFIX = 'schema_migrations_lock_'
const NAME = /^schema_migrations_lock_(\d+)$/
const DEFAULT_LEASE_MS = 30_000
const DEFAULT_POLL_MS = 1_000

/** In-process queue, per engine location and database: callers in one process never contend through the server. */
const queues = new Map<string, Promise<void>>()

/**
 * Waits for, then takes, the migration lock of the database.
 *
 * @example
 * const lock = await acquireMigrationLock(ch)
 * try { await lock.assertHeld(); await apply() } finally { await lock.release() }
 */
export async function acquireMigrationLock(ch: ClickHouse, options: MigrationLockOptions = {}): Promise<MigrationLock> {
  const key = `${ch.location}\n${ch.database}`
  const previous = queues.get(key) ?? Promise.resolve()
  let leaveQueue = (): void => {}
  const mine = new Promise<void>((resolve) => (leaveQueue = resolve))
  const tail = previous.then(() => mine)
  queues.set(key, tail)
  await previous
  const leave = (): void => {
    leaveQueue()
    if (queues.get(key) === tail) queues.delete(key)
  }
  if (ch.mode === 'embedded') return { assertHeld: async () => {}, release: async () => leave() }
  try {
    const held = await takeServerLock(ch, options)
    return { assertHeld: held.assertHeld, release: async () => { try { await held.release() } finally { leave() } } }
  } catch (error) {
    leave()
    throw error
  }
}

interface LockTable {
  name: string
  number: number
  live: boolean
}

async function takeServerLock(ch: ClickHouse, options: MigrationLockOptions): Promise<MigrationLock> {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`
  for (;;) {
    const tables = await lockTables(ch, leaseMs)
    if (!tables.some((t) => t.live)) {
      const name = `${PREFIX}${Math.max(0, ...tables.map((t) => t.number)) + 1}`
      if (await createLockTable(ch, name, holder)) {
        const others = (await lockTables(ch, leaseMs)).filter((t) => t.name !== name)
        if (!others.some((t) => t.live)) {
          for (const stale of others) await ch.client.command({ query: 'DROP TABLE IF EXISTS {t:Identifier}', query_params: { t: stale.name } })
          return heldLock(ch, name, holder, leaseMs)
        }
        await ch.client.command({ query: 'DROP TABLE IF EXISTS {t:Identifier}', query_params: { t: name } })
      }
    }
    if (Date.now() > deadline) {
      throw new ModelwatchError('MIGRATION_FAILED', `another process has held the migration lock for over ${options.timeoutMs} ms (tables ${PREFIX}*)`, { retriable: true })
    }
    await sleep(pollMs / 2 + Math.random() * pollMs)
  }
}

/** Creates the lock table with its first heartbeat; false when another process created it first. */
async function createLockTable(ch: ClickHouse, name: string, holder: string): Promise<boolean> {
  try {
    await ch.client.command({
      query: `CREATE TABLE {t:Identifier} (holder String, at DateTime64(3, 'UTC') DEFAULT now64(3)) ENGINE = MergeTree ORDER BY at`,
      query_params: { t: name },
    })
  } catch (error) {
    if (clickHouseErrorType(error) === 'TABLE_ALREADY_EXISTS') return false
    throw error
  }
  await heartbeat(ch, name, holder)
  return true
}

async function heartbeat(ch: ClickHouse, name: string, holder: string): Promise<void> {
  await ch.client.command({ query: 'INSERT INTO {t:Identifier} (holder) VALUES ({holder:String})', query_params: { t: name, holder } })
}

/** The lock tables there are, each live when its latest heartbeat (or its creation) is younger than the lease. */
async function lockTables(ch: ClickHouse, leaseMs: number): Promise<LockTable[]> {
  const listed = await (
    await ch.client.query({
      query: `SELECT name, toUnixTimestamp64Milli(now64(3)) - 1000 * toInt64(toUnixTimestamp(metadata_modification_time)) AS age_ms
              FROM system.tables WHERE database = currentDatabase() AND startsWith(name, {prefix:String})`,
      query_params: { prefix: PREFIX },
      format: 'JSONEachRow',
    })
  ).json<{ name: string; age_ms: number }>()
  const tables: LockTable[] = []
  for (const { name, age_ms } of listed) {
    const match = NAME.exec(name)
    if (match === null) continue
    let sinceBeat: number
    try {
      const [row] = await (
        await ch.client.query({
          query: 'SELECT count() AS beats, toUnixTimestamp64Milli(now64(3)) - toUnixTimestamp64Milli(max(at)) AS since_ms FROM {t:Identifier}',
          query_params: { t: name },
          format: 'JSONEachRow',
        })
      ).json<{ beats: number; since_ms: number }>()
      sinceBeat = Number(row?.beats ?? 0) > 0 ? Number(row?.since_ms) : Number(age_ms)
    } catch (error) {
      if (clickHouseErrorType(error) === 'UNKNOWN_TABLE') continue // released while we looked
      throw error
    }
    tables.push({ name, number: Number(match[1]), live: sinceBeat < leaseMs })
  }
  return tables
}

function heldLock(ch: ClickHouse, name: string, holder: string, leaseMs: number): MigrationLock {
  // A failed heartbeat is not fatal: the next one may pass, and a lock that lapses is caught by assertHeld.
  const timer = setInterval(() => void heartbeat(ch, name, holder).catch(() => {}), leaseMs / 4)
  timer.unref()
  return {
    async assertHeld() {
      const tables = await lockTables(ch, leaseMs)
      const mine = tables.find((t) => t.name === name)
      if (mine === undefined || tables.some((t) => t.name !== name && t.live)) {
        throw new ModelwatchError('MIGRATION_FAILED', `the migration lock ${name} was taken over by another process (no heartbeat for ${leaseMs} ms); migrations stopped`, { retriable: true })
      }
    },
    async release() {
      clearInterval(timer)
      await ch.client.command({ query: 'DROP TABLE IF EXISTS {t:Identifier}', query_params: { t: name } })
    },
  }
}

/** The ClickHouse error name (`TABLE_ALREADY_EXISTS` …) of a server error, in either mode; undefined otherwise. */
function clickHouseErrorType(error: unknown): string | undefined {
  const type = (error as { type?: unknown } | null)?.type
  return typeof type === 'string' ? type : undefined
}
