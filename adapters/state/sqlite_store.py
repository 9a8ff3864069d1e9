"""State in one SQLite file: embedded, nothing to install, shareable by processes on one host."""
from __future__ import annotations

import os
import secrets
import sqlite3
import time
from pathlib import Path

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

BUSY_TIMEOUT_SECONDS = 2.0  # another process's write takes milliseconds; never wait longer
PURGE_INTERVAL_SECONDS = 60  # expired rows are deleted at most this often, by whichever call comes

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS language (user TEXT PRIMARY KEY, lang TEXT NOT NULL,
                                     updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, expires REAL NOT NULL);
CREATE INDEX IF NOT EXISTS seen_expires ON seen (expires);
CREATE TABLE IF NOT EXISTS rate (user TEXT PRIMARY KEY, started REAL NOT NULL,
                                 count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS declined (text TEXT NOT NULL, user TEXT NOT NULL,
                                     day INTEGER NOT NULL, PRIMARY KEY (text, user));
CREATE INDEX IF NOT EXISTS declined_day ON declined (day);
CREATE TABLE IF NOT EXISTS counts (kind TEXT NOT NULL, key TEXT NOT NULL, lang TEXT NOT NULL,
                                   day INTEGER NOT NULL, n INTEGER NOT NULL,
                                   PRIMARY KEY (kind, key, lang, day));
CREATE INDEX IF NOT EXISTS counts_day ON counts (day);
CREATE TABLE IF NOT EXISTS votes (key TEXT PRIMARY KEY, day INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS votes_day ON votes (day);
"""

# A later first_time for a key only counts as new once the earlier one has expired.
_CLAIM = """
INSERT INTO seen (key, expires) VALUES (:key, :expires)
ON CONFLICT (key) DO UPDATE SET expires = excluded.expires WHERE seen.expires <= :now
"""

# One statement, so two processes counting the same user cannot both miss an increment.
_COUNT = """
INSERT INTO rate (user, started, count) VALUES (:user, :now, 1)
ON CONFLICT (user) DO UPDATE SET
    count = CASE WHEN :now - started >= :window THEN 1 ELSE count + 1 END,
    started = CASE WHEN :now - started >= :window THEN :now ELSE started END
RETURNING count
"""

_COUNT_ONE = """
INSERT INTO counts (kind, key, lang, day, n) VALUES (:kind, :key, :lang, :day, 1)
ON CONFLICT (kind, key, lang, day) DO UPDATE SET n = n + 1
"""

_TOP = """
SELECT text, COUNT(*) AS people FROM declined WHERE day > :cutoff
GROUP BY text HAVING people >= :min_users ORDER BY people DESC, text LIMIT :limit
"""


class SqliteState:
    """The `State` protocol over a SQLite file, in WAL mode so several processes can share it."""

    def __init__(self, path: str | Path, secret: bytes | None = None):
        self.path = Path(path)
        _private_file(self.path)  # SQLite gives its -wal and -shm files the same mode
        self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        self._db.execute("PRAGMA journal_mode = WAL")
        # WAL with NORMAL cannot corrupt the file; a power cut may lose the last rate counts
        # and dedup keys. FULL made every write wait for the disk, on the event loop.
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.executescript(SCHEMA)
        self._secret = secret or self._key_file_secret()
        self._purged_at = 0.0

    def _key_file_secret(self) -> bytes:
        """The hashing key from its own file beside the database (mode 0600), made by the
        first process that needs it: a copy of the database alone cannot be matched to ids.

        A key an earlier version kept in the database moves to the file.
        """
        key_path = self.path.with_name(self.path.name + ".key")
        if not key_path.exists():
            row = self._db.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
            draft = key_path.with_name(f"{key_path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(row[0] if row else secrets.token_hex(32))
            try:
                os.link(draft, key_path)  # atomic: of two processes, one key wins
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        self._db.execute("DELETE FROM meta WHERE key = 'secret'")
        return key_path.read_text(encoding="ascii").strip().encode()

    def _user(self, platform: str, user_id: str) -> str:
        return user_key(self._secret, platform, user_id)

    def _purge(self, now: float) -> None:
        """Delete expired dedup keys, rate windows and declined rows, once in a while."""
        if now - self._purged_at < PURGE_INTERVAL_SECONDS:
            return
        self._purged_at = now
        self._db.execute("DELETE FROM seen WHERE expires <= ?", (now,))
        self._db.execute("DELETE FROM rate WHERE started <= ?", (now - RATE_LIMIT_WINDOW_SECONDS,))
        self._db.execute("DELETE FROM declined WHERE day <= ?", (_declined_cutoff(now),))
        self._db.execute("DELETE FROM counts WHERE day < ?", (oldest_kept_day(now),))
        self._db.execute("DELETE FROM votes WHERE day < ?", (oldest_kept_day(now),))
        self._db.execute("DELETE FROM language WHERE updated <= ?",
                         (now - LANGUAGE_RETENTION_DAYS * DAY_SECONDS,))

    async def get_language(self, platform: str, user_id: str) -> str | None:
        cutoff = time.time() - LANGUAGE_RETENTION_DAYS * DAY_SECONDS
        row = self._db.execute("SELECT lang FROM language WHERE user = ? AND updated > ?",
                               (self._user(platform, user_id), cutoff)).fetchone()
        return row[0] if row else None

    async def set_language(self, platform: str, user_id: str, lang: str) -> None:
        self._db.execute("INSERT INTO language (user, lang, updated) VALUES (?, ?, ?) "
                         "ON CONFLICT (user) DO UPDATE SET lang = excluded.lang, "
                         "updated = excluded.updated",
                         (self._user(platform, user_id), lang, time.time()))

    async def first_time(self, key: str, ttl: int = DEDUP_TTL_SECONDS) -> bool:
        now = time.time()
        self._purge(now)
        claimed = self._db.execute(_CLAIM, {"key": key, "expires": now + ttl, "now": now})
        return claimed.rowcount == 1

    async def rate(self, platform: str, user_id: str) -> Rate:
        now = time.time()
        self._purge(now)
        ((count,),) = self._db.execute(_COUNT, {"user": self._user(platform, user_id), "now": now,
                                                "window": RATE_LIMIT_WINDOW_SECONDS}).fetchall()
        return rate_for(count)

    async def record_declined(self, platform: str, user_id: str, text: str) -> None:
        if not text:
            return
        now = time.time()
        self._purge(now)
        self._db.execute("INSERT INTO declined (text, user, day) VALUES (?, ?, ?) "
                         "ON CONFLICT (text, user) DO UPDATE SET day = excluded.day",
                         (text[:DECLINED_TEXT_MAX], self._user(platform, user_id),
                          _day(now)))

    async def top_declined(self, limit: int = 20,
                           min_users: int = REPORT_MIN_USERS) -> list[tuple[str, int]]:
        rows = self._db.execute(_TOP, {"cutoff": _declined_cutoff(time.time()),
                                       "min_users": min_users, "limit": limit}).fetchall()
        return [(text, people) for text, people in rows]

    async def count(self, kind: str, key: str, lang: str) -> None:
        now = time.time()
        self._purge(now)
        self._db.execute(_COUNT_ONE, {"kind": kind, "key": key, "lang": lang,
                                      "day": day_number(now)})

    async def record_feedback(self, platform: str, user_id: str, answer: str, topic: str,
                              lang: str, helpful: bool) -> bool:
        now = time.time()
        self._purge(now)
        # One transaction: of two processes taking the same tap, one claims it and counts it.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            claimed = self._db.execute(
                "INSERT INTO votes (key, day) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (vote_key(self._secret, platform, user_id, answer), day_number(now))).rowcount == 1
            if claimed:
                self._db.execute(_COUNT_ONE, {"kind": HELPFUL if helpful else NOT_HELPFUL,
                                              "key": topic, "lang": lang, "day": day_number(now)})
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return claimed

    async def counts(self, kind: str) -> dict[tuple[str, str], int]:
        rows = self._db.execute("SELECT key, lang, SUM(n) FROM counts WHERE kind = ? AND day >= ? "
                                "GROUP BY key, lang", (kind, oldest_kept_day(time.time())))
        return {(key, lang): int(n) for key, lang, n in rows}

    async def close(self) -> None:
        self._db.close()


def _day(timestamp: float) -> int:
    """Days since the epoch: declined rows keep only the day they were last seen."""
    return day_number(timestamp)


def _declined_cutoff(now: float) -> int:
    """The last day too old for the report: rows on or before it are dropped."""
    return _day(now) - DECLINED_RETENTION_DAYS


def _private_file(path: Path) -> None:
    """Create `path` readable by its owner only, or make it so."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)
