"""`python -m bot poll`: Telegram long polling and Slack Socket Mode over the shared runtime,
with /healthz and /metrics on PORT when it is set."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable

from adapters.runtime import Runtime, running

log = logging.getLogger(__name__)
NO_PLATFORM = ("poll: set TELEGRAM_TOKEN (Telegram long polling) and/or SLACK_APP_TOKEN with "
               "SLACK_BOT_TOKEN (Slack Socket Mode)")


def run_poll(rt: Runtime, host: str = "0.0.0.0") -> int:
    """Run every platform whose tokens are set until SIGINT/SIGTERM; 2 when none is set."""
    if not (rt.settings.telegram or rt.settings.slack):
        asyncio.run(rt.service.state.close())
        print(NO_PLATFORM, file=sys.stderr)
        return 2
    return asyncio.run(_run(rt, host))


async def _run(rt: Runtime, host: str) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    doors: list[Awaitable[None]] = []
    if rt.settings.telegram:
        from adapters.telegram import poll as telegram_poll
        doors.append(telegram_poll(rt, stop))
    if rt.settings.slack:
        from adapters.slack import run_socket_mode
        doors.append(run_socket_mode(rt, stop))
    if rt.settings.port is not None:
        doors.append(_serve_health(rt, host, stop))
    async with running(rt):
        log.info("polling: telegram=%s slack=%s state=%s content=%s",
                 rt.settings.telegram is not None, rt.settings.slack is not None, rt.state_kind,
                 rt.service.bot.content.version)
        await asyncio.gather(*doors)
    return 0


async def _serve_health(rt: Runtime, host: str, stop: asyncio.Event) -> None:
    """/healthz and /metrics on PORT until `stop`; the signals stay this door's."""
    import uvicorn

    from adapters.server import web_config
    from adapters.web import build_web_app

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self):
            yield

    server = Server(web_config(build_web_app(rt), host, rt.settings.port or 0, lifespan="off"))
    serving = asyncio.create_task(server.serve())
    await stop.wait()
    server.should_exit = True
    await serving
