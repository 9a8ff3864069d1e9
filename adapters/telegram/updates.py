"""Telegram updates handled concurrently across chats, one at a time within a chat."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Each update waits for its answer's round trip: at AIORateLimiter's 30 messages/s, ~1.25 Bot
# API calls per update (a button tap also answers its callback query) and a 100 ms round trip
# to api.telegram.org, about 4 updates are in flight. 32 keeps the limiter, not the round
# trip, the ceiling even at ~800 ms round trips or while 429s are waited out.
CONCURRENT_UPDATES = 32
# PTB's own semaphore, taken before do_process_update: set so high that it never binds, or
# updates waiting behind a busy chat would hold the slots that other chats need.
_PTB_SLOTS = 1_000_000


@dataclass
class _Chat:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    holders: int = 0  # updates of this chat waiting for the lock or holding it


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Runs up to `max_concurrent_updates` updates at once; those of one chat in arrival order."""

    # The order holds because PTB starts one task per update in queue order and asyncio's
    # Lock and Semaphore let waiting tasks in first come first served. A slot is taken only
    # once the chat's lock is held, so a burst in one chat occupies one slot, not all of them.

    __slots__ = ("_chats", "_slots")

    def __init__(self, max_concurrent_updates: int):
        if max_concurrent_updates < 1:
            raise ValueError("max_concurrent_updates must be a positive number")
        # PTB's `max_concurrent_updates` (and Application.concurrent_updates) reads _PTB_SLOTS.
        super().__init__(_PTB_SLOTS)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._chats: dict[int, _Chat] = {}

    @property
    def chats_in_flight(self) -> int:
        """How many chats have an update waiting or running."""
        return len(self._chats)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await `coroutine` once every earlier update of the same chat is done."""
        key = chat_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        chat = self._chats.get(key)
        if chat is None:
            chat = self._chats[key] = _Chat()
        chat.holders += 1
        try:
            async with chat.lock, self._slots:
                await coroutine
        finally:
            chat.holders -= 1
            if not chat.holders:  # nothing of this chat is waiting: do not keep its lock
                del self._chats[key]

    async def initialize(self) -> None:
        """Nothing to set up: a chat's lock is made when its first update arrives."""

    async def shutdown(self) -> None:
        """Nothing to free: each lock went with its chat's last update."""


def chat_key(update: object) -> int | None:
    """The id of the chat whose updates must stay in order; None for an update of no chat."""
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None
