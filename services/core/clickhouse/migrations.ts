/**
 * Versioned schema migrations: `schemas/clickhouse/NNN_name.sql`, applied in order and recorded in
 * `schema_migrations`. Every statement is idempotent (IF NOT EXISTS), so two processes migrating at once
 * both succeed and the record (a ReplacingMergeTree keyed by version) collapses to one row. A file changed
 * after it was applied is refused: migrations are append-only, a fix is a new file.
 */
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ModelwatchError } from '../errors.js'
import { PACKAGE_ROOT } from '../package-root.js'
import type { ClickHouse } from './client.js'

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
 * Applies the migrations not yet recorded.
 *
 * @example
 * const { applied } = await migrate(ch)
 */
export async function migrate(ch: ClickHouse, migrations?: Migration[]): Promise<MigrationResult> {
  const all = migrations ?? (await readMigrations())
  await ch.ensureDatabase()
  await ch.client.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations
      (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
      ENGINE = ReplacingMergeTree ORDER BY version`,
  })
  const recorded = await (
    await ch.client.query({ query: 'SELECT version, any(checksum) AS checksum FROM schema_migrations GROUP BY version', format: 'JSONEachRow' })
  ).json<{ version: number; checksum: string }>()
  const checksums = new Map(recorded.map((r) => [Number(r.version), r.checksum]))

  const result: MigrationResult = { applied: [], alreadyApplied: [] }
  for (const migration of all) {
    const label = `${String(migration.version).padStart(3, '0')}_${migration.name}`
    const known = checksums.get(migration.version)
    if (known !== undefined) {
      if (known !== migration.checksum) {
        throw new ModelwatchError('MIGRATION_FAILED', `migration ${label} was changed after it was applied; add a new migration instead`)
      }
      result.alreadyApplied.push(label)
      continue
    }
    for (const statement of migration.statements) {
      try {
        await ch.client.command({ query: statement })
      } catch (error) {
        throw new ModelwatchError('MIGRATION_FAILED', `migration ${label} failed: ${(error as Error).message}`, { cause: error })
      }
    }
    await ch.client.insert({
      table: 'schema_migrations',
      values: [{ version: migration.version, name: migration.name, checksum: migration.checksum }],
      format: 'JSONEachRow',
    })
    result.applied.push(label)
  }
  return result
}
