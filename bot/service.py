"""The one path every adapter takes: a Message in, the user's state applied, a Reply out."""
from __future__ import annotations

from dataclasses import replace

from bot.answer import Bot
from bot.message import Message, Reply
from bot.state import MemoryState, State


class Service:
    """The current bot (swapped whole on content reload) and the state it is handed."""

    def __init__(self, bot: Bot, state: State | None = None):
        self.bot = bot
        self.state: State = state or MemoryState()

    def swap(self, bot: Bot) -> None:
        """Serve new content from now on; messages already being answered keep the old bot."""
        self.bot = bot

    async def handle(self, message: Message) -> Reply:
        """Answer a message with the user's stored language, and store a new choice."""
        bot = self.bot  # one version for the whole message, even if a reload lands meanwhile
        if message.user_id and not message.preferred_lang:
            stored = await self.state.get_language(message.platform, message.user_id)
            if stored:
                message = replace(message, preferred_lang=stored)
        reply = bot.answer(message)
        if reply.language_choice and message.user_id:
            await self.state.set_language(message.platform, message.user_id, reply.language_choice)
        return reply

    async def first_time(self, platform: str, delivery_id: str) -> bool:
        """False when this update/event was already handled (a platform retry)."""
        return await self.state.first_time(f"{platform}:{delivery_id}")
