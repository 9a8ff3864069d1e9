"""Answer markup and plain-text rendering."""
from __future__ import annotations

from bot.markup import parse_markup, plain_text
from bot.render import render_plain
from tests.conftest import msg


def test_markup_bold_bullets_links_and_paragraphs():
    blocks = parse_markup("Office in **Almaty**.\n\n- one\n- two **b**\n\nSee [UN](https://un.org).")
    assert [b.bullet for b in blocks] == [False, True, True, False]
    assert blocks[0].spans[1].text == "Almaty" and blocks[0].spans[1].bold
    assert blocks[3].spans[1].link == "https://un.org"
    assert plain_text(blocks) == "Office in Almaty.\n\n• one\n• two b\n\nSee UN (https://un.org)."


def test_markup_leaves_unclosed_and_non_web_links_as_text():
    blocks = parse_markup("a ** b [x](javascript:alert(1))")
    assert plain_text(blocks) == "a ** b [x](javascript:alert(1))"
    assert not any(s.link or s.bold for b in blocks for s in b.spans)


def test_plain_answer_ends_with_the_as_of_date(bot):
    text = render_plain(bot.answer(msg("/head")))
    assert "Bernard Doyle" in text and "2014" in text
    assert text.rstrip().endswith("As of 25 March 2016")
    assert "/office" in text or "→" in text


def test_every_answer_in_every_language_is_short_and_dated(bot, content):
    for topic in content.topics:
        for lang in ("en", "ru", "kk"):
            reply = bot.topic_reply(topic, lang, 1.0)
            text = render_plain(reply)
            body = text.split("\n\n→")[0]
            assert len(body) + len(reply.footer) <= 700, (topic.id, lang)
            as_of = content.message("as_of", lang).format(date=bot.format_date(topic.as_of, lang))
            assert reply.footer.endswith(as_of)
            assert reply.note is None, "every shipped topic is translated"


def test_missing_translation_falls_back_to_english_with_a_note(bot, content):
    from dataclasses import replace
    office = content.topic("office")
    english_only = replace(office, texts={"en": office.texts["en"]})
    reply = bot.topic_reply(english_only, "kk", 1.0)
    assert reply.lang == "kk" and "Almaty" in plain_text(reply.blocks)
    assert reply.note == content.message("translation_missing", "kk").format(
        language=content.languages["kk"])
    assert render_plain(reply).startswith(reply.note)


def test_an_answer_asks_was_this_helpful_in_its_language_and_the_console_leaves_it_out(bot):
    labels = {"en": ("👍 Helpful", "👎 Not helpful"), "ru": ("👍 Полезно", "👎 Не помогло"),
              "kk": ("👍 Пайдалы", "👎 Көмектеспеді")}
    for lang, (yes, no) in labels.items():
        reply = bot.answer(msg("/contacts", preferred_lang=lang))
        assert [(c.kind, c.value, c.label) for c in reply.feedback] == [
            ("feedback", "helpful", yes), ("feedback", "not_helpful", no)]
        assert yes not in render_plain(reply) and no not in render_plain(reply)


def test_only_answers_ask_was_this_helpful(bot):
    for text in ("/help", "/privacy", "hello", "what is the weather in almaty", "office head",
                 "/language"):
        reply = bot.answer(msg(text))
        assert reply.kind != "answer" and reply.feedback == (), text
