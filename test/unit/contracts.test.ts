import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { eventJsonSchemas } from '../../services/core/events/json-schemas.js'

describe('event contracts', () => {
  for (const [file, generated] of Object.entries(eventJsonSchemas())) {
    it(`schemas/events/${file} is what the zod contract generates (run npm run schemas:json after changing it)`, () => {
      const committed: unknown = JSON.parse(readFileSync(new URL(`../../schemas/events/${file}`, import.meta.url), 'utf8'))
      assert.deepEqual(committed, generated)
    })
  }

  it('the Avro and JSON contracts name the same top-level fields', () => {
    for (const [avsc, json] of [['prediction.avsc', 'prediction.schema.json'], ['ground-truth.avsc', 'ground-truth.schema.json']] as const) {
      const avro = JSON.parse(readFileSync(new URL(`../../schemas/events/${avsc}`, import.meta.url), 'utf8')) as { fields: { name: string }[] }
      const schema = eventJsonSchemas()[json] as { properties: Record<string, unknown> }
      assert.deepEqual(avro.fields.map((f) => f.name).sort(), Object.keys(schema.properties).sort(), avsc)
    }
  })
})
