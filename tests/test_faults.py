"""Faults over real HTTP: a flaky Bot API, a rate-limited Slack, Redis going away,
malformed webhook bodies and content broken while the server runs.

Each test runs the real web app (Starlette under uvicorn, PTB, Bolt, redis-py) against the
fakes in tests/fakes and asserts on what reached the platform.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
from collections import Counter
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis

from adapters.telegram.app import NETWORK_BACKOFF_SECONDS
from adapters.web import MAX_BODY_BYTES
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.telegram_api import WEBHOOK_SECRET, FakeBotAPI, make_update
from tests.redis_server import RedisServer, redis_server_path
from tests.webtools import eventually, request, serving, slack_command, slack_headers, web_app

ROOT = Path(__file__).resolve().parent.parent
TG_HEADERS = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET,
              "Content-Type": "application/json"}
QUIET = 0.3  # seconds to wait for something that must not happen


def private_update(chat_id: int, text: str = "/office") -> dict:
    """A private-chat update from its own user: answers to it are told apart by chat id."""
    update = make_update("private_command", text=text)
    update["message"]["chat"]["id"] = update["message"]["from"]["id"] = chat_id
    return update


async def post_all(url: str, updates: list[dict], parallel: int = 20) -> list[int]:
    """POST each update to /telegram, `parallel` at a time; their statuses in order."""
    gate = asyncio.Semaphore(parallel)
    async with aiohttp.ClientSession() as session:
        async def post(update):
            async with gate, session.post(f"{url}/telegram", data=json.dumps(update),
                                          headers=TG_HEADERS) as response:
                return response.status
        return await asyncio.gather(*(post(u) for u in updates))


async def answer_to(url: str, api: FakeBotAPI, update: dict) -> str:
    """POST one update and wait for the text sent back to its chat."""
    chat = update["message"]["chat"]["id"]
    before = len(api.sent())
    assert (await post_all(url, [update])) == [200]
    answers = await eventually(lambda: [m for m in api.sent()[before:]
                                        if int(m["chat_id"]) == chat])
    return answers[-1]["text"]


async def post_slack(url: str, body: str, content_type: str) -> int:
    """POST a signed body to /slack/events; the status."""
    headers = slack_headers(body, content_type=content_type)
    return (await request("POST", f"{url}/slack/events", body, headers))[0]


# -- 1. a flaky Bot API ----------------------------------------------------------------------
UPDATES = 500
FIRST_CHAT = 6_000_000
# Telegram's retry_after is whole seconds; PTB takes any number (telegram._utils.
# argumentparsing.to_timedelta) and AIORateLimiter sleeps it + 0.1 s while holding every
# request back. 50 pauses of 1.1 s would take a minute, so the fake asks for 0.05 s here.
FAST_RETRY_AFTER = 0.05


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_each_of_500_updates_is_answered_exactly_once_through_429s_and_500s(
        content_dir, telegram_api):
    telegram_api.fail_every("sendMessage", 10, 429, retry_after=FAST_RETRY_AFTER)
    telegram_api.fail_every("sendMessage", 17, 500)
    chats = range(FIRST_CHAT, FIRST_CHAT + UPDATES)
    async with serving(web_app(content_dir, telegram_api)) as url:
        assert set(await post_all(url, [private_update(c) for c in chats])) == {200}
        await telegram_api.wait_for("sendMessage", UPDATES, timeout=50)
        await asyncio.sleep(QUIET)

    answered = Counter(int(m["chat_id"]) for m in telegram_api.sent())
    assert answered == Counter(chats), "one sendMessage success per update, none twice"
    assert all("Almaty" in m["text"] for m in telegram_api.sent())
    calls = [c for c in telegram_api.calls if c.method == "sendMessage"]
    failed = Counter(c.status for c in calls if c.status != 200)
    assert failed[429] >= UPDATES // 10, failed
    assert failed[500] >= UPDATES // 17 - UPDATES // 170, failed  # a 429 wins every 170th
    waits = {429: FAST_RETRY_AFTER, 500: NETWORK_BACKOFF_SECONDS}
    for n, call in enumerate(calls):  # each retry waited: retry_after, or the backoff
        if call.status in waits:
            retry = next(c for c in calls[n + 1:] if c.params["chat_id"] == call.params["chat_id"])
            assert retry.at - call.at >= waits[call.status]


async def test_a_bot_api_outage_delays_the_answer_and_delivers_it_once(
        content_dir, telegram_api, monkeypatch):
    import adapters.telegram.app
    monkeypatch.setattr(adapters.telegram.app, "NETWORK_BACKOFF_SECONDS", 0.02)  # 30 s → 0.6 s
    monkeypatch.setattr(adapters.telegram.app, "NETWORK_BACKOFF_MAX_SECONDS", 0.2)
    for _ in range(6):  # six answers of Telegram's front end while the Bot API is down
        telegram_api.fail_once("sendMessage", status=502)
    async with serving(web_app(content_dir, telegram_api)) as url:
        assert await post_all(url, [private_update(FIRST_CHAT)]) == [200]
        [answer] = await telegram_api.wait_for("sendMessage", timeout=10)
        await asyncio.sleep(QUIET)
    calls = [c for c in telegram_api.calls if c.method == "sendMessage"]
    assert [c.status for c in calls] == [502] * 6 + [200]
    assert int(answer["chat_id"]) == FIRST_CHAT and "Almaty" in answer["text"]
    assert len(telegram_api.sent()) == 1


async def test_a_message_whose_response_was_lost_is_not_sent_again(content_dir, telegram_api):
    telegram_api.drop_after_delivery("sendMessage")
    async with serving(web_app(content_dir, telegram_api)) as url:
        assert (await post_all(url, [private_update(FIRST_CHAT)])) == [200]
        await telegram_api.wait_for("sendMessage")
        await asyncio.sleep(1.0)  # longer than every retry backoff together
    assert [int(m["chat_id"]) for m in telegram_api.sent()] == [FIRST_CHAT]


# -- 2. a rate-limited Slack -----------------------------------------------------------------
def slack_event() -> str:
    """A recorded DM event, as Slack's Events API posts it."""
    return (ROOT / "tests/fixtures/slack/message_im.json").read_text("utf-8")


async def ask_slack(url: str, slack_api: FakeSlackApi, path: str) -> None:
    """Ask what Slack answers at `path`: a DM (chat.postMessage) or a slash command (response/…)."""
    if path == "chat.postMessage":
        assert await post_slack(url, slack_event(), "application/json") == 200
    else:
        body = slack_command("office", slack_api.response_url(path.removeprefix("response/")))
        assert await post_slack(url, body, "application/x-www-form-urlencoded") == 200


# The DM asks about contacts and is answered in its channel; /unhcr office privately.
ANSWERS = [("chat.postMessage", "channel", "D0AIGERIM", "CONTACTS"),
           ("response/cmd", "response_type", "ephemeral", "Almaty")]


@pytest.mark.parametrize("path,field,value,words", ANSWERS)
async def test_a_rate_limited_answer_is_delivered_once(content_dir, slack_api, path, field, value,
                                                        words):
    slack_api.rate_limit_once(path)
    async with serving(web_app(content_dir, slack_api=slack_api)) as url:
        await ask_slack(url, slack_api, path)
        await slack_api.wait_for(path, timeout=5)
        await asyncio.sleep(QUIET)
    limited, delivered = [c for c in slack_api.calls if c.path == path]
    assert (limited.status, delivered.status) == (429, 200)
    assert delivered.at - limited.at >= 1.0, "waited for Retry-After: 1"
    assert delivered.body == limited.body and delivered.body[field] == value
    assert words in json.dumps(delivered.body, ensure_ascii=False)


@pytest.mark.parametrize("path,field,value,words", ANSWERS)
async def test_two_rate_limits_in_a_row_still_deliver_the_answer_once(
        content_dir, slack_api, path, field, value, words):
    slack_api.fail(path, status=429, times=2)
    async with serving(web_app(content_dir, slack_api=slack_api)) as url:
        await ask_slack(url, slack_api, path)
        await slack_api.wait_for(path, timeout=8)
        await asyncio.sleep(QUIET)
    calls = [c for c in slack_api.calls if c.path == path]
    assert [c.status for c in calls] == [429, 429, 200]
    assert calls[2].body == calls[0].body and words in json.dumps(calls[2].body, ensure_ascii=False)


@pytest.mark.parametrize("path,field,value,words", ANSWERS)
async def test_a_slack_outage_delays_the_answer_and_delivers_it_once(content_dir, slack_api, path,
                                                                     field, value, words):
    slack_api.fail(path, status=503, times=2)
    async with serving(web_app(content_dir, slack_api=slack_api)) as url:
        await ask_slack(url, slack_api, path)
        await slack_api.wait_for(path, timeout=5)
        await asyncio.sleep(QUIET)
    calls = [c for c in slack_api.calls if c.path == path]
    assert [c.status for c in calls] == [503, 503, 200]
    assert calls[2].at - calls[0].at >= 1.4, "backed off 0.5 s, then 1 s"
    assert calls[2].body == calls[0].body and calls[2].body[field] == value
    assert words in json.dumps(calls[2].body, ensure_ascii=False)


# -- 3. Redis going away and coming back -----------------------------------------------------
@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of this test's own, on a free port, that the test may stop and restart."""
    if redis_server_path() is None:
        pytest.skip("redis-server is not installed")
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory)
    server.start()
    yield server
    server.stop()


async def stored_languages(redis_url: str) -> list[str]:
    """Every language choice held in Redis."""
    client = Redis.from_url(redis_url, decode_responses=True)
    try:
        return [await client.get(key) for key in await client.keys("unhcr:lang:*")]
    finally:
        await client.aclose()


async def test_redis_stopped_mid_run_the_bot_keeps_answering_and_recovers(
        content_dir, telegram_api, redis_server, caplog):
    caplog.set_level(logging.INFO, logger="adapters.state.fallback")
    app = web_app(content_dir, telegram_api, redis_url=redis_server.url)
    state = app.state.runtime.service.state
    state.retry_after = 0.3  # probe the store again after 0.3 s (5 s in production)
    aigerim, daulet = FIRST_CHAT + 1, FIRST_CHAT + 2
    async with serving(app) as url:
        await answer_to(url, telegram_api, private_update(aigerim, "/language ru"))
        assert "Алматы" in await answer_to(url, telegram_api, private_update(aigerim))
        assert await stored_languages(redis_server.url) == ["ru"]

        before = len(telegram_api.sent())
        burst = [private_update(FIRST_CHAT + 100 + n) for n in range(40)]
        posting = asyncio.create_task(post_all(url, burst, parallel=4))
        await asyncio.sleep(0.05)
        await asyncio.to_thread(redis_server.stop)  # while the burst is being answered
        assert set(await posting) == {200}
        await telegram_api.wait_for("sendMessage", before + len(burst))
        assert Counter(int(m["chat_id"]) for m in telegram_api.sent()[before:]) == Counter(
            range(FIRST_CHAT + 100, FIRST_CHAT + 140)), "each answered once, through the outage"
        office = await answer_to(url, telegram_api, private_update(aigerim))
        assert "Almaty" in office and "Алматы" not in office, "the choice falls back to detection"
        again = private_update(FIRST_CHAT + 200, "/history")
        assert (await post_all(url, [again, again])) == [200, 200]
        await asyncio.sleep(QUIET)
        assert [int(m["chat_id"]) for m in telegram_api.sent()].count(FIRST_CHAT + 200) == 1, \
            "a re-delivered update is still answered once (de-duplicated in process)"
        down = await health(url)
        assert (down["status"], down["state"]) == ("degraded", "redis unreachable")

        await asyncio.to_thread(redis_server.start)  # the same port, empty
        await asyncio.sleep(state.retry_after + 0.1)
        assert (await post_all(url, [again])) == [200]  # Telegram delivers it once more
        await asyncio.sleep(QUIET)
        assert [int(m["chat_id"]) for m in telegram_api.sent()].count(FIRST_CHAT + 200) == 1, \
            "an update answered during the outage is not answered again after it"
        assert (await health(url))["state"] == "redis"
        await answer_to(url, telegram_api, private_update(daulet, "/language kk"))
        assert await stored_languages(redis_server.url) == ["kk"], "choices land in Redis again"
        assert "Алматы" in await answer_to(url, telegram_api, private_update(daulet))

    outage = [r for r in caplog.records if "unreachable" in r.getMessage()]
    back = [r for r in caplog.records if "reachable again" in r.getMessage()]
    assert len(outage) == 1 and outage[0].levelno == logging.WARNING, "the outage is logged once"
    assert len(back) == 1
    assert all(str(redis_server.port) not in r.getMessage() for r in outage + back), \
        "the store's address stays out of the log"


# -- 4. malformed bodies ---------------------------------------------------------------------
def _update_with(**message_fields) -> bytes:
    update = make_update("private_command")
    update["message"].update(message_fields)
    return json.dumps(update).encode()


VALID = json.dumps(make_update("private_command")).encode()
MALFORMED = {
    "not JSON": b"this is not JSON",
    "a list": b'[{"update_id": 1}]',
    "a string update_id": b'{"update_id": "x"}',
    "a number for an object": b'{"message": 5}',
    "null": b"null",
    "binary junk": os.urandom(4096),
    "valid JSON cut in half": VALID[:len(VALID) // 2],
    "nested too deep for the parser": b"[" * 200_000,
    "a date out of range": _update_with(date=10 ** 20),
    "a list for a chat id": _update_with(chat={"id": [1], "type": "private"}),
}


@pytest.fixture
async def both(content_dir, telegram_api, slack_api, caplog):
    """The web app with both platforms mounted; fails the test on any error logged."""
    caplog.set_level(logging.WARNING)
    async with serving(web_app(content_dir, telegram_api, slack_api)) as url:
        yield url
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]


async def still_answers(url: str, telegram_api: FakeBotAPI, slack_api: FakeSlackApi,
                        n: int = 0) -> None:
    """The next valid request on each route is answered (chat FIRST_CHAT + n, "response/n")."""
    assert (await request("GET", f"{url}/healthz"))[0] == 200
    assert "Almaty" in await answer_to(url, telegram_api, private_update(FIRST_CHAT + n))
    body = slack_command("office", slack_api.response_url(str(n)))
    assert await post_slack(url, body, "application/x-www-form-urlencoded") == 200
    [answer] = await slack_api.wait_for(f"response/{n}")
    assert "Almaty" in json.dumps(answer, ensure_ascii=False)


async def test_malformed_bodies_get_a_4xx_and_the_next_request_is_answered(
        both, telegram_api, slack_api):
    refused = {}
    for n, (kind, body) in enumerate(MALFORMED.items()):
        text = body.decode("utf-8", errors="replace")  # what Bolt verifies the signature of
        refused[kind] = {
            "telegram": (await request("POST", f"{both}/telegram", body, TG_HEADERS))[0],
            "slack signed": (await request("POST", f"{both}/slack/events", body, slack_headers(
                text, content_type="application/json")))[0],
            "slack unsigned": (await request("POST", f"{both}/slack/events", body,
                                             {"Content-Type": "application/json"}))[0],
            "slack signed form": (await request("POST", f"{both}/slack/events", body,
                                                slack_headers(text)))[0],
        }
        await still_answers(both, telegram_api, slack_api, n)
    assert {kind: statuses for kind, statuses in refused.items()
            if not all(400 <= status < 500 for status in statuses.values())} == {}
    await asyncio.sleep(QUIET)
    assert sorted(int(m["chat_id"]) for m in telegram_api.sent()) == [
        FIRST_CHAT + n for n in range(len(MALFORMED))], "only the valid updates were answered"
    assert [c.path for c in slack_api.deliveries()] == [
        f"response/{n}" for n in range(len(MALFORMED))]


async def chunks(total: int, size: int = 64 * 1024):
    """A body sent without Content-Length (chunked), `total` bytes of a JSON-looking start."""
    yield b"{"
    for _ in range(total // size):
        yield b" " * size


async def test_bodies_over_one_megabyte_are_refused_unparsed_with_or_without_length(
        both, telegram_api, slack_api):
    two_mb = b"{" + b" " * (2 * MAX_BODY_BYTES)  # parsed, it would be a 400: it is not parsed
    headers = {**TG_HEADERS, **slack_headers("", content_type="application/json")}
    for path in ("/telegram", "/slack/events"):
        assert (await request("POST", both + path, two_mb, headers))[0] == 413
        assert (await request("POST", both + path, chunks(2 * MAX_BODY_BYTES), headers))[0] == 413
    await still_answers(both, telegram_api, slack_api)


async def raw_post(url: str, path: str, headers: dict, body: bytes, content_length: int,
                   hang_up: bool = False) -> bytes:
    """POST over a bare socket, announcing `content_length` bytes; the status line, if any."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    head = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {content_length}"]
    head += [f"{k}: {v}" for k, v in headers.items() if k.lower() != "content-length"]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    await writer.drain()
    try:
        if hang_up:
            return b""
        return await asyncio.wait_for(reader.readline(), timeout=5)
    finally:
        writer.close()


async def test_a_body_shorter_than_its_content_length_is_cut_off_with_408(
        both, telegram_api, slack_api, monkeypatch):
    monkeypatch.setattr("adapters.web.BODY_READ_SECONDS", 0.5)
    half = VALID[:len(VALID) // 2]
    headers = {**TG_HEADERS, **slack_headers(VALID.decode(), content_type="application/json")}
    for path in ("/telegram", "/slack/events"):
        status_line = await raw_post(both, path, headers, half, len(VALID))
        assert status_line.startswith(b"HTTP/1.1 408"), (path, status_line)
        # A client going away halfway is no error of ours either: nothing is logged.
        await raw_post(both, path, headers, half, len(VALID), hang_up=True)
    await asyncio.sleep(QUIET)
    await still_answers(both, telegram_api, slack_api)


# -- 5. content broken while serving ---------------------------------------------------------
def _garbage(path: Path) -> None:
    path.write_bytes(b"\xff\xfe\x00garbage: [\x9c\x00" + os.urandom(256))


def _truncate(path: Path) -> None:
    """Cut the file in half, mid-character."""
    path.write_bytes(path.read_bytes()[:path.stat().st_size // 2])


def _truncate_at_a_line(path: Path) -> None:
    """Cut the file at the line nearest its middle: valid UTF-8 and YAML, half a topic."""
    data = path.read_bytes()
    path.write_bytes(data[:data.rindex(b"\n", 0, len(data) // 2) + 1])


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _delete(path: Path) -> None:
    path.unlink()


CORRUPTIONS = [("topics/office.yaml", _garbage), ("topics/office.yaml", _truncate),
               ("topics/office.yaml", _truncate_at_a_line), ("topics/office.yaml", _empty),
               ("messages.yaml", _delete)]


async def health(url: str) -> dict:
    """What /healthz says."""
    return json.loads((await request("GET", f"{url}/healthz"))[1])


async def test_content_broken_while_serving_keeps_the_last_good_content(
        content_dir, telegram_api, monkeypatch):
    monkeypatch.setattr("adapters.reload.POLL_SECONDS", 0.05)
    async with serving(web_app(content_dir, telegram_api)) as url:
        good = await health(url)
        for n, (name, corrupt) in enumerate(CORRUPTIONS):
            path = content_dir / name
            original = path.read_bytes()
            corrupt(path)
            broken = await eventually(lambda: _degraded(url), timeout=3)
            assert path.name in broken["last_reload_error"], (corrupt.__name__, broken)
            assert broken["content"]["version"] == good["content"]["version"], \
                "the last good content still serves"
            answer = await answer_to(url, telegram_api, private_update(FIRST_CHAT + 10 + n))
            assert "Almaty" in answer and "August 1995" in answer, corrupt.__name__

            path.write_bytes(original)
            fixed = await eventually(lambda: _ok(url), timeout=3)
            assert fixed["content"]["version"] == good["content"]["version"]


async def _degraded(url: str) -> dict | None:
    result = await health(url)
    return result if result["status"] == "degraded" else None


async def _ok(url: str) -> dict | None:
    result = await health(url)
    return result if result["status"] == "ok" else None
