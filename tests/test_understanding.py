"""Understanding: commands, free text in three languages, typos, declines, referral."""
from __future__ import annotations

import pytest

from bot.message import Message
from tests.conftest import msg


@pytest.mark.parametrize("text", ["/office", "/OFFICE", "/office@UNHCR_KZ_bot", "/almaty",
                                  "/start office", "/office extra words"])
def test_office_command_variants(bot, text):
    reply = bot.answer(msg(text))
    assert reply.intent == "office" and reply.kind == "answer"
    assert "Almaty" in "".join(b.plain for b in reply.blocks)


def test_history_command_answers_1950(bot):
    reply = bot.answer(msg("/history"))
    assert reply.intent == "history"
    assert "1950" in "".join(b.plain for b in reply.blocks)


def test_slack_slash_text_first_word_names_a_topic(bot):
    reply = bot.answer(Message(text="office", slash_text=True, platform="slack"))
    assert reply.intent == "office"
    reply = bot.answer(Message(text="", slash_text=True, platform="slack"))
    assert reply.kind == "help" and len(reply.menu) == len(bot.content.topics)


def test_unknown_command_gets_the_help_menu(bot):
    reply = bot.answer(msg("/weather"))
    assert reply.kind == "help" and reply.intent is None
    assert {c.value for c in reply.menu} == {t.id for t in bot.content.topics}


def test_command_uses_the_stored_language(bot):
    reply = bot.answer(msg("/office", preferred_lang="kk"))
    assert reply.lang == "kk" and "Алматы" in "".join(b.plain for b in reply.blocks)
    assert bot.answer(msg("/office", platform_lang="ru-RU")).lang == "ru"


@pytest.mark.parametrize("text,lang,intent", [
    ("where is the unhcr office", "en", "office"),
    ("когда создали УВКБ", "ru", "history"),
    ("кто возглавляет офис УВКБ в Казахстане", "ru", "head"),
    ("БҰҰ БЖКБ кеңсесі қайда орналасқан", "kk", "office"),
    ("кенсе кайда", "kk", "office"),
    ("Who is the High Commissioner?", "en", "high-commissioner"),
])
def test_free_text_in_three_languages(bot, text, lang, intent):
    reply = bot.answer(msg(text))
    assert (reply.intent, reply.lang) == (intent, lang)
    as_of = bot.content.message("as_of", lang).format(date=bot.format_date(reply.as_of, lang))
    assert reply.footer and reply.footer.endswith(as_of)


def test_russian_when_creation_answers_1950_in_russian(bot):
    reply = bot.answer(msg("когда создали УВКБ"))
    text = "".join(b.plain for b in reply.blocks)
    assert "1950" in text and "декабря" in text


@pytest.mark.parametrize("text,intent", [
    ("wher is the ofice", "office"),
    ("who is the high comissioner of unhcr", "high-commissioner"),
    ("статус безгражданства", "statelessness"),
    ("закон о беженцах казахстан", "law"),
    ("законе о беженцах", "law"),
    ("headquarter", "headquarters"),
])
def test_typos_and_inflections(bot, text, intent):
    assert bot.answer(msg(text)).intent == intent


@pytest.mark.parametrize("text", [
    "what is the weather in almaty", "погода в алматы", "best restaurants in astana",
    "asdfgh", "???", "", "   ", "🙂", "tell me a joke",
])
def test_out_of_scope_is_declined_with_the_menu(bot, text):
    reply = bot.answer(msg(text))
    assert reply.intent is None or reply.kind == "help"
    assert reply.menu, "a decline points to what the bot does know"


@pytest.mark.parametrize("text", [
    "I am in danger, please help", "my husband beats me", "police detained my brother",
    "they want to deport me tomorrow", "меня хотят депортировать", "мне угрожают насилием",
    "мені ұрып-соқты", "I want to kill myself",
])
def test_referral_never_gets_an_faq_guess(bot, text):
    reply = bot.answer(msg(text))
    assert reply.kind == "referral" and reply.intent == "referral"
    assert not any(ch.isdigit() for b in reply.blocks for ch in b.plain), "no invented numbers"


@pytest.mark.parametrize("text,intent", [
    ("hello", "greeting"), ("спасибо!", "thanks"), ("are you a human?", "about_bot"),
    ("рахмет", "thanks"),
])
def test_meta_intents(bot, text, intent):
    reply = bot.answer(msg(text))
    if intent:
        assert reply.intent == intent


def test_language_switch(bot):
    reply = bot.answer(msg("/language ru"))
    assert reply.language_choice == "ru" and reply.lang == "ru"
    reply = bot.answer(msg("/language"))
    assert {c.value for c in reply.choices} == {"en", "ru", "kk"}
    assert bot.answer(msg("қазақша")).language_choice == "kk"


def test_preference_decides_ambiguous_text(bot):
    assert bot.answer(msg("UNHCR Almaty", preferred_lang="ru")).lang == "ru"
    assert bot.answer(msg("where is the office", preferred_lang="ru")).lang == "en"


def test_explain_lists_candidates(bot):
    match = bot.understand("who heads the office in almaty")
    assert match.best.intent == "head"
    assert len(match.candidates) <= 3
    assert all(0 <= c.score <= 1 for c in match.candidates)
