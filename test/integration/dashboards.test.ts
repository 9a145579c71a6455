/**
 * The Grafana dashboards, checked in CI since Grafana cannot run here (issue 5): every dashboards/*.json is a
 * Grafana dashboard (schema below, typed against @grafana/schema), uids are unique and stable, every data
 * source resolves to a provisioned one, and every ClickHouse query (panels, variables, annotations), with the
 * plugin's macros and the template variables expanded as Grafana would, runs on the real engine after the
 * migrations and a seed made by the real pipeline, returns rows, and returns the columns its panel uses; and the
 * champion/challenger dashboard picks the production version as champion by itself.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parse } from 'yaml'
import { recordStage } from '../../services/compare/index.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { createLogger } from '../../services/core/logger.js'
import { PACKAGE_ROOT } from '../../services/core/package-root.js'
import { SEED, seedDashboards } from '../support/dashboard-seed.js'
import { allPanels, clickHouseTargetSchema, CLICKHOUSE_TYPE, columnProblems, loadDashboards, prometheusTargetSchema, type CheckedDashboard, type CheckedPanel, type Column } from '../support/grafana-dashboard.js'
import { expandClickHouseSql, type QueryContext, type VariableValue } from '../support/grafana-macros.js'
import { testDataDir, uniqueName } from '../support/harness.js'

const DIR = join(PACKAGE_ROOT, 'dashboards')
const files = loadDashboards(DIR)
const dashboards = files.map((f) => f.dashboard)
const byUid = (uid: string): CheckedDashboard => {
  const found = dashboards.find((d) => d.uid === uid)
  assert.ok(found, `no dashboard with uid ${uid}`)
  return found
}
const provisioned = (parse(readFileSync(join(DIR, 'provisioning/datasources/modelwatch.yaml'), 'utf8')) as { datasources: { uid: string; type: string; secureJsonData?: Record<string, string> }[] }).datasources
const BUILT_IN = new Set(['-- Grafana --', '-- Dashboard --', '-- Mixed --'])

/** Every ClickHouse query of a dashboard: its panels' targets, its variables and its annotations. */
interface Query { where: string; rawSql: string; format: number; panel?: CheckedPanel }
function clickHouseQueries(d: CheckedDashboard): Query[] {
  const out: Query[] = []
  for (const panel of allPanels(d)) {
    for (const t of panel.targets ?? []) {
      if ((t.datasource as { type?: string } | undefined)?.type !== CLICKHOUSE_TYPE) continue
      const target = clickHouseTargetSchema.parse(t)
      out.push({ where: `${d.uid} panel "${panel.title}" target ${target.refId}`, rawSql: target.rawSql, format: target.format, panel })
    }
  }
  for (const v of d.templating.list) {
    if (v.type === 'query' && v.datasource?.type === CLICKHOUSE_TYPE) out.push({ where: `${d.uid} variable ${v.name}`, rawSql: String((v.query as { rawSql?: string }).rawSql), format: 1 })
  }
  for (const a of d.annotations.list) {
    if (a.datasource.type === CLICKHOUSE_TYPE) out.push({ where: `${d.uid} annotation "${a.name}"`, rawSql: String((a.target as { rawSql?: string } | undefined)?.rawSql), format: 1 })
  }
  return out
}

describe('Grafana dashboards (structure)', () => {
  it('are the four dashboards, each with its stable uid, and no two share a uid or a panel id', () => {
    assert.deepEqual(dashboards.map((d) => d.uid).sort(), ['modelwatch-champion-challenger', 'modelwatch-fleet', 'modelwatch-model-detail', 'modelwatch-pipeline'])
    for (const d of dashboards) {
      const ids = d.panels.flatMap((p) => [p.id, ...(p.type === 'row' ? (p as { panels: { id: number }[] }).panels.map((c) => c.id) : [])])
      assert.equal(new Set(ids).size, ids.length, `${d.uid} repeats a panel id`)
    }
  })

  it('refer only to provisioned data sources (panels, targets, variables, annotations), and provision no literal secret', () => {
    const known = new Set(provisioned.map((s) => `${s.type}/${s.uid}`))
    assert.ok(known.has(`${CLICKHOUSE_TYPE}/modelwatch-clickhouse`) && known.has('prometheus/modelwatch-prometheus'))
    for (const s of provisioned) for (const [key, value] of Object.entries(s.secureJsonData ?? {})) assert.match(value, /^\$\{[A-Z_]+\}$/, `${s.uid}.secureJsonData.${key} must come from the environment`)
    for (const d of dashboards) {
      const refs: [string, { type?: string | undefined; uid?: string | undefined } | undefined][] = []
      for (const p of allPanels(d)) {
        refs.push([`panel "${p.title}"`, p.datasource])
        for (const t of p.targets ?? []) refs.push([`panel "${p.title}" target ${String(t.refId)}`, t.datasource as { type?: string; uid?: string }])
        if ((p.targets ?? []).length === 0) assert.equal(p.type, 'text', `${d.uid} panel "${p.title}" has no query`)
      }
      for (const v of d.templating.list) if (v.type === 'query') refs.push([`variable ${v.name}`, v.datasource])
      for (const a of d.annotations.list) refs.push([`annotation ${a.name}`, a.datasource])
      for (const [where, ref] of refs) {
        if (ref === undefined) {
          assert.ok(where.startsWith('panel') && !where.includes('target'), `${d.uid} ${where} names no data source`)
          continue
        }
        if (ref.uid !== undefined && BUILT_IN.has(ref.uid)) continue
        assert.ok(known.has(`${ref.type}/${ref.uid}`), `${d.uid} ${where} uses data source ${ref.type}/${ref.uid}, which is not provisioned`)
      }
    }
  })

  it('write ClickHouse queries in the SQL editor form and use template variables only as decodeURLComponent(percentencoded)', () => {
    // Grafana's singlequote and sqlstring formats escape quotes but not backslashes, so a version named `2\`
    // closes the string literal; percent-encoding leaves only [A-Za-z0-9-_.~%] between the quotes.
    for (const d of dashboards) {
      for (const q of clickHouseQueries(d)) {
        const rest = q.rawSql.replace(/decodeURLComponent\('\$\{\w+:percentencode\}'\)/g, '').replace(/,\s*\$\w+\)/g, ')')
        assert.doesNotMatch(rest, /\$(?!__)\w+|\$\{|\[\[/, `${q.where} inserts a variable another way`)
      }
    }
  })

  it('chart on Prometheus only metrics that the services register', () => {
    const sources = listTs(join(PACKAGE_ROOT, 'services')).map((f) => readFileSync(f, 'utf8')).join('\n')
    let checked = 0
    for (const d of dashboards) {
      for (const p of allPanels(d)) {
        for (const t of p.targets ?? []) {
          if ((t.datasource as { type?: string } | undefined)?.type !== 'prometheus') continue
          const target = prometheusTargetSchema.parse(t)
          for (const [name] of target.expr.matchAll(/\bmodelwatch_\w+/g)) {
            assert.ok(sources.includes(`'${name}'`), `${d.uid} panel "${p.title}" charts ${name}, which no service registers`)
            checked++
          }
        }
      }
    }
    assert.ok(checked >= 6, `only ${checked} Prometheus metrics checked`)
  })

  it('are mounted read-only into a pinned Grafana with a pinned ClickHouse plugin by docker-compose.yml', () => {
    const compose = parse(readFileSync(join(PACKAGE_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { image?: string; environment?: Record<string, string>; volumes?: string[]; depends_on?: Record<string, { condition: string }> }> }
    const grafana = compose.services.grafana
    assert.ok(grafana, 'docker-compose.yml has no grafana service')
    assert.match(grafana.image ?? '', /^grafana\/grafana:\d+\.\d+\.\d+$/)
    assert.match(grafana.environment?.GF_INSTALL_PLUGINS ?? '', /^grafana-clickhouse-datasource \d+\.\d+\.\d+$/)
    assert.equal(grafana.depends_on?.clickhouse?.condition, 'service_healthy')
    const provider = (parse(readFileSync(join(DIR, 'provisioning/dashboards/modelwatch.yaml'), 'utf8')) as { providers: { options: { path: string } }[] }).providers[0]
    assert.deepEqual(grafana.volumes?.filter((v) => v.startsWith('./dashboards')).sort(), [
      `./dashboards:${provider?.options.path}:ro`,
      './dashboards/provisioning:/etc/grafana/provisioning:ro',
    ].sort())
  })
})

describe('Grafana dashboards against the engine', () => {
  let ch: ClickHouse
  let range: { fromMs: number; toMs: number }

  before(async () => {
    ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('dashboards') }).clickhouse)
    await migrate(ch)
    const seeded = await seedDashboards(ch, createLogger('warn'))
    // The dashboard is looked at a minute after the seed: $__timeFilter has whole-second bounds.
    range = { fromMs: seeded.fromMs, toMs: seeded.toMs + 60_000 }
  })
  after(async () => ch.close())

  const run = async (q: Query, ctx: QueryContext): Promise<{ columns: Column[]; rows: number }> => {
    const sql = expandClickHouseSql(q.rawSql, ctx)
    try {
      const result = await (await ch.client.query({ query: sql, format: 'JSON' })).json<Record<string, unknown>>()
      return { columns: result.meta ?? [], rows: result.rows ?? 0 }
    } catch (error) {
      throw new Error(`${q.where} fails on the engine: ${(error as Error).message.split('\n')[0]}\n${sql}`, { cause: error })
    }
  }

  /** The variables as a user would set them: each from its own query, in dashboard order. */
  const variables = async (d: CheckedDashboard, choose: Record<string, VariableValue>): Promise<QueryContext> => {
    const ctx: QueryContext = { ...range, intervalMs: 60_000, variables: {} }
    for (const v of d.templating.list) {
      if (v.type !== 'query') continue
      const q = clickHouseQueries(d).find((x) => x.where === `${d.uid} variable ${v.name}`)
      assert.ok(q, `${d.uid} variable ${v.name} has no ClickHouse query`)
      const { columns } = await run(q, ctx)
      assert.ok(columns.length === 1 || columns.length === 2, `${q.where} returns ${columns.length} columns: the plugin reads (value) or (value, text)`)
      const result = await (await ch.client.query({ query: expandClickHouseSql(q.rawSql, ctx), format: 'JSONCompactEachRow' })).json<unknown[]>()
      const options = result.map((row) => String(row[0]))
      const wanted = choose[v.name] ?? { value: options[0] ?? '' }
      if ('value' in wanted) assert.ok(options.includes(wanted.value), `${q.where} offers ${JSON.stringify(options)}, not ${JSON.stringify(wanted.value)}`)
      else assert.ok(v.includeAll, `${d.uid} variable ${v.name} has no All option`)
      ctx.variables[v.name] = 'all' in wanted ? { all: true, options } : wanted
    }
    return ctx
  }

  /** Runs every ClickHouse query of the dashboard; returns what is wrong, [] when nothing. */
  const check = async (d: CheckedDashboard, ctx: QueryContext, requireRows: boolean): Promise<string[]> => {
    const problems: string[] = []
    const perPanel = new Map<CheckedPanel, { formats: number[]; columns: Column[] }>()
    for (const q of clickHouseQueries(d)) {
      let result: { columns: Column[]; rows: number }
      try {
        result = await run(q, ctx)
      } catch (error) {
        problems.push((error as Error).message)
        continue
      }
      if (requireRows && result.rows === 0) problems.push(`${q.where} returns no rows, though the seed has data for it`)
      if (q.where.includes('annotation')) for (const name of ['time', 'text']) if (!result.columns.some((c) => c.name === name)) problems.push(`${q.where} returns no ${name} column`)
      if (q.panel !== undefined) {
        const seen = perPanel.get(q.panel) ?? { formats: [], columns: [] }
        seen.formats.push(q.format)
        seen.columns.push(...result.columns)
        perPanel.set(q.panel, seen)
      }
    }
    for (const [panel, { formats, columns }] of perPanel) for (const p of columnProblems(panel, formats, columns)) problems.push(`${d.uid} panel "${panel.title}": ${p}`)
    return problems
  }

  const ALL_VERSIONS = { model: { value: SEED.model }, version: { all: true, options: [] }, segment: { value: '' }, window: { value: String(SEED.windowSeconds) }, metric: { value: 'accuracy' } } satisfies Record<string, VariableValue>

  it('runs every query with All versions and all traffic, each returning rows and the columns its panel uses', async () => {
    for (const d of dashboards) assert.deepEqual(await check(d, await variables(d, ALL_VERSIONS), true), [], d.uid)
    assert.ok(dashboards.flatMap(clickHouseQueries).length >= 35, 'fewer ClickHouse queries than the dashboards hold')
  })

  it('runs every query for one version whose name holds a quote and a backslash, in one segment', async () => {
    const challenger = { ...ALL_VERSIONS, version: { value: SEED.versions[1] }, segment: { value: SEED.segment } }
    for (const d of dashboards) assert.deepEqual(await check(d, await variables(d, challenger), true), [], d.uid)
  })

  it('fails a panel whose override names a column the query does not return, and one whose SQL names a missing column', async () => {
    const d = structuredClone(byUid('modelwatch-model-detail'))
    const panel = allPanels(d).find((p) => p.title === 'Latest drift per feature')
    assert.ok(panel?.fieldConfig)
    const override = panel.fieldConfig.overrides.find((o) => o.matcher.options === 'drifted')
    assert.ok(override)
    override.matcher.options = 'drifted_flag'
    const ctx = await variables(d, ALL_VERSIONS)
    assert.match((await check(d, ctx, true)).join('\n'), /panel "Latest drift per feature": override byName refers to column "drifted_flag"/)

    const target = panel.targets?.[0]
    assert.ok(target)
    override.matcher.options = 'drifted'
    target.rawSql = String(target.rawSql).replace('drift_score, drifted,', 'drift_scor, drifted,')
    assert.match((await check(d, ctx, true)).join('\n'), /panel "Latest drift per feature" target A fails on the engine: .*drift_scor/)
  })

  it('defaults the champion to the version promoted to production last, and the challenger to a challenger-stage version', async () => {
    const d = byUid('modelwatch-champion-challenger')
    const seeded = await variables(d, { model: { value: SEED.model } })
    assert.deepEqual([seeded.variables.champion, seeded.variables.challenger], [{ value: SEED.versions[0] }, { value: SEED.versions[1] }])
    // Last in this suite: the promotion changes what the checks above expect of the seed.
    await recordStage(ch, { model: SEED.model, version: SEED.versions[1], stage: 'production', changedBy: 'cli:test', reason: 'promoted in the dashboards test' })
    const promoted = await variables(d, { model: { value: SEED.model } })
    assert.deepEqual([promoted.variables.champion, promoted.variables.challenger], [{ value: SEED.versions[1] }, { value: SEED.versions[0] }])
  })
})

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listTs(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
}
