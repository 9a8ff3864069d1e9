"""The far side of bench/webhook.py: a Bot API and a Slack API on 127.0.0.1 that answer what the
bots call, and report each answer's arrival.

`python -m bench.fake_apis` serves them until its stdin closes, writing one line a report on
stdout: `READY <base URLs as JSON>` once, then `S <chat id> <time>` for each sendMessage and
`R <time>` for each POST to a Slack response_url (times are time.monotonic()).
"""
from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from collections.abc import Callable

from aiohttp import web

SLOW_TOKEN = "123:BENCH_SLOW"  # the Bot API answers this bot's calls after SLOW_API_SECONDS
SLOW_API_SECONDS = 0.1  # a round trip to api.telegram.org from a server far from it
FAKE_LIFETIME = 3600.0  # the fake process exits by itself after this, whatever happens
BOT = {"id": 7000000001, "is_bot": True, "first_name": "UNHCR Kazakhstan",
       "username": "UNHCR_KZ_bench_bot"}
ME = {**BOT, "can_join_groups": True, "can_read_all_group_messages": False,
      "supports_inline_queries": False}
SLACK_AUTH = {"url": "https://unhcr-kz.slack.com/", "team": "UNHCR KZ", "user": "unhcr_bot",
              "team_id": "T0UNHCRKZ", "user_id": "U0BOTUSER", "bot_id": "B0BOTID01",
              "is_enterprise_install": False}


class FakeApis:
    """Both APIs on one ephemeral port: POST /bot<token>/<method> (Telegram), POST /api/<method>
    (Slack's Web API) and POST /response/<name> (a Slack response_url)."""

    def __init__(self, on_send: Callable[[int, float], None], on_response: Callable[[float], None]):
        self.on_send, self.on_response = on_send, on_response
        self._message_ids = itertools.count(100)
        self._runner: web.AppRunner | None = None

    async def start(self) -> dict[str, str]:
        """Serve on 127.0.0.1; the base URLs: Bot API, Slack Web API, and where response_urls go."""
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._telegram)
        app.router.add_post("/api/{method}", self._slack_api)
        app.router.add_post("/response/{name}", self._response_url)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return {"telegram": base + "/bot", "slack": base + "/api/", "slack_base": base}

    async def close(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _telegram(self, request: web.Request) -> web.Response:
        if request.match_info["token"] == SLOW_TOKEN:  # a Bot API across the world
            await asyncio.sleep(SLOW_API_SECONDS)
        method = request.match_info["method"]
        params = await request.post()
        result: object = True  # setMyCommands, answerCallbackQuery, ...
        if method == "getMe":
            result = ME
        elif method == "sendMessage":
            chat_id = int(str(params["chat_id"]))
            self.on_send(chat_id, time.monotonic())
            result = {"message_id": next(self._message_ids), "date": int(time.time()),
                      "chat": {"id": chat_id, "type": "private"}, "from": BOT,
                      "text": str(params.get("text", ""))}
        return web.json_response({"ok": True, "result": result})

    async def _slack_api(self, request: web.Request) -> web.Response:
        await request.read()
        auth = SLACK_AUTH if request.match_info["method"] == "auth.test" else {}
        return web.json_response({"ok": True, **auth})

    async def _response_url(self, request: web.Request) -> web.Response:
        await request.read()
        self.on_response(time.monotonic())
        return web.Response(text="ok")


async def serve_until_stdin_closes() -> None:
    """Serve the fakes, one line a report on stdout, until stdin closes."""
    out = sys.stdout.buffer

    def emit(line: bytes) -> None:
        out.write(line)
        out.flush()

    fakes = FakeApis(lambda chat, t: emit(b"S %d %.6f\n" % (chat, t)),
                     lambda t: emit(b"R %.6f\n" % t))
    emit(b"READY " + json.dumps(await fakes.start()).encode() + b"\n")
    stdin = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    try:
        await asyncio.wait_for(stdin.read(), FAKE_LIFETIME)  # returns when stdin closes
    except asyncio.TimeoutError:
        pass
    finally:
        await fakes.close()


if __name__ == "__main__":
    asyncio.run(serve_until_stdin_closes())
