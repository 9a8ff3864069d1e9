"""State in Redis: one store shared by every process and host that runs the bot."""
from __future__ import annotations

import hashlib
import time

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from bot.message import HELPFUL, NOT_HELPFUL
from bot.state import (
    DAY_SECONDS,
    DECLINED_RETENTION_DAYS,
    DECLINED_TEXT_MAX,
    DEDUP_TTL_SECONDS,
    LANGUAGE_RETENTION_DAYS,
    RATE_LIMIT_WINDOW_SECONDS,
    REPORT_MIN_USERS,
    Rate,
    day_number,
    oldest_kept_day,
    rate_for,
    user_key,
    vote_key,
)

KEY_PREFIX = "unhcr:"
# With one immediate retry (for a pooled connection a restart left stale), a dead Redis costs
# a reply at most twice this before FallbackState takes over.
SOCKET_TIMEOUT_SECONDS = 0.25
DECLINED_RETENTION_SECONDS = DECLINED_RETENTION_DAYS * DAY_SECONDS
# A day's counts expire once the last report that reads them is past: the day itself and the
# retention after it.
COUNTS_TTL_SECONDS = (DECLINED_RETENTION_DAYS + 1) * DAY_SECONDS
FIELD_JOIN = "|"  # counts:<day> fields are kind|key|lang; none of the three holds a "|"


class RedisState:
    """The `State` protocol over Redis; keys hold user hashes, never ids, and no message text.

    Keys, after the prefix: `lang:<user>`; `seen:<delivery key>` (expires);
    `rate:<user>` (expires with the window); `declined` (sorted set of texts by last time
    asked) and `declined:<text hash>` (sorted set of users by time), both expiring with the
    retention; `counts:<day>` (a hash of `kind|key|lang` -> count, expiring once the day leaves
    the retention); `vote:<vote key>` (a feedback tap already counted, expiring with the
    retention; it holds neither the user nor the vote).
    """

    def __init__(self, url: str, secret: bytes, *, prefix: str = KEY_PREFIX):
        """`secret` hashes user ids. It comes from STATE_SECRET, never from Redis: a key kept
        beside the hashes would let anyone with the data test who asked what."""
        self._redis = Redis.from_url(url, decode_responses=True,
                                     socket_timeout=SOCKET_TIMEOUT_SECONDS,
                                     socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
                                     retry=Retry(NoBackoff(), retries=1))
        self._secret = secret
        self._prefix = prefix

    async def _user(self, platform: str, user_id: str) -> str:
        return user_key(self._secret, platform, user_id)

    async def get_language(self, platform: str, user_id: str) -> str | None:
        lang = await self._redis.get(f"{self._prefix}lang:{await self._user(platform, user_id)}")
        return None if lang is None else str(lang)

    async def set_language(self, platform: str, user_id: str, lang: str) -> None:
        await self._redis.set(f"{self._prefix}lang:{await self._user(platform, user_id)}", lang,
                              ex=LANGUAGE_RETENTION_DAYS * 86400)

    async def first_time(self, key: str, ttl: int = DEDUP_TTL_SECONDS) -> bool:
        return bool(await self._redis.set(f"{self._prefix}seen:{key}", 1, nx=True, ex=ttl))

    async def rate(self, platform: str, user_id: str) -> Rate:
        key = f"{self._prefix}rate:{await self._user(platform, user_id)}"
        # The window starts with the user's first message; INCR keeps the expiry SET gave it.
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(key, 0, nx=True, ex=RATE_LIMIT_WINDOW_SECONDS)
            pipe.incr(key)
            _, count = await pipe.execute()
        return rate_for(count)

    async def record_declined(self, platform: str, user_id: str, text: str) -> None:
        if not text:
            return
        text = text[:DECLINED_TEXT_MAX]
        user, now = await self._user(platform, user_id), time.time()
        index, askers = self._prefix + "declined", self._askers_key(text)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(askers, {user: now})
            pipe.expire(askers, DECLINED_RETENTION_SECONDS)
            pipe.zadd(index, {text: now})
            pipe.expire(index, DECLINED_RETENTION_SECONDS)
            await pipe.execute()

    async def top_declined(self, limit: int = 20,
                           min_users: int = REPORT_MIN_USERS) -> list[tuple[str, int]]:
        cutoff = time.time() - DECLINED_RETENTION_SECONDS
        index = self._prefix + "declined"
        await self._redis.zremrangebyscore(index, "-inf", cutoff)
        texts: list[str] = list(map(str, await self._redis.zrange(index, 0, -1)))
        async with self._redis.pipeline(transaction=False) as pipe:
            for text in texts:
                pipe.zremrangebyscore(self._askers_key(text), "-inf", cutoff)
                pipe.zcard(self._askers_key(text))
            people = (await pipe.execute())[1::2]
        counts = [(text, int(n)) for text, n in zip(texts, people, strict=True) if n >= min_users]
        return sorted(counts, key=lambda x: (-x[1], x[0]))[:limit]

    async def count(self, kind: str, key: str, lang: str) -> None:
        day_key = f"{self._prefix}counts:{day_number(time.time())}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(day_key, FIELD_JOIN.join((kind, key, lang)), 1)
            pipe.expire(day_key, COUNTS_TTL_SECONDS)
            await pipe.execute()

    async def record_feedback(self, platform: str, user_id: str, answer: str, topic: str,
                              lang: str, helpful: bool) -> bool:
        # Claimed first, then counted: a tap is counted at most once, across processes too.
        key = f"{self._prefix}vote:{vote_key(self._secret, platform, user_id, answer)}"
        if not await self._redis.set(key, 1, nx=True, ex=DECLINED_RETENTION_SECONDS):
            return False
        await self.count(HELPFUL if helpful else NOT_HELPFUL, topic, lang)
        return True

    async def counts(self, kind: str) -> dict[tuple[str, str], int]:
        now = time.time()
        days = range(oldest_kept_day(now), day_number(now) + 1)
        async with self._redis.pipeline(transaction=False) as pipe:
            for day in days:
                pipe.hgetall(f"{self._prefix}counts:{day}")
            by_day = await pipe.execute()
        totals: dict[tuple[str, str], int] = {}
        for fields in by_day:
            for field, n in fields.items():
                counted, key, lang = str(field).split(FIELD_JOIN)
                if counted == kind:
                    totals[(key, lang)] = totals.get((key, lang), 0) + int(n)
        return totals

    def _askers_key(self, text: str) -> str:
        """The key of the users who asked `text`: a digest, so keys stay short."""
        return f"{self._prefix}declined:{hashlib.sha256(text.encode()).hexdigest()[:32]}"

    async def close(self) -> None:
        await self._redis.aclose()
