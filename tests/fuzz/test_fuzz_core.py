"""Fuzzing the core: any text at all, from any client, gets a well-formed Reply."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.message import Message, Reply
from tests.fuzz.conftest import commands, language_hints, messages

pytestmark = pytest.mark.fuzz

REPLY_KINDS = {"answer", "decline", "referral", "meta", "help", "language"}


def assert_well_formed(bot, reply: Reply) -> None:
    """The promises every reply keeps, whatever it answers."""
    assert isinstance(reply, Reply)
    assert reply.lang in bot.content.languages
    assert reply.kind in REPLY_KINDS
    assert 0.0 <= reply.score <= 1.0  # also false for NaN
    assert reply.blocks, "every reply says something"
    if reply.kind == "decline":
        assert reply.intent is None


@given(message=messages)
def test_any_message_gets_a_well_formed_reply(bot, message):
    assert_well_formed(bot, bot.answer(message))


@given(text=commands, lang=language_hints, slash=st.booleans())
def test_commands_get_a_well_formed_reply_and_the_same_one_twice(bot, text, lang, slash):
    message = Message(text=text, preferred_lang=lang, slash_text=slash)
    reply = bot.answer(message)
    assert_well_formed(bot, reply)
    assert bot.answer(message) == reply, "answers are deterministic"
