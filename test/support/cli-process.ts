/**
 * Runs the real CLI (`services/cli/main.ts` through tsx) as a child process, the way a user or a
 * container runs it, for tests of exit codes, signals and crashes.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { waitFor } from './harness.js'

const CLI = fileURLToPath(new URL('../../services/cli/main.ts', import.meta.url))

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliProcess {
  child: ChildProcess
  output(): { stdout: string; stderr: string }
  exited: Promise<CliResult>
}

/** Starts `modelwatch ARGS` with exactly `env` (plus PATH and HOME), collecting its output. */
export function startCli(args: string[], env: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<CliResult>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })))
  return { child, exited, output: () => ({ stdout, stderr }) }
}

export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return startCli(args, env).exited
}

/** Reads one counter (summed over its label sets) from a running service's /metrics. */
export async function scrapeCounter(port: number, name: string): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    return text
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0)
  } catch {
    return Number.NaN
  }
}

/** Waits until a service's health endpoint answers. */
export async function waitForHealth(port: number, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/healthz`)).status
      } catch {
        return 0
      }
    },
    (status) => status === 200,
    `health endpoint on port ${port}`,
    timeoutMs,
  )
}
