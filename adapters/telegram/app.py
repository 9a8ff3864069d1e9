"""Telegram: updates in as core Messages, Replies out as HTML messages with buttons.

Long polling (`poll`) and webhooks (`process_webhook`) share one Application.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING

import httpx
from telegram import Bot as TelegramBot
from telegram import BotCommand, CallbackQuery, Update
from telegram import Message as TelegramMessage
from telegram.constants import ChatType, MessageEntityType
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from adapters.settings import SettingsError, TelegramSettings
from adapters.telegram.render import (
    FEEDBACK_BUTTON,
    LANGUAGE_BUTTON,
    NO_PREVIEW,
    TOPIC_BUTTON,
    VOTES,
    render,
    toast,
    without_feedback,
)
from adapters.telegram.updates import CONCURRENT_UPDATES, ChatOrderedUpdateProcessor
from bot.answer import META_COMMANDS
from bot.content import Content
from bot.message import HELPFUL, Message, Reply
from bot.service import Service

if TYPE_CHECKING:
    from adapters.runtime import Runtime

log = logging.getLogger(__name__)

PLATFORM = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_RETRIES = 5  # a 429 waits retry_after and tries again; an answer is never dropped for it
# A message Telegram surely did not send (a 5xx, no connection) is tried again, for about
# 30 s in all: 0.25 s before the first retry, doubled for each next one, at most 8 s.
NETWORK_RETRIES = 8
NETWORK_BACKOFF_SECONDS = 0.25
NETWORK_BACKOFF_MAX_SECONDS = 8.0
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
MENU_COMMANDS = ("language", "help", "start")  # the menu entries that are not topics
COMMANDS_MAX = 100
DESCRIPTION_MAX = 256
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_BUTTON_VALUE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_SERVICE = "service"  # the Service, kept in application.bot_data for the handlers
_MENU = "menu"  # the start-up menu's task, in application.bot_data


def build_application(service: Service, settings: TelegramSettings, *,
                      updater: bool = True) -> Application:
    """The Application with handlers generated from the content; no updater for webhooks."""
    _keep_secrets_out_of_logs()
    builder = (Application.builder().token(settings.token).base_url(settings.api_url)
               .rate_limiter(AIORateLimiter(max_retries=MAX_RETRIES))
               .concurrent_updates(ChatOrderedUpdateProcessor(CONCURRENT_UPDATES))
               .post_init(_post_init))
    if not updater:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data[_SERVICE] = service
    commands = CommandHandler(sorted({*service.bot.commands, *META_COMMANDS}), on_message,
                              filters.UpdateType.MESSAGE)
    commands.commands = LiveCommands(service)  # type: ignore[assignment]  # reloads add commands
    application.add_handler(TypeHandler(Update, drop_duplicates), group=-1)
    application.add_handler(commands)
    # Unknown commands in groups may be another bot's; in private chats the core answers them.
    application.add_handler(MessageHandler(
        filters.UpdateType.MESSAGE & ~(filters.ChatType.GROUPS & filters.COMMAND), on_message))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_error_handler(on_error)
    return application


class LiveCommands:
    """The command names of the content being served, for CommandHandler's `in` check."""

    __slots__ = ("_service",)

    def __init__(self, service: Service):
        self._service = service

    def __contains__(self, name: object) -> bool:
        return name in META_COMMANDS or name in self._service.bot.commands


# -- translation ---------------------------------------------------------------------------
def to_message(update: Update) -> Message | None:
    """The core's Message for an update the bot answers; None for every other update."""
    if update.callback_query:
        return _button_message(update.callback_query)
    message = update.message  # edited messages and channel posts are not answered
    if message is None or message.from_user is None:
        return None
    private = message.chat.type == ChatType.PRIVATE
    if message.text is None:  # a sticker, photo, ...: the core answers empty text with help
        return _message(message, "") if private else None
    bot = message.get_bot()
    if not private and not _addressed_to(bot, message, message.text):
        return None
    return _message(message, _mention(bot.username).sub(" ", message.text).strip())


def _message(message: TelegramMessage, text: str) -> Message:
    user = message.from_user
    return Message(text=text, platform=PLATFORM, chat_id=str(message.chat.id),
                   user_id=str(user.id) if user else "",
                   platform_lang=user.language_code if user else None)


def _addressed_to(bot: TelegramBot, message: TelegramMessage, text: str) -> bool:
    """In a group: a command not for another bot, a mention, or a reply to this bot."""
    entities = message.entities
    if entities and entities[0].type == MessageEntityType.BOT_COMMAND and entities[0].offset == 0:
        command = text[:entities[0].length]
        _, at, name = command.partition("@")
        return not at or name.lower() == bot.username.lower()
    replied = message.reply_to_message
    if replied and replied.from_user and replied.from_user.id == bot.id:
        return True
    return bool(_mention(bot.username).search(text))


def _mention(username: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w@/])@{re.escape(username)}(?!\w)", re.IGNORECASE)


def _button_message(query: CallbackQuery) -> Message | None:
    """A button tap as the command it stands for: "/office", or "/language ru"."""
    kind, _, rest = (query.data or "").partition(":")
    value, _, lang = rest.partition(":")
    if query.message is None or not _BUTTON_VALUE.fullmatch(value):
        return None
    if kind == TOPIC_BUTTON:
        text = f"/{value}"
    elif kind == LANGUAGE_BUTTON:
        text = f"/language {value}"
    else:
        return None
    user = query.from_user
    # A topic button answers in the language of its own label, not a guess from elsewhere.
    return Message(text=text, platform=PLATFORM, chat_id=str(query.message.chat.id),
                   user_id=str(user.id), platform_lang=user.language_code,
                   preferred_lang=lang if _BUTTON_VALUE.fullmatch(lang) else None)


# -- handlers ------------------------------------------------------------------------------
async def drop_duplicates(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop an update already handled (Telegram re-delivers webhooks it got no 2xx for)."""
    if not await _service(context).first_time(PLATFORM, str(update.update_id)):
        raise ApplicationHandlerStop


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a message through the core."""
    message = to_message(update)
    if message is not None:
        reply = await _service(context).handle(message)
        chat = update.effective_chat
        if reply is not None and chat is not None:  # None: over the rate limit, told once
            await send(context.bot, chat.id, reply)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Acknowledge a button tap, then answer it as the command it stands for."""
    query = update.callback_query
    if query is not None and (query.data or "").startswith(f"{FEEDBACK_BUTTON}:"):
        await on_feedback(query, _service(context))
        return
    if query is not None:
        with suppress(BadRequest):  # too old to acknowledge: still answer the tap
            await query.answer()
    await on_message(update, context)


def feedback_tap(query: CallbackQuery) -> tuple[str, str, bool] | None:
    """(topic id, language, helpful) of a "was this helpful?" tap; None for other data."""
    parts = (query.data or "").split(":")
    if len(parts) != 4 or parts[0] != FEEDBACK_BUTTON:
        return None
    _, vote, topic, lang = parts
    helpful = {mark: name == HELPFUL for name, mark in VOTES.items()}.get(vote)
    if helpful is None or not _BUTTON_VALUE.fullmatch(topic) or not _BUTTON_VALUE.fullmatch(lang):
        return None
    return topic, lang, helpful


async def on_feedback(query: CallbackQuery, service: Service) -> None:
    """Count a "was this helpful?" tap and thank for it in a toast, not a message; in a
    private chat, take the feedback row off the answer, so that the tap shows as done."""
    tap, answer = feedback_tap(query), query.message
    if tap is None or not isinstance(answer, TelegramMessage):  # not ours, or over 48 h old
        with suppress(BadRequest):
            await query.answer()
        return
    topic, lang, helpful = tap
    reply = await service.feedback(platform=PLATFORM, user_id=str(query.from_user.id),
                                   answer=f"{answer.chat.id}:{answer.message_id}",
                                   topic=topic, lang=lang, helpful=helpful)
    with suppress(BadRequest):  # too old to acknowledge: the vote is counted all the same
        await query.answer(text=toast(reply) if reply else None)
    # In a group the answer is everyone's: the others may still want to vote on it.
    if reply is not None and answer.chat.type == ChatType.PRIVATE:
        with suppress(BadRequest):  # e.g. a second tap, when the row is already gone
            await query.edit_message_reply_markup(without_feedback(answer.reply_markup))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a failed update by its kind of error only: no text, no user or chat ids."""
    if isinstance(context.error, Forbidden):
        log.info("the bot was blocked or removed from a chat; answer skipped")
    else:
        log.error("%s while handling an update", type(context.error).__name__,
                  exc_info=context.error)


async def send(bot: TelegramBot, chat_id: str | int, reply: Reply) -> None:
    """Send a reply as one or more messages; each is retried while surely not sent."""
    for out in render(reply):
        for attempt in range(NETWORK_RETRIES + 1):
            try:
                await bot.send_message(chat_id=chat_id, text=out.text, parse_mode=out.parse_mode,
                                       reply_markup=out.reply_markup,
                                       link_preview_options=NO_PREVIEW)
                break
            except NetworkError as error:
                if attempt == NETWORK_RETRIES or not _surely_not_sent(error):
                    raise
                await asyncio.sleep(min(NETWORK_BACKOFF_SECONDS * 2 ** attempt,
                                        NETWORK_BACKOFF_MAX_SECONDS))


def _surely_not_sent(error: NetworkError) -> bool:
    """True when Telegram cannot have sent the message: it answered an error, or was not reached.

    A timeout or a dropped connection may hide a message that was sent: sent again, it would
    show twice.
    """
    cause = error.__cause__
    if isinstance(error, TimedOut):
        return isinstance(cause, (httpx.ConnectTimeout, httpx.PoolTimeout))
    # No cause, or a body that is not JSON: Telegram (or its proxy) answered with an error.
    return cause is None or isinstance(cause, (TelegramError, httpx.ConnectError))


def _service(context: ContextTypes.DEFAULT_TYPE) -> Service:
    return context.bot_data[_SERVICE]


# -- command menu --------------------------------------------------------------------------
async def publish_commands(bot: TelegramBot, content: Content) -> None:
    """Set the command menu for the default scope and for each content language."""
    await bot.set_my_commands(menu_commands(content, content.default_language))
    for lang in content.languages:
        await bot.set_my_commands(menu_commands(content, lang), language_code=lang)


def menu_commands(content: Content, lang: str) -> list[BotCommand]:
    """Each topic's command with its title in `lang`, then language, help and start."""
    entries = [(t.command, t.text(lang, content.default_language)[0].title)
               for t in content.topics]
    entries += [(name, content.message(f"command_{name}", lang)) for name in MENU_COMMANDS]
    return [BotCommand(name, description[:DESCRIPTION_MAX]) for name, description in entries
            if _COMMAND_NAME.fullmatch(name)][:COMMANDS_MAX]


async def _post_init(application: Application) -> None:
    try:
        await publish_commands(application.bot, application.bot_data[_SERVICE].bot.content)
    except TelegramError as e:  # the bot still answers without a menu
        log.warning("could not publish the command menu (%s)", type(e).__name__)


# -- running -------------------------------------------------------------------------------
@asynccontextmanager
async def running(application: Application) -> AsyncIterator[Application]:
    """Initialize and start, publishing the menu (post_init) alongside; stop and shut down."""
    try:
        await application.initialize()
    except InvalidToken:
        # PTB's own message quotes the token.
        raise InvalidToken("Telegram rejected TELEGRAM_TOKEN") from None
    # Four setMyCommands round trips need not hold up the first answer (or /healthz).
    menu = application.bot_data[_MENU] = (
        asyncio.create_task(application.post_init(application)) if application.post_init else None)
    try:
        await application.start()
        try:
            yield application
        finally:
            await application.stop()
    finally:
        if menu is not None and not menu.done():
            menu.cancel()
            with suppress(asyncio.CancelledError):
                await menu
        await application.shutdown()


async def refresh_menu(application: Application, content: Content) -> None:
    """Publish the menu for new content, after the one published at start-up."""
    started = application.bot_data.get(_MENU)
    if started is not None:
        await asyncio.wait([started])  # so that the older menu cannot land last
    await publish_commands(application.bot, content)


async def poll(rt: Runtime, stop: asyncio.Event) -> None:
    """Long polling inside the running event loop until `stop` is set."""
    if rt.settings.telegram is None:
        raise SettingsError("TELEGRAM_TOKEN is not set")
    application = build_application(rt.service, rt.settings.telegram)
    updater = application.updater
    assert updater is not None  # build_application makes one unless told not to
    async with running(application):
        rt.telegram = application  # a content reload refreshes its command menu
        await updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        log.info("polling for updates")
        try:
            await stop.wait()
        finally:
            await updater.stop()


async def process_webhook(application: Application, body: bytes, headers: Mapping[str, str],
                          secret: str | None) -> int:
    """Queue one webhook delivery for the started application; the HTTP status to return."""
    given = next((v for k, v in headers.items() if k.lower() == SECRET_HEADER.lower()), None)
    if not secret or given is None or not hmac.compare_digest(given.encode(), secret.encode()):
        return 403
    try:
        data = json.loads(body)
        update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        if update is not None and not _has_integer_ids(update):
            update = None
    except Exception:  # PTB trusts the shape it is given; any failure is the body's
        update = None
    if update is None:
        return 400
    await application.update_queue.put(update)
    return 200


def _has_integer_ids(update: Update) -> bool:
    """True when the update's, chat's and user's ids are integers, as Telegram sends them.

    PTB files every update under its chat and user ids outside its error handling: an id it
    cannot hash (a list) would stop the Application from taking any further update.
    """
    chat, user = update.effective_chat, update.effective_user
    return (_is_integer(update.update_id) and (chat is None or _is_integer(chat.id))
            and (user is None or _is_integer(user.id)))


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _keep_secrets_out_of_logs() -> None:
    """httpx logs each request URL, which holds the token; PTB's debug log holds message text."""
    for name, floor in (("httpx", logging.WARNING), ("httpcore", logging.WARNING),
                        ("telegram", logging.INFO)):
        logger = logging.getLogger(name)
        logger.setLevel(max(floor, logger.getEffectiveLevel()))
