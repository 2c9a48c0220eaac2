"""HTTP throughput of a real ``tongke serve``, on SQLite and on PostgreSQL.

    uv run python bench/httpbench.py [--duration 10] [--concurrency 32] [--db sqlite|postgres|both]
                                [--workers N]

For each database it seeds the demo region into a throw-away data home (SQLite) or a fresh
PostgreSQL database (created here and dropped at the end), starts ``tongke serve`` as a
subprocess on a port in 8200-8299, signs in as the regional admin ``bj_admin``, creates an
API token, and drives a loopback load generator (raw keep-alive HTTP/1.1 on asyncio, N
connections, a warm-up, then a fixed measured window) against:

  healthz   GET /healthz: a trivial Django view, the framework ceiling of this server
  home      GET /  signed in as bj_admin (session cookie)
  schools   GET /api/v1/schools?limit=50  (bearer token)
  people    GET /api/v1/people?limit=50   (bearer token)

SQLite runs with 1 server process. PostgreSQL runs with 1 process, then with ``--workers``
processes (default 2) and TONGKE_REDIS_URL set (Redis cache and cached_db sessions). The
PostgreSQL database belongs to a role made for the run; role and database are limited to
``--pg-conn-limit`` connections (60), so a server that opens too many cannot starve other users
of the same PostgreSQL, and the database is ANALYZEd after seeding (autovacuum would do it a
minute later; without it the first minute runs on default planner estimates). Both are dropped
at the end.

It prints successful (2xx) requests/s, their p50/p99 latency, the count of other answers
(non-2xx or broken connections), the ratio to /healthz measured against the same server, the
median latency of a request sent alone, CPU use of server and load generator, the server's
peak RSS (VmRSS of the server process and all its children, summed, sampled every 100 ms) and,
on PostgreSQL, new database connections per request and the most connections open at once.
A server error (5xx) makes it summarise the server log and exit with status 1. The last line
is machine-readable:

    http: sqlite_home_rps=N sqlite_ratio=N pg_home_rps=N pg_ratio=N peak_rss_mib=N

(pg_* from the 1-process PostgreSQL server, the same shape as the SQLite one; peak_rss_mib is
the highest peak over all servers measured; "na" where a database was not run.)

Client and server share the machine: on a 2-core box the load generator takes part of the
CPU the server could otherwise use, so the figures are a floor for a separate client.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import (  # bench/ is on sys.path when a script here runs
    clean_env,
    percentile,
    pg_admin,
    pg_create,
    pg_drop,
    proc_table,
    rss_kib,
    run_async,
    tongke,
    tree,
)

BENCH_DIR = Path(__file__).resolve().parent

ROOT = BENCH_DIR.parent
HOST = "127.0.0.1"
PORTS = range(8200, 8300)
USERNAME = "bj_admin"
PG_DB = "tongke_bench_http"
# The server connects as its own non-superuser role, with a connection limit on the role and
# the database: a server that opens too many connections then fails on its own database and
# cannot starve other users of this PostgreSQL (limits do not bind a superuser).
PG_ROLE = "tongke_bench_http"
PG_CONN_LIMIT = 60
SOLO_REQUESTS = 5
CLK_TCK = os.sysconf("SC_CLK_TCK")

ENDPOINTS = [
    # (name, path, auth)
    ("healthz", "/healthz", None),
    ("home", "/", "session"),
    ("schools", "/api/v1/schools?limit=50", "token"),
    ("people", "/api/v1/people?limit=50", "token"),
]


# --- A small raw HTTP/1.1 client (keep-alive, Content-Length or chunked bodies) ------------


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            name = name.strip().lower()
            value = value.strip()
            # Several Set-Cookie headers: keep them all, one per line.
            headers[name] = f"{headers[name]}\n{value}" if name in headers else value
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # no trailers expected
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    elif status in (204, 304) or 100 <= status < 200:
        body = b""
    else:
        body = await reader.read()
        headers["connection"] = "close"
    return status, headers, body


def build_request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "User-Agent: tongke-bench"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method not in ("GET", "HEAD"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def request_once(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(build_request(port, method, path, headers, body))
        await writer.drain()
        return await read_response(reader)
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


def cookies_from(headers: dict[str, str]) -> dict[str, str]:
    jar = {}
    for line in headers.get("set-cookie", "").split("\n"):
        if "=" in line:
            name, value = line.split(";", 1)[0].split("=", 1)
            jar[name.strip()] = value.strip()
    return jar


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


async def sign_in(port: int, password: str) -> tuple[dict[str, str], str]:
    """Sign in as bj_admin through the login form; create an API token. (cookies, token)"""
    status, headers, _ = await request_once(port, "GET", "/accounts/login/")
    jar = cookies_from(headers)
    if status != 200 or "csrftoken" not in jar:
        raise RuntimeError(f"GET /accounts/login/ answered {status}, cookies {sorted(jar)}")
    form = urllib.parse.urlencode(
        {
            "username": USERNAME,
            "password": password,
            "csrfmiddlewaretoken": jar["csrftoken"],
        }
    ).encode()
    status, headers, body = await request_once(
        port,
        "POST",
        "/accounts/login/",
        {
            "Cookie": cookie_header(jar),
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{HOST}:{port}/accounts/login/",
        },
        form,
    )
    jar |= cookies_from(headers)  # the session, and the CSRF token rotated at sign-in
    if status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"sign-in as {USERNAME} answered {status}: {body[:300]!r}")
    status, headers, body = await request_once(
        port,
        "POST",
        "/api/v1/tokens",
        {
            "Cookie": cookie_header(jar),
            "X-CSRFToken": jar["csrftoken"],
            "Content-Type": "application/json",
            "Referer": f"http://{HOST}:{port}/",
        },
        json.dumps({"name": "bench"}).encode(),
    )
    if status != 201:
        raise RuntimeError(f"POST /api/v1/tokens answered {status}: {body[:300]!r}")
    return jar, json.loads(body)["secret"]


# --- The load generator ------------------------------------------------------------------


@dataclass
class LoadResult:
    ok: int = 0  # 2xx answers completed inside the measured window
    errors: int = 0  # non-2xx answers
    failures: int = 0  # broken connections
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)  # of the 2xx answers
    seconds: float = 0.0
    body_bytes: int = 0


async def _connection(
    port: int, req: bytes, t_record: float, t_stop: float, out: LoadResult
) -> None:
    loop = asyncio.get_running_loop()
    reader = writer = None
    while loop.time() < t_stop:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, port)
            assert reader is not None
            t0 = loop.time()
            writer.write(req)
            status, headers, body = await read_response(reader)
            t1 = loop.time()
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            if loop.time() >= t_record:
                out.failures += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.01)
            continue
        if t_record <= t1 <= t_stop:
            out.statuses[status] = out.statuses.get(status, 0) + 1
            if 200 <= status < 300:
                out.ok += 1
                out.latencies.append(t1 - t0)
                out.body_bytes = len(body)
            else:
                out.errors += 1
        if headers.get("connection", "").lower() == "close":
            assert writer is not None
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def solo(port: int, req: bytes, n: int) -> tuple[float, list[int]]:
    """Median latency of the 2xx answers among ``n`` requests sent one after another on one
    connection (NaN if none), and the statuses of all."""
    loop = asyncio.get_running_loop()
    reader, writer = await asyncio.open_connection(HOST, port)
    times, statuses = [], []
    try:
        for _ in range(n):
            t0 = loop.time()
            writer.write(req)
            status, _, _ = await read_response(reader)
            if 200 <= status < 300:
                times.append(loop.time() - t0)
            statuses.append(status)
    finally:
        writer.close()
    return (sorted(times)[len(times) // 2] if times else float("nan")), statuses


async def drive(port: int, req: bytes, concurrency: int, warmup: float, duration: float) -> Any:
    loop = asyncio.get_running_loop()
    start = loop.time()
    t_record, t_stop = start + warmup, start + warmup + duration
    out = LoadResult(seconds=duration)
    tasks = [
        asyncio.create_task(_connection(port, req, t_record, t_stop, out))
        for _ in range(concurrency)
    ]
    # Requests in flight at the stop time are not counted: give them a moment, then cut off.
    _, pending = await asyncio.wait(tasks, timeout=warmup + duration + 5)
    for task in pending:
        task.cancel()
    return out


# --- The server under test: process tree, RSS and CPU --------------------------------------


def pg_cpu_ticks(postmaster: int) -> int | None:
    """CPU ticks used so far by a local PostgreSQL: the postmaster, its live children, and its
    exited children (cutime/cstime). All databases, not only the bench one."""
    try:
        with open(f"/proc/{postmaster}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    reaped = int(fields[13]) + int(fields[14])
    return reaped + sum(tree(postmaster).values())


class Sampler(threading.Thread):
    """Every 100 ms: the summed RSS of the server's process tree and, on PostgreSQL, how
    many connections are open to the bench database."""

    def __init__(self, root: int, pg_url: str = ""):
        super().__init__(daemon=True)
        self.root = root
        self.pg_url = pg_url
        self.peak_kib = 0
        self.window_peak_kib = 0
        self.window_peak_conns = 0
        self._halt = threading.Event()

    def run(self) -> None:
        conn = None
        if self.pg_url:
            import psycopg

            with contextlib.suppress(Exception):
                conn = psycopg.connect(f"{self.pg_url}/postgres", autocommit=True)
        try:
            while not self._halt.wait(0.1):
                kib = rss_kib(tree(self.root))
                self.peak_kib = max(self.peak_kib, kib)
                self.window_peak_kib = max(self.window_peak_kib, kib)
                if conn is not None:
                    with contextlib.suppress(Exception):
                        row = conn.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (PG_DB,)
                        ).fetchone()
                        n = int(row[0]) if row else 0
                        self.window_peak_conns = max(self.window_peak_conns, n)
        finally:
            if conn is not None:
                conn.close()

    def start_window(self) -> None:
        self.window_peak_kib = 0
        self.window_peak_conns = 0

    def stop(self) -> None:
        self._halt.set()
        self.join()


def wait_idle(root: int, limit: float = 120) -> float:
    """Wait until the server has worked off requests left from a previous load (under 10%
    of a core over half a second); returns the seconds waited."""
    t0 = time.perf_counter()
    last = sum(tree(root).values())
    while time.perf_counter() - t0 < limit:
        time.sleep(0.5)
        now = sum(tree(root).values())
        if (now - last) / CLK_TCK < 0.05:
            break
        last = now
    return time.perf_counter() - t0


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8200-8299")


def forget_cached_session(redis_url: str, session_key: str) -> None:
    """Delete the bench's signed-in session from Redis (cached_db sessions live 2 weeks);
    the key follows config.base: KEY_PREFIX "tongke", version 1."""
    with contextlib.suppress(Exception):
        import redis

        redis.Redis.from_url(redis_url).delete(
            f"tongke:1:django.contrib.sessions.cached_db{session_key}"
        )


def seed(env: dict[str, str]) -> None:
    t0 = time.perf_counter()
    done = subprocess.run(
        tongke("demo", "--no-serve"), env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"tongke demo --no-serve failed:\n{done.stdout}\n{done.stderr}")
    print(f"  seeded the demo region in {time.perf_counter() - t0:.1f} s", flush=True)


class Server:
    def __init__(self, env: dict[str, str], workers: int, log_path: Path):
        self.port = free_port()
        self.workers = workers
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 (kept open for the server's life)
        self.proc = subprocess.Popen(
            tongke("serve", "--port", str(self.port), "--workers", str(workers)),
            env=env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one below
        )

    def wait_ready(self, timeout: float = 90) -> float:
        t0 = time.perf_counter()
        deadline = t0 + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                status, _, _ = run_async(request_once(self.port, "GET", "/healthz"))
                if status == 200:
                    # With several workers, give the others a moment to come up as well.
                    time.sleep(1.0 if self.workers > 1 else 0.2)
                    return time.perf_counter() - t0
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not ready in {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()

    def log_tail(self, lines: int = 60) -> str:
        self._log.flush()
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def log_errors(self) -> list[str]:
        """The server log's error lines and exception messages, counted: "N x line"."""
        self._log.flush()
        counts: dict[str, int] = {}
        for line in self.log_path.read_text(errors="replace").splitlines():
            if " ERROR " in line:
                line = line.split(" ERROR ", 1)[1]  # drop the timestamp
            elif not re.match(r"^[\w.]+(Error|Exception|Exit): ", line):
                continue
            counts[line[:240]] = counts.get(line[:240], 0) + 1
        return [f"{n} x {line}" for line, n in sorted(counts.items(), key=lambda kv: -kv[1])]


# --- PostgreSQL: a fresh database, dropped at the end --------------------------------------


def pg_analyze(base_url: str) -> None:
    import psycopg

    with psycopg.connect(f"{base_url}/{PG_DB}", autocommit=True) as conn:
        conn.execute("ANALYZE")


class PgProbe:
    """One superuser connection (it may use the reserved slots, so it still answers when the
    server has used up its connections) reading the bench database's statistics."""

    def __init__(self, base_url: str):
        import psycopg

        self.conn = psycopg.connect(f"{base_url}/postgres", autocommit=True)
        self.postmaster: int | None = None
        # The postmaster is the parent of the checkpointer; found only if PostgreSQL runs
        # on this machine (its processes are then in /proc).
        with contextlib.suppress(Exception):
            row = self.conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"
            ).fetchone()
            if row:
                ppid = proc_table().get(int(row[0]), (0, 0))[0]
                self.postmaster = ppid or None

    def sessions(self) -> int | None:
        """Sessions ever opened on the bench database (pg_stat_database.sessions, PG 14+)."""
        try:
            row = self.conn.execute(
                "SELECT sessions FROM pg_stat_database WHERE datname = %s", (PG_DB,)
            ).fetchone()
        except Exception:
            return None
        return int(row[0]) if row and row[0] is not None else None

    def close(self) -> None:
        self.conn.close()


# --- One server configuration --------------------------------------------------------------


@dataclass
class Row:
    endpoint: str
    path: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    failures: int
    statuses: dict[int, int]
    body_bytes: int
    server_cpu: float  # percent of one core, summed over server processes
    db_cpu: float | None  # percent of one core used by PostgreSQL (all its processes)
    client_cpu: float
    window_rss_mib: float
    db_conns_per_req: float | None
    db_conns_peak: int | None
    solo_ms: float


@dataclass
class ConfigResult:
    db: str
    workers: int
    redis: bool
    rows: list[Row]
    idle_rss_mib: float
    peak_rss_mib: float
    startup_s: float
    server_errors: list[str]

    @property
    def label(self) -> str:
        return f"{self.db}, {self.workers} worker{'s' if self.workers > 1 else ''}" + (
            ", redis" if self.redis else ""
        )

    def row(self, endpoint: str) -> Row | None:
        return next((r for r in self.rows if r.endpoint == endpoint), None)


def measure(
    label: str,
    db: str,
    env: dict[str, str],
    workers: int,
    args: argparse.Namespace,
    log_path: Path,
    pg_url: str = "",
) -> ConfigResult:
    print(f"\n== {label}", flush=True)
    server = Server(env, workers, log_path)
    sampler: Sampler | None = None
    jar: dict[str, str] = {}
    probe = PgProbe(pg_url) if pg_url else None
    try:
        startup = server.wait_ready()
        time.sleep(0.5)
        idle_kib = rss_kib(tree(server.proc.pid))
        print(
            f"  server on port {server.port} (pid {server.proc.pid}), ready in {startup:.1f} s, "
            f"idle RSS {idle_kib / 1024:.0f} MiB",
            flush=True,
        )
        jar, token = run_async(sign_in(server.port, demo_password()))
        auth = {
            None: {},
            "session": {"Cookie": cookie_header(jar)},
            "token": {"Authorization": f"Bearer {token}"},
        }
        sampler = Sampler(server.proc.pid, pg_url)
        sampler.start()
        rows = []
        for name, path, how in ENDPOINTS:
            waited = wait_idle(server.proc.pid)
            if waited > 1:
                print(f"  (waited {waited:.0f} s for the server to finish earlier requests)")
            req = build_request(server.port, "GET", path, {"Accept": "*/*", **auth[how]})
            status, _, body = run_async(
                request_once(server.port, "GET", path, {"Accept": "*/*", **auth[how]})
            )
            if name == "home" and b"/accounts/logout/" not in body:
                print(f"  warning: {path} does not look signed in as {USERNAME}", flush=True)
            solo_s, solo_statuses = run_async(solo(server.port, req, SOLO_REQUESTS))
            solo_ms = solo_s * 1000
            if any(not 200 <= st < 300 for st in solo_statuses):
                print(f"  warning: {path} answered {solo_statuses} when alone", flush=True)
            sampler.start_window()
            cpu0, self0 = sum(tree(server.proc.pid).values()), resource.getrusage(0)
            db0 = pg_cpu_ticks(probe.postmaster) if probe and probe.postmaster else None
            sessions0 = probe.sessions() if probe else None
            t0 = time.perf_counter()
            out: LoadResult = run_async(
                drive(server.port, req, args.concurrency, args.warmup, args.duration)
            )
            wall = time.perf_counter() - t0
            cpu1, self1 = sum(tree(server.proc.pid).values()), resource.getrusage(0)
            db1 = pg_cpu_ticks(probe.postmaster) if probe and probe.postmaster else None
            sessions1 = probe.sessions() if probe else None
            client = (self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime)
            lat = sorted(out.latencies)
            total_reqs = max(1, out.ok + out.errors)
            row = Row(
                endpoint=name,
                path=path,
                rps=out.ok / args.duration,
                p50_ms=percentile(lat, 0.50) * 1000,
                p99_ms=percentile(lat, 0.99) * 1000,
                errors=out.errors,
                failures=out.failures,
                statuses=dict(sorted(out.statuses.items())),
                body_bytes=out.body_bytes or len(body),
                server_cpu=100 * (cpu1 - cpu0) / CLK_TCK / wall,
                db_cpu=(
                    100 * (db1 - db0) / CLK_TCK / wall
                    if db0 is not None and db1 is not None
                    else None
                ),
                client_cpu=100 * client / wall,
                window_rss_mib=sampler.window_peak_kib / 1024,
                db_conns_per_req=(
                    (sessions1 - sessions0) / total_reqs
                    if sessions0 is not None and sessions1 is not None
                    else None
                ),
                db_conns_peak=sampler.window_peak_conns if pg_url else None,
                solo_ms=solo_ms,
            )
            rows.append(row)
            extra = f", first answer {status}" if status != 200 else ""
            print(
                f"  {name:<8} {row.rps:8.1f} req/s  p50 {ms(row.p50_ms):>7} ms  "
                f"p99 {ms(row.p99_ms):>7} ms  alone {ms(row.solo_ms)} ms  non-2xx {row.errors}  "
                f"broken {row.failures}  statuses {row.statuses}{extra}",
                flush=True,
            )
        sampler.stop()
        errors = server.log_errors()
        if errors:
            print(f"  server log {log_path} has errors:")
            print("\n".join(f"    {line}" for line in errors[:12]), flush=True)
        return ConfigResult(
            db=db,
            workers=workers,
            redis=bool(env.get("TONGKE_REDIS_URL")),
            rows=rows,
            idle_rss_mib=idle_kib / 1024,
            peak_rss_mib=sampler.peak_kib / 1024,
            startup_s=startup,
            server_errors=errors,
        )
    finally:
        if sampler is not None and sampler.is_alive():
            sampler.stop()
        if probe is not None:
            probe.close()
        server.stop()
        if env.get("TONGKE_REDIS_URL") and jar.get("sessionid"):
            forget_cached_session(env["TONGKE_REDIS_URL"], jar["sessionid"])


# --- Report --------------------------------------------------------------------------------


def conditions(args: argparse.Namespace) -> list[str]:
    cpu_model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, IndexError, ValueError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1024 / 1024:.1f} GiB RAM"

    def version(pkg: str) -> str:
        try:
            return importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            return "-"

    try:
        import uvloop  # noqa: F401

        client_loop = "uvloop"
    except ImportError:
        client_loop = "asyncio"
    settings = os.environ.get("DJANGO_SETTINGS_MODULE")
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    return [
        f"date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"machine: {os.cpu_count()} CPUs ({cpu_model or platform.machine()}){mem}, "
        f"{platform.system()} {platform.release()}, load average at start {' '.join(load)}",
        f"python {platform.python_version()}, django {version('django')}, "
        f"django-ninja {version('django-ninja')}, uvicorn {version('uvicorn')}, "
        f"uvloop {version('uvloop')}, httptools {version('httptools')}, "
        f"psycopg {version('psycopg')}",
        f"load: {args.concurrency} keep-alive connections, {args.warmup:g} s warm-up + "
        f"{args.duration:g} s measured per endpoint, raw HTTP/1.1 client on {client_loop}, "
        "same machine as the server (loopback)",
        f"server settings: {settings} (from DJANGO_SETTINGS_MODULE)"
        if settings
        else "server settings: config.base (the default)",
    ]


def table(results: list[ConfigResult]) -> str:
    head = (
        "| server | endpoint | 2xx req/s | p50 ms | p99 ms | failed | vs /healthz | alone ms "
        "| body bytes | server CPU | client CPU | PG CPU | peak RSS MiB | new DB conns/req "
        "| peak DB conns |"
    )
    lines = [head, "|" + "---|" * 15]
    for res in results:
        ceiling = res.row("healthz")
        for r in res.rows:
            ratio = r.rps / ceiling.rps if ceiling and ceiling.rps else float("nan")
            conns = f"{r.db_conns_per_req:.2f}" if r.db_conns_per_req is not None else "-"
            peak = str(r.db_conns_peak) if r.db_conns_peak is not None else "-"
            dbcpu = f"{r.db_cpu:.0f}%" if r.db_cpu is not None else "-"
            bad = r.errors + r.failures
            lines.append(
                f"| {res.label} | `{r.path}` | {r.rps:,.1f} | {ms(r.p50_ms)} | {ms(r.p99_ms)} "
                f"| {bad} | {ratio:.3f} | {ms(r.solo_ms)} | {r.body_bytes:,} "
                f"| {r.server_cpu:.0f}% | {r.client_cpu:.0f}% | {dbcpu} | {r.window_rss_mib:.0f} "
                f"| {conns} "
                f"| {peak} |"
            )
    return "\n".join(lines)


def ms(value: float) -> str:
    return "-" if value != value else f"{value:.1f}"  # NaN: nothing completed


def fmt(value: float | None, digits: int) -> str:
    return "na" if value is None else f"{value:.{digits}f}"


def summary(results: list[ConfigResult]) -> str:
    def home(db: str) -> tuple[float | None, float | None]:
        res = next((r for r in results if r.db == db and r.workers == 1), None)
        if res is None or res.row("home") is None or res.row("healthz") is None:
            return None, None
        rps, ceiling = res.row("home").rps, res.row("healthz").rps  # type: ignore[union-attr]
        return rps, (rps / ceiling if ceiling else None)

    s_rps, s_ratio = home("sqlite")
    p_rps, p_ratio = home("postgres")
    peak = max((r.peak_rss_mib for r in results), default=None)
    return (
        f"http: sqlite_home_rps={fmt(s_rps, 1)} sqlite_ratio={fmt(s_ratio, 3)} "
        f"pg_home_rps={fmt(p_rps, 1)} pg_ratio={fmt(p_ratio, 3)} peak_rss_mib={fmt(peak, 0)}"
    )


# --- Main ----------------------------------------------------------------------------------


def demo_password() -> str:
    """DEMO_PASSWORD from tongke.demo.seed, read without setting up Django in this process."""
    text = (ROOT / "tongke" / "demo" / "seed.py").read_text()
    found = re.search(r'^DEMO_PASSWORD\s*=\s*"([^"]+)"', text, re.M)
    if not found:
        raise RuntimeError("DEMO_PASSWORD not found in tongke/demo/seed.py")
    return found.group(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="measured seconds/endpoint")
    parser.add_argument("--warmup", type=float, default=2, help="warm-up seconds/endpoint")
    parser.add_argument("--concurrency", type=int, default=32, help="keep-alive connections")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="PostgreSQL: also measure this many server processes with Redis (1: skip)",
    )
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--pg-conn-limit",
        type=int,
        default=PG_CONN_LIMIT,
        help="connection limit of the bench role and database (protects other users)",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--keep", action="store_true", help="keep the data homes and server logs")
    args = parser.parse_args()

    cond = conditions(args)
    print("Tongke HTTP benchmark (bench/httpbench.py)")
    print("\n".join(f"  {line}" for line in cond), flush=True)

    work = Path(tempfile.mkdtemp(prefix="tongke-bench-http-"))
    results: list[ConfigResult] = []
    pg_created = False
    try:
        if args.db in ("sqlite", "both"):
            env = clean_env(work / "sqlite")
            print("\n== setting up SQLite in", work / "sqlite", flush=True)
            seed(env)
            results.append(
                measure("sqlite, 1 worker", "sqlite", env, 1, args, work / "sqlite-serve.log")
            )
        if args.db in ("postgres", "both"):
            pg_url = args.pg_url.rstrip("/")
            print(f"\n== setting up PostgreSQL database {PG_DB}", flush=True)
            pg_created = True
            db_url = pg_create(pg_url, args.pg_conn_limit, PG_DB)
            version = pg_admin(pg_url, "SHOW server_version")[0][0]
            max_conns = pg_admin(pg_url, "SHOW max_connections")[0][0]
            cond.append(
                f"postgresql {version} (max_connections {max_conns}); the server connects as "
                f"role {PG_ROLE}, role and database limited to {args.pg_conn_limit} connections"
            )
            print(f"  {cond[-1]}", flush=True)
            env = clean_env(work / "pg", database_url=db_url)
            seed(env)
            # Planner statistics for the freshly loaded tables, as autovacuum would gather
            # within a minute or so; without them the first minute runs on default estimates.
            pg_analyze(pg_url)
            results.append(
                measure(
                    "postgres, 1 worker",
                    "postgres",
                    env,
                    1,
                    args,
                    work / "pg1-serve.log",
                    pg_url,
                )
            )
            if args.workers > 1:
                env = clean_env(work / "pg", database_url=db_url, redis_url=args.redis_url)
                results.append(
                    measure(
                        f"postgres, {args.workers} workers, redis",
                        "postgres",
                        env,
                        args.workers,
                        args,
                        work / f"pg{args.workers}-serve.log",
                        pg_url,
                    )
                )
    finally:
        if pg_created:
            try:
                pg_drop(args.pg_url.rstrip("/"), PG_DB)
            except Exception as exc:
                print(f"could not drop {PG_DB} / role {PG_ROLE}: {exc}", file=sys.stderr)
        if args.keep:
            print(f"\nkept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    print("\nResults")
    print("\n".join(f"  {line}" for line in cond))
    print()
    print(table(results))
    print()
    for res in results:
        print(
            f"{res.label}: idle RSS {res.idle_rss_mib:.0f} MiB, peak RSS {res.peak_rss_mib:.0f} "
            f"MiB (server process + children, summed), started in {res.startup_s:.1f} s"
        )
        for line in res.server_errors[:12]:
            print(f"  server log: {line}")
    print()
    print(summary(results))
    return 1 if any(r.server_errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
