/**
 * The retraining loop (scope write): a pipeline registers a new model version with the reference it is to be
 * compared against, and the next monitor pass compares it. `POST /v1/models/{model}/versions` names the
 * reference: an existing one by id, a past window of production data, or a rolling one; `PUT
 * /v1/models/{model}/versions/{version}/reference` uploads one as a raw file (CSV, Parquet, Arrow), checked
 * like `modelwatch reference upload`. A version that already compares against another reference keeps it
 * unless the request says `replace` (409 otherwise), so a reference never changes silently. Listing versions is
 * `GET /v1/models/{model}/versions` (models.ts).
 */
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createRoute, z } from '@hono/zod-openapi'
import { HTTPException } from 'hono/http-exception'
import type { ClickHouse } from '../../core/clickhouse/client.js'
import { ModelwatchError } from '../../core/errors.js'
import { modelSpecSchema, type ModelSpec } from '../../monitor/models/model-spec.js'
import { currentAssignment } from '../../monitor/references/assign.js'
import { defineRollingReference, defineWindowReference, describeDefinition, uploadReference, type ReferenceDefinition, type ReferenceResult } from '../../monitor/references/index.js'
import { definitionReferenceId, uploadReferenceId } from '../../monitor/references/reference-id.js'
import { findReferenceSet } from '../../monitor/references/reference-sets.js'
import { storeReference } from '../../monitor/references/store-reference.js'
import type { MountRoutes } from '../deps.js'
import { instantParam, jsonContent, notFoundResponse, problemResponses, withScope } from '../openapi.js'
import { problemSchema } from '../problem.js'
import { findModel } from './models.js'

const instant = instantParam('the instant')

const version = z.string().min(1).max(256)
const referenceChoice = z.union([
  z.strictObject({ reference_id: z.string().min(1).max(128).openapi({ description: 'A reference of the model (GET /v1/models/{model}/references)' }) }),
  z.strictObject({ window: z.strictObject({ version: version.optional().openapi({ description: 'Must be the version registered (the window is of its own traffic); omit it' }), from: instant, to: instant }) }),
  z.strictObject({ rolling: z.strictObject({ windows: z.number().int().min(1) }) }),
], { error: 'reference must be one of {reference_id}, {window: {from, to}}, {rolling: {windows}}' })

const registerBody = z.strictObject({ version, reference: referenceChoice, replace: z.boolean().default(false) }).openapi('VersionRegistration')

const registeredSchema = z
  .object({
    model: z.string(),
    version: z.string(),
    reference_id: z.string(),
    reference: z.string().openapi({ description: 'What the reference is, in words' }),
    rows: z.number().int(),
    created: z.boolean().openapi({ description: 'false when the same reference was already stored' }),
    assigned: z.boolean().openapi({ description: 'false when the version already compared against it' }),
    replaced: z.string().nullable().openapi({ description: 'The reference the version compared against before' }),
    ignored_columns: z.array(z.string()).optional().openapi({ description: 'Upload: file columns that play no part' }),
  })
  .openapi('VersionReference')

/** Upload media types and the file extension uploadReference reads them by (Arrow file or stream: told by its first bytes). */
export const UPLOAD_TYPES: Record<string, string> = {
  'text/csv': '.csv',
  'application/vnd.apache.parquet': '.parquet',
  'application/vnd.apache.arrow.file': '.arrow',
  'application/vnd.apache.arrow.stream': '.arrow',
}

const UPLOAD_PATH = /^\/v1\/models\/[^/]+\/versions\/[^/]+\/reference$/

/**
 * Whether a request is a reference upload, whose body limit is MODELWATCH_API_MAX_UPLOAD_BYTES (checked by
 * the route while it streams the body to disk) instead of the app-wide one.
 *
 * @example
 * isReferenceUpload('PUT', '/v1/models/churn/versions/3/reference') // true
 */
export function isReferenceUpload(method: string, path: string): boolean {
  return method === 'PUT' && UPLOAD_PATH.test(path)
}

const refused = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemSchema } } })
const modelParam = modelSpecSchema.shape.name
const binary = z.string().openapi({ type: 'string', format: 'binary' })

const register = createRoute({
  method: 'post', path: '/v1/models/{model}/versions', tags: ['models'], summary: 'Register a version with the reference it is compared against', ...withScope('write'),
  request: { params: z.object({ model: modelParam }), body: { required: true, content: { 'application/json': { schema: registerBody } } } },
  responses: { 201: jsonContent(registeredSchema, 'The version now compares against the reference'), 200: jsonContent(registeredSchema, 'The version already compared against it'), ...notFoundResponse, 409: refused('The version compares against another reference; send replace: true'), ...problemResponses },
})
const upload = createRoute({
  method: 'put', path: '/v1/models/{model}/versions/{version}/reference', tags: ['models'], summary: 'Upload a reference file for a version (raw body)', ...withScope('write'),
  request: {
    params: z.object({ model: modelParam, version }),
    query: z.object({
      replace: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
      filename: z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/, 'a plain file name: letters, digits, _ . -').optional().openapi({ description: 'Recorded as the reference\'s source (default upload.<ext>)' }),
    }),
    body: { required: true, content: Object.fromEntries(Object.keys(UPLOAD_TYPES).map((type) => [type, { schema: binary }])) },
  },
  responses: { 201: jsonContent(registeredSchema, 'Stored; the version now compares against it'), 200: jsonContent(registeredSchema, 'The version already compared against this content'), ...notFoundResponse, 409: refused('The version compares against another reference; add ?replace=true'), 415: refused('Not one of the upload media types'), ...problemResponses },
})

export const versionRoutes: MountRoutes = (app, { ch, config, now }) => {
  const clock = now ?? Date.now
  app.openapi(register, async (c) => {
    const model = await findModel(ch, c.req.valid('param').model)
    const body = c.req.valid('json')
    const result = await asRequestErrors(() => registerReference(ch, model, body, new Date(clock())))
    return c.json(view(model.name, body.version, result), result.assigned ? 201 : 200)
  })
  app.openapi(upload, async (c) => {
    const { model: name, version: target } = c.req.valid('param')
    const { replace, filename } = c.req.valid('query')
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
    const extension = UPLOAD_TYPES[type]
    if (extension === undefined) throw new HTTPException(415, { message: `Content-Type must be one of ${Object.keys(UPLOAD_TYPES).join(', ')}; got ${JSON.stringify(type)}` })
    const limit = config.api.maxUploadBytes
    const tooLarge = new ModelwatchError('PAYLOAD_TOO_LARGE', `the reference file is larger than ${limit} bytes (MODELWATCH_API_MAX_UPLOAD_BYTES)`)
    if (Number(c.req.header('content-length') ?? 0) > limit) throw tooLarge
    const model = await findModel(ch, name)
    const root = join(config.clickhouse.dataDir, 'uploads')
    await mkdir(root, { recursive: true })
    const dir = await mkdtemp(join(root, 'reference-'))
    try {
      const file = join(dir, filename === undefined ? `upload${extension}` : filename.endsWith(extension) ? filename : `${filename}${extension}`)
      if (!(await saveBody(c.req.raw.body, file, limit))) throw tooLarge
      await refuseSwitch(ch, model.name, target, await uploadReferenceId(model, file), replace)
      const result = await asRequestErrors(() => uploadReference(ch, { model, version: target, file, replace }))
      const definition = { kind: 'upload', source: { file: basename(file) } } as const
      return c.json({ ...view(model.name, target, { ...result, definition }), ignored_columns: result.ignoredColumns }, result.assigned ? 201 : 200)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
}

type Registration = z.output<typeof registerBody>
type Result = ReferenceResult & { definition: ReferenceDefinition }

async function registerReference(ch: ClickHouse, model: ModelSpec, body: Registration, now: Date): Promise<Result> {
  const { version: target, reference, replace } = body
  if ('reference_id' in reference) {
    const existing = await findReferenceSet(ch, model.name, reference.reference_id)
    if (existing === undefined) throw new ModelwatchError('REQUEST_INVALID', `reference.reference_id: ${model.name} has no reference ${JSON.stringify(reference.reference_id)}; GET /v1/models/${model.name}/references lists them`)
    await refuseSwitch(ch, model.name, target, existing.referenceId, replace)
    return { ...(await storeReference(ch, { model: model.name, version: target, referenceId: existing.referenceId, definition: existing.definition, replace, existing })), definition: existing.definition }
  }
  if ('window' in reference) {
    const from = new Date(reference.window.from)
    const to = new Date(reference.window.to)
    if (reference.window.version !== undefined && reference.window.version !== target) {
      throw new ModelwatchError('REQUEST_INVALID', `reference.window.version: a window reference is of the registered version's own traffic (${JSON.stringify(target)}); for another version's window, define it for that version and send its reference_id`)
    }
    const definition = { kind: 'window', source: { version: target, from: from.toISOString(), to: to.toISOString() } } as const
    // The id recipe of defineWindowReference, so a switch is refused before the window is snapshotted.
    await refuseSwitch(ch, model.name, target, definitionReferenceId({ kind: 'window', model: model.name, ...definition.source }), replace)
    return { ...(await defineWindowReference(ch, { model, version: target, from, to, replace, now })), definition }
  }
  const { windows } = reference.rolling
  await refuseSwitch(ch, model.name, target, definitionReferenceId({ kind: 'rolling', model: model.name, windows }), replace)
  return { ...(await defineRollingReference(ch, { model, version: target, windows, replace })), definition: { kind: 'rolling', source: { windows } } }
}

/** A version that compares against another reference keeps it unless the request says replace. */
async function refuseSwitch(ch: ClickHouse, model: string, target: string, referenceId: string, replace: boolean): Promise<void> {
  const current = await currentAssignment(ch, model, target)
  if (replace || current === undefined || current.referenceId === referenceId) return
  const what = current.definition === undefined ? '' : ` (${describeDefinition(current.definition)})`
  throw new ModelwatchError('CONFLICT', `version ${target} of ${model} already compares against reference ${current.referenceId}${what}; send replace: true (upload: ?replace=true) to switch to ${referenceId}`)
}

/** The references module speaks to a CLI user (USAGE); through the API the same problems are invalid requests. */
async function asRequestErrors<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action()
  } catch (error) {
    if (error instanceof ModelwatchError && error.code === 'USAGE') throw new ModelwatchError('REQUEST_INVALID', error.message, { cause: error })
    throw error
  }
}

/** Streams the body to `file`; false (and nothing kept) when it is longer than `limit`, whatever it declared. */
async function saveBody(body: ReadableStream<Uint8Array> | null, file: string, limit: number): Promise<boolean> {
  if (body === null) throw new ModelwatchError('REQUEST_INVALID', 'the request has no body; send the reference file as the body')
  let size = 0
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length
      done(size > limit ? new ModelwatchError('PAYLOAD_TOO_LARGE', 'too large') : null, chunk)
    },
  })
  try {
    await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>), counter, createWriteStream(file))
  } catch (error) {
    if (error instanceof ModelwatchError && error.code === 'PAYLOAD_TOO_LARGE') return false
    throw error
  }
  if (size === 0) throw new ModelwatchError('REQUEST_INVALID', 'the request body is empty; send the reference file as the body')
  return true
}

function view(model: string, target: string, r: Result): z.infer<typeof registeredSchema> {
  return { model, version: target, reference_id: r.referenceId, reference: describeDefinition(r.definition), rows: r.rows, created: r.created, assigned: r.assigned, replaced: r.replaced ?? null }
}
