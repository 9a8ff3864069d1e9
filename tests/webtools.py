"""Helpers for the web process tests: serve an app on 127.0.0.1:0, sign Slack requests."""
from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import uvicorn
from slack_sdk.signature import SignatureVerifier

SLACK_SECRET = "web-test-signing-secret"
SLACK_TOKEN = "xoxb-0000-web-test"
METRICS_TOKEN = "metrics-test-token-0123"
METRICS_HEADERS = {"Authorization": f"Bearer {METRICS_TOKEN}"}
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def web_app(content_dir: Path, telegram_api=None, slack_api=None, *, redis_url: str | None = None,
            public_url: str | None = None):
    """The web app wired as `python -m bot serve` wires it, against the fakes given.

    State is SQLite beside `content_dir`, or Redis at `redis_url`.
    """
    from adapters.runtime import open_runtime
    from adapters.settings import for_door, read_settings
    from adapters.web import build_web_app
    from tests.fakes.telegram_api import TOKEN, WEBHOOK_SECRET

    environ = {"METRICS_TOKEN": METRICS_TOKEN, "CONTENT_DIR": str(content_dir),
               "PUBLIC_URL": public_url or ""}
    if telegram_api:
        environ.update(TELEGRAM_TOKEN=TOKEN, TELEGRAM_API_URL=telegram_api.base_url,
                       TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET)
    if slack_api:
        environ.update(SLACK_BOT_TOKEN=SLACK_TOKEN, SLACK_SIGNING_SECRET=SLACK_SECRET,
                       SLACK_API_URL=slack_api.api_url)
    if redis_url:
        environ.update(REDIS_URL=redis_url, STATE_SECRET="f" * 32)
    else:
        environ.update(STATE_PATH=str(content_dir.parent / "state.sqlite3"))
    return build_web_app(open_runtime(for_door(read_settings(environ), webhooks=True)))


@contextlib.asynccontextmanager
async def serving(app, **guards):
    """Run `app` under uvicorn, configured as `serve` does (`guards` may shorten its header
    timeout or connection cap), on an ephemeral port of 127.0.0.1; yield its base URL."""
    from adapters.server import web_config

    server = uvicorn.Server(web_config(app, "127.0.0.1", 0, **guards))
    server.install_signal_handlers = lambda: None  # pytest owns the signals
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def request(method: str, url: str, body: bytes | str | None = None,
                  headers: dict | None = None) -> tuple[int, str]:
    """One HTTP request; (status, body text)."""
    async with aiohttp.ClientSession() as session, \
            session.request(method, url, data=body, headers=headers or {}) as response:
        return response.status, await response.text()


def slack_command(text: str, response_url: str, user: str = "U0AIGERIM",
                  command: str = "/unhcr") -> str:
    """A slash-command form body, from the recorded payload."""
    form = json.loads((FIXTURES / "slack" / "slash_command.json").read_text(encoding="utf-8"))
    form.update(text=text, response_url=response_url, user_id=user, command=command,
                trigger_id=f"{time.time_ns()}.1234567890123.{uuid.uuid4().hex}")
    return urlencode(form)


def slack_headers(body: str, secret: str = SLACK_SECRET, timestamp: int | None = None,
                  content_type: str = "application/x-www-form-urlencoded") -> dict:
    """The headers Slack signs a request with."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=ts,
                                                                              body=body)}


async def eventually(check, timeout: float = 5.0, interval: float = 0.05):
    """Wait until `check()` (sync or async) returns something truthy; return it."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)


def free_port() -> int:
    """A port nobody listens on right now (for a server started in a subprocess)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """`python -m bot serve` (or another front door: poll, run) in a subprocess, its HTTP on a
    free port of 127.0.0.1."""

    def __init__(self, env: dict[str, str], cwd: Path, command: str = "serve",
                 open_files: int | None = None):
        import os
        import subprocess
        import sys
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("TELEGRAM_", "SLACK_", "REDIS_", "PUBLIC_URL", "STATE_"))}
        full_env.update(env, PORT=str(self.port), PYTHONUNBUFFERED="1")
        def limit_open_files() -> None:  # a host with a low default, as many have
            import resource
            if open_files is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE,
                                   (open_files, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", command, "--host", "127.0.0.1"],
                                     cwd=cwd, env=full_env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     preexec_fn=limit_open_files)

    async def ready(self, timeout: float = 15.0) -> ServerProcess:
        """Wait until /healthz answers."""
        async def up():
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}: {self.output()}")
            try:
                return (await request("GET", f"{self.url}/healthz"))[0] == 200
            except aiohttp.ClientError:
                return False
        await eventually(up, timeout=timeout, interval=0.1)
        return self

    def terminate(self) -> None:
        """Send SIGTERM."""
        self.proc.terminate()

    async def wait(self, timeout: float = 30.0) -> int:
        """The exit code, waiting at most `timeout` seconds."""
        return await asyncio.to_thread(self.proc.wait, timeout)

    def output(self) -> str:
        """Everything the process printed (after it exited)."""
        if self.proc.poll() is None:
            return ""
        return self.proc.stdout.read() if self.proc.stdout else ""

    def kill(self) -> None:
        """Make sure the process is gone."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


async def trickle_until_closed(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                         seconds: float) -> float:
    """Trickle a header byte every 0.2 s until the server closes the connection; how long
    that took, or `seconds` if it never did."""
    started = time.monotonic()
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    while time.monotonic() - started < seconds:
        try:
            writer.write(b"a")
            await writer.drain()
        except (ConnectionError, OSError):
            return time.monotonic() - started
        try:
            if await asyncio.wait_for(reader.read(1), 0.2) == b"":
                return time.monotonic() - started
        except asyncio.TimeoutError:
            pass
    return seconds
