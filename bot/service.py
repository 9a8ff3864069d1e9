"""The one path every adapter takes: a Message in, the user's state applied, a Reply out."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace

from bot.answer import Bot
from bot.message import Message, Reply
from bot.scrub import scrub
from bot.state import ANSWERED, OFFERED, OFFERED_JOIN, MemoryState, Rate, State
from bot.text import fold, normalize

INLINE_TEXT_CHARS = 2000  # longer texts are read in a worker thread, off the event loop
DECLINED_SCRUB_CHARS = 400  # what is kept is cut to 200 characters; this is room enough
Observer = Callable[[Message, Reply, float], None]  # message, reply, seconds taken
FEEDBACK_THANKS = "feedback_thanks"  # the message that acknowledges a feedback tap


class Service:
    """The current bot (swapped whole on content reload) and the state it is handed."""

    def __init__(self, bot: Bot, state: State | None = None, observer: Observer | None = None,
                 unlimited: frozenset[str] = frozenset()):
        """`unlimited`: platforms whose users are not rate-limited (the console's operator)."""
        self.bot = bot
        self.state: State = state or MemoryState()
        self.observer = observer
        self.unlimited = unlimited

    def swap(self, bot: Bot) -> None:
        """Serve new content from now on; messages already being answered keep the old bot."""
        self.bot = bot

    async def handle(self, message: Message) -> Reply | None:
        """The reply to a message, or None when the user is over the rate limit (silence).

        Applies the user's stored language, stores a new choice, and counts for the editors'
        report the topics answered, the topics a "did you mean" offered, and declined questions.
        """
        started = time.perf_counter()
        bot = self.bot  # one version for the whole message, even if a reload lands meanwhile
        if message.user_id:
            decision = Rate.OK
            if message.platform not in self.unlimited:
                decision = await self.state.rate(message.platform, message.user_id)
            if decision is Rate.SILENT:
                return None
            if not message.preferred_lang:
                stored = await self.state.get_language(message.platform, message.user_id)
                if stored:
                    message = replace(message, preferred_lang=stored)
            if decision is Rate.NOTICE:
                return self._observed(message, bot.notice("slow_down", message), started)
        if len(message.text) > INLINE_TEXT_CHARS:  # one long message must not stall the others
            reply = await asyncio.to_thread(bot.answer, message)
        else:
            reply = bot.answer(message)
        if message.user_id:
            if reply.language_choice:
                await self.state.set_language(message.platform, message.user_id,
                                              reply.language_choice)
            elif reply.kind == "decline":
                await self.state.record_declined(message.platform, message.user_id,
                                                 declined_text(message.text, bot))
        await self._count(reply)
        return self._observed(message, reply, started)

    async def _count(self, reply: Reply) -> None:
        """Count an answer per topic (both, for two questions), and a "did you mean" question
        per set of topics offered: ids only, no text, no user."""
        if reply.kind == "answer":
            for topic in {reply.intent, reply.also} - {None}:
                await self.state.count(ANSWERED, str(topic), reply.lang)
        elif reply.kind == "clarify" and reply.suggestions:
            await self.state.count(OFFERED, OFFERED_JOIN.join(sorted(reply.suggestions)),
                                   reply.lang)

    async def feedback(self, *, platform: str, user_id: str, answer: str, topic: str, lang: str,
                       helpful: bool) -> Reply | None:
        """Count a "was this helpful?" tap on an answer, once per user and answer message
        (`answer`: the platform's id of the message); the short thanks to show, or None for a
        tap to ignore: feedback switched off since, or a topic or language not in the content.

        A tap is not a message: nothing in it is read or answered, so it does not go through
        Bot.answer and the Message stays free of fields only a tap would use.
        """
        content = self.bot.content
        if (not content.feedback or content.topic(topic) is None
                or lang not in content.languages or not user_id or not answer):
            return None
        await self.state.record_feedback(platform, user_id, answer, topic, lang, helpful)
        return self.bot.notice(FEEDBACK_THANKS, Message(text="", platform=platform,
                                                        preferred_lang=lang))

    def _observed(self, message: Message, reply: Reply, started: float) -> Reply:
        if self.observer is not None:
            self.observer(message, reply, time.perf_counter() - started)
        return reply

    async def first_time(self, platform: str, delivery_id: str) -> bool:
        """False when this update/event was already handled (a platform retry)."""
        return await self.state.first_time(f"{platform}:{delivery_id}")


def declined_text(text: str, bot: Bot) -> str:
    """What is kept of a declined question: normalised, with digits (phone, passport and
    document numbers), e-mail addresses, links, names and street addresses masked."""
    words = bot.index.token_freq
    return normalize(scrub(text[:DECLINED_SCRUB_CHARS], lambda word: fold(word) in words))
