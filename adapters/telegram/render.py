"""A core Reply as Telegram messages: escaped HTML, split to fit, with an inline keyboard."""
from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode

from bot.limits import (
    TELEGRAM_BUTTONS_MAX,
    TELEGRAM_CALLBACK_DATA_MAX_BYTES,
    TELEGRAM_MESSAGE_MAX,
    TELEGRAM_ROW_MAX,
)
from bot.markup import is_web_url
from bot.message import HELPFUL, NOT_HELPFUL, Choice, Reply, Span

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
TOPIC_BUTTON = "t"  # callback data "t:<command>:<lang>": open a topic in the buttons' language
LANGUAGE_BUTTON = "l"  # callback data "l:<code>": switch to that language
FEEDBACK_BUTTON = "f"  # callback data "f:<vote>:<topic id>:<lang>": "was this helpful?"
VOTES = {HELPFUL: "+", NOT_HELPFUL: "-"}  # a vote as it travels in callback data (64 bytes)
TOAST_MAX = 200  # answerCallbackQuery's text: the small notice a tap gets
PAIR_LABEL_MAX = 20  # two buttons share a row when both labels are this short (a phone's width)
_TAG = re.compile(r"<[^>]+>")
_LINE_TOKEN = re.compile(r"<[^>]+>|\n|[^<\n]+")  # our tags, line breaks, escaped text
PARAGRAPH_JOIN, LINE_JOIN, CUT_JOIN = "\n\n", "\n", ""  # what separates the pieces of a text


@dataclass(frozen=True)
class OutgoingText:
    """One sendMessage call's worth of a reply."""

    text: str
    parse_mode: str = ParseMode.HTML
    reply_markup: InlineKeyboardMarkup | None = None


def render(reply: Reply) -> list[OutgoingText]:
    """The reply as one or more HTML messages; the keyboard goes on the last one."""
    chunks = split_message(paragraphs(reply))
    markup = keyboard(reply)
    return [OutgoingText(text=chunk, reply_markup=markup if i == len(chunks) - 1 else None)
            for i, chunk in enumerate(chunks)]


def paragraphs(reply: Reply) -> list[str]:
    """Note, bold title, answer blocks (a run of bullets stays one paragraph), quiet footer."""
    out: list[str] = []
    if reply.note:
        out.append(_escape(reply.note))
    if reply.title:
        out.append(f"<b>{_escape(reply.title)}</b>")
    for i, block in enumerate(reply.blocks):
        line = render_spans(block.spans)
        if not block.bullet:
            out.append(line)
        elif i and reply.blocks[i - 1].bullet:
            out[-1] += "\n• " + line
        else:
            out.append("• " + line)
    if reply.footer:
        out.append(f"<i>{_escape(reply.footer)}</i>")
    return [p for p in out if visible_text(p).strip()]  # a blank paragraph is only a gap


def render_spans(spans: tuple[Span, ...]) -> str:
    """Spans as HTML, every piece of text and every URL escaped; only web links link."""
    out = []
    for span in spans:
        text = _escape(span.text)
        if span.link and is_web_url(span.link):
            text = f'<a href="{html.escape(span.link, quote=True)}">{text}</a>'
        elif span.link:  # e.g. tg:// would mention a user: spelled out instead, as in plain text
            text += _escape(f" ({span.link})")
        if span.bold:
            text = f"<b>{text}</b>"
        out.append(text)
    return "".join(out)


def split_message(parts: list[str], limit: int = TELEGRAM_MESSAGE_MAX) -> list[str]:
    """Join paragraphs into messages of at most `limit`, breaking between paragraphs if
    possible; the pieces of a paragraph cut to fit keep their own separators."""
    chunks: list[str] = []
    current, size = "", 0
    for part in parts:
        for join, piece in _fit(part, limit):
            piece_size = telegram_length(piece)
            if current and size + len(join) + piece_size <= limit:
                current, size = current + join + piece, size + len(join) + piece_size
                continue
            if visible_text(current).strip():
                chunks.append(current)
            current, size = piece, piece_size
    if visible_text(current).strip():
        chunks.append(current)
    return chunks or [""]


def _fit(part: str, limit: int) -> list[tuple[str, str]]:
    """A paragraph as (separator, piece) pairs that each fit: whole, else line by line; a
    line too long alone loses its markup and is cut between characters."""
    if telegram_length(part) <= limit:
        return [(PARAGRAPH_JOIN, part)]
    pieces: list[tuple[str, str]] = []
    for line in _lines(part):
        join = LINE_JOIN if pieces else PARAGRAPH_JOIN
        if telegram_length(line) <= limit:
            pieces.append((join, line))
            continue
        for piece in _cut(_escape(visible_text(line)), limit):
            pieces.append((join, piece))
            join = CUT_JOIN
    return pieces


def _cut(text: str, limit: int) -> list[str]:
    """Escaped text in pieces of at most `limit`, never cutting an entity such as "&amp;"."""
    pieces = []
    while telegram_length(text) > limit:
        end = limit
        while (excess := telegram_length(text[:end]) - limit) > 0:
            end -= (excess + 1) // 2  # characters of two UTF-16 units: never below the cut
        entity = text.rfind("&", max(end - 4, 0), end)  # "&amp;" is the longest we write
        if entity != -1 and ";" not in text[entity:end]:
            end = entity
        pieces.append(text[:end])
        text = text[end:]
    return pieces + [text]


def _lines(part: str) -> list[str]:
    """A paragraph's lines, broken only at newlines outside any tag (a bold span may hold one)."""
    lines, depth = [""], 0
    for token in _LINE_TOKEN.findall(part):
        if token == "\n" and not depth:
            lines.append("")
            continue
        if token.startswith("</"):
            depth -= 1
        elif token.startswith("<"):
            depth += 1
        lines[-1] += token
    return lines


def visible_text(part: str) -> str:
    """What the reader sees of rendered HTML: the text without tags, entities read."""
    return html.unescape(_TAG.sub("", part))


def _escape(text: str) -> str:
    """Text for Telegram HTML: <, > and & escaped (quotes matter only inside attributes)."""
    return html.escape(text, quote=False)


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units); of the HTML source, to be safe."""
    return len(text.encode("utf-16-le")) // 2


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Related topics and the menu as buttons, one or two a row, then the languages, then
    "was this helpful?" in one row; ≤ 100."""
    topics: dict[str, Choice] = {}
    for choice in (*reply.choices, *reply.menu):
        if choice.kind == "topic":
            topics.setdefault(choice.value, choice)
    languages = _buttons((c for c in reply.choices if c.kind == "language"), reply.lang)
    buttons = _buttons(topics.values(), reply.lang)
    votes = feedback_buttons(reply)
    if len(votes) + len(languages) + len(buttons) > TELEGRAM_BUTTONS_MAX:
        # A keyboard Telegram refuses would lose the whole answer; the commands still work.
        log.warning("%d buttons left off a keyboard of at most %d",
                    len(votes) + len(languages) + len(buttons) - TELEGRAM_BUTTONS_MAX,
                    TELEGRAM_BUTTONS_MAX)
        languages = languages[:TELEGRAM_BUTTONS_MAX - len(votes)]
        buttons = buttons[:TELEGRAM_BUTTONS_MAX - len(votes) - len(languages)]
    rows: list[list[InlineKeyboardButton]] = []
    for button in buttons:
        if rows and len(rows[-1]) == 1 and _pairs(rows[-1][0]) and _pairs(button):
            rows[-1].append(button)
        else:
            rows.append([button])
    rows += [languages[i:i + TELEGRAM_ROW_MAX] for i in range(0, len(languages), TELEGRAM_ROW_MAX)]
    rows += [votes] if votes else []
    return InlineKeyboardMarkup(rows) if rows else None


def toast(reply: Reply) -> str:
    """A reply as the plain, short notice Telegram shows over the chat after a tap."""
    text = " ".join(block.plain for block in reply.blocks)
    return text if len(text) <= TOAST_MAX else text[:TOAST_MAX - 1] + "…"


def feedback_buttons(reply: Reply) -> list[InlineKeyboardButton]:
    """The two "was this helpful?" buttons of an answer, or none (and a warning) when their
    callback data would not fit."""
    out = []
    for choice in reply.feedback if reply.intent else ():
        vote = VOTES.get(choice.value)
        if vote is None:
            continue
        data = f"{FEEDBACK_BUTTON}:{vote}:{reply.intent}:{reply.lang}"
        if len(data.encode()) > TELEGRAM_CALLBACK_DATA_MAX_BYTES:
            log.warning("feedback buttons dropped: callback data over %d bytes",
                        TELEGRAM_CALLBACK_DATA_MAX_BYTES)
            return []
        out.append(InlineKeyboardButton(choice.label, callback_data=data))
    return out


def without_feedback(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """A sent message's keyboard with its "was this helpful?" row taken off; None when
    nothing else is left."""
    rows = [row for row in (markup.inline_keyboard if markup else ())
            if not any(str(b.callback_data or "").startswith(f"{FEEDBACK_BUTTON}:") for b in row)]
    return InlineKeyboardMarkup(rows) if rows else None


def _buttons(choices, lang: str) -> list[InlineKeyboardButton]:
    out = []
    for choice in choices:
        data = callback_data(choice, lang)
        if data:
            out.append(InlineKeyboardButton(choice.label, callback_data=data))
    return out


def _pairs(button: InlineKeyboardButton) -> bool:
    return len(button.text) <= PAIR_LABEL_MAX


def callback_data(choice: Choice, lang: str) -> str | None:
    """The short callback data for a button, or None (and a warning) when it would not fit."""
    if choice.kind == "topic":
        data = f"{TOPIC_BUTTON}:{choice.command}:{lang}"
    else:
        data = f"{LANGUAGE_BUTTON}:{choice.value}"
    if len(data.encode()) > TELEGRAM_CALLBACK_DATA_MAX_BYTES:
        log.warning("button dropped: callback data over %d bytes", TELEGRAM_CALLBACK_DATA_MAX_BYTES)
        return None
    return data
