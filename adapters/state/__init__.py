"""Opening the state store the settings name: Redis when REDIS_URL is set, else SQLite."""
from __future__ import annotations

import logging

from adapters.settings import REDIS_URL_SHAPE, SettingsError, StateSettings
from bot.state import State

log = logging.getLogger(__name__)


def open_state(settings: StateSettings) -> State:
    """The store `settings` describe (read and checked by adapters.settings.read_settings)."""
    if settings.redis_url is not None:
        if settings.secret is None:  # read_settings refuses this; a hand-made StateSettings may not
            raise SettingsError("STATE_SECRET must be set with REDIS_URL")
        return _open_redis(settings.redis_url, settings.secret)
    from adapters.state.sqlite_store import SqliteState

    log.info("state: SQLite at %s", settings.path)
    return SqliteState(settings.path, settings.secret)


def _open_redis(url: str, secret: bytes) -> State:
    """Redis behind a fallback to process memory; never echoes the URL (it may hold a password)."""
    from adapters.state.fallback import FallbackState
    from adapters.state.redis_store import RedisState

    try:
        primary = RedisState(url, secret)
    except ValueError:  # a URL redis-py reads otherwise than read_settings did
        raise SettingsError(REDIS_URL_SHAPE) from None
    log.info("state: Redis")
    return FallbackState(primary)
