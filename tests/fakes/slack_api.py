"""A fake Slack Web API and response_url on 127.0.0.1: records every call, answers like Slack."""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from aiohttp import web

TEAM_ID = "T0UNHCRKZ"
BOT_USER_ID = "U0BOTUSER"
BOT_ID = "B0BOTID01"


@dataclass
class Call:
    """One request the app made: a Web API method, or a POST to a response_url."""

    path: str  # "chat.postMessage", ... or "response/<name>"
    body: dict
    status: int
    at: float  # time.monotonic()


class FakeSlackApi:
    """Start with `await api.start()`; point the app at `api.api_url`."""

    def __init__(self):
        self.calls: list[Call] = []
        self._rate_limited: set[str] = set()
        self._delays: dict[str, float] = {}
        self._failing: dict[str, tuple[int, int]] = {}  # path -> (status, calls left to fail)
        self._every: dict[str, list[tuple[int, int]]] = {}  # path -> [(every n-th call, status)]
        self._counts: dict[str, int] = {}
        self._runner: web.AppRunner | None = None
        self._ts = itertools.count(1)
        self._envelopes: list[dict] = []
        self.base_url = ""

    async def start(self) -> str:
        """Serve on an ephemeral port of 127.0.0.1; the Web API base URL (ending in /api/)."""
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_get("/link", self._socket_mode)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.api_url

    async def close(self) -> None:
        """Stop serving."""
        if self._runner:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        """The Web API base URL, as SLACK_API_URL takes it."""
        return self.base_url + "/api/"

    def response_url(self, name: str = "cmd") -> str:
        """A response_url that lands here, recorded as path "response/<name>"."""
        return f"{self.base_url}/response/{name}"

    # -- what the test arranges ----------------------------------------------------------
    def rate_limit_once(self, method: str) -> None:
        """Answer the next call of `method` with 429 and Retry-After: 1.

        `method` may also be a response_url's path, "response/<name>".
        """
        self._rate_limited.add(method)

    def fail(self, path: str, status: int = 503, times: int = 1) -> None:
        """Answer the next `times` calls to `path` (a method or "response/<name>") with `status`."""
        self._failing[path] = (status, times)

    def fail_every(self, path: str, n: int, status: int) -> None:
        """Answer every `n`-th call to `path` with `status` (429s with Retry-After: 1), for
        as long as the test runs; several patterns may be set, the first that applies wins."""
        self._every.setdefault(path, []).append((n, status))

    def queue_envelope(self, envelope: dict) -> None:
        """Send `envelope` over the Socket Mode connection, after its hello."""
        self._envelopes.append(envelope)

    def delay(self, path: str, seconds: float) -> None:
        """Answer `path` only after `seconds`: a slow Slack."""
        self._delays[path] = seconds

    # -- what the test checks ------------------------------------------------------------
    def sent(self, path: str) -> list[dict]:
        """Bodies of the successful calls to `path`, in order."""
        return [c.body for c in self.calls if c.path == path and c.status == 200]

    def deliveries(self) -> list[Call]:
        """Every successful call that showed something to a user (all but auth.test)."""
        return [c for c in self.calls if c.status == 200 and c.path != "auth.test"]

    async def wait_for(self, path: str, count: int = 1, timeout: float = 5.0) -> list[dict]:
        """Wait until `count` successful calls to `path` arrived; their bodies."""
        deadline = time.monotonic() + timeout
        while len(self.sent(path)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{path}: {len(self.sent(path))} of {count} calls arrived; "
                                     f"got {[c.path for c in self.calls]}")
            await asyncio.sleep(0.02)
        return self.sent(path)

    # -- the server ----------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await _read_body(request)
        await asyncio.sleep(self._delays.get(method, 0))
        if failure := self._failure(method, body):
            return failure
        if method in self._rate_limited:
            self._rate_limited.discard(method)
            self.calls.append(Call(method, body, 429, time.monotonic()))
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": "1"})
        token_kind = "xapp-" if method == "apps.connections.open" else "xoxb-"
        if not request.headers.get("Authorization", "").startswith("Bearer " + token_kind):
            self.calls.append(Call(method, body, 401, time.monotonic()))
            return web.json_response({"ok": False, "error": "not_authed"})
        self.calls.append(Call(method, body, 200, time.monotonic()))
        return web.json_response({"ok": True, **self._result(method, body)})

    def _failure(self, path: str, body: dict) -> web.Response | None:
        """The error answer `fail()` arranged for this call of `path`, if any."""
        count = self._counts[path] = self._counts.get(path, 0) + 1
        status = next((status for n, status in self._every.get(path, ()) if count % n == 0), 0)
        if not status:
            status, times = self._failing.get(path, (0, 0))
            if not times:
                return None
            self._failing[path] = (status, times - 1)
        self.calls.append(Call(path, body, status, time.monotonic()))
        headers = {"Retry-After": "1"} if status == 429 else {}
        return web.Response(text="service unavailable", status=status, headers=headers)

    async def _response_url(self, request: web.Request) -> web.Response:
        path = "response/" + request.match_info["name"]
        body = await _read_body(request)
        await asyncio.sleep(self._delays.get(path, 0))
        if failure := self._failure(path, body):
            return failure
        if path in self._rate_limited:  # what Slack answers a response_url posted to too fast
            self._rate_limited.discard(path)
            self.calls.append(Call(path, body, 429, time.monotonic()))
            return web.Response(text="rate_limited", status=429, headers={"Retry-After": "1"})
        self.calls.append(Call(path, body, 200, time.monotonic()))
        return web.Response(text="ok")

    async def _socket_mode(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "connection_info": {"app_id": "A0UNHCRKZ"}})
        for envelope in self._envelopes:
            await ws.send_json(envelope)
        async for message in ws:  # the app's acknowledgements, by envelope_id
            if message.type == web.WSMsgType.TEXT:
                self.calls.append(Call("socket_mode", json.loads(message.data), 200,
                                       time.monotonic()))
        return ws

    def _result(self, method: str, body: dict) -> dict:
        if method == "auth.test":
            return {"url": "https://unhcr-kz.slack.com/", "team": "UNHCR KZ", "user": "unhcr_bot",
                    "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID,
                    "is_enterprise_install": False}
        if method == "chat.postMessage":
            ts = f"1700000{next(self._ts):03d}.000100"
            return {"channel": body.get("channel"), "ts": ts,
                    "message": {"type": "message", "text": body.get("text", ""), "ts": ts,
                                "user": BOT_USER_ID, "bot_id": BOT_ID}}
        if method == "apps.connections.open":
            return {"url": self.base_url.replace("http://", "ws://") + "/link"}
        if method == "views.publish":
            return {"view": {"id": "V0HOME", **(body.get("view") or {})}}
        return {}


async def _read_body(request: web.Request) -> dict:
    """A JSON body as a dict; a form body as a dict of strings."""
    raw = await request.text()
    if request.content_type == "application/json":
        return json.loads(raw or "{}")
    return dict(parse_qsl(raw, keep_blank_values=True))
