"""Where bench/webhook.py's fake APIs run, and how their reports of arrivals reach the load."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys

from bench.fake_apis import FakeApis
from bench.processes import READY_TIMEOUT, ROOT, clean_env, die_with_parent


class Arrivals:
    """When the first sendMessage for each chat arrived, and who is waiting for one."""

    def __init__(self):
        self.first: dict[int, float] = {}
        self.waiters: dict[int, asyncio.Future] = {}
        self.responses = 0  # POSTs to a Slack response_url
        self.sends = 0  # sendMessage calls, the first for a chat and any more

    def on_send(self, chat_id: int, at: float) -> None:
        self.sends += 1
        if chat_id in self.first:
            return
        self.first[chat_id] = at
        waiter = self.waiters.pop(chat_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(at)

    def on_response(self, at: float) -> None:
        self.responses += 1


class FakeProcess:
    """The fakes in a child process; its stdout read into `arrivals`."""

    def __init__(self, arrivals: Arrivals):
        self.arrivals = arrivals
        self.proc: asyncio.subprocess.Process | None = None
        self.reader: asyncio.Task | None = None

    async def start(self) -> dict:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.fake_apis", cwd=ROOT, env=clean_env({}),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, preexec_fn=die_with_parent)
        line = await asyncio.wait_for(self.proc.stdout.readline(), READY_TIMEOUT)
        if not line.startswith(b"READY "):
            raise RuntimeError(f"the fake process did not start: {line!r}")
        self.reader = asyncio.create_task(self._read())
        return json.loads(line[len(b"READY "):])

    async def _read(self) -> None:
        while line := await self.proc.stdout.readline():  # ends when the fake exits
            kind, *rest = line.split()
            if kind == b"S":
                self.arrivals.on_send(int(rest[0]), float(rest[1]))
            elif kind == b"R":
                self.arrivals.on_response(float(rest[0]))

    async def close(self) -> None:
        self.proc.stdin.close()
        await asyncio.wait_for(self.proc.wait(), 10)
        await self.reader


class InProcessFakes:
    """The fakes on the load generator's own event loop (`--fake-in-process`)."""

    def __init__(self, arrivals: Arrivals):
        self.fakes = FakeApis(arrivals.on_send, arrivals.on_response)

    async def start(self) -> dict:
        return await self.fakes.start()

    async def close(self) -> None:
        await self.fakes.close()
