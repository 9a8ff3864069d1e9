"""Slack's sending side: answers run after the ack, over one shared HTTP session."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine

import aiohttp

log = logging.getLogger(__name__)

DRAIN_SECONDS = 20.0  # on shutdown, answers still being sent get this long (SIGTERM allows 25)


class Outbox:
    """Runs each answer as a task once Slack has its ack, and drains them on close."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task] = set()

    @property
    def session(self) -> aiohttp.ClientSession:
        """The one HTTP session (a pool of kept-alive connections) for every answer."""
        # Created on first use, inside the running loop that will use it.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    @property
    def pending(self) -> int:
        """Answers started and not yet sent."""
        return len(self._tasks)

    def start(self, work: Coroutine) -> None:
        """Run `work` (a listener's answer) in the background, logging a failure by its kind."""
        task = asyncio.create_task(work)
        self._tasks.add(task)  # a task nobody holds may be collected before it finishes
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            log.error("%s while answering on Slack", type(error).__name__, exc_info=error)

    async def close(self, timeout: float = DRAIN_SECONDS) -> None:
        """Wait for the answers in progress (up to `timeout`), then close the session."""
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=timeout)
            for task in late:
                task.cancel()
            if late:
                log.warning("%d Slack answers were still unsent at shutdown", len(late))
                await asyncio.wait(late)
        if self._session is not None:
            await self._session.close()
