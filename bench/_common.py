"""What the benchmark scripts share: processes and their memory, the tongke command, a clean
environment, percentiles, and a throw-away PostgreSQL database with its own role."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
import urllib.parse
from pathlib import Path
from typing import Any

PAGE = os.sysconf("SC_PAGE_SIZE")


def proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, utime+stime ticks) for every process."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        table[int(name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


def tree(root: int) -> dict[int, int]:
    """The server's processes (root and all descendants): pid -> CPU ticks used."""
    table = proc_table()
    found = {root} if root in table else set()
    grew = True
    while grew:
        grew = False
        for pid, (ppid, _) in table.items():
            if ppid in found and pid not in found:
                found.add(pid)
                grew = True
    return {pid: table[pid][1] for pid in found}


def rss_kib(pids: Any) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE // 1024
        except (OSError, IndexError, ValueError):
            pass
    return total


def clean_env(home: Path, database_url: str = "", redis_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGKE_")}
    env["TONGKE_HOME"] = str(home)
    if database_url:
        env["TONGKE_DATABASE_URL"] = database_url
    if redis_url:
        env["TONGKE_REDIS_URL"] = redis_url
    env["PYTHONUNBUFFERED"] = "1"
    return env


def tongke(*args: str) -> list[str]:
    return [sys.executable, "-m", "tongke.cli", *args]


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[k]


def run_async(coro: Any) -> Any:
    try:
        import uvloop

        return uvloop.run(coro)
    except ImportError:
        return asyncio.run(coro)


def pg_admin(base_url: str, sql: Any, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
        cur = conn.execute(sql, params or None)
        return cur.fetchall() if cur.description else []


def pg_create(base_url: str, limit: int, name: str) -> str:
    """A fresh database owned by a fresh role (both limited to ``limit`` connections); returns
    the server's database URL. Database and role are both called ``name``."""
    from psycopg import sql

    pg_drop(base_url, name)
    password = secrets.token_urlsafe(16)
    pg_admin(
        base_url,
        sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER CONNECTION LIMIT {} PASSWORD {}").format(
            sql.Identifier(name), sql.Literal(limit), sql.Literal(password)
        ),
    )
    pg_admin(
        base_url,
        sql.SQL("CREATE DATABASE {} OWNER {} CONNECTION LIMIT {}").format(
            sql.Identifier(name), sql.Identifier(name), sql.Literal(limit)
        ),
    )
    parts = urllib.parse.urlsplit(base_url)
    host = parts.netloc.rsplit("@", 1)[-1]
    netloc = f"{name}:{urllib.parse.quote(password, safe='')}@{host}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, f"/{name}", "", ""))


def pg_drop(base_url: str, name: str) -> None:
    from psycopg import sql

    pg_admin(
        base_url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    )
    pg_admin(base_url, sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
