import { migrate } from '../../core/clickhouse/migrations.js'
import { openContext } from '../context.js'

/** `modelwatch migrate`: applies pending schema migrations and says which. */
export async function migrateCommand(env: NodeJS.ProcessEnv): Promise<void> {
  const ctx = await openContext(env)
  try {
    const { applied, alreadyApplied } = await migrate(ctx.ch)
    process.stdout.write(
      `${ctx.ch.mode} ClickHouse at ${ctx.ch.location}, database ${ctx.ch.database}: ` +
        `${applied.length} applied${applied.length > 0 ? ` (${applied.join(', ')})` : ''}, ${alreadyApplied.length} already applied\n`,
    )
  } finally {
    await ctx.close()
  }
}
