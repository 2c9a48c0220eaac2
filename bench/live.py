"""Live classes: a quiz pushed to 50 receiving classrooms and their answers counted, over the
real WebSocket room, per channel layer.

    uv run python bench/live.py [--rounds 30] [--quick] [--layers memory,redis] [--workers 1,2]
                                [--classrooms 50] [--idle 8] [--redis-url redis://127.0.0.1:6379/14]

Set-up (once): ``tongke migrate`` into a throw-away TONGKE_HOME (SQLite), then
``bench/_livesetup.py`` in a subprocess with Django: a region, a lead school with a master
teacher, partner schools with ``--classrooms`` classes and a tutor each, a community
partnership and ONE live session for all those classrooms that is open now, and a signed-in
Django session (cookie) for the master and for every tutor. Seeding the whole demo region
takes over a minute on 2 cores and gives the room nothing it needs, so the set-up makes only
this (through the same services people use).

Then, for each configuration: the in-memory channel layer with 1 server process (several
processes cannot share a room on it), and the Redis channel layer (``TONGKE_REDIS_URL``, a
database of its own that is flushed before and after) with each ``--workers`` count (1 and 2
by default; rooms that span processes are what Redis is for). ``tongke serve`` is started on
a port in 8500-8599 and warmed up (4 connect, ping, close of one classroom); then one
asyncio process (uvloop when installed) plays everybody with the ``websockets`` client, each
connection signed in by its ``sessionid`` cookie with the site's Origin:

- the master joins, then the 50 classrooms all at once (``?classroom=<id>``): time to every
  ``welcome``, and until the master has seen every classroom's ``peer.joined``;
- ``--rounds`` rounds, at most one every 0.5 s (so that no token bucket of the room's rate
  limits runs dry): the master sends ``--pings`` pings (the reference, below); the master
  sends ``quiz.push`` (4 choices); **push** is the time from that send until each classroom
  receives its ``quiz`` event (p50/p99 over every classroom's receipt, and over the rounds'
  last receipt); then every classroom sends its ``quiz.answer`` (counts of its students per
  choice) one after another with no wait; **totals, last room** is the time from the moment
  the last answer was sent to the master's receipt of that classroom's ``quiz.totals``;
  **all totals** is from the first answer sent until the master holds all 50 totals; then
  the master sends ``quiz.close`` and every connection must get ``quiz.closed``;
- every totals event, every ``quiz.received`` and the closing sums are checked against what
  the classrooms sent;
- then the room stays quiet for ``--idle`` seconds (8; as between two activities of a
  lesson): every connection must still be open, and one more round (left out of the
  figures) must go through.

A welcome should be a connection's first event; an event of the room that overtakes it (with
several server processes, another classroom's ``peer.joined`` can) is handled, counted and
printed as a NOTE, not a failure. So is a server that does not exit within 10 s of SIGTERM
(it is then killed): its figures stand, but a deployment would hang on a restart.

The reference, measured in the same run from the same master connection with the room full:
the room's ``ping`` -> ``pong`` round trip, which the consumer answers at once without the
database or the channel layer. ``push p50 / ping p50`` says how many bare round trips through
this server a quiz push costs.

Memory is the summed VmRSS of the server's process tree (shared pages counted in each
process): idle after the warm-up, with all 51 joined, and the peak while the rounds ran
(sampled every 50 ms). Redis' ``used_memory`` (the whole instance) is printed beside it.
The client runs on the same machine and the same cores as the server: its CPU use and the
lag of its event loop (a 5 ms sleep timed over and over during the rounds) are printed so
the reader can judge how much of a latency is the client's.

Any ``error`` event received by any connection (counted by code), a connection closed by
the server (during the rounds or the quiet time), a wait that timed out, a totals or closing
sum that differs from what was sent, a presence left open after every client closed, or an
error in the server log makes the script exit with status 1. The last line is for machines:

    live: push_p50_ms=N push_p99_ms=N totals_last_p50_ms=N ping_p50_ms=N ratio=N errors=N

(from the in-memory run when there was one, else the first run; errors summed over runs).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import http.client
import importlib.metadata
import json
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
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import (  # bench/ is on sys.path when a script here runs
    clean_env,
    percentile,
    proc_table,
    rss_kib,
    run_async,
    tongke,
    tree,
)

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
HOST = "127.0.0.1"
PORTS = range(8500, 8600)
CLK_TCK = os.sysconf("SC_CLK_TCK")
CHOICES = ["叶片", "叶柄", "叶脉", "托叶"]
CORRECT = 2
ROUND_MIN_S = 0.5  # master: 2 quiz frames a round against 5/s; pings against 10/s
LAG_TICK_S = 0.005
WARMUP_CONNECTS = 4
STOP_WAIT_S = 10  # a healthy server stops in under a second


# --- The server ------------------------------------------------------------------------------


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def run_step(what: str, cmd: list[str], env: dict[str, str]) -> str:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stdout}\n{done.stderr}")
    print(f"  {what} in {time.perf_counter() - t0:.1f} s", flush=True)
    return done.stdout


def worker_pids(root: int) -> list[int]:
    """uvicorn's worker processes: children of its supervisor started by multiprocessing's
    spawn (not the resource tracker)."""
    out = []
    for pid, (ppid, _) in proc_table().items():
        if ppid != root:
            continue
        with contextlib.suppress(OSError):
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                out.append(pid)
    return sorted(out)


def connections_by_pid(root: int, port: int) -> dict[int, int]:
    """Established TCP connections on the server's port, per process of its tree (which
    worker holds which WebSocket), read from /proc."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                cols = line.split()
                if len(cols) > 9 and cols[3] == "01" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(cols[9])
    counts: dict[int, int] = {}
    for pid in tree(root):
        n = 0
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if target.startswith("socket:[") and target[8:-1] in inodes:
                        n += 1
        if n:
            counts[pid] = n
    return counts


class Server:
    def __init__(self, env: dict[str, str], workers: int, log_path: Path, log_level: str):
        self.port = free_port()
        self.workers = workers
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 (kept open for the server's life)
        self.proc = subprocess.Popen(
            tongke(
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--log-level",
                log_level,
            ),
            env=env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one below
        )

    def healthz(self) -> int:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
        try:
            conn.request("GET", "/healthz")
            return conn.getresponse().status
        finally:
            conn.close()

    def wait_ready(self, timeout: float = 90) -> float:
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}):\n{self.log_tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if self.healthz() == 200:
                    if self.workers > 1:  # every worker up, not only the first to answer
                        while (
                            len(worker_pids(self.proc.pid)) < self.workers
                            and time.perf_counter() - t0 < timeout
                        ):
                            time.sleep(0.2)
                        time.sleep(1.0)
                        for _ in range(4 * self.workers):
                            self.healthz()
                    return time.perf_counter() - t0
            time.sleep(0.2)
        raise RuntimeError(f"server not ready in {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> bool:
        """SIGTERM to the server's process group; SIGKILL after STOP_WAIT_S. True when it
        had to be killed (a graceful shutdown that waits on a task that never ends)."""
        killed = False
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                killed = True
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self._log.close()
        return killed

    def log_tail(self, lines: int = 60) -> str:
        if not self._log.closed:
            self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def log_errors(self) -> list[str]:
        """The log's error lines and exception messages, counted: "N x line"."""
        if not self._log.closed:
            self._log.flush()
        counts: Counter[str] = Counter()
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("ERROR:"):
                line = line[6:].strip()
            elif " ERROR " in line:
                line = line.split(" ERROR ", 1)[1]
            elif not re.match(r"^[\w.]+(Error|Exception|Exit)\b", line):
                continue
            counts[line[:240]] += 1
        return [f"{n} x {line}" for line, n in counts.most_common()]


class Sampler(threading.Thread):
    """The peak of the server tree's summed RSS, every 50 ms while it runs."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root = root
        self.peak_kib = rss_kib(tree(root))
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(0.05):
            self.peak_kib = max(self.peak_kib, rss_kib(tree(self.root)))

    def stop(self) -> None:
        self._halt.set()
        self.join()


def redis_client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=5)


def redis_used_mib(url: str) -> float | None:
    with contextlib.suppress(Exception):
        return float(redis_client(url).info("memory")["used_memory"]) / 2**20
    return None


def open_presences(db_path: Path, session_id: int) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as db:
        row = db.execute(
            "SELECT count(*) FROM live_presence WHERE session_id = ? AND left_at IS NULL",
            (session_id,),
        ).fetchone()
    return int(row[0])


# --- The clients -----------------------------------------------------------------------------


class Timeout(Exception):
    pass


@dataclass
class Round:
    n: int
    classrooms: int
    pings: list[float] = field(default_factory=list)
    push_sent: float = 0.0
    quiz_id: int | None = None
    push_recv: dict[str, float] = field(default_factory=dict)  # classroom peer -> time
    master_quiz: float = 0.0
    master_state: float = 0.0
    answers: dict[str, list[int]] = field(default_factory=dict)
    first_sent: float = 0.0
    last_sent: float = 0.0
    last_peer: str = ""
    totals: dict[str, float] = field(default_factory=dict)
    received: set[str] = field(default_factory=set)
    close_sent: float = 0.0
    closed: dict[str, float] = field(default_factory=dict)  # classrooms and "master"
    closed_state: float = 0.0
    pushed: asyncio.Event = field(default_factory=asyncio.Event)
    counted: asyncio.Event = field(default_factory=asyncio.Event)
    finished: asyncio.Event = field(default_factory=asyncio.Event)

    def check(self) -> None:
        if len(self.push_recv) == self.classrooms and self.master_quiz and self.master_state:
            self.pushed.set()
        if len(self.totals) == self.classrooms and len(self.received) == self.classrooms:
            self.counted.set()
        if len(self.closed) == self.classrooms + 1 and self.closed_state:
            self.finished.set()


class Peer:
    """One WebSocket connection: the master or a classroom's device."""

    def __init__(self, bench: Bench, name: str, path: str, cookie: str):
        self.bench = bench
        self.name = name  # "master" or the classroom's peer id (c<id>)
        self.path = path
        self.cookie = cookie
        self.ws: Any = None
        self.reader: asyncio.Task[None] | None = None
        self.closing = False
        self.welcome_s = 0.0
        self.extensions = ""

    async def open(self) -> float:
        from websockets.asyncio.client import connect

        b = self.bench
        t0 = time.perf_counter()
        self.ws = await connect(
            f"ws://{HOST}:{b.port}{self.path}",
            origin=f"http://{HOST}:{b.port}",  # type: ignore[arg-type]
            additional_headers={"Cookie": f"{b.cookie_name}={self.cookie}"},
            proxy=None,
            ping_interval=None,
            open_timeout=b.timeout,
            max_size=2**22,
        )
        self.extensions = self.ws.response.headers.get("Sec-WebSocket-Extensions", "") or ""
        # The welcome should come first; an event of the room that overtakes it (another
        # peer's join, through the channel layer) is handled and counted, then the wait goes on.
        while True:
            event = json.loads(await asyncio.wait_for(self.ws.recv(), b.timeout))
            if event.get("type") == "welcome":
                break
            b.on_event(self, time.perf_counter(), event)
            if event.get("type") == "error":
                raise RuntimeError(f"{self.name}: refused before the welcome: {event!r}")
            b.before_welcome[str(event.get("type"))] += 1
        self.welcome_s = time.perf_counter() - t0
        self.reader = asyncio.create_task(self._read())
        return self.welcome_s

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self.ws:
                self.bench.on_event(self, time.perf_counter(), json.loads(raw))
        except ConnectionClosed:
            pass
        except Exception as exc:  # a frame this client cannot read: counted, not hidden
            self.bench.problems[f"client {type(exc).__name__}: {str(exc)[:120]}"] += 1
        if not self.closing:
            code = self.ws.close_code
            self.bench.problems[f"connection closed by the server (code {code})"] += 1

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(frame, ensure_ascii=False))

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.reader, 10)


@dataclass
class Result:
    layer: str
    workers: int
    classrooms: int
    rounds_planned: int
    rounds: list[Round] = field(default_factory=list)
    startup_s: float = 0.0
    master_join_s: float = 0.0
    join_all_s: float = 0.0
    room_full_s: float = 0.0
    welcome_ms: list[float] = field(default_factory=list)
    conns: list[int] = field(default_factory=list)
    rss_idle_kib: int = 0
    rss_joined_kib: int = 0
    rss_peak_kib: int = 0
    redis_mib: list[float | None] = field(default_factory=list)
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    rounds_wall_s: float = 0.0
    lag_ms: list[float] = field(default_factory=list)
    send_spread_ms: list[float] = field(default_factory=list)
    extensions: str = ""
    errors: Counter[str] = field(default_factory=Counter)
    problems: Counter[str] = field(default_factory=Counter)
    log_errors: list[str] = field(default_factory=list)
    open_presences: int = 0
    before_welcome: Counter[str] = field(default_factory=Counter)
    idle_s: float = 0.0
    idle_closed: int = -1  # connections the server closed while the room was quiet (-1: not run)
    killed: bool = False  # the server did not exit on SIGTERM

    @property
    def label(self) -> str:
        return f"{self.layer}, {self.workers} worker{'s' if self.workers > 1 else ''}"

    @property
    def failures(self) -> int:
        return sum(self.errors.values()) + sum(self.problems.values()) + len(self.log_errors)

    def ms(self, values: list[float]) -> list[float]:
        return sorted(1000 * v for v in values)

    def push_all(self) -> list[float]:
        return self.ms([t - r.push_sent for r in self.rounds for t in r.push_recv.values()])

    def push_first(self) -> list[float]:
        return self.ms([min(r.push_recv.values()) - r.push_sent for r in self.rounds])

    def push_last(self) -> list[float]:
        return self.ms([max(r.push_recv.values()) - r.push_sent for r in self.rounds])

    def push_master(self) -> list[float]:
        return self.ms([r.master_quiz - r.push_sent for r in self.rounds])

    def totals_last(self) -> list[float]:
        return self.ms([r.totals[r.last_peer] - r.last_sent for r in self.rounds])

    def totals_all(self) -> list[float]:
        return self.ms([max(r.totals.values()) - r.first_sent for r in self.rounds])

    def closed_all(self) -> list[float]:
        return self.ms([max(r.closed.values()) - r.close_sent for r in self.rounds])

    def ping(self) -> list[float]:
        return self.ms([p for r in self.rounds for p in r.pings])

    def ratio(self) -> float:
        push, ping = percentile(self.push_all(), 0.5), percentile(self.ping(), 0.5)
        return push / ping if ping else float("nan")


class Bench:
    """Everybody in one asyncio loop."""

    def __init__(self, port: int, plan: dict[str, Any], args: argparse.Namespace, res: Result):
        self.port = port
        self.plan = plan
        self.args = args
        self.res = res
        self.timeout = float(args.timeout)
        self.cookie_name = plan["cookie_name"]
        self.errors = res.errors
        self.problems = res.problems
        self.error_samples: dict[str, str] = {}
        sid = plan["session_id"]
        self.session_id = sid
        self.master = Peer(self, "master", f"/ws/live/{sid}/", plan["master"]["cookie"])
        self.rooms = [
            Peer(self, c["peer"], f"/ws/live/{sid}/?classroom={c['id']}", c["cookie"])
            for c in plan["classrooms"]
        ]
        self.round: Round | None = None
        self.pong: asyncio.Future[float] | None = None
        self.pong_token = 0
        self.joined_seen: set[str] = set()
        self.room_full = asyncio.Event()
        self.before_welcome = res.before_welcome
        self.rng = random.Random(args.seed)

    # Everything any connection receives comes through here, stamped on arrival.
    def on_event(self, peer: Peer, t: float, ev: dict[str, Any]) -> None:
        kind = ev.get("type")
        if kind == "error":
            key = f"{'master' if peer is self.master else 'classroom'}: {ev.get('code')}"
            self.errors[key] += 1
            self.error_samples.setdefault(key, str(ev.get("message", ""))[:160])
            return
        if kind == "replaced":
            self.problems[f"{peer.name} replaced by another connection"] += 1
            return
        if peer is self.master:
            if kind == "pong":
                if (
                    self.pong is not None
                    and not self.pong.done()
                    and ev.get("t") == self.pong_token
                ):
                    self.pong.set_result(t)
                return
            if kind == "peer.joined":
                self.joined_seen.add(str(ev.get("peer")))
                if len(self.joined_seen) >= len(self.rooms):
                    self.room_full.set()
                return
        rd = self.round
        if rd is None:
            return
        if kind in ("quiz", "quiz.state"):
            if rd.quiz_id is None:
                rd.quiz_id = ev.get("id")
            elif ev.get("id") != rd.quiz_id:
                self.problems["quiz events with different ids in one round"] += 1
        if kind == "quiz":
            if peer is self.master:
                rd.master_quiz = t
            else:
                rd.push_recv.setdefault(peer.name, t)
        elif kind == "quiz.state" and peer is self.master:
            if ev.get("status") == "open":
                rd.master_state = t
            else:
                rd.closed_state = t
        elif kind == "quiz.totals" and peer is self.master:
            room = ev.get("room") or {}
            name = str(room.get("peer"))
            sent = rd.answers.get(name)
            if sent is None or ev.get("quiz") != rd.quiz_id:
                self.problems["totals for a room or quiz that did not answer"] += 1
            elif (
                room.get("counts") != sent
                or room.get("answered") != sum(sent)
                or room.get("correct") != sent[CORRECT]
            ):
                self.problems["totals that differ from what the room sent"] += 1
            rd.totals.setdefault(name, t)
        elif kind == "quiz.received" and peer is not self.master:
            if ev.get("counts") != rd.answers.get(peer.name) or ev.get("quiz") != rd.quiz_id:
                self.problems["quiz.received that differs from what was sent"] += 1
            rd.received.add(peer.name)
        elif kind == "quiz.closed":
            total = sum(sum(c) for c in rd.answers.values())
            right = sum(c[CORRECT] for c in rd.answers.values())
            if ev.get("answered") != total or ev.get("right") != right:
                self.problems["quiz.closed sums that differ from the answers"] += 1
            rd.closed.setdefault(peer.name, t)
        else:
            return
        rd.check()

    async def wait(self, event: asyncio.Event, what: str, got: Any = None) -> None:
        try:
            await asyncio.wait_for(event.wait(), self.timeout)
        except TimeoutError as exc:
            detail = f" ({got()})" if got is not None else ""
            raise Timeout(f"no {what} within {self.timeout:.0f} s{detail}") from exc

    async def ping(self) -> float:
        loop = asyncio.get_running_loop()
        self.pong_token += 1
        self.pong = loop.create_future()
        t0 = time.perf_counter()
        await self.master.send({"type": "ping", "t": self.pong_token})
        try:
            t1 = await asyncio.wait_for(self.pong, self.timeout)
        except TimeoutError as exc:
            raise Timeout(f"no pong within {self.timeout:.0f} s") from exc
        return t1 - t0

    async def warm_up(self) -> None:
        """A few connect, ping, close of one classroom: the server's first-use costs
        (imports, database connections) are paid before the idle memory is read."""
        room = self.plan["classrooms"][0]
        for _ in range(WARMUP_CONNECTS):
            peer = Peer(
                self,
                room["peer"],
                f"/ws/live/{self.session_id}/?classroom={room['id']}",
                room["cookie"],
            )
            await peer.open()
            await peer.send({"type": "ping", "t": 0})
            await asyncio.sleep(0.1)
            await peer.close()
        await asyncio.sleep(0.5)

    async def join(self) -> None:
        res = self.res
        t0 = time.perf_counter()
        res.master_join_s = await self.master.open()
        res.extensions = self.master.extensions
        times = await asyncio.gather(*(p.open() for p in self.rooms))
        res.join_all_s = time.perf_counter() - t0
        res.welcome_ms = sorted(1000 * w for w in [res.master_join_s, *times])
        await self.wait(
            self.room_full,
            "peer.joined of every classroom at the master",
            lambda: f"{len(self.joined_seen)}/{len(self.rooms)}",
        )
        res.room_full_s = time.perf_counter() - t0

    async def rounds(self, server_root: int) -> None:
        res, args = self.res, self.args
        stop = asyncio.Event()
        lag = asyncio.create_task(self._lag(stop))
        sampler = Sampler(server_root)
        sampler.start()
        cpu0, self0, wall0 = (
            sum(tree(server_root).values()),
            resource.getrusage(0),
            time.perf_counter(),
        )
        try:
            for n in range(1, args.rounds + 1):
                started = time.perf_counter()
                await self.one_round(n)
                await asyncio.sleep(max(0.0, ROUND_MIN_S - (time.perf_counter() - started)))
        finally:
            wall = time.perf_counter() - wall0
            cpu1, self1 = sum(tree(server_root).values()), resource.getrusage(0)
            stop.set()
            await lag
            sampler.stop()
            res.rss_peak_kib = sampler.peak_kib
            res.rounds_wall_s = wall
            res.server_cpu = 100 * (cpu1 - cpu0) / CLK_TCK / wall
            used = (self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime)
            res.client_cpu = 100 * used / wall

    async def _lag(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            t = time.perf_counter()
            await asyncio.sleep(LAG_TICK_S)
            self.res.lag_ms.append(1000 * (time.perf_counter() - t - LAG_TICK_S))

    async def quiet(self, seconds: float) -> None:
        """The room stays quiet, as between two activities of a lesson; then every connection
        must still be open and one more round (left out of the figures) must go through."""
        await asyncio.sleep(seconds)
        peers = [self.master, *self.rooms]
        closed = [p.name for p in peers if p.reader is None or p.reader.done()]
        self.res.idle_s = seconds
        self.res.idle_closed = len(closed)
        if closed:
            print(
                f"  after {seconds:g} s quiet: {len(closed)} of {len(peers)} connections closed "
                f"by the server ({', '.join(closed[:5])}{'...' if len(closed) > 5 else ''})",
                flush=True,
            )
            return
        await self.one_round(self.args.rounds + 1, keep=False)
        print(
            f"  after {seconds:g} s quiet: every connection open, one more round went through",
            flush=True,
        )

    async def one_round(self, n: int, keep: bool = True) -> None:
        rd = Round(n, len(self.rooms))
        for _ in range(self.args.pings):
            rd.pings.append(await self.ping())
        for peer in self.rooms:  # each room's students, mostly right
            size = self.rng.randint(25, 45)
            counts = [0] * len(CHOICES)
            for _ in range(size):
                counts[
                    CORRECT if self.rng.random() < 0.6 else self.rng.randrange(len(CHOICES))
                ] += 1
            rd.answers[peer.name] = counts
        self.round = rd
        rd.push_sent = time.perf_counter()
        await self.master.send(
            {
                "type": "quiz.push",
                "prompt": f"第{n}题：图中箭头所指的是叶的哪一部分？",
                "choices": CHOICES,
                "correct": CORRECT,
            }
        )
        await self.wait(
            rd.pushed,
            "quiz at every classroom",
            lambda: (
                f"{len(rd.push_recv)}/{len(self.rooms)} classrooms, master quiz.state "
                f"{'yes' if rd.master_state else 'no'}"
            ),
        )
        order = list(self.rooms)
        self.rng.shuffle(order)
        frames = {
            p.name: json.dumps(
                {"type": "quiz.answer", "quiz": rd.quiz_id, "counts": rd.answers[p.name]}
            )
            for p in order
        }
        rd.first_sent = time.perf_counter()
        for peer in order:
            await peer.ws.send(frames[peer.name])
        rd.last_sent = time.perf_counter()
        rd.last_peer = order[-1].name
        self.res.send_spread_ms.append(1000 * (rd.last_sent - rd.first_sent))
        await self.wait(
            rd.counted,
            "totals for every classroom",
            lambda: f"{len(rd.totals)}/{len(self.rooms)} totals, {len(rd.received)} received",
        )
        rd.close_sent = time.perf_counter()
        await self.master.send({"type": "quiz.close", "quiz": rd.quiz_id})
        await self.wait(
            rd.finished,
            "quiz.closed everywhere",
            lambda: f"{len(rd.closed)}/{len(self.rooms) + 1}",
        )
        self.round = None
        if keep:
            self.res.rounds.append(rd)

    async def leave(self) -> None:
        await asyncio.gather(*(p.close() for p in [*self.rooms, self.master]))


async def session_run(bench: Bench, server: Server, res: Result, redis_url: str) -> None:
    await bench.warm_up()
    await asyncio.sleep(0.5)
    res.rss_idle_kib = rss_kib(tree(server.proc.pid))
    res.redis_mib.append(redis_used_mib(redis_url) if redis_url else None)
    try:
        await bench.join()
        await asyncio.sleep(1.0)
        res.rss_joined_kib = rss_kib(tree(server.proc.pid))
        res.redis_mib.append(redis_used_mib(redis_url) if redis_url else None)
        by_pid = connections_by_pid(server.proc.pid, server.port)
        res.conns = sorted(by_pid.values(), reverse=True)
        print(
            f"  joined: master in {1000 * res.master_join_s:.0f} ms, then "
            f"{len(bench.rooms)} classrooms at once; all welcomes {res.join_all_s:.2f} s after "
            f"the master's connect (each: p50 {p(res.welcome_ms, 0.5, 0)} ms, p99 "
            f"{p(res.welcome_ms, 0.99, 0)} ms), room full (master saw every peer.joined) at "
            f"{res.room_full_s:.2f} s; connections per server process "
            f"{'+'.join(map(str, res.conns)) or '-'}",
            flush=True,
        )
        await bench.rounds(server.proc.pid)
        res.redis_mib.append(redis_used_mib(redis_url) if redis_url else None)
        if bench.args.idle > 0:
            await bench.quiet(bench.args.idle)
    except Timeout as exc:
        res.problems[f"timeout: {exc}"] += 1
        print(f"  TIMEOUT: {exc}", flush=True)
    finally:
        t0 = time.perf_counter()
        await bench.leave()
        print(f"  every client closed in {time.perf_counter() - t0:.1f} s", flush=True)


def run_one(
    layer: str, workers: int, plan: dict[str, Any], home: Path, args: argparse.Namespace
) -> Result:
    res = Result(
        layer=layer, workers=workers, classrooms=len(plan["classrooms"]), rounds_planned=args.rounds
    )
    print(f"\n== {res.label}", flush=True)
    redis_url = args.redis_url if layer == "redis" else ""
    if redis_url:
        keys = redis_client(redis_url).dbsize()
        redis_client(redis_url).flushdb()
        print(f"  flushed {redis_url} ({keys} keys)", flush=True)
    env = clean_env(home, redis_url=redis_url)
    server = Server(
        env, workers, home.parent / f"serve-{layer}-{workers}.log", args.server_log_level
    )
    try:
        res.startup_s = server.wait_ready()
        print(
            f"  server on port {server.port} (pid {server.proc.pid}), ready in "
            f"{res.startup_s:.1f} s",
            flush=True,
        )
        bench = Bench(server.port, plan, args, res)
        run_async(session_run(bench, server, res, redis_url))
        for key, sample in bench.error_samples.items():
            print(f"  error events {key} x {res.errors[key]}: {sample}", flush=True)
        # Every client closed: the server records each leave; wait until the count of open
        # presences is 0 or has not moved for 3 s (a consumer that crashed never leaves).
        db_path = home / "tongke.sqlite3"
        last, still_since = -1, time.perf_counter()
        while True:
            res.open_presences = open_presences(db_path, plan["session_id"])
            if res.open_presences != last:
                last, still_since = res.open_presences, time.perf_counter()
            if res.open_presences == 0 or time.perf_counter() - still_since > 3:
                break
            time.sleep(0.2)
        if res.open_presences:
            res.problems["presences left open after every client closed"] += res.open_presences
    except Exception as exc:
        res.problems[f"{type(exc).__name__}: {str(exc)[:300]}"] += 1
        print(f"  FAILED: {type(exc).__name__}: {exc}", flush=True)
    finally:
        t0 = time.perf_counter()
        res.killed = server.stop()
        print(
            f"  server stopped in {time.perf_counter() - t0:.1f} s"
            + (" (SIGKILL: it did not exit on SIGTERM)" if res.killed else ""),
            flush=True,
        )
        res.log_errors = server.log_errors()
        if redis_url:
            with contextlib.suppress(Exception):
                redis_client(redis_url).flushdb()
    if res.log_errors:
        print(f"  server log {server.log_path}: {len(res.log_errors)} kinds of error", flush=True)
        for line in res.log_errors[:10]:
            print(f"    {line}", flush=True)
    if res.rounds:
        print(
            f"  {len(res.rounds)}/{args.rounds} rounds in {res.rounds_wall_s:.1f} s\n"
            f"  {machine_line(res, f'live[{layer},{workers}]')}",
            flush=True,
        )
    return res


# --- Report ----------------------------------------------------------------------------------


def fmt(value: float, digits: int = 1) -> str:
    return "-" if value != value else f"{value:.{digits}f}"  # NaN: no samples


def p(values: list[float], q: float, digits: int = 1) -> str:
    return fmt(percentile(values, q), digits)


def pair(values: list[float], digits: int = 1) -> str:
    return f"{p(values, 0.5, digits)} / {p(values, 0.99, digits)}"


def machine_line(res: Result, name: str = "live") -> str:
    def num(values: list[float], q: float) -> str:
        return p(values, q, 2)

    return (
        f"{name}: push_p50_ms={num(res.push_all(), 0.5)} push_p99_ms={num(res.push_all(), 0.99)} "
        f"last_push_p99_ms={num(res.push_last(), 0.99)} "
        f"totals_last_p50_ms={num(res.totals_last(), 0.5)} "
        f"totals_all_p50_ms={num(res.totals_all(), 0.5)} ping_p50_ms={num(res.ping(), 0.5)} "
        f"ratio={fmt(res.ratio(), 1)} rss_joined_mib={res.rss_joined_kib / 1024:.0f} "
        f"errors={res.failures}"
    )


def tables(results: list[Result]) -> list[str]:
    out = [
        "latency, ms (p50 / p99; push over every classroom's receipt, the others over rounds)",
        "",
        "| channel layer | server processes | connections per process | rounds | all 51 joined s "
        "| push | push, first classroom p50 | push, last classroom | totals, last room "
        "| all 50 totals | close, all 51 | ping (reference) | push p50 / ping p50 |",
        "|" + "---|" * 13,
    ]
    for r in results:
        first = percentile(r.push_first(), 0.5)
        out.append(
            f"| {r.layer} | {r.workers} | {'+'.join(map(str, r.conns)) or '-'} "
            f"| {len(r.rounds)}/{r.rounds_planned} | {fmt(r.join_all_s, 2)} "
            f"| {pair(r.push_all())} | {fmt(first)} | {pair(r.push_last())} "
            f"| {pair(r.totals_last())} | {pair(r.totals_all())} | {pair(r.closed_all())} "
            f"| {pair(r.ping(), 2)} | {fmt(r.ratio(), 0)} |"
        )
    out += [
        "",
        "server memory (summed RSS of the process tree) and CPU, client load",
        "",
        "| channel layer | server processes | RSS idle MiB | RSS 51 joined MiB "
        "| per connection KiB | RSS peak in rounds MiB | server CPU % | client CPU % "
        "| client loop lag p50 / p99 / max ms | 50 answers sent in ms (p50) "
        "| Redis used_memory MiB idle / joined / after | closed by the server while quiet |",
        "|" + "---|" * 12,
    ]
    for r in results:
        per_conn = (r.rss_joined_kib - r.rss_idle_kib) / (r.classrooms + 1)
        lag = sorted(r.lag_ms)
        quiet = (
            "-" if r.idle_closed < 0 else f"{r.idle_closed}/{r.classrooms + 1} in {r.idle_s:g} s"
        )
        redis = (
            " / ".join("-" if m is None else f"{m:.1f}" for m in r.redis_mib)
            if any(m is not None for m in r.redis_mib)
            else "-"
        )
        out.append(
            f"| {r.layer} | {r.workers} | {r.rss_idle_kib / 1024:.0f} "
            f"| {r.rss_joined_kib / 1024:.0f} | {per_conn:.0f} | {r.rss_peak_kib / 1024:.0f} "
            f"| {r.server_cpu:.0f} | {r.client_cpu:.0f} "
            f"| {p(lag, 0.5, 2)} / {p(lag, 0.99, 2)} / {fmt(lag[-1] if lag else float('nan'), 1)} "
            f"| {p(sorted(r.send_spread_ms), 0.5, 1)} | {redis} "
            f"| {quiet} |"
        )
    return out


def version(pkg: str) -> str:
    try:
        return importlib.metadata.version(pkg)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def conditions(args: argparse.Namespace, configs: list[tuple[str, int]]) -> list[str]:
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
    try:
        import uvloop  # noqa: F401

        client_loop = "uvloop"
    except ImportError:
        client_loop = "asyncio"
    redis_line = "redis: not used"
    if any(layer == "redis" for layer, _ in configs):
        server_version = "?"
        with contextlib.suppress(Exception):
            server_version = redis_client(args.redis_url).info("server")["redis_version"]
        redis_line = (
            f"redis {server_version} at {args.redis_url} (flushed before and after each run), "
            f"channels-redis {version('channels-redis')}, redis-py {version('redis')}"
        )
    settings = os.environ.get("DJANGO_SETTINGS_MODULE")
    return [
        f"date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"machine: {os.cpu_count()} CPUs ({cpu_model or platform.machine()}){mem}, "
        f"{platform.system()} {platform.release()}, load average at start {' '.join(load)}",
        f"code: git {git}",
        f"python {platform.python_version()}, django {version('django')}, "
        f"channels {version('channels')}, uvicorn {version('uvicorn')}, "
        f"websockets {version('websockets')}, uvloop {version('uvloop')}, "
        f"sqlite {sqlite3.sqlite_version}",
        redis_line,
        "database: SQLite in a throw-away TONGKE_HOME (migrated, then bench/_livesetup.py)",
        f"room: 1 master + {args.classrooms} receiving classrooms in one session; "
        f"{args.rounds} rounds (a push of 4 choices, {args.classrooms} answers, a close), "
        f"{args.pings} pings per round, at most one round per {ROUND_MIN_S} s, "
        f"timeout {args.timeout:g} s per wait, seed {args.seed}",
        f"runs: {'; '.join(f'{layer} layer, {w} server process(es)' for layer, w in configs)}",
        f"clients: websockets asyncio client on {client_loop}, all {args.classrooms + 1} "
        "connections in one process on the same machine as the server (loopback)",
        f"server settings: {settings} (from DJANGO_SETTINGS_MODULE)"
        if settings
        else "server settings: config.base (the default)",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=None, help="quiz rounds (30; --quick: 5)")
    parser.add_argument("--quick", action="store_true", help="5 rounds (for CI)")
    parser.add_argument(
        "--layers", default="memory,redis", help="channel layers, comma-separated: memory,redis"
    )
    parser.add_argument(
        "--workers",
        default="1,2",
        help="server processes for the Redis layer, comma-separated (the in-memory layer "
        "always runs 1: its rooms cannot span processes)",
    )
    parser.add_argument("--classrooms", type=int, default=50, help="receiving classrooms (1-60)")
    parser.add_argument("--pings", type=int, default=3, help="reference pings per round")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per wait")
    parser.add_argument(
        "--idle", type=float, default=8.0, help="quiet seconds after the rounds (0: skip)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--keep", action="store_true", help="keep the data home and logs")
    parser.add_argument(
        "--server-log-level", default="warning", help="uvicorn's --log-level (info to debug)"
    )
    args = parser.parse_args()
    if args.rounds is None:
        args.rounds = 5 if args.quick else 30
    if args.rounds < 1 or args.pings < 1:
        parser.error("--rounds and --pings are at least 1")
    if not 1 <= args.classrooms <= 60:
        parser.error("--classrooms is 1 to 60 (live.services.MAX_CLASSROOMS)")
    layers = [x.strip() for x in args.layers.split(",") if x.strip()]
    if not layers or any(x not in ("memory", "redis") for x in layers):
        parser.error("--layers takes memory, redis or both")
    try:
        workers = sorted({int(x) for x in args.workers.split(",") if x.strip()})
    except ValueError:
        parser.error("--workers takes numbers, comma-separated")
    if not workers or min(workers) < 1:
        parser.error("--workers takes numbers of at least 1")
    configs = [("memory", 1)] if "memory" in layers else []
    configs += [("redis", w) for w in workers] if "redis" in layers else []
    if "redis" in layers:
        try:
            redis_client(args.redis_url).ping()
        except Exception as exc:
            print(
                f"Redis is not reachable at {args.redis_url} ({exc}); "
                "run with --layers memory or give --redis-url",
                file=sys.stderr,
            )
            return 1

    cond = conditions(args, configs)
    print("Tongke live classes: quiz push and totals (bench/live.py)")
    print("\n".join(f"  {line}" for line in cond), flush=True)

    work = Path(tempfile.mkdtemp(prefix="tongke-bench-live-"))
    home = work / "home"
    results: list[Result] = []
    t_all = time.perf_counter()
    try:
        print(f"\n== setting up {home}", flush=True)
        env = clean_env(home)
        run_step("migrated", tongke("migrate", "--no-input"), env)
        plan_file = work / "plan.json"
        said = run_step(
            "set up the session (bench/_livesetup.py)",
            [
                sys.executable,
                str(BENCH_DIR / "_livesetup.py"),
                "--classrooms",
                str(args.classrooms),
                "--out",
                str(plan_file),
            ],
            env,
        )
        print(said.rstrip("\n"), flush=True)
        plan = json.loads(plan_file.read_text())
        for layer, n in configs:
            results.append(run_one(layer, n, plan, home, args))
    finally:
        if args.keep:
            print(f"\nkept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    print(f"\nResults ({time.perf_counter() - t_all:.0f} s in all)")
    with contextlib.suppress(OSError):
        cond.append(
            f"load average at the end {' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
        )
    extensions = next((r.extensions for r in results if r.extensions), "")
    cond.append(
        f"permessage-deflate: {'negotiated' if 'deflate' in extensions else 'off'}"
        f" ({extensions or 'no extension'})"
    )
    print("\n".join(f"  {line}" for line in cond))
    print(
        "  reference: the room's ping -> pong round trip from the master's connection (answered "
        "by the consumer at once: no database, no channel layer), measured between rounds "
        "with the room full"
    )
    print()
    print("\n".join(tables(results)))
    print()
    failed = False
    for r in results:
        if r.failures or len(r.rounds) < r.rounds_planned:
            failed = True
            print(f"FAILED {r.label}: {len(r.rounds)}/{r.rounds_planned} rounds", flush=True)
            for key, n in r.errors.most_common():
                print(f"  error event {key} x {n}")
            for key, n in r.problems.most_common():
                print(f"  {key} x {n}")
            for line in r.log_errors[:10]:
                print(f"  server log: {line}")
    for r in results:
        if r.killed:
            print(
                f"NOTE {r.label}: the server did not exit within {STOP_WAIT_S} s of SIGTERM "
                "(uvicorn waits for a task that never ends) and was killed"
            )
        if r.before_welcome:
            events = ", ".join(f"{k} x {n}" for k, n in r.before_welcome.most_common())
            print(f"NOTE {r.label}: events that reached a client before its welcome: {events}")
    if not failed:
        print(
            "no error events, no timeouts, every totals, received and closing sum as sent, "
            "no presence left open, no error in the server logs"
        )
    print()
    for r in results:
        print(machine_line(r, f"live[{r.layer},{r.workers}]"))
    main_run = next((r for r in results if r.layer == "memory"), results[0] if results else None)
    total = sum(r.failures for r in results)
    if main_run is not None:
        line = machine_line(main_run).rsplit(" errors=", 1)[0]
        line = re.sub(r" (last_push_p99_ms|totals_all_p50_ms|rss_joined_mib)=\S+", "", line)
        print(f"{line} errors={total}")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
