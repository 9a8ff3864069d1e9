"""The interactive console chat: the first adapter, for trying the bot locally."""
from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.message import Message
from bot.render import render_plain
from bot.service import Service

CONSOLE_USER = "console-user"


def run_console(service: Service, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """Chat on the terminal until end of input; /language choices last for the session."""
    return asyncio.run(_chat(service, stdin, stdout))


async def _chat(service: Service, stdin: TextIO, stdout: TextIO) -> int:
    interactive = stdin.isatty()
    start = await service.handle(to_message("/start"))
    print(render_plain(start), file=stdout)
    while True:
        if interactive:
            stdout.write("\n> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            return 0
        if line.strip():
            reply = await service.handle(to_message(line.strip()))
            if reply is not None:
                print("\n" + render_plain(reply), file=stdout, flush=True)


def to_message(text: str) -> Message:
    """A console line as the core's Message."""
    return Message(text=text, platform="console", chat_id=CONSOLE_USER, user_id=CONSOLE_USER)
