import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError } from '../errors.js'

/**
 * The embedded engine is a process singleton over its data directory: two processes on one directory would
 * corrupt it. This lock file (holding the owner's PID) turns that into a clear error at start-up.
 * A lock left by a dead process (SIGKILL) is taken over.
 *
 * @returns a function that releases the lock.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true })
  const lockPath = join(dataDir, 'modelwatch.lock')
  const owner = readOwner(lockPath)
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
    throw new ConfigError(
      `the embedded ClickHouse in ${dataDir} is in use by process ${owner}; the embedded engine serves one process: ` +
        'run every service in one process with `modelwatch start`, give this process its own MODELWATCH_DATA_DIR, ' +
        'or set CLICKHOUSE_URL so several processes share a ClickHouse server',
    )
  }
  writeFileSync(lockPath, String(process.pid))
  return () => {
    if (readOwner(lockPath) === process.pid) rmSync(lockPath, { force: true })
  }
}

function readOwner(lockPath: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10)
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
