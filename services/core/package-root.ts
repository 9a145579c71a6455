import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The directory holding modelwatch's package.json, found by walking up from this file, so paths to
 * `schemas/` and `deploy/` hold both when run from source (tsx) and from the compiled `dist/`.
 */
function findPackageRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schemas'))) return dir
    if (dirname(dir) === dir) throw new Error('modelwatch package root not found above ' + fileURLToPath(import.meta.url))
  }
}

export const PACKAGE_ROOT = findPackageRoot()
