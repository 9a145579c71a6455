/** `npm run docs:config`: rewrites README.md's configuration reference from services/core/config.ts. */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { withConfigReference } from './config-reference.js'
import { PACKAGE_ROOT } from './package-root.js'

const file = join(PACKAGE_ROOT, 'README.md')
writeFileSync(file, withConfigReference(readFileSync(file, 'utf8')))
process.stdout.write('wrote the configuration reference in README.md\n')
