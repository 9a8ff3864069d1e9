"""The state stores: the same behaviour from memory, SQLite and Redis, and what they keep."""
from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from redis.asyncio import Redis

from adapters.settings import SettingsError, read_settings
from adapters.state import open_state
from adapters.state.fallback import FallbackState
from adapters.state.redis_store import RedisState
from adapters.state.sqlite_store import SqliteState
from bot.message import HELPFUL, NOT_HELPFUL, Message
from bot.service import Service
from bot.state import (
    ANSWERED,
    DECLINED_RETENTION_DAYS,
    DECLINED_TEXT_MAX,
    OFFERED,
    RATE_LIMIT_MESSAGES,
    MemoryState,
    Rate,
    day_number,
    user_key,
)
from tests.redis_server import RedisServer, redis_server_path

SECRET = b"test-secret-0123456789"
USER = "777123456"  # distinctive, so finding it anywhere in a store means it leaked
NO_REDIS = ("Redis cases skipped: nothing answers on 127.0.0.1:6379 "
            "and redis-server is not installed")


class MemoryBackend:
    """MemoryState: nothing is shared, so each `open` is a separate store."""

    def __init__(self):
        self.stores: list[MemoryState] = []

    def open(self, secret: bytes | None = SECRET) -> MemoryState:
        self.stores.append(MemoryState(secret))
        return self.stores[-1]

    async def backdate(self, store, text: str, user_id: str, days: int) -> None:
        old = time.time() - days * 86400
        store._declined[text][user_key(SECRET, "telegram", user_id)] = old

    async def backdate_count(self, store, kind: str, key: str, lang: str, days: int) -> None:
        day = day_number(time.time()) - days
        store._counts[(kind, key, lang, day)] = store._counts.get((kind, key, lang, day), 0) + 1

    async def dump(self) -> str:
        return repr([store.__dict__ for store in self.stores])

    async def close(self) -> None:
        return None


class SqliteBackend:
    """SqliteState on one file in the test's temp directory."""

    def __init__(self, path: Path):
        self.path = path
        self.stores: list[SqliteState] = []

    def open(self, secret: bytes | None = SECRET) -> SqliteState:
        self.stores.append(SqliteState(self.path, secret))
        return self.stores[-1]

    async def backdate(self, store, text: str, user_id: str, days: int) -> None:
        with closing(sqlite3.connect(self.path, isolation_level=None)) as db:
            db.execute("INSERT OR REPLACE INTO declined (text, user, day) VALUES (?, ?, ?)",
                       (text, user_key(SECRET, "telegram", user_id),
                        int(time.time() // 86400) - days))

    async def backdate_count(self, store, kind: str, key: str, lang: str, days: int) -> None:
        with closing(sqlite3.connect(self.path, isolation_level=None)) as db:
            db.execute("INSERT INTO counts (kind, key, lang, day, n) VALUES (?, ?, ?, ?, 1)",
                       (kind, key, lang, day_number(time.time()) - days))

    async def dump(self) -> str:
        """Every row of every table, and the raw bytes of the file and its write-ahead log."""
        rows = []
        with closing(sqlite3.connect(self.path, isolation_level=None)) as db:
            tables = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
            for (table,) in tables:
                rows.append((table, db.execute(f"SELECT * FROM {table}").fetchall()))
        files = [p.read_bytes().decode("utf-8", "replace")
                 for p in (self.path, self.path.with_name(self.path.name + "-wal")) if p.exists()]
        return repr(rows) + "".join(files)

    async def stored_secret(self) -> bytes | None:
        key = self.path.with_name(self.path.name + ".key")
        return key.read_text().strip().encode() if key.exists() else None

    async def close(self) -> None:
        for store in self.stores:
            await store.close()


class RedisBackend:
    """RedisState under a key prefix of its own, deleted afterwards."""

    def __init__(self, url: str):
        self.url = url
        self.prefix = f"test-{uuid.uuid4().hex}:"
        self.redis = Redis.from_url(url, decode_responses=True)
        self.stores: list[RedisState] = []

    def open(self, secret: bytes | None = SECRET) -> RedisState:
        self.stores.append(RedisState(self.url, secret, prefix=self.prefix))
        return self.stores[-1]

    async def backdate(self, store, text: str, user_id: str, days: int) -> None:
        old = time.time() - days * 86400
        await self.redis.zadd(store._askers_key(text), {user_key(SECRET, "telegram", user_id): old})
        await self.redis.zadd(self.prefix + "declined", {text: old}, nx=True)

    async def backdate_count(self, store, kind: str, key: str, lang: str, days: int) -> None:
        await self.redis.hincrby(f"{self.prefix}counts:{day_number(time.time()) - days}",
                                 f"{kind}|{key}|{lang}", 1)

    async def dump(self) -> str:
        """Every key under the prefix with its value, whatever its type."""
        read = {"string": self.redis.get, "hash": self.redis.hgetall, "set": self.redis.smembers,
                "zset": lambda k: self.redis.zrange(k, 0, -1, withscores=True),
                "list": lambda k: self.redis.lrange(k, 0, -1)}
        items = [(key, await read[await self.redis.type(key)](key))
                 async for key in self.redis.scan_iter(match=self.prefix + "*")]
        return repr(items)

    async def stored_secret(self) -> bytes | None:
        value = await self.redis.get(self.prefix + "secret")
        return value.encode() if value else None

    async def close(self) -> None:
        for store in self.stores:
            await store.close()
        keys = [key async for key in self.redis.scan_iter(match=self.prefix + "*")]
        if keys:
            await self.redis.delete(*keys)
        await self.redis.aclose()


@pytest.fixture(params=["memory", "sqlite", "redis"])
async def backend(request, tmp_path):
    if request.param == "memory":
        made = MemoryBackend()
    elif request.param == "sqlite":
        made = SqliteBackend(tmp_path / "state.sqlite3")
    else:
        made = RedisBackend(request.getfixturevalue("redis_url"))
    yield made
    await made.close()


shared_backends = pytest.mark.parametrize("backend", ["sqlite", "redis"], indirect=True)


async def test_language_is_kept_per_user_and_platform(backend):
    store = backend.open()
    assert await store.get_language("telegram", USER) is None
    await store.set_language("telegram", USER, "kk")
    await store.set_language("telegram", "2", "ru")
    assert await store.get_language("telegram", USER) == "kk"
    assert await store.get_language("telegram", "2") == "ru"
    assert await store.get_language("slack", USER) is None
    await store.set_language("telegram", USER, "en")
    assert await store.get_language("telegram", USER) == "en"


async def test_a_delivery_is_new_once_until_its_ttl_passes(backend):
    store = backend.open()
    assert await store.first_time("telegram:1", ttl=1)
    assert not await store.first_time("telegram:1", ttl=1)
    assert await store.first_time("slack:1", ttl=1)
    await asyncio.sleep(1.1)
    assert await store.first_time("telegram:1", ttl=1)
    assert not await store.first_time("telegram:1", ttl=1)


async def test_a_flood_gets_one_notice_then_silence_and_never_slows_others(backend):
    store = backend.open()
    decisions = [await store.rate("telegram", USER) for _ in range(RATE_LIMIT_MESSAGES + 3)]
    assert decisions == [Rate.OK] * RATE_LIMIT_MESSAGES + [Rate.NOTICE, Rate.SILENT, Rate.SILENT]
    assert await store.rate("telegram", "2") is Rate.OK
    assert await store.rate("slack", USER) is Rate.OK


async def test_declined_questions_count_each_person_once(backend):
    store = backend.open()
    for user in ("1", "2", "3", "3"):
        await store.record_declined("telegram", user, "weather in almaty")
    for user in ("1", "2"):
        await store.record_declined("telegram", user, "best pizza")
    for user in ("1", "2", "3", "4"):
        await store.record_declined("slack", user, "x" * (DECLINED_TEXT_MAX + 50))
    await store.record_declined("telegram", "5", "")
    assert await store.top_declined() == [("x" * DECLINED_TEXT_MAX, 4), ("weather in almaty", 3)]
    assert await store.top_declined(min_users=2) == [
        ("x" * DECLINED_TEXT_MAX, 4), ("weather in almaty", 3), ("best pizza", 2)]
    assert await store.top_declined(limit=1) == [("x" * DECLINED_TEXT_MAX, 4)]


async def test_declined_questions_older_than_the_retention_are_not_counted(backend):
    store = backend.open()
    for user in ("1", "2"):
        await store.record_declined("telegram", user, "weather in almaty")
    await backend.backdate(store, "weather in almaty", "3", DECLINED_RETENTION_DAYS + 1)
    await backend.backdate(store, "long ago", "1", DECLINED_RETENTION_DAYS + 1)
    assert await store.top_declined(min_users=1) == [("weather in almaty", 2)]


async def test_answers_and_offers_are_counted_per_key_and_language(backend):
    store = backend.open()
    for lang in ("ru", "ru", "en"):
        await store.count(ANSWERED, "office", lang)
    await store.count(ANSWERED, "head", "kk")
    await store.count(OFFERED, "head+office", "en")
    assert await store.counts(ANSWERED) == {("office", "ru"): 2, ("office", "en"): 1,
                                            ("head", "kk"): 1}
    assert await store.counts(OFFERED) == {("head+office", "en"): 1}
    assert await store.counts(HELPFUL) == {}


async def test_counts_older_than_the_retention_are_left_out(backend):
    store = backend.open()
    await store.count(ANSWERED, "office", "en")
    await backend.backdate_count(store, ANSWERED, "office", "en", DECLINED_RETENTION_DAYS - 1)
    await backend.backdate_count(store, ANSWERED, "office", "en", DECLINED_RETENTION_DAYS)
    await backend.backdate_count(store, HELPFUL, "head", "ru", DECLINED_RETENTION_DAYS + 5)
    assert await store.counts(ANSWERED) == {("office", "en"): 2}
    assert await store.counts(HELPFUL) == {}


async def test_a_vote_counts_once_per_person_and_answer_message(backend):
    store = backend.open()
    assert await store.record_feedback("telegram", USER, "424242:101", "office", "en", True)
    assert not await store.record_feedback("telegram", USER, "424242:101", "office", "en", True)
    assert not await store.record_feedback("telegram", USER, "424242:101", "office", "en", False), \
        "the first vote on a message stands"
    assert await store.record_feedback("telegram", "2", "424242:101", "office", "en", False)
    assert await store.record_feedback("telegram", USER, "424242:102", "office", "en", True)
    assert await store.record_feedback("slack", USER, "424242:101", "office", "ru", True)
    assert await store.counts(HELPFUL) == {("office", "en"): 2, ("office", "ru"): 1}
    assert await store.counts(NOT_HELPFUL) == {("office", "en"): 1}


@shared_backends
async def test_two_store_objects_on_one_store_act_as_one_bot(backend):
    first, second = backend.open(), backend.open()
    await first.set_language("telegram", USER, "kk")
    assert await second.get_language("telegram", USER) == "kk"
    assert await first.first_time("telegram:42")
    assert not await second.first_time("telegram:42")
    for _ in range(RATE_LIMIT_MESSAGES):
        await first.rate("telegram", USER)
    assert await second.rate("telegram", USER) is Rate.NOTICE
    assert await first.record_feedback("telegram", USER, "424242:101", "office", "en", True)
    assert not await second.record_feedback("telegram", USER, "424242:101", "office", "en", True)
    await second.count(ANSWERED, "office", "en")
    assert await first.counts(HELPFUL) == await first.counts(ANSWERED) == {("office", "en"): 1}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # Redis requires STATE_SECRET
async def test_without_a_configured_secret_one_is_generated_and_shared(backend):
    first, second = backend.open(secret=None), backend.open(secret=None)
    await first.set_language("telegram", USER, "kk")
    assert await second.get_language("telegram", USER) == "kk"
    generated = await backend.stored_secret()
    assert len(generated) >= 32 and generated != SECRET
    assert user_key(generated, "telegram", USER) in await backend.dump()
    assert await backend.open(secret=SECRET).get_language("telegram", USER) is None


@shared_backends
async def test_a_configured_secret_is_the_one_used(backend):
    await backend.open(secret=SECRET).set_language("telegram", USER, "kk")
    assert user_key(SECRET, "telegram", USER) in await backend.dump()
    assert await backend.stored_secret() is None, "nothing generated when one is configured"


# A language choice, an answered question and a declined one, with the reply kind each gets.
CONVERSATION = [("/language kk", "language"), ("where is the unhcr office in almaty", "answer"),
                ("What is the WEATHER in Almaty?!", "decline")]


ANSWER_ID = "-1009876543210:555777"  # the chat and message a vote is about (a group's)


async def test_stores_keep_no_user_id_and_no_text_but_declined_questions(backend, bot):
    service = Service(bot, backend.open())
    assert await service.first_time("telegram", "9001")
    for platform in ("telegram", "slack"):
        for text, kind in CONVERSATION:
            reply = await service.handle(Message(text=text, platform=platform, user_id=USER))
            assert reply.kind == kind
        thanks = await service.feedback(platform=platform, user_id=USER, answer=ANSWER_ID,
                                        topic="office", lang="kk", helpful=False)
        assert thanks is not None
    dump = await backend.dump()
    assert USER not in dump
    assert "what is the weather in almaty" in dump, "the declined question is kept, normalised"
    for text, _ in CONVERSATION:
        assert text not in dump
    assert "unhcr office" not in dump and "/language" not in dump
    assert "9876543210" not in dump and "555777" not in dump, "nor which message was voted on"
    assert await service.state.counts(NOT_HELPFUL) == {("office", "kk"): 2}


def test_open_state_is_sqlite_in_the_working_directory_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = open_state(read_settings({"REDIS_URL": "", "STATE_PATH": ""}).state)
    assert isinstance(store, SqliteState) and (tmp_path / "state.sqlite3").exists()
    asyncio.run(store.close())


async def test_open_state_uses_state_path_and_state_secret(tmp_path):
    path = tmp_path / "bot.sqlite3"
    store = open_state(read_settings({"STATE_PATH": str(path), "STATE_SECRET": SECRET.decode()}).state)
    await store.set_language("telegram", USER, "ru")
    await store.close()
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT user, lang FROM language").fetchall() == [
            (user_key(SECRET, "telegram", USER), "ru")]
        assert db.execute("SELECT * FROM meta").fetchall() == []


def test_open_state_with_redis_url_is_redis_behind_a_fallback():
    store = open_state(read_settings({"REDIS_URL": "redis://127.0.0.1:6379/0",
                                      "STATE_SECRET": SECRET.decode()}).state)
    assert isinstance(store, FallbackState) and isinstance(store.primary, RedisState)
    asyncio.run(store.close())


def test_redis_needs_a_state_secret_the_key_never_sits_beside_the_hashes():
    with pytest.raises(SettingsError, match="STATE_SECRET must be set with REDIS_URL"):
        read_settings({"REDIS_URL": "redis://127.0.0.1:6379/0"})


async def test_sqlite_keeps_its_key_in_its_own_private_file(tmp_path):
    path = tmp_path / "bot.sqlite3"
    store = open_state(read_settings({"STATE_PATH": str(path)}).state)
    await store.set_language("telegram", USER, "kk")
    await store.close()
    key = (tmp_path / "bot.sqlite3.key").read_text().strip().encode()
    assert len(key) == 64 and (tmp_path / "bot.sqlite3.key").stat().st_mode & 0o777 == 0o600
    assert path.stat().st_mode & 0o777 == 0o600
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT * FROM meta").fetchall() == [], "no key in the database"
        assert db.execute("SELECT user FROM language").fetchall() == [
            (user_key(key, "telegram", USER),)]
    again = open_state(read_settings({"STATE_PATH": str(path)}).state)  # a restart uses the same key
    assert await again.get_language("telegram", USER) == "kk"
    await again.close()


async def test_a_key_kept_in_an_older_database_moves_to_the_key_file(tmp_path):
    path = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('secret', ?)", ("ab" * 32,))
        db.commit()
    store = open_state(read_settings({"STATE_PATH": str(path)}).state)
    await store.close()
    assert (tmp_path / "old.sqlite3.key").read_text() == "ab" * 32


@pytest.mark.parametrize("url", ["http://user:hunter2@host:6379", "hunter2@host:6379",
                                 "redis://:hunter2@host:notaport"])
def test_a_malformed_redis_url_is_refused_without_echoing_it(url):
    with pytest.raises(SettingsError, match="REDIS_URL must look like redis://") as refused:
        read_settings({"REDIS_URL": url, "STATE_SECRET": SECRET.decode()})
    assert "hunter2" not in str(refused.value) and refused.value.__cause__ is None


def test_a_short_state_secret_is_refused_without_echoing_it(tmp_path):
    with pytest.raises(SettingsError, match="STATE_SECRET must be at least 16") as refused:
        read_settings({"STATE_PATH": str(tmp_path / "s.sqlite3"), "STATE_SECRET": "tooshort"})
    assert "tooshort" not in str(refused.value)


async def test_fallback_answers_through_a_redis_outage_and_resumes(tmp_path, caplog):
    if redis_server_path() is None:
        pytest.skip("FallbackState case skipped: redis-server is not installed")
    caplog.set_level(logging.INFO, logger="adapters.state.fallback")
    server = RedisServer(tmp_path)
    server.start()
    state = FallbackState(RedisState(server.url, SECRET), retry_after=0.2)
    try:
        await state.set_language("telegram", USER, "kk")
        assert await state.get_language("telegram", USER) == "kk"

        server.stop()
        started = time.monotonic()
        assert await state.get_language("telegram", USER) is None, "detection takes over"
        assert await state.first_time("telegram:1")
        assert not await state.first_time("telegram:1"), "de-duplication goes on in-process"
        assert await state.rate("telegram", USER) is Rate.OK
        assert await state.record_feedback("telegram", USER, "1:2", "office", "en", True)
        assert not await state.record_feedback("telegram", USER, "1:2", "office", "en", True)
        assert await state.counts(HELPFUL) == {("office", "en"): 1}, "counted in-process"
        assert time.monotonic() - started < 1.0
        await asyncio.sleep(0.25)  # the retry fails too, and is not logged again
        assert await state.get_language("telegram", USER) is None
        outages = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(outages) == 1 and USER not in outages[0].getMessage()

        server.start()  # same port, empty: it has not seen telegram:1
        await asyncio.sleep(0.25)
        assert not await state.first_time("telegram:1"), "seen during the outage: not again"
        assert not await state.primary.first_time("telegram:1"), "written back to Redis"
        assert await state.first_time("telegram:2"), "the primary answers again"
        await state.set_language("telegram", USER, "ru")
        assert await state.primary.get_language("telegram", USER) == "ru"
        recoveries = [r for r in caplog.records if "reachable again" in r.getMessage()]
        assert len(recoveries) == 1 and len(caplog.records) == 2
    finally:
        await state.close()
        server.stop()


async def test_memory_state_keeps_a_bounded_number_of_keys_newest_first():
    from bot.state import MEMORY_KEYS_MAX
    store = MemoryState(secret=b"m" * 32)
    for n in range(MEMORY_KEYS_MAX + 50):
        assert await store.first_time(f"update:{n}")
    assert not await store.first_time(f"update:{MEMORY_KEYS_MAX + 49}"), "the newest is kept"
    assert not await store.first_time(f"update:{MEMORY_KEYS_MAX - 1}")
    assert await store.first_time("update:0"), "the oldest made room"
