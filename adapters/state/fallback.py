"""A shared store that keeps the bot answering through its outages, from process memory."""
from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.state import DEDUP_TTL_SECONDS, MEMORY_KEYS_MAX, REPORT_MIN_USERS, MemoryState, Rate, State

log = logging.getLogger(__name__)

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_AFTER_SECONDS = 5.0  # during an outage, the primary is tried again this often

T = TypeVar("T")


class FallbackState:
    """Every call goes to `primary`; while it is unreachable, to `fallback` instead.

    During an outage language choices are forgotten (replies fall back to detection) and
    de-duplication, rate limits, declined questions and the report's counts (feedback taps
    too) are kept in this process only. The de-duplication keys seen meanwhile are written
    back to the primary before it is asked again, so an update answered during the outage
    and delivered again after it is not answered twice. The counts are not written back: a report
    leaves out what an outage saw.
    """

    def __init__(self, primary: State, fallback: State | None = None, *,
                 retry_after: float = RETRY_AFTER_SECONDS):
        self.primary = primary
        self.fallback = fallback or MemoryState()
        self.retry_after = retry_after
        self._down = False
        self._retry_at = 0.0
        self._unsynced: dict[str, float] = {}  # keys seen during the outage -> their expiry

    @property
    def reachable(self) -> bool:
        """Whether the shared store answered the last time it was asked."""
        return not self._down

    async def _call(self, call: Callable[[State], Awaitable[T]]) -> T:
        if self._down and time.monotonic() < self._retry_at:
            return await call(self.fallback)
        if self._down:  # calls made while this probe is in flight go to the fallback
            self._retry_at = time.monotonic() + self.retry_after
        try:
            result = await call(self.primary)
        except OUTAGE_ERRORS as error:
            self._went_down(error)
            return await call(self.fallback)
        if self._down:
            self._down = False
            log.info("state store reachable again: shared state resumed")
        return result

    def _went_down(self, error: BaseException) -> None:
        self._retry_at = time.monotonic() + self.retry_after
        if not self._down:
            self._down = True
            # The error's type only: its message may carry the store's address.
            log.warning("state store unreachable (%s): answering from process memory, "
                        "retrying every %g s", type(error).__name__, self.retry_after)

    async def get_language(self, platform: str, user_id: str) -> str | None:
        return await self._call(lambda s: s.get_language(platform, user_id))

    async def set_language(self, platform: str, user_id: str, lang: str) -> None:
        await self._call(lambda s: s.set_language(platform, user_id, lang))

    async def first_time(self, key: str, ttl: int = DEDUP_TTL_SECONDS) -> bool:
        async def check(store: State) -> bool:
            if store is self.primary and self._unsynced:
                await self._write_back()  # an outage error here keeps the memory's answer
            return await store.first_time(key, ttl)

        first = await self._call(check)
        if self._down and len(self._unsynced) < MEMORY_KEYS_MAX:
            self._unsynced[key] = time.monotonic() + ttl
        return first

    async def _write_back(self) -> None:
        """Tell the primary the keys seen while it was away, oldest first."""
        now = time.monotonic()
        for key, expires in list(self._unsynced.items()):
            if expires > now:
                await self.primary.first_time(key, max(1, int(expires - now)))
            del self._unsynced[key]

    async def rate(self, platform: str, user_id: str) -> Rate:
        return await self._call(lambda s: s.rate(platform, user_id))

    async def record_declined(self, platform: str, user_id: str, text: str) -> None:
        await self._call(lambda s: s.record_declined(platform, user_id, text))

    async def top_declined(self, limit: int = 20,
                           min_users: int = REPORT_MIN_USERS) -> list[tuple[str, int]]:
        return await self._call(lambda s: s.top_declined(limit, min_users))

    async def count(self, kind: str, key: str, lang: str) -> None:
        await self._call(lambda s: s.count(kind, key, lang))

    async def record_feedback(self, platform: str, user_id: str, answer: str, topic: str,
                              lang: str, helpful: bool) -> bool:
        return await self._call(lambda s: s.record_feedback(platform, user_id, answer, topic,
                                                            lang, helpful))

    async def counts(self, kind: str) -> dict[tuple[str, str], int]:
        return await self._call(lambda s: s.counts(kind))

    async def close(self) -> None:
        try:
            await self.primary.close()
        finally:
            await self.fallback.close()
