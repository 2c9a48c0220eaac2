"""Answers per second that the online diagnosis absorbs through the API.

    uv run python bench/answers.py [--db sqlite|postgres] [--learners 50] [--seconds 20]
                                   [--concurrency 16] [--workers 1] [--quick]

It seeds the demo region (``tongke demo --no-serve``: the junior-math knowledge graph and its
bank of about 1,700 items) into a throw-away data home (SQLite), or into a fresh PostgreSQL
database owned by a role of its own (both limited to ``--pg-conn-limit`` connections,
ANALYZEd after seeding, dropped at the end; the server then also gets TONGKE_REDIS_URL,
``--redis-url``), starts ``tongke serve`` (``--workers`` processes) on a port in 8400-8499,
and signs in ``--learners`` demo students (a seeded random sample of s00001..s04000) through
the login form, each then creating an API token with ``POST /api/v1/tokens`` and signing out.

Then, with one httpx client (its own keep-alive connection) per ``--concurrency``:

  healthz    ``GET /healthz`` in a loop: the reference, a trivial Django view on the same
             server, same client, same concurrency (``--healthz-seconds``, after a warm-up);
  practice   each client takes a free learner at random (a learner is used by one client at
             a time: ``next`` and its answer are a per-learner pair), asks
             ``GET /api/v1/learning/practice/next?subject=math`` with the learner's token, and
             answers the question it got with ``POST /api/v1/learning/practice/answers``
             ``{"item_id", "answer"}``, an answer of the right shape for the item's view (the
             first option of a choice item, "1" for fill-in, 1 for numeric, lefts and rights
             paired in order for matching), which runs the diagnosis update (BKT + IRT state,
             mastery rows) in the request; then gives the learner back. ``--warmup`` seconds
             first, then ``--seconds`` measured.

Rates count the answers completed inside the measured window. It prints answers/s, next/s,
p50/p95/p99 latency of both requests (and of /healthz), the share of answers graded correct,
non-2xx answers and broken connections by status and error code (over the whole run, warm-up
included), the CPU of server and load generator, the server's peak RSS during the load
(VmRSS of the server process and its children, summed, sampled every 100 ms; sign-in, which
hashes passwords, comes before and is not counted), the practice responses and mastery rows
found in the database afterwards (read directly, after the server stopped), and the
machine's conditions. The figure is the ratio answers/s / healthz/s. A 5xx, a broken
connection, an acknowledged answer missing from the database, or no answer at all makes it
exit with status 1 (a 5xx also summarises the server log). The last line is for machines:

    answers[<db>]: answers_per_s=N next_per_s=N answer_p99_ms=N next_p99_ms=N healthz_per_s=N
                   ratio=N errors_5xx=N failures=N peak_rss_mib=N

``--quick`` is a short run: 5 s measured, 10 learners (so at most 10 clients). Seeding the
demo takes most of the run's time (1-2 minutes on a busy 2-core machine).

Client and server share the machine: on a 2-core box the load generator (httpx, in this
process) takes part of the CPU the server could otherwise use (its CPU use is printed), and
more so than the raw-socket clients of httpbench.py and rush.py.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import datetime as dt
import importlib.metadata
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from _common import (  # bench/ is on sys.path when a script here runs
    clean_env,
    percentile,
    pg_admin,
    pg_create,
    pg_drop,
    rss_kib,
    run_async,
    tongke,
    tree,
)

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
HOST = "127.0.0.1"
PORTS = range(8400, 8500)
PG_DB = "tongke_bench_answers"
# The server connects as its own non-superuser role, limited like its database, so a server
# that opens too many connections fails on its own database and cannot starve other users of
# this PostgreSQL. The bench's own reads use the superuser URL.
PG_ROLE = PG_DB
PG_CONN_LIMIT = 60
DEMO_PASSWORD = "tongke-demo-2026"  # noqa: S105 (the demo's published password)
DEMO_STUDENTS = 4000  # s00001..s04000
NEXT = "/api/v1/learning/practice/next"
ANSWERS = "/api/v1/learning/practice/answers"
REQUEST_TIMEOUT = 60.0
SIGN_IN_CONCURRENCY = 4
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- What a learner answers ------------------------------------------------------------------


def answer_for(view: dict[str, Any]) -> dict[str, Any]:
    """An answer of the right shape for the question's view (see tongke/learning/grading.py):
    not necessarily right, never refused for its shape."""
    kind = view.get("kind")
    choices = [c["id"] for c in view.get("choices") or []]
    if kind in ("single", "true_false") and choices:
        return {"choice": choices[0]}
    if kind == "multiple" and choices:
        return {"choices": choices[:1]}
    if kind == "numeric":
        return {"value": 1}
    if kind == "matching":
        return {"pairs": dict(zip(view.get("lefts") or [], view.get("rights") or [], strict=False))}
    return {"text": "1"}  # fill_in, short_answer (practice never serves the latter)


# --- The load generator -----------------------------------------------------------------------


@dataclass
class Sample:
    what: str  # healthz | next | answer
    status: int  # 0: no answer (broken connection, timeout)
    code: str  # the error's code (JSON "code"), or the exception's name when status is 0
    latency: float
    t_end: float


@dataclass
class Phase:
    """One load phase: a warm-up, then a measured window [t_record, t_stop]."""

    seconds: float
    t_start: float = 0.0
    t_record: float = 0.0
    t_stop: float = 0.0
    t_end: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    correct: int = 0  # answers graded correct (measured window)
    graded: int = 0  # answers graded (measured window)
    mastery_changes: int = 0  # mastery entries in the answers (measured window)
    no_item: int = 0  # next answered item_id null: the learner was retired

    async def call(
        self, client: httpx.AsyncClient, what: str, method: str, url: str, **kw: Any
    ) -> tuple[httpx.Response | None, Sample]:
        """One request, recorded; (None, its sample) when no answer came."""
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        try:
            r = await client.request(method, url, **kw)
        except httpx.TransportError as exc:
            now = loop.time()
            sample = Sample(what, 0, type(exc).__name__, now - t0, now)
            self.samples.append(sample)
            return None, sample
        now = loop.time()
        code = ""
        if r.status_code >= 400:
            try:
                data = r.json()
                code = str(data.get("code", "")) if isinstance(data, dict) else ""
            except ValueError:
                code = ""
        sample = Sample(what, r.status_code, code, now - t0, now)
        self.samples.append(sample)
        return r, sample

    def in_window(self, s: Sample) -> bool:
        return self.t_record <= s.t_end <= self.t_stop

    def ok(self, what: str) -> list[Sample]:
        return [s for s in self.samples if s.what == what and s.status == 200 and self.in_window(s)]

    def rate(self, what: str) -> float:
        return len(self.ok(what)) / self.seconds if self.seconds else float("nan")

    def latencies_ms(self, what: str) -> list[float]:
        return sorted(s.latency * 1000 for s in self.ok(what))

    def acknowledged(self, what: str) -> int:
        """2xx answers over the whole phase, warm-up and stragglers included."""
        return sum(1 for s in self.samples if s.what == what and 200 <= s.status < 300)


@dataclass
class Learner:
    username: str
    token: str


class Learners:
    """The learners not in use; a client takes one at random and gives it back after its
    next/answer pair. A learner practice has nothing more for is retired."""

    def __init__(self, learners: list[Learner], seed: int):
        self.free = list(learners)
        self.busy = 0
        self.rng = random.Random(seed)
        self.cond = asyncio.Condition()

    async def take(self) -> Learner | None:
        async with self.cond:
            await self.cond.wait_for(lambda: bool(self.free) or not self.busy)
            if not self.free:
                return None  # every learner retired
            self.busy += 1
            return self.free.pop(self.rng.randrange(len(self.free)))

    async def give_back(self, learner: Learner, keep: bool) -> None:
        async with self.cond:
            self.busy -= 1
            if keep:
                self.free.append(learner)
            self.cond.notify_all()


def new_client(port: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=f"http://{HOST}:{port}",
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        timeout=REQUEST_TIMEOUT,
        headers={"Accept": "application/json", "User-Agent": "tongke-bench-answers"},
    )


async def run_phase(
    concurrency: int,
    warmup: float,
    seconds: float,
    client: Callable[[Phase], Awaitable[None]],
) -> Phase:
    loop = asyncio.get_running_loop()
    phase = Phase(seconds=seconds)
    phase.t_start = loop.time()
    phase.t_record = phase.t_start + warmup
    phase.t_stop = phase.t_record + seconds
    await asyncio.gather(*(client(phase) for _ in range(concurrency)))
    phase.t_end = loop.time()
    return phase


def healthz_client(port: int) -> Callable[[Phase], Awaitable[None]]:
    async def run(phase: Phase) -> None:
        loop = asyncio.get_running_loop()
        async with new_client(port) as client:
            while loop.time() < phase.t_stop:
                await phase.call(client, "healthz", "GET", "/healthz")

    return run


def practice_client(port: int, pool: Learners, subject: str) -> Callable[[Phase], Awaitable[None]]:
    async def run(phase: Phase) -> None:
        loop = asyncio.get_running_loop()
        async with new_client(port) as client:
            while loop.time() < phase.t_stop:
                learner = await pool.take()
                if learner is None:
                    return
                keep = True
                try:
                    auth = {"Authorization": f"Bearer {learner.token}"}
                    r, _ = await phase.call(
                        client, "next", "GET", NEXT, params={"subject": subject}, headers=auth
                    )
                    if r is None or r.status_code != 200:
                        continue
                    served = r.json()
                    if served.get("item_id") is None:
                        phase.no_item += 1
                        keep = False
                        continue
                    body = {"item_id": served["item_id"], "answer": answer_for(served["view"])}
                    r, sample = await phase.call(
                        client, "answer", "POST", ANSWERS, json=body, headers=auth
                    )
                    if r is not None and r.status_code == 200 and phase.in_window(sample):
                        result = r.json()
                        if result.get("correct") is not None:
                            phase.graded += 1
                            phase.correct += bool(result["correct"])
                        phase.mastery_changes += len(result.get("mastery") or [])
                finally:
                    await pool.give_back(learner, keep)

    return run


# --- Signing the learners in --------------------------------------------------------------------


async def sign_in(port: int, username: str, password: str) -> str:
    """Through the login form; create an API token; sign out. Returns the token's secret."""
    base = f"http://{HOST}:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT) as c:
        r = await c.get("/accounts/login/")
        if r.status_code != 200 or "csrftoken" not in c.cookies:
            raise RuntimeError(f"GET /accounts/login/ answered {r.status_code}")
        r = await c.post(
            "/accounts/login/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": c.cookies["csrftoken"],
            },
            headers={"Referer": f"{base}/accounts/login/"},
        )
        if r.status_code != 302 or "sessionid" not in c.cookies:
            raise RuntimeError(f"sign-in as {username} answered {r.status_code}: {r.text[:300]}")
        # The CSRF token rotates at sign-in: the jar holds the new one.
        csrf = {"X-CSRFToken": c.cookies["csrftoken"], "Referer": f"{base}/"}
        r = await c.post(
            "/api/v1/tokens",
            json={"name": "bench-answers", "scopes": ["read", "write"]},
            headers=csrf,
        )
        if r.status_code != 201:
            raise RuntimeError(f"POST /api/v1/tokens as {username} answered {r.status_code}")
        secret = str(r.json()["secret"])
        # Signing out deletes the session (from Redis too): nothing lingers in a shared cache.
        await c.post(
            "/accounts/logout/",
            data={"csrfmiddlewaretoken": c.cookies["csrftoken"]},
            headers={"Referer": f"{base}/"},
        )
        return secret


async def sign_in_all(port: int, usernames: list[str], password: str) -> list[Learner]:
    gate = asyncio.Semaphore(SIGN_IN_CONCURRENCY)

    async def one(username: str) -> Learner:
        async with gate:
            return Learner(username, await sign_in(port, username, password))

    return list(await asyncio.gather(*(one(u) for u in usernames)))


# --- The server: process tree, RSS and CPU --------------------------------------------------


class Sampler(threading.Thread):
    """Every 100 ms: the summed RSS of the server's process tree."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root = root
        self.peak_kib = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(0.1):
            self.peak_kib = max(self.peak_kib, rss_kib(tree(self.root)))

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
    raise RuntimeError("no free port in 8400-8499")


def run_step(what: str, cmd: list[str], env: dict[str, str]) -> None:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stdout}\n{done.stderr}")
    print(f"  {what} in {time.perf_counter() - t0:.1f} s", flush=True)


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

    def wait_ready(self, timeout: float = 120) -> float:
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}):\n{self.log_tail()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://{HOST}:{self.port}/healthz", timeout=5).status_code == 200:
                    # With several workers, give the others a moment to come up as well.
                    time.sleep(1.0 if self.workers > 1 else 0.2)
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
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # anything of the group left behind
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


# --- The database, read directly --------------------------------------------------------------


def db_counts(home: Path, pg_db_url: str) -> dict[str, int]:
    """Practice responses and mastery rows, read with the bench's own connection."""
    queries = {
        "responses": "SELECT count(*) FROM learning_response r JOIN learning_attempt a "
        "ON a.id = r.attempt_id WHERE a.assignment_id IS NULL",
        "mastery_rows": "SELECT count(*) FROM learning_mastery",
        "mastery_answers": "SELECT coalesce(sum(answers), 0) FROM learning_mastery",
        "learner_states": "SELECT count(*) FROM learning_learnerstate",
    }
    if pg_db_url:
        import psycopg

        with psycopg.connect(pg_db_url, autocommit=True) as pg:
            return {k: int(next(iter(pg.execute(q)))[0]) for k, q in queries.items()}
    conn = sqlite3.connect(str(home / "tongke.sqlite3"), timeout=20)
    try:
        return {k: int(next(iter(conn.execute(q)))[0]) for k, q in queries.items()}
    finally:
        conn.close()


# --- One run -------------------------------------------------------------------------------------


@dataclass
class Result:
    db: str
    answers_per_s: float = float("nan")
    next_per_s: float = float("nan")
    answer_p99_ms: float = float("nan")
    next_p99_ms: float = float("nan")
    healthz_per_s: float = float("nan")
    errors_5xx: int = 0
    failures: int = 0  # broken connections, timeouts
    lost: int = 0  # acknowledged answers missing from the database
    peak_rss_mib: float = float("nan")
    start_rss_mib: float = float("nan")
    server_errors: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.answers_per_s / self.healthz_per_s if self.healthz_per_s else float("nan")

    @property
    def failed(self) -> bool:
        return bool(self.errors_5xx or self.failures or self.lost or not self.answers_per_s > 0)

    def machine_line(self) -> str:
        return (
            f"answers[{self.db}]: answers_per_s={fmt(self.answers_per_s, 1)} "
            f"next_per_s={fmt(self.next_per_s, 1)} answer_p99_ms={fmt(self.answer_p99_ms, 0)} "
            f"next_p99_ms={fmt(self.next_p99_ms, 0)} healthz_per_s={fmt(self.healthz_per_s, 1)} "
            f"ratio={fmt(self.ratio, 4)} errors_5xx={self.errors_5xx} failures={self.failures} "
            f"peak_rss_mib={fmt(self.peak_rss_mib, 0)}"
        )


def fmt(value: float, digits: int) -> str:
    return "na" if value != value else f"{value:.{digits}f}"


def lat_line(name: str, xs: list[float]) -> str:
    if not xs:
        return f"{name} -"
    return (
        f"{name} p50 {percentile(xs, 0.5):.1f} / p95 {percentile(xs, 0.95):.1f} / "
        f"p99 {percentile(xs, 0.99):.1f} / max {xs[-1]:.1f} ms"
    )


def cpu_now(root: int) -> tuple[int, float]:
    self_ = resource.getrusage(resource.RUSAGE_SELF)
    return sum(tree(root).values()), self_.ru_utime + self_.ru_stime


def cpu_line(before: tuple[int, float], after: tuple[int, float], wall: float) -> str:
    server = 100 * (after[0] - before[0]) / CLK_TCK / wall
    client = 100 * (after[1] - before[1]) / wall
    return f"CPU (percent of one core): server {server:.0f}%, load generator {client:.0f}%"


def run(args: argparse.Namespace, env: dict[str, str], work: Path, pg_db_url: str) -> Result:
    res = Result(db=args.db)
    home = Path(env["TONGKE_HOME"])
    before = db_counts(home, pg_db_url)
    server = Server(env, args.workers, work / "serve.log")
    sampler: Sampler | None = None
    try:
        startup = server.wait_ready()
        n = args.workers
        print(
            f"  server on port {server.port} (pid {server.proc.pid}, {n} "
            f"worker{'s' if n > 1 else ''}), ready in {startup:.1f} s",
            flush=True,
        )
        rng = random.Random(args.seed)
        numbers = sorted(rng.sample(range(1, DEMO_STUDENTS + 1), args.learners))
        t0 = time.perf_counter()
        learners = run_async(
            sign_in_all(server.port, [f"s{k:05d}" for k in numbers], args.password)
        )
        print(
            f"  signed in {len(learners)} learners through the login form, one API token each "
            f"({learners[0].username}, ...), in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )

        # RSS from here on: sign-in hashes passwords (Argon2, memory-hard) and is not measured.
        res.start_rss_mib = rss_kib(tree(server.proc.pid)) / 1024
        sampler = Sampler(server.proc.pid)
        sampler.start()
        c0 = cpu_now(server.proc.pid)
        w0 = time.perf_counter()
        healthz = run_async(
            run_phase(args.concurrency, 1.0, args.healthz_seconds, healthz_client(server.port))
        )
        c1 = cpu_now(server.proc.pid)
        w1 = time.perf_counter()
        res.healthz_per_s = healthz.rate("healthz")
        print(
            f"  healthz: {len(healthz.ok('healthz')):,} answers in {args.healthz_seconds:g} s = "
            f"{res.healthz_per_s:,.1f}/s; {lat_line('latency', healthz.latencies_ms('healthz'))}"
            f"; {cpu_line(c0, c1, w1 - w0)}",
            flush=True,
        )

        async def practice() -> Phase:
            pool = Learners(learners, args.seed + 1)
            return await run_phase(
                args.concurrency,
                args.warmup,
                args.seconds,
                practice_client(server.port, pool, args.subject),
            )

        c0, w0 = cpu_now(server.proc.pid), time.perf_counter()
        phase = run_async(practice())
        c1, w1 = cpu_now(server.proc.pid), time.perf_counter()
        sampler.stop()
        res.server_errors = server.log_errors()
    finally:
        if sampler is not None and sampler.is_alive():
            sampler.stop()
        server.stop()

    res.answers_per_s = phase.rate("answer")
    res.next_per_s = phase.rate("next")
    answer_ms, next_ms = phase.latencies_ms("answer"), phase.latencies_ms("next")
    res.answer_p99_ms = percentile(answer_ms, 0.99)
    res.next_p99_ms = percentile(next_ms, 0.99)
    res.peak_rss_mib = sampler.peak_kib / 1024
    everything = healthz.samples + phase.samples
    res.errors_5xx = sum(1 for s in everything if s.status >= 500)
    res.failures = sum(1 for s in everything if s.status == 0)
    after = db_counts(home, pg_db_url)
    acked = phase.acknowledged("answer")
    stored = after["responses"] - before["responses"]
    res.lost = max(0, acked - stored)

    print(
        f"  practice: {len(phase.ok('answer')):,} answers and {len(phase.ok('next')):,} nexts "
        f"in the {args.seconds:g} s window = {res.answers_per_s:,.1f} answers/s, "
        f"{res.next_per_s:,.1f} next/s ({args.concurrency} clients, {len(learners)} learners)"
    )
    print(f"  {lat_line('answer latency', answer_ms)}")
    print(f"  {lat_line('next latency  ', next_ms)}")
    graded = (
        f"{phase.correct:,} of {phase.graded:,} graded correct ({phase.correct / phase.graded:.0%})"
        if phase.graded
        else "none graded"
    )
    print(
        f"  answers in the window: {graded}, {phase.mastery_changes:,} mastery updates reported"
        + (f"; next had no question for {phase.no_item} learner(s)" if phase.no_item else "")
    )
    bad = collections.Counter(
        f"{s.what} {s.status or 'no answer'}{' ' + s.code if s.code else ''}"
        for s in everything
        if s.status == 0 or s.status >= 400
    )
    print(
        "  errors (whole run, warm-up included): "
        + (", ".join(f"{k} x{v:,}" for k, v in bad.most_common()) if bad else "none")
        + f"; 5xx {res.errors_5xx}, broken connections {res.failures}"
    )
    print(f"  {cpu_line(c0, c1, w1 - w0)} (practice phase, warm-up included)")
    print(
        f"  server RSS (process tree, summed): {res.start_rss_mib:.0f} MiB after sign-in, "
        f"peak {res.peak_rss_mib:.0f} MiB during /healthz and practice"
    )
    print(
        f"  database after the run: {stored:,} new practice responses for {acked:,} "
        f"acknowledged answers (warm-up included)"
        + (f": {res.lost:,} LOST" if res.lost else "")
        + f"; mastery rows {before['mastery_rows']:,} -> {after['mastery_rows']:,}, answers "
        f"counted in them {before['mastery_answers']:,} -> {after['mastery_answers']:,}; "
        f"learner states {before['learner_states']:,} -> {after['learner_states']:,}"
    )
    print(
        f"  ratio answers/s / healthz/s: {res.answers_per_s:,.1f} / {res.healthz_per_s:,.1f} = "
        f"{fmt(res.ratio, 4)}"
    )
    if res.server_errors:
        print(f"  server log ({len(res.server_errors)} distinct error lines):")
        for line in res.server_errors[:15]:
            print(f"    {line}")
    if res.errors_5xx:
        print("  server log tail:")
        print("\n".join(f"    {line}" for line in server.log_tail(40).splitlines()))
    return res


# --- Report -------------------------------------------------------------------------------------


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
    settings = os.environ.get("DJANGO_SETTINGS_MODULE")
    n = args.workers
    return [
        f"date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"machine: {os.cpu_count()} CPUs ({cpu_model or platform.machine()}){mem}, "
        f"{platform.system()} {platform.release()}, load average at start {' '.join(load)}",
        f"code: git {git}",
        f"python {platform.python_version()}, django {version('django')}, "
        f"django-ninja {version('django-ninja')}, uvicorn {version('uvicorn')}, "
        f"httpx {version('httpx')}, psycopg {version('psycopg')}, sqlite {sqlite3.sqlite_version}",
        f"database: {args.db}"
        + (
            f" (TONGKE_REDIS_URL {args.redis_url}, TONGKE_DB_POOL_SIZE {args.pool_size} per worker)"
            if args.db == "postgres"
            else " (embedded, the data home's tongke.sqlite3)"
        )
        + f"; server: tongke serve, {n} worker{'s' if n > 1 else ''}",
        f"load: {args.concurrency} clients (httpx.AsyncClient, one keep-alive connection each), "
        f"{args.learners} learners (demo students, seed {args.seed}), subject {args.subject}; "
        f"practice {args.warmup:g} s warm-up + {args.seconds:g} s measured, /healthz 1 s + "
        f"{args.healthz_seconds:g} s; same machine as the server (loopback)",
        f"server settings: {settings} (from DJANGO_SETTINGS_MODULE)"
        if settings
        else "server settings: config.base (the default)",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--learners", type=int, default=None, help="signed-in students (50)")
    parser.add_argument("--seconds", type=float, default=None, help="measured seconds (20)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up seconds (2)")
    parser.add_argument("--healthz-seconds", type=float, default=None, help="(5)")
    parser.add_argument("--concurrency", type=int, default=16, help="clients")
    parser.add_argument("--workers", type=int, default=1, help="tongke serve --workers")
    parser.add_argument("--subject", default="math")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--password", default=DEMO_PASSWORD, help="the demo students'")
    parser.add_argument("--quick", action="store_true", help="5 s measured, 10 learners")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-conn-limit", type=int, default=PG_CONN_LIMIT)
    parser.add_argument("--pool-size", type=int, default=12, help="TONGKE_DB_POOL_SIZE")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--keep", action="store_true", help="keep the data home and server log")
    args = parser.parse_args()
    if args.learners is None:
        args.learners = 10 if args.quick else 50
    if args.seconds is None:
        args.seconds = 5.0 if args.quick else 20.0
    if args.warmup is None:
        args.warmup = 1.0 if args.quick else 2.0
    if args.healthz_seconds is None:
        args.healthz_seconds = 3.0 if args.quick else 5.0
    if not 1 <= args.learners <= DEMO_STUDENTS:
        parser.error(f"--learners must be 1..{DEMO_STUDENTS}")
    if args.concurrency < 1 or args.workers < 1 or args.seconds <= 0:
        parser.error("--concurrency, --workers and --seconds must be positive")
    if args.concurrency > args.learners:
        # A learner is used by one client at a time: more clients would only wait.
        print(
            f"note: --concurrency {args.concurrency} > {args.learners} learners: "
            f"using {args.learners} clients"
        )
        args.concurrency = args.learners
    if args.db == "postgres" and args.workers * args.pool_size > args.pg_conn_limit:
        parser.error("--workers x --pool-size exceeds --pg-conn-limit")

    cond = conditions(args)
    print("Tongke online diagnosis: answers/s through the API (bench/answers.py)")
    print("\n".join(f"  {line}" for line in cond), flush=True)

    work = Path(tempfile.mkdtemp(prefix="tongke-bench-answers-"))
    pg_url = args.pg_url.rstrip("/")
    pg_created = False
    t_all = time.perf_counter()
    result: Result | None = None
    try:
        pg_db_url = ""
        if args.db == "postgres":
            print(f"\n== setting up PostgreSQL database {PG_DB}", flush=True)
            pg_created = True
            db_url = pg_create(pg_url, args.pg_conn_limit, PG_DB)
            pg_db_url = f"{pg_url}/{PG_DB}"
            version = pg_admin(pg_url, "SHOW server_version")[0][0]
            max_conns = pg_admin(pg_url, "SHOW max_connections")[0][0]
            cond.append(
                f"postgresql {version} (max_connections {max_conns}); the server connects as "
                f"role {PG_ROLE}, role and database limited to {args.pg_conn_limit} connections"
            )
            print(f"  {cond[-1]}", flush=True)
            env = clean_env(work / "home", database_url=db_url, redis_url=args.redis_url)
            env["TONGKE_DB_POOL_SIZE"] = str(args.pool_size)
        else:
            print(f"\n== setting up SQLite in {work / 'home'}", flush=True)
            env = clean_env(work / "home")
        run_step("seeded the demo region", tongke("demo", "--no-serve"), env)
        if pg_db_url:
            import psycopg

            # Planner statistics for the freshly loaded tables, as autovacuum would gather.
            with psycopg.connect(pg_db_url, autocommit=True) as conn:
                conn.execute("ANALYZE")
        result = run(args, env, work, pg_db_url)
    finally:
        if pg_created:
            try:
                pg_drop(pg_url, PG_DB)
            except Exception as exc:
                print(f"could not drop {PG_DB} / role {PG_ROLE}: {exc}", file=sys.stderr)
        if args.keep:
            print(f"\nkept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    print(f"\nResults ({time.perf_counter() - t_all:.0f} s in all)")
    print("\n".join(f"  {line}" for line in cond))
    print()
    print(result.machine_line())
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
