"""What the bot remembers between messages: the interface, and an in-process store."""
from __future__ import annotations

import hashlib
import hmac
import os
import time
from typing import Protocol

DEDUP_TTL_SECONDS = 24 * 3600  # Telegram keeps undelivered updates for 24 h; Slack retries sooner


def user_key(secret: bytes, platform: str, user_id: str) -> str:
    """A keyed hash of a user id: stores can tell users apart without knowing who they are."""
    return hmac.new(secret, f"{platform}:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


class State(Protocol):
    """Per-user memory and de-duplication, shared by every adapter (and, with Redis, process)."""

    async def get_language(self, platform: str, user_id: str) -> str | None:
        """The language this user chose with /language, if any."""

    async def set_language(self, platform: str, user_id: str, lang: str) -> None:
        """Remember this user's language choice."""

    async def first_time(self, key: str, ttl: int = DEDUP_TTL_SECONDS) -> bool:
        """True the first time `key` (an update or event id) is seen within `ttl` seconds."""


class MemoryState:
    """State kept in this process only: for the console, polling, and tests."""

    def __init__(self, secret: bytes | None = None):
        self._secret = secret or os.urandom(32)
        self._languages: dict[str, str] = {}
        self._seen: dict[str, float] = {}

    async def get_language(self, platform: str, user_id: str) -> str | None:
        return self._languages.get(user_key(self._secret, platform, user_id))

    async def set_language(self, platform: str, user_id: str, lang: str) -> None:
        self._languages[user_key(self._secret, platform, user_id)] = lang

    async def first_time(self, key: str, ttl: int = DEDUP_TTL_SECONDS) -> bool:
        now = time.monotonic()
        if len(self._seen) > 10_000:  # keep memory bounded: drop expired keys
            self._seen = {k: t for k, t in self._seen.items() if t > now}
        expires = self._seen.get(key)
        if expires is not None and expires > now:
            return False
        self._seen[key] = now + ttl
        return True
