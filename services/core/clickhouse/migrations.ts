/**
 * Versioned schema migrations: `schemas/clickhouse/NNN_name.sql`, applied in order and recorded in
 * `schema_migrations`. One process applies at a time (migration-lock.ts); a migration interrupted part-way is
 * applied again from its first statement, so every file must be safe to run again from wherever a previous
 * run stopped (IF NOT EXISTS, or the steps 010_labels_per_model.sql describes). A file changed after it was
 * applied is refused: migrations are append-only, a fix is a new file.
 */
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ModelwatchError } from '../errors.js'
import { PACKAGE_ROOT } from '../package-root.js'
import type { ClickHouse } from './client.js'
import { acquireMigrationLock, type MigrationLockOptions } from './migration-lock.js'

export const MIGRATIONS_DIR = join(PACKAGE_ROOT, 'schemas', 'clickhouse')

export interface Migration {
  version: number
  name: string
  checksum: string
  statements: string[]
}

export interface MigrationResult {
  applied: string[]
  alreadyApplied: string[]
}

const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/

/** Reads the migration files, in version order. */
export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort()
  const migrations: Migration[] = []
  for (const file of files) {
    const match = FILE_NAME.exec(file)
    if (match === null) throw new ModelwatchError('MIGRATION_FAILED', `migration file ${file} is not named NNN_name.sql`)
    const text = await readFile(`${dir}/${file}`, 'utf8')
    migrations.push({
      version: Number(match[1]),
      name: match[2] ?? file,
      checksum: createHash('sha256').update(text).digest('hex'),
      statements: splitStatements(text),
    })
  }
  const versions = migrations.map((m) => m.version)
  const duplicate = versions.find((v, i) => versions.indexOf(v) !== i)
  if (duplicate !== undefined) throw new ModelwatchError('MIGRATION_FAILED', `two migration files share version ${String(duplicate).padStart(3, '0')}`)
  return migrations
}

/** Splits a file on semicolons that end a line; statements in these files never contain one mid-line. */
export function splitStatements(text: string): string[] {
  return text
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0)
}

/**
 * Applies the migrations not yet recorded. When there are any, it first takes the migration lock
 * (migration-lock.ts) and reads the record again: a process that waited applies only what the holder left.
 *
 * @example
 * const { applied } = await migrate(ch)
 */
export async function migrate(ch: ClickHouse, migrations?: Migration[], lockOptions?: MigrationLockOptions): Promise<MigrationResult> {
  const all = migrations ?? (await readMigrations())
  await ch.ensureDatabase()
  await ch.client.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations
      (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
      ENGINE = ReplacingMergeTree ORDER BY version`,
  })
  if (pending(all, await recordedChecksums(ch)).length === 0) return { applied: [], alreadyApplied: all.map(label) }

  const lock = await acquireMigrationLock(ch, lockOptions)
  try {
    const result: MigrationResult = { applied: [], alreadyApplied: [] }
    const checksums = await recordedChecksums(ch)
    const todo = new Set(pending(all, checksums))
    for (const migration of all) {
      if (!todo.has(migration)) {
        result.alreadyApplied.push(label(migration))
        continue
      }
      for (const statement of migration.statements) {
        await lock.assertHeld()
        try {
          await ch.client.command({ query: statement })
        } catch (error) {
          throw new ModelwatchError('MIGRATION_FAILED', `migration ${label(migration)} failed: ${(error as Error).message}`, { cause: error })
        }
      }
      await ch.client.insert({
        table: 'schema_migrations',
        values: [{ version: migration.version, name: migration.name, checksum: migration.checksum }],
        format: 'JSONEachRow',
      })
      result.applied.push(label(migration))
    }
    return result
  } finally {
    await lock.release()
  }
}

function label(migration: Migration): string {
  return `${String(migration.version).padStart(3, '0')}_${migration.name}`
}

async function recordedChecksums(ch: ClickHouse): Promise<Map<number, string>> {
  const recorded = await (
    await ch.client.query({ query: 'SELECT version, any(checksum) AS checksum FROM schema_migrations GROUP BY version', format: 'JSONEachRow' })
  ).json<{ version: number; checksum: string }>()
  return new Map(recorded.map((r) => [Number(r.version), r.checksum]))
}

/** The migrations not yet recorded, in order; a recorded one whose file changed since is refused. */
function pending(all: Migration[], checksums: Map<number, string>): Migration[] {
  return all.filter((migration) => {
    const known = checksums.get(migration.version)
    if (known === undefined) return true
    if (known !== migration.checksum) {
      throw new ModelwatchError('MIGRATION_FAILED', `migration ${label(migration)} was changed after it was applied; add a new migration instead`)
    }
    return false
  })
}
