"""What the bot says is true today: dated facts, a readable source line, every text renders."""
from __future__ import annotations

import re
from datetime import date

import pytest

from bot.markup import parse_markup
from tests.conftest import msg

NOW_QUESTIONS = [("who is the current high commissioner", "en"),
                 ("кто сейчас верховный комиссар", "ru"),
                 ("қазіргі жоғарғы комиссар кім", "kk")]


@pytest.mark.parametrize("text,lang", NOW_QUESTIONS)
def test_a_question_about_now_gets_the_dated_answer_and_a_may_have_changed_line(bot, text, lang):
    reply = bot.answer(msg(text))
    assert (reply.intent, reply.lang) == ("high-commissioner", lang)
    assert reply.note == bot.content.message("may_have_changed", lang)
    shown = " ".join(b.plain for b in reply.blocks)
    assert "2016" in shown and ("Grandi" in shown or "Гранди" in shown)


def test_the_same_question_without_now_has_no_such_line(bot):
    assert bot.answer(msg("who is the high commissioner")).note is None


def test_every_answer_that_can_go_stale_says_when_it_was_true(content):
    marked = [t for t in content.topics if t.can_change]
    assert {t.id for t in marked} >= {"high-commissioner", "head", "history", "almaty-process",
                                      "assistance"}
    for topic in marked:
        for lang, text in topic.texts.items():
            assert "2016" in text.answer, (topic.id, lang)


def test_guterres_is_then_high_commissioner_and_the_2011_conference_is_named_alike(content):
    visits = content.topic("visits").texts
    assert "then UN High Commissioner" in visits["en"].answer
    assert "в то время" in visits["ru"].answer and "Сол кездегі" in visits["kk"].answer
    for topic in content.topics:
        assert "1st Conference" not in topic.texts["en"].answer, topic.id


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_the_source_line_names_the_document_not_a_paragraph(bot, lang):
    reply = bot.answer(msg("/office", preferred_lang=lang))
    assert "¶" not in reply.footer and "¶" not in " ".join(b.plain for b in reply.blocks)
    expected = {"en": "Source: UNHCR, “UNHCR in Kazakhstan” · As of 25 March 2016",
                "ru": "Источник: УВКБ ООН, «УВКБ ООН в Казахстане» · По состоянию на 25 марта 2016 г.",
                "kk": "Дереккөз: БҰҰ БЖКБ, «Қазақстандағы БҰҰ БЖКБ» · 25.03.2016 жағдай бойынша"}
    assert reply.footer == expected[lang]


def test_every_message_renders_in_every_language_with_nothing_left_unfilled(bot):
    from bot.answer import FACT_MESSAGES
    from bot.state import retention_facts
    from bot.validate import PLACEHOLDERS
    for key in bot.content.messages:
        if key == "months":
            continue
        for lang in bot.content.languages:
            values = retention_facts() if key in FACT_MESSAGES else dict.fromkeys(
                PLACEHOLDERS.get(key, ()), 7)
            text = " ".join(b.plain for b in parse_markup(
                bot.content.message(key, lang).format(**values)))
            assert text.strip() and not re.search(r"\{\w*\}", text), (key, lang, text)
    for lang in bot.content.languages:
        for month in range(1, 13):
            shown = bot.format_date(date(2016, month, 25), lang)
            assert "{" not in shown and "2016" in shown


def test_the_language_fixes_hold(content):
    assert "льгот" not in content.topic("assistance").texts["ru"].answer
    kk_asylum = content.topic("asylum").texts["kk"]
    assert not any("баспана" in s for s in (*kk_asylum.examples, *kk_asylum.keywords))
    assert "is to serve as a platform for a regional cooperation framework" in \
        content.topic("almaty-declaration").texts["en"].answer
    assert "«" not in content.message("translation_missing", "ru")


def test_a_topic_past_its_review_date_warns_editors_and_tells_readers(content_dir):
    from datetime import timedelta

    from bot.answer import Bot
    from bot.content import load_content
    office = content_dir / "topics" / "office.yaml"
    past = date.today() - timedelta(days=1)
    office.write_text(office.read_text("utf-8").replace(
        "as_of: 2016-03-25", f"as_of: 2016-03-25\nreview_by: {past.isoformat()}"), "utf-8")
    content = load_content(content_dir)
    [warning] = [w for w in content.warnings if "review" in w.message]
    line = office.read_text("utf-8").splitlines().index(f"review_by: {past.isoformat()}") + 1
    assert warning.where.file.endswith("office.yaml") and warning.where.line == line
    bot = Bot(content)
    for lang in ("en", "ru", "kk"):
        reply = bot.answer(msg("/office", preferred_lang=lang))
        assert reply.note == content.message("review_overdue", lang).format(
            date=bot.format_date(past, lang))
    assert bot.answer(msg("/head")).note is None, "only the overdue topic says so"


def test_the_most_asked_topics_come_first_in_every_menu(bot):
    from adapters.telegram.app import menu_commands
    first = ["office", "asylum", "statelessness", "contacts"]
    for lang in bot.content.languages:
        assert [c.value for c in bot.menu(lang)][:4] == first
        commands = [c.command for c in menu_commands(bot.content, lang)][:4]
        assert commands == [bot.content.topic(t).command for t in first]
