/**
 * The dashboards' contract with Grafana, checked without Grafana: a zod schema of the fields Grafana and the
 * ClickHouse plugin need (runtime: precise errors per file), whose output type must be assignable to
 * `@grafana/schema`'s Dashboard (compile time: `npm run typecheck` fails when the model and the schema part),
 * and what a panel needs of its query's result (the columns its overrides, links, sorting and
 * visualisation refer to).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Dashboard } from '@grafana/schema'
import { z } from 'zod'

export const CLICKHOUSE_TYPE = 'grafana-clickhouse-datasource'

const dataSourceRef = z.looseObject({ type: z.string().optional(), uid: z.string().optional() })
const gridPos = z.looseObject({ h: z.number().int().positive(), w: z.number().int().min(1).max(24), x: z.number().int().min(0).max(23), y: z.number().int().min(0) })
const override = z.looseObject({ matcher: z.looseObject({ id: z.string(), options: z.unknown().optional() }), properties: z.array(z.looseObject({ id: z.string(), value: z.unknown().optional() })) })
const fieldConfig = z.looseObject({ defaults: z.looseObject({}), overrides: z.array(override) })
const transformation = z.looseObject({ id: z.string(), options: z.unknown() })

/** The plugin's SQL editor target (src/types/sql.ts: editorType 'sql', rawSql, format 0 time series / 1 table). */
export const clickHouseTargetSchema = z.looseObject({
  refId: z.string().min(1),
  datasource: z.looseObject({ type: z.literal(CLICKHOUSE_TYPE), uid: z.string() }),
  editorType: z.literal('sql'),
  format: z.union([z.literal(0), z.literal(1)]),
  rawSql: z.string().min(1),
})
export const prometheusTargetSchema = z.looseObject({ refId: z.string().min(1), datasource: z.looseObject({ type: z.literal('prometheus'), uid: z.string() }), expr: z.string().min(1) })

const panelSchema = z.looseObject({
  type: z.string().min(1).refine((t) => t !== 'row'),
  id: z.number().int(),
  title: z.string().min(1),
  description: z.string().min(1),
  gridPos,
  datasource: dataSourceRef.optional(),
  targets: z.array(z.record(z.string(), z.unknown())).optional(),
  fieldConfig: fieldConfig.optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  transformations: z.array(transformation).optional(),
})
const rowSchema = z.looseObject({ type: z.literal('row'), id: z.number().int(), title: z.string().min(1), collapsed: z.boolean(), gridPos, panels: z.array(panelSchema) })

const variableSchema = z.looseObject({
  name: z.string().regex(/^\w+$/),
  type: z.enum(['query', 'adhoc', 'groupby', 'constant', 'datasource', 'interval', 'textbox', 'custom', 'system', 'snapshot', 'switch']),
  label: z.string().optional(),
  datasource: dataSourceRef.optional(),
  query: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  includeAll: z.boolean().optional(),
  multi: z.boolean().optional(),
  refresh: z.number().int().optional(),
  hide: z.number().int().optional(),
  sort: z.number().int().optional(),
})

const annotationSchema = z.looseObject({
  name: z.string().min(1),
  datasource: dataSourceRef,
  enable: z.boolean(),
  iconColor: z.string(),
  builtIn: z.number().optional(),
  hide: z.boolean().optional(),
  type: z.string().optional(),
  // A data source's query (@grafana/schema's DataQuery); for ClickHouse, the SQL editor target.
  target: z.looseObject({ refId: z.string().min(1) }).optional(),
})

export const dashboardSchema = z.looseObject({
  uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/),
  title: z.string().min(1),
  description: z.string().min(1),
  schemaVersion: z.number().int().min(36),
  tags: z.array(z.string()),
  editable: z.boolean().optional(),
  graphTooltip: z.number().int().optional(),
  refresh: z.string().optional(),
  time: z.looseObject({ from: z.string(), to: z.string() }),
  timezone: z.string().optional(),
  panels: z.array(z.union([rowSchema, panelSchema])),
  templating: z.looseObject({ list: z.array(variableSchema) }),
  annotations: z.looseObject({ list: z.array(annotationSchema) }),
})

export type CheckedDashboard = z.infer<typeof dashboardSchema>
export type CheckedPanel = z.infer<typeof panelSchema>

/** Compiles only while what the schema accepts is a Dashboard of @grafana/schema: the type-level check. */
export const asGrafanaDashboard = (d: CheckedDashboard): Dashboard => d satisfies Dashboard

export interface DashboardFile {
  file: string
  dashboard: CheckedDashboard
}

/**
 * Reads and validates every dashboards/*.json; a file that does not parse or validate throws, naming it.
 *
 * @example
 * const files = loadDashboards(join(PACKAGE_ROOT, 'dashboards'))
 */
export function loadDashboards(dir: string): DashboardFile[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((file) => {
    let json: unknown
    try {
      json = JSON.parse(readFileSync(join(dir, file), 'utf8'))
    } catch (error) {
      throw new Error(`${file} is not JSON: ${(error as Error).message}`)
    }
    const parsed = dashboardSchema.safeParse(json)
    if (!parsed.success) throw new Error(`${file} is not a dashboard Grafana can load: ${z.prettifyError(parsed.error)}`)
    return { file, dashboard: parsed.data }
  })
}

/** Every panel, rows' nested panels included (rows themselves have no queries). */
export function allPanels(d: CheckedDashboard): CheckedPanel[] {
  return d.panels.flatMap((p) => (p.type === 'row' ? (p as z.infer<typeof rowSchema>).panels : [p as CheckedPanel]))
}

export interface Column {
  name: string
  type: string
}

const TIME = /^(Nullable\()?DateTime(64)?\b/
const NUMBER = /^(Nullable\()?(U?Int\d+|Float\d+|Decimal)/

/**
 * What a panel refers to in its result that the columns lack; [] when everything is found.
 *
 * @example
 * columnProblems(panel, [0], [{ name: 'time', type: "DateTime64(3, 'UTC')" }, { name: 'value', type: 'Float64' }])
 */
export function columnProblems(panel: CheckedPanel, formats: readonly number[], columns: readonly Column[]): string[] {
  const names = new Set(columns.map((c) => c.name))
  const problems: string[] = []
  const need = (name: string, where: string): void => {
    if (!names.has(name)) problems.push(`${where} refers to column "${name}", which the query does not return (it returns ${[...names].join(', ')})`)
  }
  if (formats.includes(0) || ['timeseries', 'state-timeline', 'status-history'].includes(panel.type)) {
    if (!columns.some((c) => TIME.test(c.type))) problems.push(`a ${panel.type} panel needs a time column; the query returns ${columns.map((c) => `${c.name} ${c.type}`).join(', ')}`)
    if (!columns.some((c) => NUMBER.test(c.type))) problems.push(`a ${panel.type} panel needs a numeric column`)
  }
  for (const o of panel.fieldConfig?.overrides ?? []) {
    if (o.matcher.id === 'byName' && typeof o.matcher.options === 'string') need(o.matcher.options, `override byName`)
  }
  for (const name of fieldReferences(panel)) need(name, 'a data link')
  const options = panel.options ?? {}
  for (const s of (options.sortBy as { displayName?: string }[] | undefined) ?? []) if (s.displayName !== undefined) need(s.displayName, 'options.sortBy')
  if (typeof options.xField === 'string') need(options.xField, 'options.xField')
  for (const t of panel.transformations ?? []) {
    const o = (t.options ?? {}) as Record<string, unknown>
    if (t.id === 'organize') for (const key of ['excludeByName', 'indexByName', 'renameByName']) for (const name of Object.keys((o[key] as object | undefined) ?? {})) need(name, `transformation organize.${key}`)
    if (t.id === 'filterFieldsByName') for (const name of ((o.include as { names?: string[] } | undefined)?.names ?? [])) need(name, 'transformation filterFieldsByName')
    if (t.id === 'sortBy') for (const s of (o.sort as { field?: string }[] | undefined) ?? []) if (s.field !== undefined) need(s.field, 'transformation sortBy')
  }
  return problems
}

/** `${__data.fields.NAME...}` in the panel's links (data links use the row's fields). */
function fieldReferences(panel: CheckedPanel): string[] {
  const text = JSON.stringify(panel.fieldConfig ?? {})
  return [...text.matchAll(/\$\{__data\.fields\.(\w+)/g)].map((m) => m[1] ?? '')
}
