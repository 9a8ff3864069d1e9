"""Property tests: any text at all gets a Reply, and replies keep their promises."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.message import Message, Reply
from bot.render import render_plain

# Text from all of Unicode, plus text built from the content's own alphabet and commands,
# which reaches the deeper paths (typo correction, commands, referral).
_alphabet = st.sampled_from(list("abcdefghijklmnopqrstuvwxyz" "абвгдежзийклмнопрстуфхцчшщыьэюяё"
                                 "әғқңөұүһі /@?!.,-_0123456789"))
texts = st.one_of(st.text(max_size=300), st.text(alphabet=_alphabet, max_size=80),
                  st.builds(lambda w, rest: f"/{w}{rest}",
                            st.sampled_from(["office", "start", "language", "help", "history",
                                             "x", "OFFICE@bot", "start office"]),
                            st.text(max_size=30)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, pref=st.sampled_from([None, "en", "ru", "kk", "de", ""]),
       slash=st.booleans())
def test_any_text_gets_a_reply(bot, text, pref, slash):
    reply = bot.answer(Message(text=text, preferred_lang=pref, platform_lang=pref, slash_text=slash))
    assert isinstance(reply, Reply)
    assert reply.lang in bot.content.languages
    assert 0.0 <= reply.score <= 1.0
    assert reply.blocks, "every reply says something"
    assert render_plain(reply).strip()
    if reply.kind == "decline":
        assert reply.intent is None and reply.menu
