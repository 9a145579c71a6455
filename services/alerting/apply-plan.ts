/**
 * What `modelwatch apply` would change: desired definitions (from the file) against stored ones, by name.
 * Created, changed (with the fields that differ), unchanged, and deleted (only with prune, and only what
 * `apply` itself wrote before). Pure.
 */

export interface FieldChange {
  path: string
  from: unknown
  to: unknown
}

export interface Plan<T> {
  created: T[]
  changed: { item: T; fields: FieldChange[] }[]
  unchanged: T[]
  deleted: string[]
}

/**
 * @example
 * const plan = planApply(desired, current, { key: (m) => m.name, form: monitorSpecToInput, prunable: (name) => origins.get(name) === 'apply', prune: false })
 */
export function planApply<T>(
  desired: readonly T[],
  current: ReadonlyMap<string, T>,
  options: { key: (item: T) => string; form: (item: T) => unknown; prune: boolean; prunable: (name: string) => boolean },
): Plan<T> {
  const plan: Plan<T> = { created: [], changed: [], unchanged: [], deleted: [] }
  for (const item of desired) {
    const existing = current.get(options.key(item))
    if (existing === undefined) plan.created.push(item)
    else {
      const fields = fieldChanges(options.form(existing), options.form(item))
      if (fields.length === 0) plan.unchanged.push(item)
      else plan.changed.push({ item, fields })
    }
  }
  if (options.prune) {
    const wanted = new Set(desired.map(options.key))
    plan.deleted = [...current.keys()].filter((name) => !wanted.has(name) && options.prunable(name)).sort()
  }
  return plan
}

/**
 * Leaf-level differences between two JSON-like values, as dotted paths.
 *
 * @example
 * fieldChanges({ condition: { above: 0.2 } }, { condition: { above: 0.3 } }) // [{ path: 'condition.above', from: 0.2, to: 0.3 }]
 */
export function fieldChanges(from: unknown, to: unknown, path = ''): FieldChange[] {
  const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
  if (isRecord(from) && isRecord(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort()
    return keys.flatMap((k) => fieldChanges(from[k], to[k], path === '' ? k : `${path}.${k}`))
  }
  return JSON.stringify(from) === JSON.stringify(to) ? [] : [{ path, from, to }]
}
