/**
 * Test helper: a real ClickHouse HTTP server (same libchdb.so as the embedded chdb package),
 * started by deploy/local/chdb-http-server.py, for exercising modelwatch's remote mode
 * (@clickhouse/client over HTTP) and simulating ClickHouse outages.
 *
 *   const server = await startClickHouseHttpServer({ path: dataDir });
 *   // ... createClient({ url: server.url, username: 'default', password: '' })
 *   await server.kill();                                   // outage (SIGKILL)
 *   const again = await startClickHouseHttpServer({ path: dataDir, port: server.port });
 *   await again.stop();                                    // graceful (SIGTERM)
 *
 * The server's stdin is a pipe held by this process and the server stops when it closes, so a
 * test process that dies (or forgets stop()) does not leave a server behind. The child and its
 * pipes are unref'd once ready: a forgotten server does not keep the test process alive either.
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StartClickHouseHttpServerOptions {
  /** Data directory (created if missing). Reuse it to restart on the same data. */
  path: string;
  /** Port on 127.0.0.1; omitted or 0 lets the kernel choose (read back from `port`). */
  port?: number;
  /** How long to wait for GET /ping -> "Ok." (default 60 s). */
  readyTimeoutMs?: number;
  /** Python interpreter (default: $PYTHON, else "python3"). */
  python?: string;
}

export interface ClickHouseHttpServer {
  /** e.g. "http://127.0.0.1:39123" */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /**
   * Graceful stop (SIGTERM; SIGKILL after 20 s). Resolves once the process has exited. Close your
   * @clickhouse/client first: ClickHouse waits for idle keep-alive connections (up to ~5 s) on shutdown.
   */
  stop(): Promise<void>;
  /** Hard kill (SIGKILL) for outage tests. Resolves once the process has exited and the port is free. */
  kill(): Promise<void>;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVER_SCRIPT = join(REPO_ROOT, 'deploy', 'local', 'chdb-http-server.py');
const READY_LINE = /^READY (http:\/\/\S+) port=(\d+) /m;
const STOP_GRACE_MS = 20_000;
const STDERR_TAIL_CHARS = 8_000;

export async function startClickHouseHttpServer(
  options: StartClickHouseHttpServerOptions,
): Promise<ClickHouseHttpServer> {
  const dataPath = resolve(options.path);
  const requestedPort = options.port ?? 0;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65_535) {
    throw new RangeError(`invalid port ${String(options.port)}`);
  }
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const python = options.python ?? process.env['PYTHON'] ?? 'python3';
  await mkdir(dataPath, { recursive: true });

  const child = spawn(
    python,
    [SERVER_SCRIPT, '--path', dataPath, '--port', String(requestedPort), '--exit-on-stdin-eof'],
    { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  // Never written to: its only job is to close (and stop the server) when this process goes away.
  child.stdin?.on('error', () => {});

  let stdout = '';
  let stderrTail = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    stdout = (stdout + chunk).slice(-STDERR_TAIL_CHARS);
  });
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
  });

  let spawnFailure: Error | undefined;
  let hasExited = false;
  const exited = new Promise<void>((resolveExit) => {
    child.once('exit', () => {
      hasExited = true;
      resolveExit();
    });
    // A process that could not be spawned at all (e.g. no python3) emits 'error' and never 'exit'.
    child.once('error', (error) => {
      if (child.pid !== undefined) return;
      spawnFailure = error;
      hasExited = true;
      resolveExit();
    });
  });

  const fail = (what: string): Error =>
    new Error(`ClickHouse HTTP server (${SERVER_SCRIPT}, path ${dataPath}) ${what}\n${stderrTail.trim()}`.trim());

  let url: string | undefined;
  let port = 0;
  try {
    const deadline = Date.now() + readyTimeoutMs;
    while (url === undefined) {
      if (spawnFailure !== undefined) throw fail(`could not be started with ${python}: ${spawnFailure.message}`);
      if (hasExited) {
        throw fail(`exited before it was ready (exit code ${String(child.exitCode)}, signal ${String(child.signalCode)})`);
      }
      if (Date.now() > deadline) throw fail(`was not ready within ${readyTimeoutMs} ms`);
      const ready = READY_LINE.exec(stdout);
      if (ready?.[1] !== undefined && ready[2] !== undefined && (await pingOk(ready[1]))) {
        url = ready[1];
        port = Number(ready[2]);
      } else {
        await Promise.race([sleep(25), exited]);
      }
    }
  } catch (error) {
    if (!hasExited) child.kill('SIGKILL');
    await exited;
    throw error;
  }

  // A forgotten server must not keep the test process alive (stdin EOF then stops it).
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    if (stream instanceof Socket) stream.unref();
  }

  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    if (hasExited) return;
    child.ref(); // keep the event loop alive until the exit is observed
    child.kill(signal);
    const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    try {
      await exited;
    } finally {
      clearTimeout(escalate);
    }
  };

  return {
    url,
    port,
    pid: child.pid ?? -1,
    stop: () => terminate('SIGTERM'),
    kill: () => terminate('SIGKILL'),
  };
}

/** GET /ping on a fresh connection that is closed afterwards (an idle keep-alive socket would delay a graceful stop). */
function pingOk(url: string): Promise<boolean> {
  return new Promise((resolvePing) => {
    const options = { agent: false, headers: { connection: 'close' }, timeout: 2_000 } as const;
    const request = httpGet(`${url}/ping`, options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolvePing(response.statusCode === 200 && body.trim() === 'Ok.'));
      response.on('error', () => resolvePing(false));
    });
    request.on('timeout', () => request.destroy(new Error('ping timed out')));
    request.on('error', () => resolvePing(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
