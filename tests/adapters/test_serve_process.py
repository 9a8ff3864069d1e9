"""`python -m bot serve` as a real process: start-up checks, SIGTERM draining, scale-out."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.telegram_api import TOKEN, WEBHOOK_SECRET, make_update
from tests.webtools import ServerProcess, request, trickle_until_closed

ROOT = Path(__file__).resolve().parents[2]
TG_HEADERS = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET,
              "Content-Type": "application/json"}


def telegram_env(api, tmp_path) -> dict[str, str]:
    return {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_URL": api.base_url,
            "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STATE_PATH": str(tmp_path / "state.sqlite3"), "STATE_SECRET": "x" * 32}


@pytest.mark.parametrize("env,message", [
    ({"PORT": "eighty"}, "PORT must be a number"),
    ({"TELEGRAM_TOKEN": "123:ABC"}, "TELEGRAM_WEBHOOK_SECRET must be set"),
    ({"TELEGRAM_TOKEN": "not-a-token", "TELEGRAM_WEBHOOK_SECRET": "s"}, "TELEGRAM_TOKEN must look"),
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET must be set"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "   "}, "SLACK_SIGNING_SECRET must be set"),
    ({"REDIS_URL": "http://user:hunter2@host", "STATE_SECRET": "s" * 32}, "REDIS_URL must"),
    ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "STATE_SECRET must be set with REDIS_URL"),
    ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be one of"),
    ({"PUBLIC_URL": "ftp://x"}, "PUBLIC_URL must look like"),
])
def test_bad_configuration_stops_start_up_with_one_line(env, message):
    clean = {k: v for k, v in __import__("os").environ.items()
             if not k.startswith(("TELEGRAM_", "SLACK_", "REDIS_", "PUBLIC_URL", "PORT"))}
    out = subprocess.run([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env={**clean, **env},
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], out.stderr
    assert "hunter2" not in out.stderr and "not-a-token" not in out.stderr


async def test_serve_answers_a_webhook_and_drains_a_burst_on_sigterm(telegram_api, tmp_path):
    server = await ServerProcess(telegram_env(telegram_api, tmp_path), ROOT).ready()
    try:
        updates = [make_update("private_command", text="/office") for _ in range(60)]
        for n, update in enumerate(updates):  # one chat per update: we can tell answers apart
            update["message"]["chat"]["id"] = update["message"]["from"]["id"] = 5_000_000 + n

        accepted_so_far = 0

        async def deliver(update):
            nonlocal accepted_so_far
            try:
                status, _ = await request("POST", f"{server.url}/telegram", json.dumps(update),
                                          TG_HEADERS)
            except Exception:  # refused once shutdown began: not accepted
                return None
            accepted_so_far += status == 200
            return status

        burst = [asyncio.create_task(deliver(u)) for u in updates]
        # SIGTERM once the burst is under way: some updates accepted, answers still pending.
        while accepted_so_far < 10 and not all(t.done() for t in burst):  # noqa: ASYNC110
            await asyncio.sleep(0.005)
        server.terminate()
        statuses = await asyncio.gather(*burst)
        assert await server.wait(30) == 0
        accepted = {5_000_000 + n for n, s in enumerate(statuses) if s == 200}
        answered = [int(m["chat_id"]) for m in telegram_api.sent()]
        assert accepted, "some updates were accepted before the shutdown"
        assert sorted(answered) == sorted(accepted), "each accepted update answered exactly once"
    finally:
        server.kill()


async def test_slash_commands_acked_before_sigterm_are_answered_before_exit(
        telegram_api, slack_api, tmp_path):
    from tests.webtools import SLACK_SECRET, slack_command, slack_headers
    env = {**telegram_env(telegram_api, tmp_path), "SLACK_BOT_TOKEN": "xoxb-drain-test",
           "SLACK_SIGNING_SECRET": SLACK_SECRET, "SLACK_API_URL": slack_api.api_url}
    slack_api.delay("response/drain", 1.0)  # answers still on their way when SIGTERM comes
    server = await ServerProcess(env, ROOT).ready()
    try:
        users = [f"U0DRAIN{n:02d}" for n in range(8)]
        bodies = [slack_command("office", slack_api.response_url("drain"), user=u) for u in users]
        statuses = await asyncio.gather(*(
            request("POST", f"{server.url}/slack/events", b, slack_headers(b)) for b in bodies))
        assert [status for status, _ in statuses] == [200] * len(users)  # all acked at once
        assert slack_api.sent("response/drain") == []
        server.terminate()
        assert await server.wait(30) == 0
        answers = slack_api.sent("response/drain")
        assert len(answers) == len(users), "every acked command answered before the exit"
        assert all("Almaty" in json.dumps(a, ensure_ascii=False) for a in answers)
    finally:
        server.kill()


# -- scale-out: two processes, one Redis --------------------------------------------------
SCALE_DB = 13  # a Redis database of its own, emptied before and after


@pytest.fixture
async def shared_redis(redis_url):
    from redis.asyncio import Redis
    url = redis_url.rsplit("/", 1)[0] + f"/{SCALE_DB}"
    client = Redis.from_url(url)
    await client.flushdb()
    yield url
    await client.flushdb()
    await client.aclose()


@pytest.fixture
async def two_servers(telegram_api, slack_api, shared_redis):
    from tests.webtools import SLACK_SECRET
    env = {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_URL": telegram_api.base_url,
           "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET, "SLACK_BOT_TOKEN": "xoxb-scale-test",
           "SLACK_SIGNING_SECRET": SLACK_SECRET, "SLACK_API_URL": slack_api.api_url,
           "REDIS_URL": shared_redis, "STATE_SECRET": "s" * 32}
    a, b = ServerProcess(env, ROOT), ServerProcess(env, ROOT)
    try:
        await asyncio.gather(a.ready(), b.ready())
        yield a, b
    finally:
        a.kill()
        b.kill()


async def test_two_processes_on_one_redis_behave_as_one_bot(two_servers, telegram_api,
                                                            slack_api):
    from tests.webtools import slack_headers
    a, b = two_servers

    async def telegram(server, update):
        status, _ = await request("POST", f"{server.url}/telegram", json.dumps(update), TG_HEADERS)
        assert status == 200

    # A language chosen through A is honoured by B.
    await telegram(a, make_update("private_command", text="/language ru"))
    await telegram_api.wait_for("sendMessage", 1, timeout=15)
    await telegram(b, make_update("private_command", text="/office"))
    [_, office] = await telegram_api.wait_for("sendMessage", 2, timeout=15)
    assert "Алматы" in office["text"]

    # A Telegram update delivered to both is answered once.
    twice = make_update("private_command", text="/history")
    await asyncio.gather(telegram(a, twice), telegram(b, twice))
    await asyncio.sleep(0.5)
    assert sum("1950" in m["text"] for m in telegram_api.sent()) == 1

    # A Slack retry of an event A answered is not answered again by B.
    event = json.loads((ROOT / "tests/fixtures/slack/message_im.json").read_text("utf-8"))
    event["event_id"] = "Ev0SCALEOUT1"
    body = json.dumps(event)
    status, _ = await request("POST", f"{a.url}/slack/events", body,
                              slack_headers(body, content_type="application/json"))
    assert status == 200
    await slack_api.wait_for("chat.postMessage", 1, timeout=15)
    retry = {**slack_headers(body, content_type="application/json"), "X-Slack-Retry-Num": "1",
             "X-Slack-Retry-Reason": "http_timeout"}
    status, _ = await request("POST", f"{b.url}/slack/events", body, retry)
    assert status == 200
    await asyncio.sleep(0.5)
    assert len(slack_api.sent("chat.postMessage")) == 1


async def test_the_store_holds_no_raw_user_id_and_no_message_text(two_servers, telegram_api,
                                                                   shared_redis):
    from redis.asyncio import Redis
    a, _ = two_servers
    for text in ("my secret question about weather tomorrow", "where is the unhcr office"):
        update = make_update("private_text", text=text)
        update["message"]["from"]["id"] = update["message"]["chat"]["id"] = 987654321
        await request("POST", f"{a.url}/telegram", json.dumps(update), TG_HEADERS)
    await telegram_api.wait_for("sendMessage", 2, timeout=15)
    client = Redis.from_url(shared_redis)
    dump = []
    for key in await client.keys("*"):
        dump.append(key.decode())
        kind = (await client.type(key)).decode()
        if kind == "string":
            dump.append((await client.get(key)).decode(errors="replace"))
        elif kind == "zset":
            dump += [m.decode() for m in await client.zrange(key, 0, -1)]
        elif kind == "hash":
            dump += [f"{k.decode()}={v.decode()}" for k, v in (await client.hgetall(key)).items()]
    await client.aclose()
    text = "\n".join(dump)
    assert "987654321" not in text
    assert "my secret question" in text, "a declined question is the one text kept"
    assert "where is" not in text and "unhcr office" not in text, "answered messages leave no text"
    assert "answered|office|en=1" in text, "only a count of the topic answered, with no one's id"


async def test_an_unreachable_bot_api_at_start_up_is_a_blip_not_a_crash(tmp_path):
    """serve comes up without the Bot API, says so on /healthz, and starts Telegram once it
    answers; before, getMe failing at start-up ended the process (a crash loop)."""
    from tests.fakes.telegram_api import FakeBotAPI
    from tests.webtools import eventually, free_port
    port = free_port()
    env = {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_URL": f"http://127.0.0.1:{port}/bot",
           "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
           "STATE_PATH": str(tmp_path / "state.sqlite3"), "STATE_SECRET": "x" * 32}
    server = await ServerProcess(env, ROOT).ready()
    api = FakeBotAPI()
    try:
        _, body = await request("GET", f"{server.url}/healthz")
        health = json.loads(body)
        assert (health["status"], health["platforms"]["telegram"]) == ("degraded", "not ready")
        update = make_update("private_command", text="/office")
        status, _ = await request("POST", f"{server.url}/telegram", json.dumps(update), TG_HEADERS)
        assert status == 503, "not taken: Telegram delivers it again"
        await api.start(port)

        async def ready():
            return json.loads((await request("GET", f"{server.url}/healthz"))[1])["status"] == "ok"
        await eventually(ready, timeout=10, interval=0.2)
        status, _ = await request("POST", f"{server.url}/telegram", json.dumps(update), TG_HEADERS)
        assert status == 200
        [sent] = await api.wait_for("sendMessage")
        assert "Almaty" in sent["text"]
    finally:
        server.terminate()
        assert await server.wait(30) == 0
        server.kill()
        await api.close()
    assert "Traceback" not in server.output()


async def test_many_idle_connections_leave_healthz_answering(tmp_path):
    """Started with a soft limit of 1,024 open files (a common default), serve lifts it: 2,000
    idle connections (which never send a byte) do not stop it from answering."""
    import socket
    env = {"STATE_PATH": str(tmp_path / "state.sqlite3"), "STATE_SECRET": "x" * 32}
    server = await ServerProcess(env, ROOT, open_files=1024).ready()
    idle = []
    try:
        for _ in range(2000):
            idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
        status, _ = await asyncio.wait_for(request("GET", f"{server.url}/healthz"), 5)
        assert status == 200
    finally:
        for connection in idle:
            connection.close()
        server.terminate()
        await server.wait(30)
        server.kill()
    assert "out of system resource" not in server.output()


async def test_serve_cuts_off_a_request_head_that_trickles_in(tmp_path):
    """A client that sends its headers a byte at a time holds a connection for ever under
    plain uvicorn; serve closes it once HEADER_TIMEOUT_SECONDS have passed."""
    from adapters.server import HEADER_TIMEOUT_SECONDS
    env = {"STATE_PATH": str(tmp_path / "state.sqlite3"), "STATE_SECRET": "x" * 32}
    server = await ServerProcess(env, ROOT).ready()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        took = await trickle_until_closed(reader, writer, HEADER_TIMEOUT_SECONDS + 5)
        writer.close()
        assert HEADER_TIMEOUT_SECONDS - 0.5 <= took < HEADER_TIMEOUT_SECONDS + 2, took
        assert (await request("GET", f"{server.url}/healthz"))[0] == 200
    finally:
        server.terminate()
        await server.wait(30)
        server.kill()
