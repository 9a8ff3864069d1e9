"""A fake Telegram Bot API on 127.0.0.1: records every call and answers like Telegram."""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

TOKEN = "123:TEST"  # what the tests give the bot; the fake accepts any token
WEBHOOK_SECRET = "s3cret_-X-webhook-test-0123"
BOT_ID = 7000000001
BOT_USERNAME = "UNHCR_KZ_bot"
LONG_POLL_CAP = 0.5  # seconds a getUpdates waits for news at most: keeps shutdowns quick
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "telegram"
_update_ids = itertools.count(910_000_000)


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict
    status: int
    at: float  # time.monotonic()


class FakeBotAPI:
    """Start with `await api.start()`; point the bot at `api.base_url`."""

    def __init__(self, username: str = BOT_USERNAME):
        self.username = username
        self.calls: list[Call] = []
        self._failures: dict[str, list[tuple[int, dict]]] = {}
        self._periodic: dict[str, list[tuple[int, int, dict]]] = {}  # method: (every, status, body)
        self._counts: dict[str, int] = {}  # calls per method, failed ones included
        self._drop: dict[str, int] = {}  # method -> calls to record, then hang up on
        self._delays: dict[str, float] = {}  # method -> seconds before answering
        self._updates: list[dict] = []
        self._news = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._message_id = 100
        self.messages: list[dict] = []  # each message sent, as Telegram keeps it (with its id)
        self.base_url = ""

    async def start(self, port: int = 0) -> str:
        """Serve on `port` (an ephemeral one by default); the Bot API base URL (ending in /bot)."""
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}/bot"
        return self.base_url

    async def close(self) -> None:
        """Stop serving."""
        if self._runner:
            await self._runner.cleanup()

    # -- what the test arranges ------------------------------------------------------------
    def fail_once(self, method: str, status: int = 429, retry_after: int = 1) -> None:
        """Answer the next call of `method` with an error (429 Too Many Requests by default)."""
        self._failures.setdefault(method, []).append((status, _error(status, retry_after)))

    def fail_every(self, method: str, every: int, status: int,
                   retry_after: float = 1) -> None:
        """Answer every `every`-th call of `method` (counting all its calls) with an error.

        Several periods may be set; when two fall on the same call the first one set wins.
        """
        self._periodic.setdefault(method, []).append((every, status,
                                                      _error(status, retry_after)))

    def drop_after_delivery(self, method: str, times: int = 1) -> None:
        """Record the next `times` calls of `method` as delivered, then hang up unanswered.

        What a lost response looks like: the message reached the user, the caller can't know.
        """
        self._drop[method] = self._drop.get(method, 0) + times

    def delay(self, method: str, seconds: float) -> None:
        """Answer each call of `method` only after `seconds`: a slow or far-away Bot API."""
        self._delays[method] = seconds

    def queue_update(self, update: dict) -> None:
        """Hand `update` to the next getUpdates."""
        self._updates.append(update)
        self._news.set()

    # -- what the test checks --------------------------------------------------------------
    def sent(self, method: str = "sendMessage") -> list[dict]:
        """Params of the successful calls of `method`, in order."""
        return [c.params for c in self.calls if c.method == method and c.status == 200]

    async def wait_for(self, method: str = "sendMessage", count: int = 1,
                       timeout: float = 5.0) -> list[dict]:
        """Wait until `count` successful calls of `method` arrived; their params."""
        deadline = time.monotonic() + timeout
        while len(self.sent(method)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{method}: {len(self.sent(method))} of {count} calls arrived")
            await asyncio.sleep(0.02)
        return self.sent(method)

    # -- the server ------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = {k: _decode(v) for k, v in (await request.post()).items()}
        self._counts[method] = count = self._counts.get(method, 0) + 1
        failures = self._failures.get(method)
        failure = failures.pop(0) if failures else next(
            ((status, body) for every, status, body in self._periodic.get(method, ())
             if count % every == 0), None)
        if failure:
            status, body = failure
            self.calls.append(Call(method, params, status, time.monotonic()))
            return web.json_response(body, status=status)
        if self._drop.get(method):
            self._drop[method] -= 1
            self.calls.append(Call(method, params, 200, time.monotonic()))
            self._result(method, params)
            request.transport.close()  # no response: the caller sees the connection drop
            return web.Response()  # never written: the transport is closed
        if method in self._delays:
            await asyncio.sleep(self._delays[method])
        if method == "getUpdates":
            result = await self._get_updates(params)
        else:
            result = self._result(method, params)
        self.calls.append(Call(method, params, 200, time.monotonic()))
        return web.json_response({"ok": True, "result": result})

    async def _get_updates(self, params: dict) -> list[dict]:
        if not self._updates and params.get("timeout"):
            self._news.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._news.wait(), min(params["timeout"], LONG_POLL_CAP))
        updates, self._updates = self._updates, []
        return updates

    def _result(self, method: str, params: dict):
        if method == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "UNHCR Kazakhstan",
                    "username": self.username, "can_join_groups": True,
                    "can_read_all_group_messages": False, "supports_inline_queries": False}
        if method == "sendMessage":
            self._message_id += 1
            chat_id = int(params["chat_id"])
            message = {"message_id": self._message_id, "date": int(time.time()),
                       "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                       "from": {"id": BOT_ID, "is_bot": True, "first_name": "UNHCR Kazakhstan",
                                "username": self.username},
                       "text": params.get("text", ""),
                       **({"reply_markup": params["reply_markup"]} if "reply_markup" in params
                          else {})}
            self.messages.append(message)
            return message
        if method in ("editMessageText", "editMessageReplyMarkup"):
            message = next((m for m in self.messages
                            if m["message_id"] == int(params["message_id"])), None)
            if message is None:
                return True
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            else:  # no markup: the keyboard is taken off
                message.pop("reply_markup", None)
            if "text" in params:
                message["text"] = params["text"]
            return message
        return True


def _error(status: int, retry_after: float) -> dict:
    """The body Telegram answers an error with; a 429 carries parameters.retry_after."""
    body = {"ok": False, "error_code": status,
            "description": {429: f"Too Many Requests: retry after {retry_after}",
                            403: "Forbidden: bot was blocked by the user",
                            500: "Internal Server Error"}.get(status, "Error")}
    if status == 429:
        body["parameters"] = {"retry_after": retry_after}
    return body


def _decode(value: str):
    """Form values as PTB sent them: non-string values were JSON-encoded."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def make_update(name: str, *, text: str | None = None, data: str | None = None,
                language_code: str | None = None) -> dict:
    """A recorded update from tests/fixtures/telegram/, with a fresh update_id."""
    update = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    update["update_id"] = next(_update_ids)
    body = next(update[k] for k in ("message", "edited_message", "callback_query") if k in update)
    if text is not None:
        body["text"] = text
        body["entities"] = _entities(text)
    if data is not None:
        body["data"] = data
    if language_code is not None:
        body["from"]["language_code"] = language_code
    return update


def make_tap(message: dict, data: str, *, user_id: int = 424242,
             language_code: str = "en") -> dict:
    """An update for a tap on a button of `message` (one of FakeBotAPI.messages, as the bot
    sent it: its id, chat and keyboard), by the user `user_id`."""
    update = make_update("callback_query", data=data, language_code=language_code)
    query = update["callback_query"]
    query["id"] = str(next(_update_ids))
    query["from"]["id"] = user_id
    query["message"] = json.loads(json.dumps(message))
    return update


def _entities(text: str) -> list[dict]:
    """The entities Telegram marks: a leading /command and @mentions (UTF-16 offsets)."""
    out = []
    offset = 0
    for i, word in enumerate(text.split(" ")):
        length = len(word.encode("utf-16-le")) // 2
        if i == 0 and word.startswith("/"):
            out.append({"type": "bot_command", "offset": 0, "length": length})
        elif word.startswith("@"):
            out.append({"type": "mention", "offset": offset, "length": length})
        offset += length + 1
    return out
