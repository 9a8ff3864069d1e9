"""The console chat: the runtime's front door for trying the bot at a terminal."""
from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from adapters.runtime import Runtime
from bot.message import Message, Reply
from bot.render import render_plain

CONSOLE_USER = "console-user"
QUIT_WORDS = frozenset({"/quit", "/exit", "quit", "exit"})


def run_console(rt: Runtime, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """Chat until end of input, /quit or Ctrl-C; content edits are seen before each answer."""
    try:
        return asyncio.run(_chat(rt, stdin, stdout))
    except KeyboardInterrupt:
        print(file=stdout)
        return 0


async def _chat(rt: Runtime, stdin: TextIO, stdout: TextIO) -> int:
    interactive = stdin.isatty()
    try:
        reply = await rt.service.handle(to_message("/start"))
        if reply is not None:
            print(render_plain(reply), file=stdout)
        while True:
            if interactive:
                stdout.write("\n> ")
                stdout.flush()
            raw = stdin.readline()
            line = raw.strip()
            if not raw or line.lower() in QUIT_WORDS:  # end of input (Ctrl-D), or /quit
                return 0
            if not line:
                continue
            await rt.watcher.check()  # the console has no loop of its own to watch with
            reply = await rt.service.handle(to_message(picked(line, reply)))
            if reply is not None:
                print("\n" + render_plain(reply), file=stdout, flush=True)
    finally:
        await rt.service.state.close()


def picked(line: str, last: Reply | None) -> str:
    """A number typed after a "did you mean...?" question is the numbered topic's command."""
    if last is None or last.kind != "clarify" or not line.isdigit():
        return line
    topics = [c for c in last.choices if c.kind == "topic"]
    n = int(line)
    return f"/{topics[n - 1].command}" if 1 <= n <= len(topics) else line


def to_message(text: str) -> Message:
    """A console line as the core's Message."""
    return Message(text=text, platform="console", chat_id=CONSOLE_USER, user_id=CONSOLE_USER)
