"""The one place that reads the environment.

Every setting Tongke takes from outside is read here, with a default that boots the
embedded mode (SQLite, local files, in-process work) with no configuration at all.
docs/architecture.md lists each variable.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}


def _flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in _TRUE


def _list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name, "")
    items = [part.strip() for part in raw.split(",") if part.strip()]
    return items or default


def _home() -> Path:
    return Path(os.environ.get("TONGKE_HOME") or BASE_DIR / "var").resolve()


def _secret_key(home: Path) -> str:
    """TONGKE_SECRET_KEY, or a key generated once and kept in the data home."""
    given = os.environ.get("TONGKE_SECRET_KEY")
    if given:
        return given
    key_file = home / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    home.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


@dataclass(frozen=True)
class Env:
    home: Path
    secret_key: str
    debug: bool
    production: bool
    database_url: str
    redis_url: str
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    behind_proxy: bool
    log_level: str
    login_attempts: int
    login_window_s: int
    db_pool_size: int
    upload_limit_mb: int
    tasks_immediate: bool
    s3_bucket: str
    s3_endpoint_url: str
    s3_region: str
    s3_access_key: str
    s3_secret_key: str
    janus_url: str
    janus_api_secret: str
    stun_urls: list[str]
    turn_urls: list[str]
    turn_secret: str
    extra: dict[str, str] = field(default_factory=dict)


def load() -> Env:
    home = _home()
    production = _flag("TONGKE_PRODUCTION")
    return Env(
        home=home,
        secret_key=_secret_key(home),
        debug=_flag("TONGKE_DEBUG"),
        production=production,
        database_url=os.environ.get("TONGKE_DATABASE_URL", ""),
        redis_url=os.environ.get("TONGKE_REDIS_URL", ""),
        allowed_hosts=_list(
            "TONGKE_ALLOWED_HOSTS", [] if production else ["127.0.0.1", "localhost", "[::1]"]
        ),
        csrf_trusted_origins=_list("TONGKE_CSRF_TRUSTED_ORIGINS", []),
        behind_proxy=_flag("TONGKE_BEHIND_PROXY"),
        log_level=os.environ.get("TONGKE_LOG_LEVEL", "INFO").upper(),
        login_attempts=int(os.environ.get("TONGKE_LOGIN_ATTEMPTS", "5")),
        login_window_s=int(os.environ.get("TONGKE_LOGIN_WINDOW_S", "900")),
        db_pool_size=int(os.environ.get("TONGKE_DB_POOL_SIZE", "20")),
        upload_limit_mb=int(os.environ.get("TONGKE_UPLOAD_LIMIT_MB", "512")),
        tasks_immediate=_flag("TONGKE_TASKS_IMMEDIATE"),
        s3_bucket=os.environ.get("TONGKE_S3_BUCKET", ""),
        s3_endpoint_url=os.environ.get("TONGKE_S3_ENDPOINT_URL", ""),
        s3_region=os.environ.get("TONGKE_S3_REGION", ""),
        s3_access_key=os.environ.get("TONGKE_S3_ACCESS_KEY", ""),
        s3_secret_key=os.environ.get("TONGKE_S3_SECRET_KEY", ""),
        janus_url=os.environ.get("TONGKE_JANUS_URL", ""),
        janus_api_secret=os.environ.get("TONGKE_JANUS_API_SECRET", ""),
        stun_urls=_list("TONGKE_STUN_URLS", []),
        turn_urls=_list("TONGKE_TURN_URLS", []),
        turn_secret=os.environ.get("TONGKE_TURN_SECRET", ""),
    )


ENV = load()
