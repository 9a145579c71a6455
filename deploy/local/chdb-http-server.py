#!/usr/bin/env python3
"""Run a real ClickHouse HTTP server out of chDB's libchdb.so (no ClickHouse server package).

    python3 deploy/local/chdb-http-server.py --path DIR --port PORT [--host 127.0.0.1]
                                             [--lib /path/to/libchdb.so] [--exit-on-stdin-eof]
                                             [--stop-timeout SECONDS] [-- EXTRA_CLICKHOUSE_LOCAL_ARGS...]

How it works. libchdb.so exports clickhouse-local's entry point

    chdb_result *chdb_query_cmdline(int argc, char **argv);   /* chdb.h */

which takes clickhouse-local's argv. We call it (from the main thread, so ClickHouse runs on a
normal native stack) with

    clickhouse --path DIR --listen_host HOST --http_port PORT
               --structure 'line String' --input-format LineAsString --async_insert=0
               --query 'SYSTEM START LISTEN HTTP; SELECT count() FROM table FORMAT Null'

`SYSTEM START LISTEN HTTP` opens ClickHouse's real HTTP interface (clickhouse-local only keeps it
open while its command runs). The second statement keeps the command running: in clickhouse-local
`table` is standard input, and fd 0 is replaced by a pipe whose write end only this script holds,
so the statement blocks (no CPU) until we close that pipe. Closing it is a graceful stop: the
statement ends, clickhouse-local stops the listener and shuts the engine down, and the call
returns.

Lifecycle:
  * prints one line `READY http://HOST:PORT port=PORT pid=PID path=DIR` on stdout once GET /ping
    answers `Ok.`;
  * SIGTERM / SIGINT / SIGHUP -> graceful stop, exit 0 (forced exit 1 after --stop-timeout);
    ClickHouse waits for idle keep-alive HTTP connections (up to ~5 s), so close clients first;
  * --exit-on-stdin-eof: also stop gracefully when this process's own stdin reaches EOF (a parent
    that holds our stdin pipe cannot leak the server if it dies);
  * SIGKILL is fine for outage simulation: MergeTree parts already inserted are on disk and a new
    instance on the same --path and --port serves them again;
  * exits 1 if the engine stops by itself (e.g. port in use; ClickHouse prints the reason on stderr).

Why Python/ctypes: an npm FFI (koffi 3.3.4) runs foreign calls on its own stack, and ClickHouse's
stack check then fails every query with TOO_DEEP_RECURSION ("Stack size too large"). chDB's
connection API (chdb_connect + SYSTEM START LISTEN) fails with "start_servers_callback is not set".

Differences from a ClickHouse server seen so far: user `default` with no password only; database
`default` is chDB's Overlay engine (CREATE DATABASE gives Atomic, as on a server); no system log
tables (system.query_log ...); settings chDB changes: implicit_select=1,
allow_introspection_functions=1, storage_file_read_method=mmap (async_insert is reset above).

--port 0 lets the kernel pick a free port; the READY line reports it. READY is only printed once
/proc shows that this very process listens on the port (Linux only, like the rest of this script).
"""

from __future__ import annotations

import argparse
import ctypes
import fcntl
import glob
import ipaddress
import os
import platform
import signal
import sys
import threading
import time
import urllib.error
import urllib.request

PROG = "chdb-http-server"
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOCK_FILE = ".chdb-http-server.lock"


def log(message: str) -> None:
    # Best effort: once the parent is gone stderr may be a broken pipe, and that must never stop
    # the shutdown paths that call this.
    try:
        sys.stderr.write(f"[{PROG}] {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def say(line: str) -> None:
    try:
        print(line, flush=True)
    except (OSError, ValueError):
        pass


def find_libchdb(explicit: str | None) -> str:
    if explicit:
        return explicit
    from_env = os.environ.get("CHDB_LIBCHDB_PATH")
    if from_env:
        return from_env
    machine = platform.machine().lower()
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    base = os.path.join(REPO_ROOT, "node_modules", "@chdb")
    preferred = sorted(glob.glob(os.path.join(base, f"lib-{sys.platform}-{arch}*", "libchdb.*")))
    anything = sorted(glob.glob(os.path.join(base, "lib-*", "libchdb.*")))
    for candidate in preferred + anything:
        return candidate
    raise SystemExit(
        f"{PROG}: libchdb not found under {base} (run `npm install`, or pass --lib / CHDB_LIBCHDB_PATH)"
    )


def listening_ports_of_this_process(host: str) -> list[int]:
    """TCP ports this process listens on at `host` (IPv4), read from /proc (Linux only)."""
    inodes: set[str] = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    want_ip = "".join(f"{int(octet):02X}" for octet in reversed(host.split(".")))
    ports: list[int] = []
    with open("/proc/self/net/tcp", encoding="ascii") as table:
        next(table)
        for line in table:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            ip_hex, port_hex = local.split(":")
            if state == "0A" and inode in inodes and ip_hex == want_ip:
                ports.append(int(port_hex, 16))
    return ports


def ping(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/ping", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"Ok."
    except (urllib.error.URLError, OSError, ValueError):
        return False


def main() -> int:
    parser = argparse.ArgumentParser(prog=PROG, description="ClickHouse HTTP server from libchdb.so")
    parser.add_argument("--path", required=True, help="data directory (created if missing)")
    parser.add_argument("--port", type=int, required=True, help="HTTP port (0 = pick a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="IPv4 address to listen on (default 127.0.0.1)")
    parser.add_argument("--lib", help="libchdb.so to use (default: node_modules/@chdb/lib-*/libchdb.*)")
    parser.add_argument("--exit-on-stdin-eof", action="store_true", help="stop when stdin is closed")
    parser.add_argument("--ready-timeout", type=float, default=120.0, help="seconds to wait for /ping")
    parser.add_argument("--stop-timeout", type=float, default=15.0, help="seconds before a forced exit")
    parser.add_argument("extra", nargs="*", help="after `--`: extra clickhouse-local arguments")
    opts = parser.parse_args()
    if not 0 <= opts.port <= 65535:
        parser.error("--port must be in 0..65535")
    try:
        ipaddress.IPv4Address(opts.host)
    except ValueError:
        parser.error("--host must be an IPv4 address such as 127.0.0.1")

    data_path = os.path.abspath(opts.path)
    os.makedirs(data_path, exist_ok=True)

    # clickhouse-local does not lock its --path; two engines on one directory would corrupt it.
    lock_fd = os.open(os.path.join(data_path, LOCK_FILE), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log(f"{data_path} is in use by another {PROG}")
        return 1

    lib_path = find_libchdb(opts.lib)

    # Stop signals are handled by a dedicated thread (sigwait). Block them before any thread exists
    # so every ClickHouse thread inherits the mask and none of them is interrupted by them.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)

    # Private keep-alive pipe on fd 0 (see module docstring). The caller's stdin is kept elsewhere.
    caller_stdin = os.dup(0)
    os.set_inheritable(caller_stdin, False)
    keepalive_read, keepalive_write = os.pipe()
    os.dup2(keepalive_read, 0)
    os.close(keepalive_read)

    stop_lock = threading.Lock()
    stop_reason: list[str] = []

    def request_stop(reason: str) -> None:
        with stop_lock:
            if stop_reason:
                return
            stop_reason.append(reason)

        def force() -> None:
            time.sleep(opts.stop_timeout)
            log(f"engine did not stop within {opts.stop_timeout:g}s, forcing exit")
            os._exit(1)

        threading.Thread(target=force, name="force-exit", daemon=True).start()
        os.close(keepalive_write)  # EOF for `SELECT count() FROM table` -> graceful shutdown
        log(f"stopping ({reason})")

    def signal_watcher() -> None:
        while True:
            signum = signal.sigwait(STOP_SIGNALS)
            request_stop(signal.Signals(signum).name)

    def stdin_watcher() -> None:
        while True:
            try:
                chunk = os.read(caller_stdin, 4096)
            except InterruptedError:
                continue
            except OSError:
                chunk = b""
            if not chunk:
                request_stop("stdin closed")
                return

    engine_done = threading.Event()
    started = time.monotonic()

    def readiness_watcher() -> None:
        deadline = started + opts.ready_timeout
        port = opts.port
        while not engine_done.is_set() and not stop_reason:
            if time.monotonic() > deadline:
                log(f"server not ready after {opts.ready_timeout:g}s")
                request_stop("not ready")
                return
            # Only trust /ping once this process owns the listening socket: another server on the
            # same port would otherwise answer it while our engine fails with "Address already in use".
            ours = listening_ports_of_this_process(opts.host)
            if port == 0 and ours:
                port = ours[0]
            if port != 0 and port in ours:
                url = f"http://{opts.host}:{port}"
                if ping(url) and not engine_done.is_set():
                    elapsed = time.monotonic() - started
                    say(f"READY {url} port={port} pid={os.getpid()} path={data_path}")
                    log(f"serving ClickHouse HTTP on {url} (data {data_path}, ready in {elapsed:.2f}s)")
                    return
            time.sleep(0.02)

    threading.Thread(target=signal_watcher, name="signals", daemon=True).start()
    if opts.exit_on_stdin_eof:
        threading.Thread(target=stdin_watcher, name="stdin", daemon=True).start()
    threading.Thread(target=readiness_watcher, name="ready", daemon=True).start()

    lib = ctypes.CDLL(lib_path)
    query_cmdline = lib.chdb_query_cmdline
    query_cmdline.restype = ctypes.c_void_p
    query_cmdline.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
    result_error = lib.chdb_result_error
    result_error.restype = ctypes.c_char_p
    result_error.argtypes = [ctypes.c_void_p]

    # chDB turns async_insert on by default; a ClickHouse server has it off. Match the server unless
    # the caller passes its own --async_insert=... after `--`.
    server_defaults = [] if any(a.startswith("--async_insert") for a in opts.extra) else ["--async_insert=0"]
    args = [
        "clickhouse",
        "--path", data_path,
        "--listen_host", opts.host,
        "--http_port", str(opts.port),
        "--structure", "line String",
        "--input-format", "LineAsString",
        *server_defaults,
        *opts.extra,
        "--query", "SYSTEM START LISTEN HTTP; SELECT count() FROM table FORMAT Null",
    ]
    argv = (ctypes.c_char_p * (len(args) + 1))(*[a.encode() for a in args], None)
    # Blocks until the keep-alive pipe is closed or the engine fails (ctypes releases the GIL).
    result = query_cmdline(len(args), argv)
    engine_done.set()

    error = result_error(result) if result else None
    if error:
        log(error.decode(errors="replace").strip())
    # os._exit: the engine is already shut down; skip interpreter and library teardown.
    if stop_reason:
        log("stopped")
        os._exit(1 if stop_reason[0] == "not ready" else 0)
    log("ClickHouse engine exited on its own (see the error above)")
    os._exit(1)


if __name__ == "__main__":
    sys.exit(main())
