/**
 * The README's configuration reference is generated from the config schema, so it lists every variable the code
 * reads with its real default, and cannot drift from it.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { environment } from '../../services/core/config.js'
import { renderConfigReference, withConfigReference } from '../../services/core/config-reference.js'
import { PACKAGE_ROOT } from '../../services/core/package-root.js'

describe('configuration reference', () => {
  it('README.md holds exactly what the config schema renders (run npm run docs:config after changing config.ts)', () => {
    const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8')
    assert.equal(readme, withConfigReference(readme))
  })

  it('has one row per variable, and marks secrets', () => {
    const rows = renderConfigReference().split('\n').slice(2)
    assert.equal(rows.length, Object.keys(environment).length)
    assert.match(rows.find((r) => r.startsWith('| `CLICKHOUSE_PASSWORD`')) ?? '', /Secret/)
    assert.doesNotMatch(rows.find((r) => r.startsWith('| `CLICKHOUSE_USER`')) ?? '', /Secret/)
  })
})
