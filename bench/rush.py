"""A course-selection rush through the real HTTP API, on SQLite and on PostgreSQL.

    uv run python bench/rush.py [--db sqlite|postgres|both] [--students 5000] [--sections 200]
                                [--hot 20] [--concurrency 64] [--pg-workers 4] [--chaos] [--quick]

For each database it seeds the demo region into a throw-away data home (SQLite) or a fresh
PostgreSQL database (made here, with a role of its own limited to ``--pg-conn-limit``
connections, both dropped at the end), then runs ``bench/_rushsetup.py`` in a subprocess:
the demo's students of Beijing, plus enough new students in Haidian and Chaoyang classes to
reach ``--students`` (leaving out students whose class has a fixed home timetable or who
hold picks in the demo's own rounds); a first-come round for Beijing with ``--sections``
sections, the first ``--hot`` of them with ``--seats`` seats (30) and the others with
``--cold-seats`` (500), each in a weekly slot of its own (no timetable clash can refuse a
pick); one API token per student. It starts ``tongke serve`` on a port in 8300-8399 (1
process on SQLite, ``--pg-workers`` on PostgreSQL, with TONGKE_REDIS_URL set), and every
student rushes:

- each student picks ``min(4, hot)`` hot sections at random and one cold one (5,000 students
  and 20 hot sections: about 1,000 takers for each 30-seat section);
- the picks of all students are shuffled into one queue that ``--concurrency`` keep-alive
  HTTP/1.1 connections (raw asyncio client, bearer token of the student) send as
  ``POST /api/v1/courses/selections`` with a unique ``Idempotency-Key`` each;
- about ``--retry-rate`` (5%) of the picks are sent again later with the same key, as a client
  that missed the answer would (a retry of a 201 must answer 200 with the same selection);
- about ``--twin-rate`` (1%) are sent twice at once on two connections with the same key (a
  double click); the two answers must not make two selections;
- a connection that breaks is reopened and its request sent again, same key.

201 is a new enrollment, 200 a replay, 409 ``courses.full`` a valid refusal. After the rush
the server is stopped and the database is read directly:

  overbooked   sections whose seat-holding selections (pending, enrolled) outnumber their
               seats, or whose ``taken`` counter differs from that count
  lost         acknowledged selections (201/200 enrolled or pending) missing from the database,
               or there no longer seat-holding, or for another student, section or key
  duplicates   (student, section) pairs with more than one live selection, keys with more than
               one row, and keys or pairs acknowledged with two different selection ids

and also: hot sections that did not end exactly full, seat-holding rows no client was told
about (phantoms), selections without their audit event, replays that did not answer as
the first time, 5xx answers, requests left without an answer, and answers other than 201,
200 and 409 ``courses.full`` (a twin answered 409 ``courses.already_selected`` while its
twin got the seat is printed as a NOTE, not counted); with ``--chaos``, a killed worker that
is not replaced within 60 s. Any of these makes the script exit with status 1.

The ceiling, measured in the same run after the rush: the same picks (one attempt each, same
order) as straight SQL from this process, on a copy of the sections in a round that is never
opened: per attempt one transaction with the conditional ``UPDATE courses_offering SET taken =
taken + 1 WHERE id = ? AND taken < seats AND is_active`` and, when it took a seat, the
``INSERT`` of the selection (``--ceiling-threads`` connections: sqlite3 with BEGIN IMMEDIATE,
psycopg). ``ratio_to_db_ceiling`` is HTTP enrollments/s over ceiling enrollments/s.

``--chaos`` (needs ``--pg-workers`` >= 2, and ``--sqlite-workers`` >= 2 on SQLite): when
``--chaos-at`` (30%) of the picks are answered, one uvicorn worker process gets SIGKILL;
uvicorn's supervisor should start a new one (it checks its workers every 0.5 s); clients whose
connection broke resend with the same key; the same invariants are checked and the script says
whether, and how fast, the worker was replaced. ``--quick`` is a small run for CI (600
students, 20 sections, 2 hot, one hot and one cold pick per student: about 30 s per database on
2 cores).

Each run prints its figures and a line ``rush[<db>]: ...``; the last line is

    rush: overbooked=N lost=N duplicates=N enroll_per_s=N p99_ms=N ratio_to_db_ceiling=N

(counts summed over the runs; the figures from the PostgreSQL run when there was one, else
from SQLite). enroll_per_s counts acknowledged enrollments over the rush's wall time, from
the first request to the last answer; p99_ms is the 99th percentile of every request's time
from its first send to its final answer (resends after a broken connection included).

Client and server share the machine: on a 2-core box the load generator takes part of the
CPU the server could otherwise use (its CPU use is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
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
PORTS = range(8300, 8400)
PG_DB = "tongke_bench_rush"
# The server connects as its own non-superuser role, limited like its database, so a server
# that opens too many connections fails on its own database and cannot starve other users of
# this PostgreSQL. The bench's own reads and the ceiling use the superuser URL.
PG_ROLE = "tongke_bench_rush"
PG_CONN_LIMIT = 60
SELECTIONS = "/api/v1/courses/selections"
SEAT_HOLDING = ("pending", "enrolled")
ACTIVE = ("pending", "enrolled", "waitlisted")
REQUEST_TIMEOUT = 300.0  # seconds without an answer before a request counts as broken
MAX_RESENDS = 20
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- A small raw HTTP/1.1 client (keep-alive, Content-Length or chunked bodies) ------------


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
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
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "User-Agent: tongke-rush"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method not in ("GET", "HEAD"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def request_once(port: int, method: str, path: str, headers: dict[str, str] | None = None):
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(build_request(port, method, path, headers))
        await writer.drain()
        return await read_response(reader)
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


class Conn:
    """One keep-alive connection. ``exchange`` sends a request and reads its answer; when
    the connection breaks it opens a new one and sends the same bytes again (same
    Idempotency-Key), as a careful client would."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def exchange(self, req: bytes) -> tuple[int, bytes, int, str]:
        """(status, body, resends, last error); status 0: no answer after MAX_RESENDS."""
        resends = 0
        error = ""
        loop = asyncio.get_running_loop()
        while True:
            sent = loop.time()
            try:
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
                assert self.reader is not None
                self.writer.write(req)
                status, headers, body = await asyncio.wait_for(
                    read_response(self.reader), REQUEST_TIMEOUT
                )
            except (
                OSError,
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
                ValueError,
                TimeoutError,
            ) as exc:
                self.close()
                # What broke, and how long after the request was sent.
                error = f"{type(exc).__name__} after {loop.time() - sent:.1f} s"
                if resends >= MAX_RESENDS:
                    return 0, b"", resends, error
                resends += 1
                await asyncio.sleep(min(1.0, 0.05 * resends))
                continue
            if headers.get("connection", "").lower() == "close":
                self.close()
            return status, body, resends, error


# --- The plan: who picks what ---------------------------------------------------------------


@dataclass
class Pick:
    n: int
    student: int  # index into the set-up's students
    offering: int
    hot: bool
    key: str
    twin: bool


@dataclass
class Answer:
    pick: Pick
    kind: str  # first | retry | twin
    status: int  # 0: no answer
    code: str = ""
    sel_id: int | None = None
    sel_status: str = ""
    latency: float = 0.0
    resends: int = 0
    error: str = ""
    at: float = 0.0  # seconds since the rush started


def make_plan(setup: dict[str, Any], hot_picks: int, twin_rate: float, seed: int) -> list[Pick]:
    rng = random.Random(seed)
    hot = [s["id"] for s in setup["sections"] if s["hot"]]
    cold = [s["id"] for s in setup["sections"] if not s["hot"]]
    picks: list[Pick] = []
    for i in range(len(setup["students"])):
        chosen = [(o, True) for o in rng.sample(hot, hot_picks)] + [(cold[i % len(cold)], False)]
        for offering, is_hot in chosen:
            picks.append(
                Pick(
                    n=0,
                    student=i,
                    offering=offering,
                    hot=is_hot,
                    key=f"rush-{secrets.token_hex(12)}",
                    twin=rng.random() < twin_rate,
                )
            )
    rng.shuffle(picks)
    for n, p in enumerate(picks):
        p.n = n
    return picks


# --- The load generator ---------------------------------------------------------------------


class Rush:
    def __init__(
        self,
        port: int,
        picks: list[Pick],
        secrets_: list[str],
        concurrency: int,
        retry_rate: float,
        seed: int,
        on_progress: Callable[[Rush], Any] | None = None,
    ):
        self.port = port
        self.secrets = secrets_
        self.concurrency = concurrency
        self.retry_rate = retry_rate
        self.rng = random.Random(seed + 1)
        self.queue: collections.deque[tuple[Pick, str]] = collections.deque(
            (p, "first") for p in picks
        )
        self.total_first = len(picks)
        self.answers: list[Answer] = []
        self.first_answered = 0
        self.enrolled = 0
        self.t0 = 0.0
        self.wall = 0.0
        self.on_progress = on_progress

    def request(self, pick: Pick) -> bytes:
        body = json.dumps({"offering_id": pick.offering, "waitlist": False}).encode()
        return build_request(
            self.port,
            "POST",
            SELECTIONS,
            {
                "Authorization": f"Bearer {self.secrets[pick.student]}",
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Idempotency-Key": pick.key,
            },
            body,
        )

    def record(self, pick: Pick, kind: str, started: float, result: tuple) -> Answer:
        loop = asyncio.get_running_loop()
        status, body, resends, error = result
        now = loop.time()
        ans = Answer(pick, kind, status, latency=now - started, resends=resends, error=error)
        ans.at = now - self.t0
        if status:
            try:
                data = json.loads(body)
            except ValueError:
                data = {}
            if 200 <= status < 300:
                ans.sel_id = data.get("id")
                ans.sel_status = data.get("status", "")
                if status == 201 and ans.sel_status in SEAT_HOLDING:
                    self.enrolled += 1
            else:
                ans.code = str(data.get("code", "")) if isinstance(data, dict) else ""
        self.answers.append(ans)
        if kind != "retry":
            self.first_answered += 1
        return ans

    async def client(self) -> None:
        loop = asyncio.get_running_loop()
        conn = Conn(self.port)
        try:
            while self.queue:
                pick, kind = self.queue.popleft()
                req = self.request(pick)
                started = loop.time()
                if kind == "first" and pick.twin:
                    other = Conn(self.port)
                    try:
                        a, b = await asyncio.gather(conn.exchange(req), other.exchange(req))
                    finally:
                        other.close()
                    self.record(pick, "twin", started, a)
                    self.record(pick, "twin", started, b)
                    continue
                self.record(pick, kind, started, await conn.exchange(req))
                if kind == "first" and self.rng.random() < self.retry_rate:
                    # Sent again later, from wherever it lands in the queue.
                    self.queue.insert(self.rng.randrange(len(self.queue) + 1), (pick, "retry"))
        finally:
            conn.close()

    async def progress(self) -> None:
        last = 0
        while True:
            await asyncio.sleep(10)
            now = asyncio.get_running_loop().time() - self.t0
            n = len(self.answers)
            print(
                f"    {now:6.0f} s  answers {n:,} ({(n - last) / 10:.0f}/s)  first picks "
                f"{self.first_answered:,}/{self.total_first:,}  enrolled {self.enrolled:,}",
                flush=True,
            )
            last = n

    async def run(self, extra: list[Any] | None = None) -> None:
        loop = asyncio.get_running_loop()
        self.t0 = loop.time()
        side = [asyncio.create_task(self.progress())]
        side += [asyncio.create_task(c) for c in extra or []]
        try:
            await asyncio.gather(*(self.client() for _ in range(self.concurrency)))
        finally:
            self.wall = loop.time() - self.t0
            for task in side:
                task.cancel()
            await asyncio.gather(*side, return_exceptions=True)


async def warm_up(port: int, round_id: int, tokens: list[str], n: int) -> list[int]:
    """A few reads of the round, so every worker has loaded the app before the rush."""

    async def one(token: str) -> int:
        status, _, _ = await request_once(
            port, "GET", f"/api/v1/courses/rounds/{round_id}", {"Authorization": f"Bearer {token}"}
        )
        return status

    return list(await asyncio.gather(*(one(tokens[i % len(tokens)]) for i in range(n))))


# --- Processes: the server, its workers, RSS and CPU ----------------------------------------


def worker_pids(root: int) -> list[int]:
    """uvicorn's worker processes: children of the supervisor started by multiprocessing's
    spawn (not its resource tracker)."""
    out = []
    for pid, (ppid, _) in proc_table().items():
        if ppid != root:
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"spawn_main" in cmd:
            out.append(pid)
    return sorted(out)


def pg_cpu_ticks(postmaster: int) -> int | None:
    """CPU ticks used so far by a local PostgreSQL (postmaster, live and exited children)."""
    try:
        with open(f"/proc/{postmaster}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    return int(fields[13]) + int(fields[14]) + sum(tree(postmaster).values())


class Sampler(threading.Thread):
    """Every 100 ms: the summed RSS of the server's process tree, and which worker processes
    exist (so a worker that dies, and its replacement, are seen)."""

    def __init__(self, root: int, multi: bool):
        super().__init__(daemon=True)
        self.root = root
        self.multi = multi
        self.peak_kib = 0
        self.workers_seen: list[int] = []
        self.worker_events: list[tuple[float, str, int]] = []  # (time, "gone"|"new", pid)
        self._halt = threading.Event()
        self._current: set[int] = set(worker_pids(root)) if multi else set()
        self.workers_seen = sorted(self._current)

    def run(self) -> None:
        while not self._halt.wait(0.1):
            self.peak_kib = max(self.peak_kib, rss_kib(tree(self.root)))
            if self.multi:
                now = set(worker_pids(self.root))
                t = time.perf_counter()
                for pid in sorted(self._current - now):
                    self.worker_events.append((t, "gone", pid))
                for pid in sorted(now - self._current):
                    self.worker_events.append((t, "new", pid))
                    self.workers_seen.append(pid)
                self._current = now

    def stop(self) -> None:
        self._halt.set()
        self.join()


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8300-8399")


def run_step(what: str, cmd: list[str], env: dict[str, str]) -> str:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stdout}\n{done.stderr}")
    print(f"  {what} in {time.perf_counter() - t0:.1f} s", flush=True)
    return done.stdout


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
        while time.perf_counter() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}):\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                status, _, _ = run_async(request_once(self.port, "GET", "/healthz"))
                if status == 200:
                    if self.workers > 1:
                        # Every worker up, not only the first one to answer.
                        while (
                            len(worker_pids(self.proc.pid)) < self.workers
                            and time.perf_counter() - t0 < timeout
                        ):
                            time.sleep(0.2)
                        time.sleep(1.0)
                    return time.perf_counter() - t0
            time.sleep(0.2)
        raise RuntimeError(f"server not ready in {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        # A worker started by the supervisor after a kill is in the same process group;
        # make sure nothing of the group is left.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
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
                line = line.split(" ERROR ", 1)[1]
            elif not re.match(r"^[\w.]+(Error|Exception|Exit): ", line):
                continue
            counts[line[:240]] = counts.get(line[:240], 0) + 1
        return [f"{n} x {line}" for line, n in sorted(counts.items(), key=lambda kv: -kv[1])]


# --- PostgreSQL: a fresh database, dropped at the end --------------------------------------


def pg_postmaster(base_url: str) -> int | None:
    """The postmaster's pid, if PostgreSQL runs on this machine (parent of the checkpointer)."""
    with contextlib.suppress(Exception):
        rows = pg_admin(
            base_url, "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"
        )
        if rows:
            return proc_table().get(int(rows[0][0]), (0, 0))[0] or None
    return None


# --- Direct database access: the checks and the ceiling ------------------------------------


class Db:
    """The bench's own connection to the database the server used (sqlite3, or psycopg as the
    PostgreSQL superuser). SQL is written with ``?`` placeholders."""

    def __init__(self, sqlite_path: Path | None = None, pg_url: str = ""):
        self.sqlite_path = sqlite_path
        self.pg_url = pg_url

    @property
    def vendor(self) -> str:
        return "postgres" if self.pg_url else "sqlite"

    def connect(self) -> Any:
        if self.pg_url:
            import psycopg

            return psycopg.connect(self.pg_url, autocommit=True)
        conn = sqlite3.connect(
            str(self.sqlite_path), timeout=20, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA busy_timeout=20000")
        return conn

    def sql(self, text: str) -> str:
        return text.replace("?", "%s") if self.pg_url else text

    def query(self, text: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        conn = self.connect()
        try:
            return list(conn.execute(self.sql(text), params).fetchall())
        finally:
            conn.close()


UPDATE_SEAT = (
    "UPDATE courses_offering SET taken = taken + 1 WHERE id = ? AND taken < seats AND is_active"
)
INSERT_SELECTION = (
    "INSERT INTO courses_selection (student_id, offering_id, round_id, status, "
    "idempotency_key, home_school_id, created_at, updated_at) "
    "VALUES (?, ?, ?, 'enrolled', ?, ?, ?, ?)"
)


def ceiling(db: Db, attempts: list[tuple[int, int, int, str, int]], threads: int) -> Any:
    """The same picks as straight SQL, one transaction per attempt: (seconds, enrolled)."""
    it = iter(attempts)
    lock = threading.Lock()
    counts = [0] * threads
    failures: list[BaseException] = []
    update, insert = db.sql(UPDATE_SEAT), db.sql(INSERT_SELECTION)
    begin = "BEGIN" if db.pg_url else "BEGIN IMMEDIATE"
    barrier = threading.Barrier(threads + 1)

    def work(k: int) -> None:
        conn = db.connect()
        try:
            barrier.wait()
            while True:
                with lock:
                    a = next(it, None)
                if a is None:
                    return
                student, offering, round_id, key, school = a
                now = dt.datetime.now(dt.UTC)
                stamp: Any = now if db.pg_url else now.replace(tzinfo=None).isoformat(" ")
                conn.execute(begin)
                try:
                    if conn.execute(update, (offering,)).rowcount == 1:
                        conn.execute(
                            insert, (student, offering, round_id, key, school, stamp, stamp)
                        )
                        counts[k] += 1
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
        except BaseException as exc:
            failures.append(exc)
        finally:
            conn.close()

    pool = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in pool:
        t.join()
    seconds = time.perf_counter() - t0
    if failures:
        raise RuntimeError(f"ceiling failed: {failures[0]!r}")
    return seconds, sum(counts)


# --- One run ---------------------------------------------------------------------------------


@dataclass
class RunResult:
    label: str
    db: str
    workers: int
    requests: int = 0
    wall_s: float = 0.0
    enrolled: int = 0
    enroll_per_s: float = 0.0
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    ceiling_per_s: float = float("nan")
    ratio: float = float("nan")
    overbooked: int = 0
    lost: int = 0
    duplicates: int = 0
    problems: dict[str, int] = field(default_factory=dict)  # other violations
    lines: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.overbooked or self.lost or self.duplicates or any(self.problems.values()))

    def machine_line(self, name: str = "rush") -> str:
        return (
            f"{name}: overbooked={self.overbooked} lost={self.lost} "
            f"duplicates={self.duplicates} enroll_per_s={fmt(self.enroll_per_s, 1)} "
            f"p99_ms={fmt(self.p99_ms, 0)} ratio_to_db_ceiling={fmt(self.ratio, 4)}"
        )


def fmt(value: float | None, digits: int) -> str:
    return "na" if value is None or value != value else f"{value:.{digits}f}"


def check(db: Db, setup: dict[str, Any], rush: Rush, res: RunResult, hot_seats: int) -> list[str]:
    """Read the database after the rush; fill res's counts; return the report's lines."""
    out: list[str] = []
    round_id = setup["round_id"]
    student_ids = [s[0] for s in setup["students"]]
    hot_ids = {s["id"] for s in setup["sections"] if s["hot"]}

    sections = db.query(
        "SELECT o.id, o.seats, o.taken, (SELECT count(*) FROM courses_selection s "
        "WHERE s.offering_id = o.id AND s.status IN ('pending', 'enrolled')) "
        "FROM courses_offering o WHERE o.round_id = ?",
        (round_id,),
    )
    over = [r for r in sections if r[3] > r[1] or r[2] != r[3]]
    res.overbooked = len(over)
    for oid, seats, taken, held in over[:10]:
        out.append(f"  OVERBOOKED section {oid}: seats {seats}, taken {taken}, holding {held}")
    not_full = [r for r in sections if r[0] in hot_ids and r[3] != hot_seats]
    res.problems["hot_not_full"] = len(not_full)
    for oid, seats, taken, held in not_full[:10]:
        out.append(f"  HOT SECTION NOT FULL {oid}: seats {seats}, taken {taken}, holding {held}")

    rows = db.query(
        "SELECT id, student_id, offering_id, status, idempotency_key FROM courses_selection "
        "WHERE round_id = ?",
        (round_id,),
    )
    by_id = {r[0]: r for r in rows}

    # Lost: acknowledged, but not (or not so) in the database.
    acked: dict[int, Answer] = {}
    acked_keys: dict[str, set[int]] = collections.defaultdict(set)
    acked_pairs: dict[tuple[int, int], set[int]] = collections.defaultdict(set)
    for a in rush.answers:
        if a.status in (200, 201) and a.sel_status in SEAT_HOLDING and a.sel_id is not None:
            acked[a.sel_id] = a
            acked_keys[a.pick.key].add(a.sel_id)
            acked_pairs[(a.pick.student, a.pick.offering)].add(a.sel_id)
    lost = []
    for sel_id, a in acked.items():
        row = by_id.get(sel_id)
        if (
            row is None
            or row[3] not in SEAT_HOLDING
            or row[1] != student_ids[a.pick.student]
            or row[2] != a.pick.offering
            or row[4] != a.pick.key
        ):
            lost.append((sel_id, a, row))
    res.lost = len(lost)
    for sel_id, a, row in lost[:10]:
        out.append(
            f"  LOST selection {sel_id} (answer {a.status} {a.kind}, key {a.pick.key}): {row}"
        )

    # Duplicates: in the database, and in what the clients were told.
    live = collections.Counter((r[1], r[2]) for r in rows if r[3] in ACTIVE)
    dup_pairs = [k for k, n in live.items() if n > 1]
    keys = collections.Counter((r[1], r[4]) for r in rows if r[4] is not None)
    dup_keys = [k for k, n in keys.items() if n > 1]
    two_ids = [k for k, ids in acked_keys.items() if len(ids) > 1]
    two_pair_ids = [k for k, ids in acked_pairs.items() if len(ids) > 1]
    res.duplicates = len(dup_pairs) + len(dup_keys) + len(two_ids) + len(two_pair_ids)
    for what, items in (
        ("live selections of one (student, section)", dup_pairs),
        ("rows of one (student, key)", dup_keys),
        ("key acknowledged with two selection ids", two_ids),
        ("(student, section) acknowledged with two selection ids", two_pair_ids),
    ):
        if items:
            out.append(f"  DUPLICATES, {what}: {len(items)}, e.g. {items[:3]}")

    # Phantoms: seats held by rows no client was told about.
    told = set(acked_keys)
    phantoms = [r for r in rows if r[3] in SEAT_HOLDING and r[4] not in told]
    res.problems["phantom"] = len(phantoms)
    for r in phantoms[:10]:
        out.append(f"  PHANTOM seat-holding row nobody was told about: {r}")

    # Every selection has its audit event, and no event is without its selection.
    events = db.query(
        "SELECT target_id FROM audit_auditevent WHERE action = 'course_selection.create' "
        "AND target_type = 'courses.selection'"
    )
    event_ids = collections.Counter(int(r[0]) for r in events)
    row_ids = set(by_id)
    no_event = [i for i in row_ids if event_ids[i] != 1]
    # Events of selections outside this round (none expected) are not counted.
    res.problems["audit_mismatch"] = len(no_event)
    if no_event:
        out.append(f"  AUDIT: {len(no_event)} selections without exactly one create event")

    # Answers.
    firsts = [a for a in rush.answers if a.kind == "first"]
    retries = [a for a in rush.answers if a.kind == "retry"]
    twins = [a for a in rush.answers if a.kind == "twin"]
    first_by_key = {a.pick.key: a for a in firsts}
    unexpected: collections.Counter[tuple[Any, ...]] = collections.Counter()
    for a in firsts:
        ok = a.status == 201 and a.sel_status in SEAT_HOLDING
        # Resent after a broken connection: the first send may have been served already.
        ok = ok or (a.resends > 0 and a.status == 200 and a.sel_status in SEAT_HOLDING)
        ok = ok or (a.status == 409 and a.code == "courses.full" and a.pick.hot)
        if not ok:
            unexpected[
                (a.status, a.code or a.sel_status or a.error, "hot" if a.pick.hot else "cold")
            ] += 1
    mismatched: collections.Counter[tuple[Any, ...]] = collections.Counter()
    for a in retries:
        first = first_by_key.get(a.pick.key)
        if first is None:
            continue
        if first.status in (200, 201):
            ok = a.status == 200 and a.sel_id == first.sel_id and a.sel_status == first.sel_status
        else:
            ok = (a.status, a.code) == (first.status, first.code)
        if not ok:
            mismatched[(first.status, first.code, a.status, a.code)] += 1
    twin_outcomes: collections.Counter[str] = collections.Counter()
    by_twin: dict[str, list[Answer]] = collections.defaultdict(list)
    for a in twins:
        by_twin[a.pick.key].append(a)
    for pair in by_twin.values():
        ids = {a.sel_id for a in pair if a.status in (200, 201)}
        desc = " + ".join(sorted(f"{a.status}{' ' + a.code if a.code else ''}" for a in pair))
        twin_outcomes[desc + (" (two ids)" if len(ids) > 1 else "")] += 1
        shape = sorted((a.status, a.code) for a in pair)
        if (
            shape
            not in (
                [(200, ""), (201, "")],  # the second answered as the first: a replay
                [(201, ""), (409, "courses.already_selected")],  # refused, but no second seat
                [(409, "courses.full"), (409, "courses.full")],
            )
            or len(ids) > 1
        ):
            unexpected[("twin", *(f"{st} {c}" for st, c in shape))] += 1
    fivexx = sum(1 for a in rush.answers if a.status >= 500)
    unanswered = sum(1 for a in rush.answers if a.status == 0)
    resent = sum(1 for a in rush.answers if a.resends)
    res.problems["5xx"] = fivexx
    res.problems["unanswered"] = unanswered
    res.problems["replay_mismatch"] = sum(mismatched.values())
    res.problems["unexpected_answers"] = sum(unexpected.values())

    statuses = collections.Counter(
        f"{a.status}{' ' + a.code if a.code else ''}" for a in rush.answers
    )
    out.append(
        "  answers: "
        + ", ".join(f"{k} x{v:,}" for k, v in sorted(statuses.items(), key=lambda kv: -kv[1]))
    )
    first_retry_201 = sum(1 for a in retries if first_by_key.get(a.pick.key, a).status == 201)
    out.append(
        f"  retries (same key, sent later): {len(retries):,}, of which {first_retry_201:,} "
        f"after a 201; answered as the first time: {len(retries) - sum(mismatched.values()):,}"
        + (f"; MISMATCHED {dict(mismatched)}" if mismatched else "")
    )
    if by_twin:
        out.append(
            f"  twins (same key, sent at once on two connections): {len(by_twin):,} pairs: "
            + ", ".join(f"{k} x{v}" for k, v in twin_outcomes.most_common())
        )
    refused = sum(
        1
        for pair in by_twin.values()
        if sorted((a.status, a.code) for a in pair)
        == [(201, ""), (409, "courses.already_selected")]
    )
    if refused:
        out.append(
            f"  NOTE: {refused} twin(s) answered 409 courses.already_selected instead of "
            "replaying their twin's 201 as 200 (no second seat was taken; not counted as a "
            "violation)"
        )
    if unexpected:
        out.append(f"  UNEXPECTED answers (status, code, section): {dict(unexpected)}")
    broken = collections.Counter(a.error for a in rush.answers if a.resends)
    slow5xx = sorted(a.latency for a in rush.answers if a.status >= 500)
    out.append(
        f"  requests resent after a broken connection: {resent:,} "
        f"({sum(a.resends for a in rush.answers):,} resends"
        + (f"; {dict(broken)}" if broken else "")
        + f"); left without an answer: {unanswered}; 5xx: {fivexx}"
        + (f" (answered after {slow5xx[0]:.1f}-{slow5xx[-1]:.1f} s)" if slow5xx else "")
        + f"; slowest answer {max((a.latency for a in rush.answers), default=0):.1f} s"
    )
    hot_held = sum(r[3] for r in sections if r[0] in hot_ids)
    cold_held = sum(r[3] for r in sections if r[0] not in hot_ids)
    by_status = collections.Counter(r[3] for r in rows)
    out.append(
        f"  database: {len(rows):,} selections in the round "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(by_status.items()))}), "
        f"seat-holding: hot {hot_held:,} "
        f"in {len(hot_ids)} sections, cold {cold_held:,}; sections overbooked or counter off: "
        f"{res.overbooked}; hot sections not exactly full: {len(not_full)}"
    )
    out.append(
        f"  invariants: overbooked {res.overbooked}, lost {res.lost}, duplicates "
        f"{res.duplicates}, phantom {len(phantoms)}, audit mismatch {len(no_event)}"
    )
    return out


def run_one(
    label: str,
    db_kind: str,
    env: dict[str, str],
    workers: int,
    args: argparse.Namespace,
    work: Path,
    pg_super_url: str = "",
) -> RunResult:
    print(f"\n== {label}", flush=True)
    res = RunResult(label=label, db=db_kind, workers=workers)
    plan_file = work / f"{db_kind}-plan.json"
    said = run_step(
        "set up students, sections and tokens (bench/_rushsetup.py)",
        [
            sys.executable,
            str(BENCH_DIR / "_rushsetup.py"),
            "--students",
            str(args.students),
            "--sections",
            str(args.sections),
            "--hot",
            str(args.hot),
            "--seats",
            str(args.seats),
            "--cold-seats",
            str(args.cold_seats),
            "--max-sections",
            str(args.hot_picks + 2),
            "--out",
            str(plan_file),
        ],
        env,
    )
    print(said.rstrip("\n"), flush=True)
    setup = json.loads(plan_file.read_text())
    picks = make_plan(setup, args.hot_picks, args.twin_rate, args.seed)
    tokens = [s[2] for s in setup["students"]]
    n_hot = sum(1 for s in setup["sections"] if s["hot"])
    takers = collections.Counter(p.offering for p in picks if p.hot)
    print(
        f"  plan: {len(picks):,} picks ({len(setup['students']):,} students x "
        f"{args.hot_picks} hot + 1 cold), {n_hot} hot sections with {args.seats} seats and "
        f"{min(takers.values())}-{max(takers.values())} takers each, "
        f"{len(setup['sections']) - n_hot} cold with {args.cold_seats} seats",
        flush=True,
    )
    db = (
        Db(pg_url=pg_super_url)
        if pg_super_url
        else Db(sqlite_path=Path(env["TONGKE_HOME"]) / "tongke.sqlite3")
    )

    server = Server(env, workers, work / f"{label.split(',')[0]}-serve.log")
    sampler: Sampler | None = None
    chaos: dict[str, Any] = {}
    try:
        startup = server.wait_ready()
        statuses = run_async(warm_up(server.port, setup["round_id"], tokens, 4 * workers))
        if any(s != 200 for s in statuses):
            raise RuntimeError(f"warm-up reads answered {statuses}:\n{server.log_tail()}")
        print(
            f"  server on port {server.port} (pid {server.proc.pid}, {workers} "
            f"worker{'s' if workers > 1 else ''}), ready in {startup:.1f} s",
            flush=True,
        )
        sampler = Sampler(server.proc.pid, workers > 1)
        sampler.start()
        rush = Rush(server.port, picks, tokens, args.concurrency, args.retry_rate, args.seed)
        postmaster = pg_postmaster(args.pg_url.rstrip("/")) if pg_super_url else None
        extra = []
        if args.chaos and workers > 1:
            extra.append(kill_a_worker(rush, server, args.chaos_at, chaos))
        cpu0, self0 = sum(tree(server.proc.pid).values()), resource.getrusage(0)
        db0 = pg_cpu_ticks(postmaster) if postmaster else None
        t_start = time.perf_counter()
        print(f"  rush: {len(picks):,} picks on {args.concurrency} connections", flush=True)
        run_async(rush.run(extra))
        wall = time.perf_counter() - t_start
        # CPU of workers that died is not counted (their ticks leave the tree with them).
        cpu1, self1 = sum(tree(server.proc.pid).values()), resource.getrusage(0)
        db1 = pg_cpu_ticks(postmaster) if postmaster else None
        sampler.stop()
        errors = server.log_errors()
    finally:
        if sampler is not None and sampler.is_alive():
            sampler.stop()
        server.stop()

    res.requests = len(rush.answers)
    res.wall_s = rush.wall
    lat = sorted(a.latency for a in rush.answers if a.status)
    res.p50_ms = percentile(lat, 0.50) * 1000
    res.p99_ms = percentile(lat, 0.99) * 1000

    def lat_of(pred: Callable[[Answer], bool]) -> str:
        xs = sorted(a.latency for a in rush.answers if pred(a))
        return (
            f"p50 {percentile(xs, 0.5) * 1000:.0f} / p99 {percentile(xs, 0.99) * 1000:.0f} ms"
            if xs
            else "-"
        )

    res.lines.append(
        f"  rush: {res.requests:,} requests in {res.wall_s:.1f} s "
        f"({res.requests / res.wall_s:.1f} req/s), latency p50 {res.p50_ms:.0f} ms, "
        f"p99 {res.p99_ms:.0f} ms (201: {lat_of(lambda a: a.status == 201)}; "
        f"409: {lat_of(lambda a: a.status == 409)})"
    )
    client_s = (self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime)
    res.lines.append(
        "  CPU during the rush (percent of one core): "
        f"server {100 * (cpu1 - cpu0) / CLK_TCK / wall:.0f}%, "
        f"load generator {100 * client_s / wall:.0f}%"
        + (
            f", PostgreSQL {100 * (db1 - db0) / CLK_TCK / wall:.0f}%"
            if db0 is not None and db1 is not None
            else ""
        )
        + f"; server peak RSS {sampler.peak_kib / 1024:.0f} MiB (process tree, summed)"
    )
    res.lines += check(db, setup, rush, res, args.seats)
    enrolled_ids = {
        a.sel_id
        for a in rush.answers
        if a.status in (200, 201) and a.sel_status in SEAT_HOLDING and a.sel_id is not None
    }
    res.enrolled = len(enrolled_ids)
    res.enroll_per_s = res.enrolled / res.wall_s if res.wall_s else float("nan")

    # Workers: restarts seen (the chaos kill, or anything else: uvicorn also kills a worker
    # that misses its health check).
    if workers > 1:
        gone = [e for e in sampler.worker_events if e[1] == "gone"]
        new = [e for e in sampler.worker_events if e[1] == "new"]
        res.lines.append(
            f"  worker processes: {workers} at start, {len(gone)} disappeared, {len(new)} new "
            "during the rush"
        )
        if args.chaos:
            res.lines += chaos_report(chaos, sampler, rush)
            if not chaos.get("replaced_in"):
                res.problems["worker_not_replaced"] = 1
        elif gone:
            res.lines.append(
                f"  NOTE: {len(gone)} worker(s) died without the chaos kill (pids "
                f"{[e[2] for e in gone]}): see the server log"
            )
    if errors:
        res.lines.append(f"  server log {server.log_path}:")
        res.lines += [f"    {line}" for line in errors[:15]]

    # The ceiling: the same picks as straight SQL on the never-opened copy of the sections.
    ceil_of = {s["id"]: s["ceiling_id"] for s in setup["sections"]}
    attempts = [
        (
            setup["students"][p.student][0],
            ceil_of[p.offering],
            setup["ceiling_round_id"],
            f"ceil-{p.key}",
            setup["students"][p.student][1],
        )
        for p in picks
    ]
    threads = args.ceiling_threads or (8 if pg_super_url else 4)
    seconds, enrolled = ceiling(db, attempts, threads)
    ceil_rows = db.query(
        "SELECT count(*) FROM courses_offering o WHERE o.round_id = ? AND o.taken <> "
        "(SELECT count(*) FROM courses_selection s WHERE s.offering_id = o.id)",
        (setup["ceiling_round_id"],),
    )
    res.ceiling_per_s = enrolled / seconds
    res.ratio = res.enroll_per_s / res.ceiling_per_s if res.ceiling_per_s else float("nan")
    res.lines.append(
        f"  enrollments acknowledged: {res.enrolled:,} in {res.wall_s:.1f} s = "
        f"{res.enroll_per_s:.1f} enrollments/s"
    )
    res.lines.append(
        f"  database ceiling (same {len(attempts):,} picks as direct SQL, conditional UPDATE + "
        f"INSERT per transaction, {threads} connections): {enrolled:,} enrollments in "
        f"{seconds:.2f} s = {res.ceiling_per_s:,.0f} enrollments/s, "
        f"{len(attempts) / seconds:,.0f} attempts/s"
        + (f"; COUNTER OFF in {ceil_rows[0][0]} sections" if ceil_rows[0][0] else "")
        + f"; HTTP/ceiling ratio {res.ratio:.4f}"
    )
    if enrolled != res.enrolled:
        res.lines.append(
            f"  NOTE: the ceiling enrolled {enrolled:,}, the HTTP rush {res.enrolled:,}"
        )
    for line in res.lines:
        print(line, flush=True)
    print(res.machine_line(f"rush[{db_kind}{'+chaos' if args.chaos and workers > 1 else ''}]"))
    return res


async def kill_a_worker(rush: Rush, server: Server, at: float, out: dict[str, Any]) -> None:
    """When ``at`` of the first picks are answered, SIGKILL one uvicorn worker; then watch
    for its replacement."""
    while rush.first_answered < at * rush.total_first:
        await asyncio.sleep(0.05)
    before = worker_pids(server.proc.pid)
    if not before:
        out["error"] = "no worker processes found"
        return
    victim = random.Random(1).choice(before)
    out["before"] = before
    out["victim"] = victim
    out["answers_before"] = len(rush.answers)
    out["at"] = asyncio.get_running_loop().time() - rush.t0
    t_kill = time.perf_counter()
    os.kill(victim, signal.SIGKILL)
    print(
        f"    CHAOS: SIGKILL to worker {victim} at {out['at']:.1f} s "
        f"({rush.first_answered:,} of {rush.total_first:,} picks answered)",
        flush=True,
    )
    while time.perf_counter() - t_kill < 60:
        await asyncio.sleep(0.05)
        now = worker_pids(server.proc.pid)
        new = [p for p in now if p not in before]
        if new and victim not in now and len(now) >= len(before):
            out["replaced_in"] = time.perf_counter() - t_kill
            out["new"] = new
            print(
                f"    CHAOS: worker {victim} replaced by {new} after {out['replaced_in']:.1f} s",
                flush=True,
            )
            break
    else:
        print("    CHAOS: no replacement worker within 60 s", flush=True)


def chaos_report(chaos: dict[str, Any], sampler: Sampler, rush: Rush) -> list[str]:
    if "victim" not in chaos:
        return [f"  CHAOS: no worker was killed ({chaos.get('error', 'the rush ended first')})"]
    lines = [
        f"  chaos: SIGKILL to worker {chaos['victim']} at {chaos['at']:.1f} s into the rush "
        f"(workers then {chaos['before']})"
    ]
    if chaos.get("replaced_in"):
        lines.append(
            f"  chaos: uvicorn's supervisor started worker {chaos['new']} "
            f"{chaos['replaced_in']:.1f} s after the kill: RESTARTED"
        )
    else:
        lines.append("  chaos: the killed worker was NOT replaced within 60 s")
    t_kill = chaos["at"]
    hit = [a for a in rush.answers if a.resends]
    lines.append(
        f"  chaos: {len(hit):,} requests saw a broken connection and were resent with the same "
        f"key; their final answers: "
        + ", ".join(
            f"{k} x{v}"
            for k, v in collections.Counter(
                f"{a.status}{' ' + a.code if a.code else ''}" for a in hit
            ).most_common()
        )
    )
    after = [a for a in rush.answers if t_kill <= a.at <= t_kill + 5]
    lines.append(
        f"  chaos: answers in the 5 s after the kill: {len(after):,} "
        f"(rush average {5 * len(rush.answers) / rush.wall:,.0f} per 5 s)"
    )
    return lines


# --- Report ----------------------------------------------------------------------------------


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
    git = "-"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        git = f"{head}{' + uncommitted changes' if dirty else ''}" if head else "-"
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    return [
        f"date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"machine: {os.cpu_count()} CPUs ({cpu_model or platform.machine()}){mem}, "
        f"{platform.system()} {platform.release()}, load average at start {' '.join(load)}",
        f"code: git {git}",
        f"python {platform.python_version()}, django {version('django')}, "
        f"django-ninja {version('django-ninja')}, uvicorn {version('uvicorn')}, "
        f"uvloop {version('uvloop')}, httptools {version('httptools')}, "
        f"psycopg {version('psycopg')}, psycopg-pool {version('psycopg-pool')}, "
        f"sqlite {sqlite3.sqlite_version}",
        f"rush: {args.students:,} students, {args.sections} sections ({args.hot} hot with "
        f"{args.seats} seats, the others {args.cold_seats}), {args.hot_picks} hot + 1 cold pick "
        f"per student, retry rate {args.retry_rate:g}, twin rate {args.twin_rate:g}, "
        f"seed {args.seed}",
        f"load: {args.concurrency} keep-alive connections, raw HTTP/1.1 client on {client_loop}, "
        "same machine as the server (loopback)",
        f"servers: sqlite {args.sqlite_workers} worker(s); postgres {args.pg_workers} workers, "
        "TONGKE_REDIS_URL "
        f"{args.redis_url}, TONGKE_DB_POOL_SIZE {args.pool_size} per worker"
        + (
            f"; chaos: SIGKILL to one worker at {args.chaos_at:.0%} of the picks"
            if args.chaos
            else ""
        ),
        f"server settings: {settings} (from DJANGO_SETTINGS_MODULE)"
        if settings
        else "server settings: config.base (the default)",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--students", type=int, default=None, help="5000 (--quick: 600)")
    parser.add_argument("--sections", type=int, default=None, help="200 (--quick: 20)")
    parser.add_argument("--hot", type=int, default=None, help="hot sections (sections/10)")
    parser.add_argument("--seats", type=int, default=30, help="seats of a hot section")
    parser.add_argument("--cold-seats", type=int, default=500)
    parser.add_argument("--hot-picks", type=int, default=None, help="per student (min(4, hot))")
    parser.add_argument("--concurrency", type=int, default=64, help="keep-alive connections")
    parser.add_argument("--retry-rate", type=float, default=0.05)
    parser.add_argument("--twin-rate", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--pg-workers", type=int, default=4)
    parser.add_argument(
        "--sqlite-workers", type=int, default=1, help="server processes on SQLite (chaos: 2+)"
    )
    parser.add_argument("--pool-size", type=int, default=12, help="TONGKE_DB_POOL_SIZE")
    parser.add_argument("--ceiling-threads", type=int, default=0, help="0: sqlite 4, pg 8")
    parser.add_argument("--chaos", action="store_true", help="SIGKILL a worker mid-rush (PG)")
    parser.add_argument("--chaos-at", type=float, default=0.3)
    parser.add_argument("--quick", action="store_true", help="600 students, 20 sections, 2 hot")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-conn-limit", type=int, default=PG_CONN_LIMIT)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--keep", action="store_true", help="keep the data homes and logs")
    args = parser.parse_args()
    if args.students is None:
        args.students = 600 if args.quick else 5000
    if args.sections is None:
        args.sections = 20 if args.quick else 200
    if args.quick and args.hot_picks is None:
        args.hot_picks = 1
    if args.hot is None:
        args.hot = max(1, args.sections // 10)
    if args.hot_picks is None:
        args.hot_picks = min(4, args.hot)
    if args.chaos and args.db in ("sqlite", "both") and args.sqlite_workers < 2:
        parser.error("--chaos on SQLite needs --sqlite-workers 2 or more")
    if args.chaos and args.db in ("postgres", "both") and args.pg_workers < 2:
        parser.error("--chaos needs --pg-workers 2 or more")
    if args.pg_workers * args.pool_size > args.pg_conn_limit:
        parser.error("--pg-workers x --pool-size exceeds --pg-conn-limit")

    cond = conditions(args)
    print("Tongke course-selection rush (bench/rush.py)")
    print("\n".join(f"  {line}" for line in cond), flush=True)

    work = Path(tempfile.mkdtemp(prefix="tongke-bench-rush-"))
    results: list[RunResult] = []
    pg_created = False
    t_all = time.perf_counter()
    try:
        if args.db in ("sqlite", "both"):
            t0 = time.perf_counter()
            env = clean_env(work / "sqlite")
            print("\n== setting up SQLite in", work / "sqlite", flush=True)
            run_step("seeded the demo region", tongke("demo", "--no-serve"), env)
            n = args.sqlite_workers
            label = f"sqlite, {n} worker{'s' if n > 1 else ''}" + (", chaos" if args.chaos else "")
            results.append(run_one(label, "sqlite", env, n, args, work))
            print(f"  (sqlite run took {time.perf_counter() - t0:.0f} s in all)", flush=True)
        if args.db in ("postgres", "both"):
            t0 = time.perf_counter()
            pg_url = args.pg_url.rstrip("/")
            print(f"\n== setting up PostgreSQL database {PG_DB}", flush=True)
            pg_created = True
            db_url = pg_create(pg_url, args.pg_conn_limit, PG_DB)
            version = pg_admin(pg_url, "SHOW server_version")[0][0]
            max_conns = pg_admin(pg_url, "SHOW max_connections")[0][0]
            line = (
                f"postgresql {version} (max_connections {max_conns}); the server connects as "
                f"role {PG_ROLE}, role and database limited to {args.pg_conn_limit} connections"
            )
            cond.append(line)
            print(f"  {line}", flush=True)
            env = clean_env(work / "pg", database_url=db_url, redis_url=args.redis_url)
            env["TONGKE_DB_POOL_SIZE"] = str(args.pool_size)
            run_step("seeded the demo region", tongke("demo", "--no-serve"), env)
            label = f"postgres, {args.pg_workers} workers, redis" + (
                ", chaos" if args.chaos else ""
            )
            results.append(
                run_one(label, "postgres", env, args.pg_workers, args, work, f"{pg_url}/{PG_DB}")
            )
            print(f"  (postgres run took {time.perf_counter() - t0:.0f} s in all)", flush=True)
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

    print(f"\nResults ({time.perf_counter() - t_all:.0f} s in all)")
    print("\n".join(f"  {line}" for line in cond))
    print()
    print(
        "| server | requests | wall s | enrollments | enrollments/s | p50 ms | p99 ms "
        "| ceiling enrollments/s | ratio | overbooked | lost | duplicates | other problems |"
    )
    print("|" + "---|" * 13)
    for r in results:
        other = ", ".join(f"{k} {v}" for k, v in r.problems.items() if v) or "none"
        print(
            f"| {r.label} | {r.requests:,} | {r.wall_s:.1f} | {r.enrolled:,} "
            f"| {r.enroll_per_s:.1f} | {r.p50_ms:.0f} | {r.p99_ms:.0f} | {r.ceiling_per_s:,.0f} "
            f"| {r.ratio:.4f} | {r.overbooked} | {r.lost} | {r.duplicates} | {other} |"
        )
    print()
    for r in results:
        print(r.machine_line(f"rush[{r.db}{'+chaos' if args.chaos and r.workers > 1 else ''}]"))
    main_run = next((r for r in results if r.db == "postgres"), results[0] if results else None)
    total = RunResult(label="all", db="all", workers=0)
    total.overbooked = sum(r.overbooked for r in results)
    total.lost = sum(r.lost for r in results)
    total.duplicates = sum(r.duplicates for r in results)
    if main_run is not None:
        total.enroll_per_s, total.p99_ms, total.ratio = (
            main_run.enroll_per_s,
            main_run.p99_ms,
            main_run.ratio,
        )
    print(total.machine_line())
    return 1 if not results or any(r.failed for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
