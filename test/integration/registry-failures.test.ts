/**
 * How ingest's writer-schema lookups classify what a registry answers, against an HTTP server on 127.0.0.1
 * that answers each schema id the way a failing or misconfigured registry would (the real registry cannot
 * be made to answer 500 or 429 on demand), and against a closed port. The message is blamed only for
 * "no such schema" and for a schema that cannot be used; everything else is the registry's and retriable.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { ModelwatchError } from '../../services/core/errors.js'
import { createWriterSchemas, type SchemaLookup } from '../../services/core/kafka/writer-schemas.js'
import { freePorts } from '../../services/cli/free-ports.js'
import { predictionAvroSchema } from '../../services/producer/schemas.js'

const AVRO = JSON.stringify({ schema: JSON.stringify(predictionAvroSchema) })
/** What the server answers per schema id: status, content type and body; `hang` never answers. */
const ANSWERS: Record<number, [number, string, string] | 'hang'> = {
  1: [500, 'application/json', '{"error_code":50001,"message":"storage error"}'],
  2: [404, 'application/vnd.schemaregistry.v1+json', '{"error_code":40403,"message":"Schema 2 not found"}'],
  3: [404, 'text/html', '<html>Not Found</html>'],
  4: [200, 'text/html', '<html>a proxy login page</html>'],
  5: [200, 'application/vnd.schemaregistry.v1+json', AVRO],
  6: [401, 'application/json', '{"error_code":401,"message":"Unauthorized"}'],
  7: 'hang',
  8: [200, 'application/json', '{"schemaType":"PROTOBUF","schema":"syntax = \\"proto3\\";"}'],
  9: [429, 'application/json', '{"message":"slow down"}'],
  10: [200, 'application/json', '{"schemaType":"AVRO","schema":"{\\"type\\": \\"record\\"}"}'],
  11: [200, 'application/json', '{"schemaType":"JSON","schema":"{}","references":[{"name":"a","subject":"b","version":1}]}'],
}

describe('writer schemas: what a registry answer means', () => {
  let server: Server
  let url: string
  const requests = new Map<number, number>()
  const reachability: boolean[] = []

  before(async () => {
    server = createServer((req, res) => {
      const id = Number(/^\/schemas\/ids\/(-?\d+)$/.exec(req.url ?? '')?.[1])
      requests.set(id, (requests.get(id) ?? 0) + 1)
      const answer = ANSWERS[id] ?? [404, 'application/json', `{"error_code":40403,"message":"Schema ${id} not found"}`]
      if (answer === 'hang') return
      const [status, type, body] = answer
      res.writeHead(status, { 'content-type': type }).end(body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  after(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  const schemas = () => createWriterSchemas({ url, auth: undefined }, { timeoutMs: 2_000, onReachability: (ok) => void reachability.push(ok) })

  async function unavailable(lookup: Promise<SchemaLookup>): Promise<string> {
    const error = await lookup.then(
      (result) => assert.fail(`expected SCHEMA_REGISTRY_UNAVAILABLE, got ${JSON.stringify(result)}`),
      (e: unknown) => e,
    )
    assert.ok(error instanceof ModelwatchError)
    assert.equal(error.code, 'SCHEMA_REGISTRY_UNAVAILABLE')
    assert.equal(error.retriable, true)
    return error.message
  }

  it('blames the registry, retriably, for 5xx, 429, 401, a timeout, and answers that are not the Confluent API', async () => {
    const lookups = schemas()
    reachability.length = 0
    assert.match(await unavailable(lookups.get(1)), /HTTP 500/)
    assert.match(await unavailable(lookups.get(9)), /HTTP 429/)
    assert.match(await unavailable(lookups.get(6)), /HTTP 401/)
    assert.match(await unavailable(lookups.get(7)), /no answer/)
    assert.match(await unavailable(lookups.get(3)), /404 without .*schema not found/)
    assert.match(await unavailable(lookups.get(4)), /not a schema/)
    assert.deepEqual(reachability, [false, false, false, false, false, false])
  })

  it('blames the registry, retriably, when nothing listens', async () => {
    const [port] = await freePorts(1)
    const closed = createWriterSchemas({ url: `http://127.0.0.1:${port}`, auth: undefined })
    assert.match(await unavailable(closed.get(5)), /no answer/)
  })

  it('blames the message for an id the registry does not have (40403) or that cannot be an id, and asks again next time', async () => {
    const lookups = schemas()
    reachability.length = 0
    requests.clear()
    assert.deepEqual(await lookups.get(2), { ok: false, problem: 'not_found', detail: 'schema id 2 is not in the registry' })
    assert.equal((await lookups.get(2)).ok, false)
    assert.equal(requests.get(2), 2, 'a missing id may be registered later: not cached')
    for (const id of [0, -1, -2_147_483_648]) assert.equal((await lookups.get(id)).ok, false)
    assert.equal(requests.has(0) || requests.has(-1), false, 'no request for an id that cannot exist')
    assert.deepEqual(reachability, [true, true])
  })

  it('calls a schema unusable when its type is not AVRO or JSON, it does not compile, or it has references; once per id', async () => {
    const lookups = schemas()
    requests.clear()
    for (const [id, why] of [[8, /PROTOBUF.*AVRO and JSON schemas only/], [10, /not a valid Avro schema/], [11, /references are not supported/]] as const) {
      const result = await lookups.get(id)
      assert.ok(!result.ok && result.problem === 'unusable', JSON.stringify(result))
      assert.match(result.detail, why)
      await lookups.get(id)
      assert.equal(requests.get(id), 1, `schema id ${id} is immutable: its verdict is cached`)
    }
  })

  it('fetches a usable schema once, however many partitions ask at the same moment', async () => {
    const lookups = schemas()
    requests.clear()
    const results = await Promise.all(Array.from({ length: 10 }, () => lookups.get(5)))
    assert.ok(results.every((r) => r.ok && r.schema.type === 'AVRO' && r.schema.id === 5))
    await lookups.get(5)
    assert.equal(requests.get(5), 1)
  })
})
