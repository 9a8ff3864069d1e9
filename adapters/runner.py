"""`python -m bot poll`: Telegram long polling and Slack Socket Mode, side by side."""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

from bot.service import Service

log = logging.getLogger(__name__)


def run_poll(service: Service) -> int:
    """Run every platform whose tokens are set until SIGINT/SIGTERM; 2 when none is set."""
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runners = []
    if os.environ.get("TELEGRAM_TOKEN"):
        from adapters.telegram import poll as telegram_poll
        runners.append(telegram_poll)
    if os.environ.get("SLACK_APP_TOKEN"):
        from adapters.slack import run_socket_mode
        runners.append(run_socket_mode)
    if not runners:
        print("poll: set TELEGRAM_TOKEN (Telegram long polling) and/or SLACK_APP_TOKEN with "
              "SLACK_BOT_TOKEN (Slack Socket Mode)", file=sys.stderr)
        return 2
    return asyncio.run(_run(service, runners))


async def _run(service: Service, runners) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await asyncio.gather(*(run(service, stop) for run in runners))
    return 0
