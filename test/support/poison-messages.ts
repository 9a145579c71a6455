/**
 * Poison messages for the fuzz test: valid events in each encoding modelwatch reads (Avro and JSON Schema in
 * the Confluent wire format, plain JSON), then mutated at random, deterministically from a seed. Mutations
 * work on the event before encoding (type confusion, missing and extra fields, NaN/Infinity, nesting bombs)
 * and on the bytes after (bit flips, truncation, wrong magic byte, unknown or mismatched schema ids,
 * hostile Avro lengths, invalid UTF-8, garbage, empty values, oversized values).
 */
import type avro from 'avsc'
import { seededRandom } from '../../services/cli/demo/seeded-random.js'

export type PoisonTopic = 'predictions' | 'groundTruth'
export type Encoding = 'avro' | 'json-schema' | 'json'

export interface PoisonMessage {
  topic: PoisonTopic
  key: string
  /** null: a tombstone. */
  value: Buffer | null
  encoding: Encoding
  /** The mutations applied, in order (empty: a valid event). */
  mutations: string[]
}

export interface PoisonSchemas {
  avro: Record<PoisonTopic, { id: number; type: avro.Type }>
  jsonSchema: Record<PoisonTopic, number>
  /** Registered, but not of a type ingest can use (e.g. PROTOBUF). */
  unusableId: number
  maxEventBytes: number
}

type Random = () => number
type Json = Record<string, unknown>

const T0 = Date.UTC(2026, 10, 1)

/**
 * `count` messages, the same ones for the same seed and schemas.
 *
 * @example
 * const messages = poisonMessages(3000, 20261101, schemas)
 */
export function poisonMessages(count: number, seed: number, schemas: PoisonSchemas): PoisonMessage[] {
  const random = seededRandom(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const messages: PoisonMessage[] = []
  for (let i = 0; i < count; i++) {
    const topic: PoisonTopic = random() < 0.8 ? 'predictions' : 'groundTruth'
    const encoding = pick(['avro', 'json-schema', 'json'] as const)
    // Unique per message, with a random tail, so a mutated id never collides with another message's.
    const eventId = `fz-${i}-${Math.floor(random() * 0xffffffff).toString(16)}`
    const mutations: string[] = []
    let event: Json = topic === 'predictions' ? prediction(eventId, i, random) : label(eventId, i, random)
    // One in five stays valid; the rest get one to three mutations, of the event or of its bytes.
    const rounds = random() < 0.2 ? 0 : 1 + Math.floor(random() * 3)
    const eventMutations = Object.entries(EVENT_MUTATIONS)
    const byteMutations = Object.entries(BYTE_MUTATIONS)
    const planned = Array.from({ length: rounds }, () => (random() < 0.4 ? pick(eventMutations) : pick(byteMutations)))
    for (const [name, mutate] of planned) {
      if (!(name in EVENT_MUTATIONS)) continue
      event = (mutate as EventMutation)(event, random, schemas)
      mutations.push(name)
    }
    let value: Buffer | null = encode(event, topic, encoding, schemas)
    for (const [name, mutate] of planned) {
      if (!(name in BYTE_MUTATIONS)) continue
      value = (mutate as ByteMutation)(value, random, schemas, { event, topic })
      mutations.push(name)
    }
    messages.push({ topic, key: eventId, value, encoding, mutations })
  }
  return messages
}

function prediction(eventId: string, i: number, random: Random): Json {
  return {
    event_id: eventId,
    model: random() < 0.5 ? 'churn' : 'fraud',
    model_version: String(1 + (i % 3)),
    timestamp: T0 + i * 1000,
    numeric_features: { tenure: Math.floor(random() * 60), spend: random() < 0.1 ? null : random() * 100 },
    categorical_features: { plan: random() < 0.5 ? 'pro' : 'basic' },
    prediction: { score: random(), probabilities: null, predicted_class: random() < 0.5 ? '1' : '0', value: null },
    segments: { region: random() < 0.5 ? 'eu' : 'us' },
  }
}

function label(eventId: string, i: number, random: Random): Json {
  return { event_id: eventId, model: random() < 0.5 ? 'churn' : null, timestamp: T0 + i * 1000 + 60_000, label: { class: random() < 0.5 ? '1' : '0', value: null } }
}

/** Encodes the event; an event Avro cannot encode (its mutation broke the schema) falls back to JSON Schema framing. */
function encode(event: Json, topic: PoisonTopic, encoding: Encoding, schemas: PoisonSchemas): Buffer {
  // JSON.stringify writes neither NaN nor Infinity (null instead) nor 20,000 levels (it recurses): both are
  // written as markers, then spliced into the text.
  const json = (): Buffer =>
    Buffer.from(
      JSON.stringify(event, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `§${v}§` : v))
        .replace(/"§(NaN|Infinity|-Infinity)§"/g, '$1')
        .replace(/"§nest:(\d+)§"/g, (_m, depth: string) => '['.repeat(Number(depth)) + ']'.repeat(Number(depth))),
    )
  if (encoding === 'json') return json()
  if (encoding === 'avro') {
    const { id, type } = schemas.avro[topic]
    if (type.isValid(event)) return framed(id, type.toBuffer(event))
  }
  return framed(schemas.jsonSchema[topic], json())
}

function framed(id: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5)
  header.writeInt32BE(id, 1)
  return Buffer.concat([header, payload])
}

type EventMutation = (event: Json, random: Random, schemas: PoisonSchemas) => Json
type ByteMutation = (value: Buffer | null, random: Random, schemas: PoisonSchemas, source: { event: Json; topic: PoisonTopic }) => Buffer | null

const WRONG_VALUES: unknown[] = [null, 0, -1, 1e308, '', 'x', true, [], {}, [1, 2], { nested: { deeper: 1 } }, '1764000000000', 1.5]

/** A path to a random field (top level or one level down), for the mutations that replace or delete. */
function randomPath(event: Json, random: Random): string[] {
  const keys = Object.keys(event)
  const key = keys[Math.floor(random() * keys.length)] ?? 'event_id'
  const child = event[key]
  if (typeof child === 'object' && child !== null && !Array.isArray(child) && random() < 0.5) {
    const inner = Object.keys(child)
    if (inner.length > 0) return [key, inner[Math.floor(random() * inner.length)] ?? '']
  }
  return [key]
}

function setPath(event: Json, path: string[], value: unknown, remove = false): Json {
  const copy = structuredClone(event)
  let node: Json = copy
  for (const key of path.slice(0, -1)) {
    // An earlier mutation may have removed or retyped the parent.
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {}
    node = node[key] as Json
  }
  const last = path.at(-1) ?? ''
  if (remove) delete node[last]
  else node[last] = value
  return copy
}

const EVENT_MUTATIONS: Record<string, EventMutation> = {
  wrongType: (event, random) => setPath(event, randomPath(event, random), WRONG_VALUES[Math.floor(random() * WRONG_VALUES.length)]),
  missingField: (event, random) => setPath(event, randomPath(event, random), undefined, true),
  extraField: (event, random) => setPath(event, [random() < 0.5 ? 'added_later' : '__proto__x'], random() < 0.5 ? 'x' : { deep: [1, 2, 3] }),
  nonFinite: (event, random) => setPath(event, random() < 0.5 ? ['numeric_features', 'tenure'] : ['prediction', 'score'], [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY][Math.floor(random() * 3)]),
  secondsTimestamp: (event) => setPath(event, ['timestamp'], Math.floor(T0 / 1000)),
  emptyPrediction: (event) => setPath(event, ['prediction'], {}),
  longName: (event, random) => setPath(event, [random() < 0.5 ? 'model' : 'event_id'], 'm'.repeat(300)),
  manyFeatures: (event, random) => setPath(event, ['numeric_features'], Object.fromEntries(Array.from({ length: 200 + Math.floor(random() * 800) }, (_, k) => [`f${k}`, k]))),
  // An array nested that deep (2 bytes a level, so 20,000 levels fit in 64 KB), spliced in by encode().
  nestingBomb: (event, random) => setPath(event, ['numeric_features', 'bomb'], `§nest:${1000 + Math.floor(random() * 20_000)}§`),
}

const BYTE_MUTATIONS: Record<string, ByteMutation> = {
  bitFlip: (value, random) => {
    if (value === null || value.length === 0) return value
    const copy = Buffer.from(value)
    for (let n = 1 + Math.floor(random() * 4); n > 0; n--) {
      const at = Math.floor(random() * copy.length)
      copy[at] = (copy[at] ?? 0) ^ (1 << Math.floor(random() * 8))
    }
    return copy
  },
  truncate: (value, random) => (value === null ? value : value.subarray(0, Math.floor(random() * value.length))),
  wrongMagicByte: (value, random) => {
    if (value === null || value.length === 0) return value
    const copy = Buffer.from(value)
    copy[0] = 1 + Math.floor(random() * 255)
    return copy
  },
  unknownSchemaId: (value, random) => withSchemaId(value, random() < 0.5 ? 0x7fff0000 + Math.floor(random() * 0xffff) : -1 - Math.floor(random() * 0x7fffffff)),
  unusableSchemaId: (value, _random, schemas) => withSchemaId(value, schemas.unusableId),
  swappedSchemaId: (value, random, schemas) => {
    // Avro bytes under a JSON Schema id and the reverse, or a prediction's schema for a label.
    const ids = [schemas.avro.predictions.id, schemas.avro.groundTruth.id, schemas.jsonSchema.predictions, schemas.jsonSchema.groundTruth]
    return withSchemaId(value, ids[Math.floor(random() * ids.length)] ?? 0)
  },
  hostileAvroLength: (value, random) => {
    if (value === null || value.length < 6) return value
    // A zigzag varint of about ±2^31 where a map count or string length is read.
    const at = 5 + Math.floor(random() * (value.length - 5))
    const varint = random() < 0.5 ? [0xfe, 0xff, 0xff, 0xff, 0x0f] : [0xff, 0xff, 0xff, 0xff, 0x0f]
    return Buffer.concat([value.subarray(0, at), Buffer.from(varint), value.subarray(at + (random() < 0.5 ? 0 : 1))])
  },
  hostileMapCount: (value, random, schemas, { event, topic }) => {
    // Where a map's block count is read: after the encodings of the fields before it (Avro framing only).
    const { id, type } = schemas.avro[topic]
    if (value === null || value.length < 5 || value[0] !== 0 || value.readInt32BE(1) !== id) return value
    const fields = (type as avro.types.RecordType).fields
    const maps = fields.map((field, index) => ({ field, index })).filter(({ field }) => field.type.typeName === 'map')
    const chosen = maps[Math.floor(random() * maps.length)]
    if (chosen === undefined) return value
    const emptied = { ...event, [chosen.field.name]: {} }
    if (!type.isValid(emptied)) return value
    const encoded = type.toBuffer(emptied)
    // Field values as encoded (defaults filled in), to measure the fields before the map.
    const record = type.fromBuffer(encoded) as Json
    const offset = 5 + fields.slice(0, chosen.index).reduce((sum, field) => sum + field.type.toBuffer(record[field.name]).length, 0)
    // The emptied map is the single byte 0 at `offset`; a count of about ±2^31 replaces it.
    const varint = random() < 0.5 ? [0xfe, 0xff, 0xff, 0xff, 0x0f] : [0xff, 0xff, 0xff, 0xff, 0x0f]
    return Buffer.concat([value.subarray(0, offset), Buffer.from(varint), encoded.subarray(offset - 5 + 1)])
  },
  invalidUtf8: (value, random) => {
    if (value === null) return value
    const at = Math.floor(random() * (value.length + 1))
    const bad = [[0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xf0, 0x28, 0x8c, 0x28]][Math.floor(random() * 4)] ?? [0xff]
    return Buffer.concat([value.subarray(0, at), Buffer.from(bad), value.subarray(at)])
  },
  trailingBytes: (value, random) => (value === null ? value : Buffer.concat([value, Buffer.from(Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 256)))])),
  garbage: (_value, random) => Buffer.from(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256))),
  empty: (_value, random) => (random() < 0.5 ? null : Buffer.alloc(0)),
  oversized: (value, _random, schemas) => Buffer.concat([value ?? Buffer.alloc(0), Buffer.alloc(schemas.maxEventBytes, 0x20)]),
  leadingWhitespace: (value) => (value === null ? value : Buffer.concat([Buffer.from(' \n\t'), value])),
}

function withSchemaId(value: Buffer | null, id: number): Buffer | null {
  if (value === null || value.length < 5) return value
  const copy = Buffer.from(value)
  copy[0] = 0
  copy.writeInt32BE(id, 1)
  return copy
}
