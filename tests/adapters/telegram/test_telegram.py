"""The Telegram adapter: real python-telegram-bot, a fake Bot API on 127.0.0.1."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import sys
from pathlib import Path

import pytest
from telegram import Update
from telegram.error import InvalidToken

from adapters.settings import SettingsError, read_settings
from adapters.telegram.app import (
    build_application,
    process_webhook,
    publish_commands,
    running,
    to_message,
)
from adapters.telegram.render import render
from bot.message import HELPFUL, NOT_HELPFUL, Block, Choice, Message, Reply, Span
from tests.conftest import bot_report
from tests.fakes.telegram_api import TOKEN, WEBHOOK_SECRET, make_tap, make_update

ROOT = Path(__file__).resolve().parents[3]
GROUP_ID = -1001234567890
USER_ID = 424242


async def deliver(app, update: dict) -> None:
    """Hand one update to the application and wait until it is handled."""
    await app.process_update(Update.de_json(update, app.bot))


def buttons(sent: dict) -> list[dict]:
    """Every inline button of a sent message, row by row."""
    return [b for row in sent["reply_markup"]["inline_keyboard"] for b in row]


# -- private chats -------------------------------------------------------------------------
async def test_private_office_command(telegram_app, telegram_api):
    await deliver(telegram_app, make_update("private_command"))
    [sent] = telegram_api.sent()
    assert sent["chat_id"] == USER_ID
    assert sent["parse_mode"] == "HTML"
    assert sent["link_preview_options"] == {"is_disabled": True}
    assert sent["text"].startswith("<b>UNHCR office in Kazakhstan</b>\n\n")
    assert "is in <b>Almaty</b>" in sent["text"]
    assert sent["text"].endswith("<i>Source: UNHCR, “UNHCR in Kazakhstan” · As of 25 March 2016</i>")
    *related, votes = sent["reply_markup"]["inline_keyboard"]
    assert [(b["text"], b["callback_data"]) for row in related for b in row] == [
        ("Countries covered in Central Asia", "t:region:en"), ("Head of the UNHCR Office", "t:head:en"),
        ("Contacts", "t:contacts:en")]
    assert [(b["text"], b["callback_data"]) for b in votes] == [
        ("👍 Helpful", "f:+:office:en"), ("👎 Not helpful", "f:-:office:en")]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons(sent))


@pytest.mark.parametrize("text, expected", [
    ("где находится офис УВКБ?", "находится в <b>Алматы</b>"),
    ("бжкб кеңсесі қайда", "<b>Алматыда</b> орналасқан"),
    ("where is the unhcr office?", "is in <b>Almaty</b>"),
])
async def test_free_text_in_three_languages(telegram_app, telegram_api, text, expected):
    await deliver(telegram_app, make_update("private_text", text=text))
    [sent] = telegram_api.sent()
    assert expected in sent["text"]


async def test_telegram_language_is_only_a_hint(telegram_app, telegram_api):
    await deliver(telegram_app, make_update("private_text", text="где находится офис УВКБ?",
                                            language_code="kk"))
    [sent] = telegram_api.sent()
    assert sent["text"].startswith("<b>Офис УВКБ ООН в Казахстане</b>")
    assert all(b["callback_data"].endswith(":ru") for b in buttons(sent))


async def test_start_and_deep_link(telegram_app, telegram_api, content):
    await deliver(telegram_app, make_update("private_command", text="/start"))
    await deliver(telegram_app, make_update("private_command", text="/start office"))
    welcome, office = telegram_api.sent()
    assert "automated information bot" in welcome["text"] and "personal details" in welcome["text"]
    menu = welcome["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"] for row in menu for b in row] == [
        f"t:{t.command}:en" for t in content.topics]
    assert all(1 <= len(row) <= 2 for row in menu)
    assert all(len(b["callback_data"].encode()) <= 64 for row in menu for b in row)
    assert "is in <b>Almaty</b>" in office["text"]


async def test_language_buttons_then_a_command_in_the_chosen_language(telegram_app, telegram_api):
    await deliver(telegram_app, make_update("private_command", text="/language"))
    [prompt] = telegram_api.sent()
    assert [(b["text"], b["callback_data"]) for b in buttons(prompt)] == [
        ("English", "l:en"), ("Русский", "l:ru"), ("Қазақша", "l:kk")]
    await deliver(telegram_app, make_update("callback_query", data="l:kk"))
    await deliver(telegram_app, make_update("private_command", text="/office"))
    _, chosen, office = telegram_api.sent()
    assert telegram_api.sent("answerCallbackQuery") == [{"callback_query_id": "4382bfdwdsb323b2d9"}]
    assert chosen["text"] == "Мен қазақ тілінде жауап беремін."
    assert "<b>Алматыда</b>" in office["text"]


async def test_related_topic_button(telegram_app, telegram_api):
    await deliver(telegram_app, make_update("callback_query"))
    await deliver(telegram_app, make_update("callback_query", data="t:region:ru"))
    assert len(telegram_api.sent("answerCallbackQuery")) == 2
    english, russian = telegram_api.sent()
    assert english["chat_id"] == USER_ID
    assert english["text"].startswith("<b>Countries covered in Central Asia</b>")
    assert russian["text"].startswith("<b>Страны Центральной Азии</b>")


async def test_forged_button_is_acknowledged_and_ignored(telegram_app, telegram_api):
    await deliver(telegram_app, make_update("callback_query", data="x:<script>"))
    assert len(telegram_api.sent("answerCallbackQuery")) == 1
    assert telegram_api.sent() == []


@pytest.mark.parametrize("fixture", ["sticker", "photo"])
async def test_non_text_in_private_gets_the_help(telegram_app, telegram_api, fixture):
    await deliver(telegram_app, make_update(fixture))
    [sent] = telegram_api.sent()
    assert "/language" in sent["text"] and sent["reply_markup"]["inline_keyboard"]


async def test_edited_message_is_ignored(telegram_app, telegram_api, caplog):
    await deliver(telegram_app, make_update("edited_message"))
    assert telegram_api.sent() == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_redelivered_update_is_answered_once(telegram_app, telegram_api):
    update = make_update("private_command")
    await deliver(telegram_app, update)
    await deliver(telegram_app, update)
    assert len(telegram_api.sent()) == 1


# -- "was this helpful?" ------------------------------------------------------------------
THANKS = "Thank you! This helps us improve the answers."


async def test_a_feedback_tap_is_thanked_in_a_toast_counted_once_and_shows_in_the_report(
        telegram_app, telegram_api, sqlite_service, state_path):
    await deliver(telegram_app, make_update("private_command"))
    answer = telegram_api.messages[-1]
    double_tap = [make_tap(answer, "f:+:office:en"), make_tap(answer, "f:+:office:en")]
    for tap in double_tap:  # both taps left the phone before the row was taken off
        await deliver(telegram_app, tap)
    assert len(telegram_api.sent()) == 1, "a tap sends no message"
    assert [a.get("text") for a in telegram_api.sent("answerCallbackQuery")] == [THANKS] * 2
    edit = telegram_api.sent("editMessageReplyMarkup")[0]
    assert (edit["chat_id"], edit["message_id"]) == (USER_ID, answer["message_id"])
    assert [b["callback_data"] for row in edit["reply_markup"]["inline_keyboard"] for b in row] == [
        "t:region:en", "t:head:en", "t:contacts:en"], "the row goes, the related topics stay"
    assert await sqlite_service.state.counts(HELPFUL) == {("office", "en"): 1}
    report = bot_report(STATE_PATH=str(state_path))
    assert re.search(r"^  office +1 / 0 +en 1/0$", report, re.M), report
    assert re.search(r"^  office +1 +1 +0 +0$", report, re.M), "answered once, in English"


async def test_a_tap_on_a_russian_answer_is_thanked_in_russian_and_counted_for_russian(
        telegram_app, telegram_api, sqlite_service):
    await deliver(telegram_app, make_update("private_text", text="где находится офис УВКБ?"))
    answer = telegram_api.messages[-1]
    votes = answer["reply_markup"]["inline_keyboard"][-1]
    assert [b["text"] for b in votes] == ["👍 Полезно", "👎 Не помогло"]
    await deliver(telegram_app, make_tap(answer, votes[1]["callback_data"]))
    [thanks] = telegram_api.sent("answerCallbackQuery")
    assert thanks["text"] == "Спасибо! Это помогает нам улучшать ответы."
    assert await sqlite_service.state.counts(NOT_HELPFUL) == {("office", "ru"): 1}
    shown = answer["reply_markup"]["inline_keyboard"]  # the message as the chat shows it now
    assert shown and not [b for row in shown for b in row if b["callback_data"].startswith("f:")]


async def test_in_a_group_each_person_votes_once_and_the_row_stays_for_the_others(
        telegram_app, telegram_api, sqlite_service):
    await deliver(telegram_app, make_update("group_command"))
    answer = telegram_api.messages[-1]
    for user in (515151, 616161, 515151):
        await deliver(telegram_app, make_tap(answer, "f:+:office:ru", user_id=user))
    assert await sqlite_service.state.counts(HELPFUL) == {("office", "ru"): 2}
    assert telegram_api.sent("editMessageReplyMarkup") == []
    assert len(telegram_api.sent("answerCallbackQuery")) == 3 and len(telegram_api.sent()) == 1


@pytest.mark.parametrize("data", ["f:+:weather:en", "f:?:office:en", "f:+:office:de", "f:+",
                                  "f:+:office:en:x"])
async def test_a_forged_feedback_tap_is_acknowledged_and_not_counted(
        telegram_app, telegram_api, sqlite_service, data):
    await deliver(telegram_app, make_update("private_command"))
    await deliver(telegram_app, make_tap(telegram_api.messages[-1], data))
    [acknowledged] = telegram_api.sent("answerCallbackQuery")
    assert "text" not in acknowledged, "no thanks for what was not counted"
    assert telegram_api.sent("editMessageReplyMarkup") == [] and len(telegram_api.sent()) == 1
    for kind in (HELPFUL, NOT_HELPFUL):
        assert await sqlite_service.state.counts(kind) == {}


# -- groups --------------------------------------------------------------------------------
async def test_group_command_with_this_bots_name(telegram_app, telegram_api):
    await deliver(telegram_app, make_update("group_command"))
    [sent] = telegram_api.sent()
    assert sent["chat_id"] == GROUP_ID and "<b>Алматы</b>" in sent["text"]


@pytest.mark.parametrize("text", ["/office@OtherBot", "/unknown", "где находится офис УВКБ?"])
async def test_group_chatter_is_not_answered(telegram_app, telegram_api, text):
    await deliver(telegram_app, make_update("group_text", text=text))
    assert telegram_api.sent() == []


@pytest.mark.parametrize("fixture", ["group_mention", "group_reply"])
async def test_group_mention_or_reply_is_answered(telegram_app, telegram_api, fixture):
    await deliver(telegram_app, make_update(fixture))
    [sent] = telegram_api.sent()
    assert sent["chat_id"] == GROUP_ID and "<b>Алматы</b>" in sent["text"]


async def test_to_message_strips_the_mention_and_passes_the_language_hint(telegram_app):
    message = to_message(Update.de_json(make_update("group_mention"), telegram_app.bot))
    assert message == Message(text="где находится офис УВКБ?", platform="telegram",
                              chat_id=str(GROUP_ID), user_id="515151", platform_lang="ru")
    for fixture in ("group_text", "edited_message"):
        assert to_message(Update.de_json(make_update(fixture), telegram_app.bot)) is None


async def test_sticker_in_a_group_is_ignored(telegram_app, telegram_api):
    update = make_update("sticker")
    update["message"]["chat"] = {"id": GROUP_ID, "title": "Volunteers", "type": "supergroup"}
    await deliver(telegram_app, update)
    assert telegram_api.sent() == []


async def test_a_group_command_added_by_a_content_reload_is_answered(
        telegram_app, telegram_api, sqlite_service, edited_bot):
    update = make_update("group_command", text="/ofis@UNHCR_KZ_bot")
    await deliver(telegram_app, update)
    assert telegram_api.sent() == [], "not a command of the content being served"
    sqlite_service.swap(edited_bot)
    await deliver(telegram_app, make_update("group_command", text="/ofis@UNHCR_KZ_bot"))
    [sent] = telegram_api.sent()
    assert sent["chat_id"] == GROUP_ID and "<b>Алматы</b>" in sent["text"]


# -- errors from Telegram ------------------------------------------------------------------
# PTB 22.8 warns about its own use of RetryAfter.retry_after while building the error.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_control_delays_the_answer_and_never_drops_it(telegram_app, telegram_api):
    telegram_api.fail_once("sendMessage", status=429, retry_after=1)
    await deliver(telegram_app, make_update("private_command"))
    calls = [c for c in telegram_api.calls if c.method == "sendMessage"]
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0
    assert len(telegram_api.sent()) == 1


async def test_blocked_user_is_logged_without_id_or_text(telegram_app, telegram_api, caplog):
    caplog.set_level(logging.DEBUG)
    telegram_api.fail_once("sendMessage", status=403)
    await deliver(telegram_app, make_update("private_text", text="where is the unhcr office?"))
    assert telegram_api.sent() == []
    assert "blocked" in caplog.text
    assert str(USER_ID) not in caplog.text and "unhcr office" not in caplog.text


async def test_rejected_token_is_not_echoed(sqlite_service, telegram_config, telegram_api):
    telegram_api.fail_once("getMe", status=401)
    with pytest.raises(InvalidToken) as error:
        async with running(build_application(sqlite_service, telegram_config, updater=False)):
            pass
    assert TOKEN not in str(error.value) and TOKEN not in repr(error.value)


# -- webhooks ------------------------------------------------------------------------------
def _body(update: dict) -> bytes:
    return json.dumps(update).encode()


@pytest.mark.parametrize("headers, secret", [
    ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, WEBHOOK_SECRET),
    ({}, WEBHOOK_SECRET),
    ({"X-Telegram-Bot-Api-Secret-Token": ""}, None),
])
async def test_webhook_refuses_a_wrong_or_missing_secret(telegram_app, telegram_api, headers,
                                                         secret):
    status = await process_webhook(telegram_app, _body(make_update("private_command")), headers,
                                   secret)
    await asyncio.sleep(0.2)
    assert status == 403 and telegram_api.sent() == []


async def test_webhook_refuses_malformed_json(telegram_app, telegram_api):
    headers = {"x-telegram-bot-api-secret-token": WEBHOOK_SECRET}
    for body in (b"{not json", b"null", b"[]", b'{"message": 1}'):
        assert await process_webhook(telegram_app, body, headers, WEBHOOK_SECRET) == 400
    assert telegram_api.sent() == []


async def test_webhook_delivery_is_answered_once(telegram_app, telegram_api):
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    body = _body(make_update("private_command"))
    assert await process_webhook(telegram_app, body, headers, WEBHOOK_SECRET) == 200
    assert await process_webhook(telegram_app, body, headers, WEBHOOK_SECRET) == 200
    [sent] = await telegram_api.wait_for("sendMessage")
    await asyncio.sleep(0.2)
    assert len(telegram_api.sent()) == 1 and "Almaty" in sent["text"]


# -- command menu --------------------------------------------------------------------------
async def test_command_menus_for_each_language(telegram_app, telegram_api, content):
    first = await telegram_api.wait_for("setMyCommands", 4)  # published alongside the start
    assert [call.get("language_code") for call in first] == [None, "en", "ru", "kk"]
    names = [t.command for t in content.topics] + ["language", "help", "start"]
    for call in first:
        assert [c["command"] for c in call["commands"]] == names
    russian = {c["command"]: c["description"] for c in first[2]["commands"]}
    assert russian["office"] == "Офис УВКБ ООН в Казахстане"
    assert russian["language"] == "Сменить язык"
    assert first[0]["commands"] == first[1]["commands"]
    await publish_commands(telegram_app.bot, content)
    assert telegram_api.sent("setMyCommands")[4:] == first


# -- configuration -------------------------------------------------------------------------
def test_settings_from_the_environment():
    config = read_settings({"TELEGRAM_TOKEN": "42:SECRET-token",
                            "TELEGRAM_WEBHOOK_SECRET": "abc_DEF-123-ghi_JKL"}).telegram
    assert config is not None and config.token == "42:SECRET-token"
    assert config.api_url == "https://api.telegram.org/bot"
    assert config.webhook_secret == "abc_DEF-123-ghi_JKL"
    assert "SECRET-token" not in repr(config) and "abc_DEF" not in repr(config)
    assert read_settings({}).telegram is None, "no Telegram without TELEGRAM_TOKEN"
    assert read_settings({"TELEGRAM_TOKEN": "42:x", "TELEGRAM_API_URL": "http://127.0.0.1:8081/bot/"}
                         ).telegram.api_url == "http://127.0.0.1:8081/bot"


def test_malformed_webhook_secret_is_named_not_echoed():
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET") as error:
        read_settings({"TELEGRAM_TOKEN": "42:x", "TELEGRAM_WEBHOOK_SECRET": "no spaces, please!"})
    assert "no spaces" not in str(error.value)


# -- rendering -----------------------------------------------------------------------------
def test_render_escapes_every_dynamic_piece():
    reply = Reply(lang="en", kind="answer", title="A <b> & C's", note="Not <yet>", footer="S & T",
                  blocks=(Block(spans=(Span(text="x < y", bold=True),
                                       Span(text="doc", link='https://e.org/?a=1&b="2"'))),
                          Block(spans=(Span(text="one"),), bullet=True),
                          Block(spans=(Span(text="two"),), bullet=True)))
    [out] = render(reply)
    assert out.text == ('Not &lt;yet&gt;\n\n<b>A &lt;b&gt; &amp; C\'s</b>\n\n<b>x &lt; y</b>'
                        '<a href="https://e.org/?a=1&amp;b=&quot;2&quot;">doc</a>\n\n'
                        '• one\n• two\n\n<i>S &amp; T</i>')
    assert out.reply_markup is None


def test_long_replies_split_between_paragraphs():
    paragraph = Block(spans=(Span(text="word " * 150, bold=True),))
    huge = Block(spans=(Span(text="é" * 5000),))
    reply = Reply(lang="en", kind="answer", blocks=(paragraph,) * 12 + (huge,), footer="end")
    outs = render(reply)
    assert len(outs) > 2 and all(len(o.text) <= 4096 for o in outs)
    for out in outs:
        assert out.text.count("<b>") == out.text.count("</b>")
        assert not out.text.startswith("\n") and not out.text.endswith("\n")
    assert "".join(o.text for o in outs).count("é") == 5000


def test_a_menu_of_more_topics_than_telegram_takes_keeps_the_first_and_the_languages():
    topics = tuple(Choice(kind="topic", value=f"t{n}", label=f"Topic {n}", command=f"t{n}")
                   for n in range(150))
    languages = tuple(Choice(kind="language", value=code, label=code) for code in ("en", "ru"))
    reply = Reply(lang="en", kind="help", blocks=(Block(spans=(Span(text="Menu"),)),),
                  choices=languages, menu=topics)
    [out] = render(reply)
    rows = out.reply_markup.inline_keyboard
    data = [button.callback_data for row in rows for button in row]
    assert len(data) == 100
    assert data[:98] == [f"t:t{n}:en" for n in range(98)]
    assert [b.callback_data for b in rows[-1]] == ["l:en", "l:ru"]


# -- the process ---------------------------------------------------------------------------
async def test_python_m_bot_poll(telegram_api, tmp_path):
    """`python -m bot poll` answers commands, free text and taps, then stops on SIGTERM."""
    for update in (make_update("private_command"),
                   make_update("private_command", text="/history"),
                   make_update("private_text", text="where is the unhcr office?"),
                   make_update("private_text", text="где находится офис УВКБ?"),
                   make_update("private_text", text="бжкб кеңсесі қайда"),
                   make_update("callback_query", data="t:head:en")):
        telegram_api.queue_update(update)
    env = {"PATH": os.environ.get("PATH", ""), "TELEGRAM_TOKEN": TOKEN, "LOG_LEVEL": "DEBUG",
           "TELEGRAM_API_URL": telegram_api.base_url, "STATE_PATH": str(tmp_path / "s.sqlite3")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "poll", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        sent = await telegram_api.wait_for("sendMessage", count=6, timeout=8)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 5)
    assert process.returncode == 0, stderr.decode()
    texts = [s["text"] for s in sent]
    assert "<b>Almaty</b>" in texts[0] and texts[1].startswith("<b>About UNHCR: history</b>")
    assert "<b>Almaty</b>" in texts[2] and "<b>Алматы</b>" in texts[3]
    assert "<b>Алматыда</b>" in texts[4] and texts[5].startswith("<b>Head of the UNHCR Office</b>")
    assert len(telegram_api.sent("answerCallbackQuery")) == 1
    assert [c.get("language_code") for c in telegram_api.sent("setMyCommands")] == [
        None, "en", "ru", "kk"]
    log = stderr.decode()
    assert TOKEN not in log and str(USER_ID) not in log and "офис" not in log


def test_a_did_you_mean_question_carries_one_button_per_topic(bot):
    from adapters.telegram.render import render
    from bot.message import Message
    reply = bot.answer(Message(text="office head", platform="telegram"))
    [out] = render(reply)
    pressed = {b["callback_data"] for row in out.reply_markup.to_dict()["inline_keyboard"]
               for b in row}
    assert reply.kind == "clarify" and len(reply.choices) == 2
    assert pressed == {f"t:{c.command}:en" for c in reply.choices} >= {"t:head:en"}
