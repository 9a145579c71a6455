/** `npm run schemas:json`: regenerates schemas/events/*.schema.json from the zod contract. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PACKAGE_ROOT } from '../package-root.js'
import { eventJsonSchemas } from './json-schemas.js'

for (const [file, schema] of Object.entries(eventJsonSchemas())) {
  writeFileSync(join(PACKAGE_ROOT, 'schemas', 'events', file), `${JSON.stringify(schema, null, 2)}\n`)
  process.stdout.write(`wrote schemas/events/${file}\n`)
}
