"""Choosing the state store from the environment: Redis when REDIS_URL is set, else SQLite."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import urlsplit

from bot.state import State

log = logging.getLogger(__name__)

DEFAULT_STATE_PATH = "state.sqlite3"  # relative: in the working directory
REDIS_SCHEMES = ("redis", "rediss", "unix")
SECRET_MIN_CHARS = 16
REDIS_URL_SHAPE = ("REDIS_URL must look like redis://[:password@]host:port/db, "
                   "rediss://... (TLS) or unix:///path/to/redis.sock")


def open_state(environ: Mapping[str, str]) -> State:
    """The store REDIS_URL, STATE_PATH and STATE_SECRET describe; empty values count as unset."""
    secret = state_secret(environ)
    redis_url = environ.get("REDIS_URL", "").strip()
    if redis_url:
        if secret is None:
            raise ValueError(f"STATE_SECRET must be set with REDIS_URL (at least {SECRET_MIN_CHARS} "
                             "characters): the key that hashes user ids is not kept in Redis")
        return _open_redis(redis_url, secret)
    from adapters.state.sqlite_store import SqliteState

    path = environ.get("STATE_PATH", "").strip() or DEFAULT_STATE_PATH
    log.info("state: SQLite at %s", path)
    return SqliteState(path, secret)


def state_secret(environ: Mapping[str, str]) -> bytes | None:
    """STATE_SECRET as bytes, or None: SQLite then generates one in its own key file."""
    secret = environ.get("STATE_SECRET", "").strip()
    if not secret:
        return None
    if len(secret) < SECRET_MIN_CHARS:
        raise ValueError(f"STATE_SECRET must be at least {SECRET_MIN_CHARS} characters "
                         "(e.g. 64 hex digits), or unset to generate one")
    return secret.encode()


def _open_redis(url: str, secret: bytes) -> State:
    """Redis behind a fallback to process memory; never echoes the URL (it may hold a password)."""
    from adapters.state.fallback import FallbackState
    from adapters.state.redis_store import RedisState

    try:
        if urlsplit(url).scheme not in REDIS_SCHEMES:
            raise ValueError
        primary = RedisState(url, secret)
    except ValueError:
        raise ValueError(REDIS_URL_SHAPE) from None
    log.info("state: Redis")
    return FallbackState(primary)
