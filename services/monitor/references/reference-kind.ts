/**
 * What a reference is, as recorded in `reference_sets.kind` and `.source`: an uploaded file (source: the
 * file's name), a fixed window of production data (source: JSON {version, from, to}), or a rolling
 * reference (source: JSON {windows}), which has no rows and is resolved by the monitor at computation time.
 */
import { ModelwatchError } from '../../core/errors.js'

export type ReferenceDefinition =
  | { kind: 'upload'; source: { file: string } }
  | { kind: 'window'; source: { version: string; from: string; to: string } }
  | { kind: 'rolling'; source: { windows: number } }

export type ReferenceKindName = ReferenceDefinition['kind']

/**
 * The `source` column's text for a definition.
 *
 * @example
 * sourceText({ kind: 'rolling', source: { windows: 7 } }) // '{"windows":7}'
 */
export function sourceText(definition: ReferenceDefinition): string {
  return definition.kind === 'upload' ? definition.source.file : JSON.stringify(definition.source)
}

/**
 * A definition from the stored `kind` and `source` columns; throws on a kind this code does not know.
 *
 * @example
 * parseDefinition('window', '{"version":"3","from":"2026-01-01T00:00:00.000Z","to":"2026-01-08T00:00:00.000Z"}')
 */
export function parseDefinition(kind: string, source: string): ReferenceDefinition {
  switch (kind) {
    case 'upload':
      return { kind, source: { file: source } }
    case 'window': {
      const parsed = JSON.parse(source) as { version: string; from: string; to: string }
      return { kind, source: { version: String(parsed.version), from: String(parsed.from), to: String(parsed.to) } }
    }
    case 'rolling': {
      const parsed = JSON.parse(source) as { windows: number }
      return { kind, source: { windows: Number(parsed.windows) } }
    }
    default:
      throw new ModelwatchError('CLICKHOUSE_QUERY_FAILED', `reference_sets holds a reference of unknown kind ${JSON.stringify(kind)}`)
  }
}

/**
 * A short human description, for CLI lines and error messages.
 *
 * @example
 * describeDefinition({ kind: 'rolling', source: { windows: 7 } }) // 'rolling: the previous 7 windows'
 */
export function describeDefinition(definition: ReferenceDefinition): string {
  switch (definition.kind) {
    case 'upload':
      return `upload ${definition.source.file}`
    case 'window':
      return `window ${definition.source.from} to ${definition.source.to} of version ${definition.source.version}`
    case 'rolling':
      return `rolling: the previous ${definition.source.windows} window${definition.source.windows === 1 ? '' : 's'}`
  }
}
