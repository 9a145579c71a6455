/**
 * The one way modelwatch compiles a JSON Schema that travels through the schema registry: the shipped
 * contracts (schemas/events/*.schema.json, draft 2020-12) and any writer schema a producer registered.
 * The draft is read from `$schema` (none means draft-07, as Confluent's serializers assume); standard
 * `format`s are checked (ajv-formats). Writer schemas are foreign, so unknown keywords are annotations,
 * not errors.
 */
import { createRequire } from 'node:module'
import { Ajv, type AnySchemaObject, type Options, type ValidateFunction } from 'ajv'
import { Ajv2019 } from 'ajv/dist/2019.js'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsPlugin from 'ajv-formats'
import { ModelwatchError } from '../errors.js'

export type { ValidateFunction }

const OPTIONS: Options = { strict: false, logger: false, allErrors: false }

type Draft = '2020-12' | '2019-09' | 'draft-07' | 'draft-06'

/** `$schema` URIs as written in the wild: http or https, with or without the trailing '#'. */
function draftOf(schema: AnySchemaObject): Draft | undefined {
  const uri = schema.$schema
  if (uri === undefined) return 'draft-07'
  if (typeof uri !== 'string') return undefined
  const normal = uri.replace(/^https?:\/\//, '').replace(/#$/, '')
  if (normal === 'json-schema.org/draft/2020-12/schema') return '2020-12'
  if (normal === 'json-schema.org/draft/2019-09/schema') return '2019-09'
  if (normal === 'json-schema.org/draft-07/schema') return 'draft-07'
  if (normal === 'json-schema.org/draft-06/schema') return 'draft-06'
  return undefined
}

/** One validator per draft, made on first use: compiling a draft's meta-schema costs far more (about 0.3 s for 2020-12) than a schema. */
const validators = new Map<Draft, Ajv>()

function validatorFor(draft: Draft): Ajv {
  let ajv = validators.get(draft)
  if (ajv !== undefined) return ajv
  if (draft === '2020-12') ajv = new Ajv2020(OPTIONS)
  else if (draft === '2019-09') ajv = new Ajv2019(OPTIONS)
  else {
    ajv = new Ajv(OPTIONS)
    // Read through require: JSON import attributes need Node 20.10, and package.json allows any Node 20.
    if (draft === 'draft-06') ajv.addMetaSchema(createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-06.json') as AnySchemaObject)
  }
  // ajv-formats is CommonJS whose default export is the plugin function itself.
  const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv
  validators.set(draft, addFormats(ajv))
  return ajv
}

/**
 * Compiles `schema` (an object or its JSON text) with the validator for its draft; `references` are
 * schemas it refers to by `$id`. The validator forgets them (and the schema) once compiled, so two versions
 * sharing an `$id` never clash and nothing accumulates.
 * Throws `SCHEMA_UNUSABLE` (permanent) when the text is not JSON, the draft is not supported, or the schema
 * does not compile.
 *
 * @example
 * const validate = compileJsonSchema(readFileSync('schemas/events/prediction.schema.json', 'utf8'))
 * validate({ event_id: 'e1' }) // false: model, model_version, timestamp, prediction are required
 */
export function compileJsonSchema(schema: string | object, references: object[] = []): ValidateFunction {
  let parsed: unknown
  try {
    parsed = typeof schema === 'string' ? JSON.parse(schema) : schema
  } catch (error) {
    throw new ModelwatchError('SCHEMA_UNUSABLE', 'the JSON Schema is not JSON', { cause: error })
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ModelwatchError('SCHEMA_UNUSABLE', 'a JSON Schema must be a JSON object')
  }
  const root = parsed as AnySchemaObject
  const draft = draftOf(root)
  if (draft === undefined) {
    throw new ModelwatchError('SCHEMA_UNUSABLE', `JSON Schema draft ${JSON.stringify(root.$schema)} is not supported (2020-12, 2019-09, draft-07 and draft-06 are)`)
  }
  const ajv = validatorFor(draft)
  const added = references.filter((reference) => reference !== root) as AnySchemaObject[]
  try {
    for (const reference of added) ajv.addSchema(reference)
    return ajv.compile(root)
  } catch (error) {
    throw new ModelwatchError('SCHEMA_UNUSABLE', `the JSON Schema does not compile: ${(error as Error).message}`, { cause: error })
  } finally {
    // The compiled function keeps what it needs; the validator's registry of ids and its cache do not.
    for (const schema of [root, ...added]) ajv.removeSchema(schema)
  }
}

/**
 * The validator to hand @kafkajs/confluent-schema-registry as its `ajvInstance` for JSON schemas (its own
 * ajv 7 knows no draft 2020-12): the library adds referenced schemas, then compiles the schema itself.
 *
 * @example
 * new SchemaRegistry({ host }, { [SchemaType.JSON]: { ajvInstance: registryJsonValidator() } })
 */
export function registryJsonValidator(): { addSchema(schema: object): unknown; compile(schema: object): ValidateFunction } {
  const references: object[] = []
  return {
    addSchema(schema) {
      references.push(schema)
      return this
    },
    compile: (schema) => compileJsonSchema(schema, references),
  }
}
