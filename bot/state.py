"""What the bot remembers between messages: the interface, and an in-process store."""
from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections import defaultdict
from enum import Enum
from typing import Protocol

from bot.message import HELPFUL, NOT_HELPFUL

DEDUP_TTL_SECONDS = 24 * 3600  # Telegram keeps undelivered updates for 24 h; Slack retries sooner
RATE_LIMIT_MESSAGES = 20  # per user and window: a person types far slower than this
RATE_LIMIT_WINDOW_SECONDS = 60
LANGUAGE_RETENTION_DAYS = 365  # a language choice unused for a year is forgotten
# Declined questions, and the counts behind the editors' report (answers, "did you mean"
# offers, feedback taps and the keys that keep a tap from counting twice): /privacy says so.
DECLINED_RETENTION_DAYS = 30
DECLINED_TEXT_MAX = 200  # characters of a declined question kept for the report
REPORT_MIN_USERS = 3  # a declined question is reported only once this many people asked it
DAY_SECONDS = 86400

# What `count` counts, per key and language and day: the key of ANSWERED is a topic id; of
# OFFERED, the topic ids a "did you mean" question offered, sorted, joined by OFFERED_JOIN;
# of HELPFUL and NOT_HELPFUL (what record_feedback counts), the topic id voted on.
ANSWERED = "answered"
OFFERED = "offered"
OFFERED_JOIN = "+"


def retention_facts() -> dict[str, int]:
    """What the stores keep for how long, for the privacy texts: they are written from
    these numbers, so they cannot say other than what the code does."""
    return {"language_days": LANGUAGE_RETENTION_DAYS, "declined_days": DECLINED_RETENTION_DAYS,
            "dedup_hours": DEDUP_TTL_SECONDS // 3600}


def day_number(timestamp: float) -> int:
    """Days since the epoch: counts are kept per day, and dropped a day at a time."""
    return int(timestamp // DAY_SECONDS)


def oldest_kept_day(now: float) -> int:
    """The first day still inside the retention (today is the last)."""
    return day_number(now) - DECLINED_RETENTION_DAYS + 1


class Rate(Enum):
    """What to do with a user's message under the per-user rate limit."""

    OK = "ok"  # answer it
    NOTICE = "notice"  # the first message over the limit: say so politely, once
    SILENT = "silent"  # further messages in the same window: drop quietly


def user_key(secret: bytes, platform: str, user_id: str) -> str:
    """A keyed hash of a user id: stores can tell users apart without knowing who they are."""
    return hmac.new(secret, f"{platform}:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


def vote_key(secret: bytes, platform: str, user_id: str, answer: str) -> str:
    """A keyed hash of one user and one answer message (`answer`: the platform's id of it):
    a second tap is recognised; the key holds neither who tapped nor what they chose."""
    return user_key(secret, platform, f"{user_id}\x1f{answer}")


class State(Protocol):
    """Per-user memory, de-duplication, rate limits, and the counts of the editors' report.

    Shared by every adapter and, with Redis, by every process. Implementations store user
    ids only as `user_key` hashes and no message text except declined questions.
    """

    async def get_language(self, platform: str, user_id: str) -> str | None:
        """The language this user chose with /language, if any."""

    async def set_language(self, platform: str, user_id: str, lang: str) -> None:
        """Remember this user's language choice."""

    async def first_time(self, key: str, ttl: int = DEDUP_TTL_SECONDS) -> bool:
        """True the first time `key` (an update or event id) is seen within `ttl` seconds."""

    async def rate(self, platform: str, user_id: str) -> Rate:
        """Count one message from this user and say whether to answer it."""

    async def record_declined(self, platform: str, user_id: str, text: str) -> None:
        """Count a declined question (normalised text) once per user, for the report."""

    async def top_declined(self, limit: int = 20,
                           min_users: int = REPORT_MIN_USERS) -> list[tuple[str, int]]:
        """Declined questions asked by at least `min_users` people: (text, people), most first."""

    async def count(self, kind: str, key: str, lang: str) -> None:
        """Add one to today's count of `kind` (ANSWERED, OFFERED) for `key` in `lang`."""

    async def record_feedback(self, platform: str, user_id: str, answer: str, topic: str,
                              lang: str, helpful: bool) -> bool:
        """Count a "was this helpful?" tap on an answer message (HELPFUL or NOT_HELPFUL, for
        `topic` in `lang`) once per user and message; True when it was counted."""

    async def counts(self, kind: str) -> dict[tuple[str, str], int]:
        """The counts of `kind` within the retention: (key, lang) -> total."""

    async def close(self) -> None:
        """Release connections."""


MEMORY_KEYS_MAX = 10_000  # de-duplication keys one process keeps, oldest dropped first


class MemoryState:
    """State kept in this process only: for tests, and for the Redis store's outages."""

    def __init__(self, secret: bytes | None = None):
        self._secret = secret or os.urandom(32)
        self._languages: dict[str, str] = {}
        self._seen: dict[str, float] = {}
        self._rates: dict[str, tuple[float, int]] = {}  # user -> (window start, count)
        self._declined: dict[str, dict[str, float]] = defaultdict(dict)  # text -> user -> time
        self._counts: dict[tuple[str, str, str, int], int] = {}  # (kind, key, lang, day) -> n
        self._counts_day = 0  # the day of the last count
        self._votes: dict[str, int] = {}  # vote key -> day, oldest first

    def _user(self, platform: str, user_id: str) -> str:
        return user_key(self._secret, platform, user_id)

    async def get_language(self, platform: str, user_id: str) -> str | None:
        return self._languages.get(self._user(platform, user_id))

    async def set_language(self, platform: str, user_id: str, lang: str) -> None:
        self._languages[self._user(platform, user_id)] = lang

    async def first_time(self, key: str, ttl: int = DEDUP_TTL_SECONDS) -> bool:
        now = time.monotonic()
        expires = self._seen.pop(key, None)
        if expires is not None and expires > now:
            self._seen[key] = expires
            return False
        # Keys are kept in the order they expire (one TTL for all): drop the expired ones
        # from the front, and the oldest past the cap, so no call scans them all.
        while self._seen and (len(self._seen) >= MEMORY_KEYS_MAX
                              or next(iter(self._seen.values())) <= now):
            del self._seen[next(iter(self._seen))]
        self._seen[key] = now + ttl
        return True

    async def rate(self, platform: str, user_id: str) -> Rate:
        now = time.monotonic()
        key = self._user(platform, user_id)
        start, count = self._rates.get(key, (now, 0))
        if now - start >= RATE_LIMIT_WINDOW_SECONDS:
            start, count = now, 0
        count += 1
        self._rates[key] = (start, count)
        return rate_for(count)

    async def record_declined(self, platform: str, user_id: str, text: str) -> None:
        if text:
            self._declined[text[:DECLINED_TEXT_MAX]][self._user(platform, user_id)] = time.time()

    async def top_declined(self, limit: int = 20,
                           min_users: int = REPORT_MIN_USERS) -> list[tuple[str, int]]:
        cutoff = time.time() - DECLINED_RETENTION_DAYS * 86400
        counts = [(text, sum(t > cutoff for t in users.values()))
                  for text, users in self._declined.items()]
        return sorted(((t, n) for t, n in counts if n >= min_users), key=lambda x: (-x[1], x[0]))[:limit]

    async def count(self, kind: str, key: str, lang: str) -> None:
        now = time.time()
        today = day_number(now)
        if today != self._counts_day:  # a new day: drop the one that left the retention
            oldest, self._counts_day = oldest_kept_day(now), today
            self._counts = {k: n for k, n in self._counts.items() if k[3] >= oldest}
        self._counts[(kind, key, lang, today)] = self._counts.get((kind, key, lang, today), 0) + 1

    async def record_feedback(self, platform: str, user_id: str, answer: str, topic: str,
                              lang: str, helpful: bool) -> bool:
        now = time.time()
        key = vote_key(self._secret, platform, user_id, answer)
        oldest = oldest_kept_day(now)
        while self._votes and (len(self._votes) >= MEMORY_KEYS_MAX
                               or next(iter(self._votes.values())) < oldest):
            del self._votes[next(iter(self._votes))]
        if key in self._votes:
            return False
        self._votes[key] = day_number(now)
        await self.count(HELPFUL if helpful else NOT_HELPFUL, topic, lang)
        return True

    async def counts(self, kind: str) -> dict[tuple[str, str], int]:
        oldest = oldest_kept_day(time.time())
        totals: dict[tuple[str, str], int] = {}
        for (counted, key, lang, day), n in self._counts.items():
            if counted == kind and day >= oldest:
                totals[(key, lang)] = totals.get((key, lang), 0) + n
        return totals

    async def close(self) -> None:
        return None


def rate_for(count: int) -> Rate:
    """The decision for a user's `count`-th message in the current window."""
    if count <= RATE_LIMIT_MESSAGES:
        return Rate.OK
    return Rate.NOTICE if count == RATE_LIMIT_MESSAGES + 1 else Rate.SILENT
