"""A Reply as Slack Block Kit: mrkdwn sections, a header, the as-of line and buttons."""
from __future__ import annotations

import json
import logging
import re

from bot.limits import SLACK_BLOCKS_MAX, SLACK_SECTION_MAX
from bot.markup import is_web_url
from bot.message import Block, Choice, Reply
from bot.render import render_plain

log = logging.getLogger(__name__)

HOME_BLOCKS_MAX = 100  # a Home tab view holds twice as many blocks as a message
HEADER_MAX = 150  # header block text, plain_text
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
ACTION_ID_MAX = 255
BUTTONS_PER_ACTIONS = 25  # elements in one actions block
FALLBACK_TEXT_MAX = 3000  # the notification text: the blocks carry the whole answer
EMPTY_FALLBACK = "…"  # Slack wants some notification text even for a reply with none
SHARE_ACTION = "share"
FEEDBACK_ACTION = "feedback"  # action ids "feedback:helpful", "feedback:not_helpful"
_TOKEN = re.compile(r"<[^>]*>|&[a-z]+;|\s+|[^\s<&]+|[<&]")  # a split never cuts one of these


def escape(text: str) -> str:
    """Text safe inside mrkdwn: Slack's three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_blocks(reply: Reply, *, share_label: str | None = None) -> dict:
    """A message payload: `text` (the notification fallback) and at most 50 `blocks`."""
    top = [_context(reply.note)] if reply.note and reply.note.strip() else []
    if reply.title and reply.title.strip():
        top.append(_header(reply.title))
    footer = [_context(reply.footer)] if reply.footer and reply.footer.strip() else []
    share = _share_button(reply, share_label) if share_label and is_shareable(reply) else None
    votes = _feedback_buttons(reply)
    # Buttons past the limit go (the menu's last first), leaving room for one section.
    room = SLACK_BLOCKS_MAX - len(top) - len(footer) - (share is not None) - (votes is not None) - 1
    seen: set[str] = set()
    buttons = (_buttons(reply.choices, reply.lang, seen) + _buttons(reply.menu, reply.lang, seen)
               )[:room]
    bottom = footer + buttons + ([share] if share else []) + ([votes] if votes else [])
    sections = _sections(reply.blocks, SLACK_BLOCKS_MAX - len(top) - len(bottom))
    return {"text": fallback_text(reply), "blocks": top + sections + bottom}


def render_home(reply: Reply) -> dict:
    """A Home tab view: the reply's text, then its topic menu as buttons."""
    buttons = _buttons(reply.menu, reply.lang, set())[:HOME_BLOCKS_MAX - 1]
    sections = _sections(reply.blocks, HOME_BLOCKS_MAX - len(buttons))
    return {"type": "home", "blocks": sections + buttons}


def fallback_text(reply: Reply) -> str:
    """The plain text Slack shows in notifications, escaped, bounded and never empty."""
    text = _shorten(escape(render_plain(reply)), FALLBACK_TEXT_MAX)
    return text if text.strip() else EMPTY_FALLBACK


def is_shareable(reply: Reply) -> bool:
    """True for a topic's answer, which a button can rebuild from its id and language."""
    return reply.kind == "answer" and bool(reply.intent)


def button_value(kind: str, value: str, lang: str) -> str | None:
    """What a button carries: enough to ask the core for the same reply again; None (and a
    warning) when that would not fit in a button."""
    encoded = json.dumps({"kind": kind, "value": value, "lang": lang}, ensure_ascii=False)
    if len(encoded) > BUTTON_VALUE_MAX:
        log.warning("button dropped: value over %d characters", BUTTON_VALUE_MAX)
        return None
    return encoded


def parse_button_value(value: str) -> tuple[str, str, str] | None:
    """(kind, value, lang) from a button's value; None when it is not one of ours."""
    try:
        data = json.loads(value)
        return str(data["kind"]), str(data["value"]), str(data["lang"])
    except (ValueError, TypeError, KeyError):
        return None


# -- blocks ------------------------------------------------------------------------------
def _header(title: str) -> dict:
    if len(title) > HEADER_MAX:
        title = title[:HEADER_MAX - 1] + "…"
    return {"type": "header", "text": {"type": "plain_text", "text": title, "emoji": True}}


def _context(text: str) -> dict:
    return {"type": "context",
            "elements": [{"type": "mrkdwn", "text": _shorten(escape(text), SLACK_SECTION_MAX)}]}


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _buttons(choices: tuple[Choice, ...], lang: str, seen: set[str]) -> list[dict]:
    """Actions blocks of buttons; one per action id in a message (`seen` holds those used)."""
    elements = []
    for choice in choices:
        action_id = f"{choice.kind}:{choice.value}"
        value = button_value(choice.kind, choice.value, lang)
        if action_id in seen or value is None or len(action_id) > ACTION_ID_MAX:
            continue
        seen.add(action_id)
        elements.append(_button(choice.label, action_id, value))
    return [{"type": "actions", "elements": elements[i:i + BUTTONS_PER_ACTIONS]}
            for i in range(0, len(elements), BUTTONS_PER_ACTIONS)]


def _feedback_buttons(reply: Reply) -> dict | None:
    """"Was this helpful?": one actions block of the answer's two feedback buttons, each
    carrying the topic and language it is about; None when the reply has none."""
    value = button_value(FEEDBACK_ACTION, reply.intent or "", reply.lang)
    if not reply.feedback or not reply.intent or value is None:
        return None
    return {"type": "actions", "elements": [_button(choice.label, f"{FEEDBACK_ACTION}:{choice.value}",
                                                    value) for choice in reply.feedback]}


def _share_button(reply: Reply, label: str) -> dict | None:
    value = button_value("topic", reply.intent or "", reply.lang)
    return {"type": "actions", "elements": [_button(label, SHARE_ACTION, value)]} if value else None


def _button(label: str, action_id: str, value: str) -> dict:
    if len(label) > BUTTON_TEXT_MAX:
        label = label[:BUTTON_TEXT_MAX - 1] + "…"
    return {"type": "button", "text": {"type": "plain_text", "text": label, "emoji": True},
            "action_id": action_id, "value": value}


# -- text --------------------------------------------------------------------------------
def mrkdwn(block: Block) -> str:
    """One paragraph or bullet in mrkdwn: *bold*, <url|label>, "• " bullets."""
    parts = []
    for span in block.spans:
        text = escape(span.text)
        link = f"<{escape(span.link).replace('|', '%7C')}|{text}>" if span.link else ""
        # Only web links link: "<!channel|x>" would notify everyone. A link longer than a
        # section could not be split; both are spelled out instead, as in plain text.
        if span.link and is_web_url(span.link) and len(link) <= SLACK_SECTION_MAX:
            text = link
        elif span.link:
            text += escape(f" ({span.link})")
        if span.bold:
            text = _bold(text)
        parts.append(text)
    line = "".join(parts)
    return "• " + line if block.bullet else line


def _bold(text: str) -> str:
    # mrkdwn bold needs the asterisks against the words, not against spaces.
    core = text.strip()
    if not core:
        return text
    start = text.index(core)
    return f"{text[:start]}*{core}*{text[start + len(core):]}"


def _sections(blocks: tuple[Block, ...], budget: int) -> list[dict]:
    """Paragraphs packed into sections of at most 3000 characters, at most `budget` of them."""
    chunks: list[str] = []
    previous: Block | None = None
    for block in blocks:
        line = mrkdwn(block)
        joiner = "\n" if previous and previous.bullet and block.bullet else "\n\n"
        previous = block
        if chunks and len(chunks[-1]) + len(joiner) + len(line) <= SLACK_SECTION_MAX:
            chunks[-1] += joiner + line
        else:
            chunks.extend(_split(line))
    if len(chunks) > budget:
        chunks = chunks[:max(budget, 1)]
        if len(chunks[-1]) + 2 <= SLACK_SECTION_MAX:
            chunks[-1] += " …"
    return [_section(c) for c in chunks if c.strip()]


def _split(line: str) -> list[str]:
    """A line longer than a section, cut between words (never inside a link or an entity);
    a word longer than a section (text with no spaces, as in Chinese) between letters."""
    chunks = [""]
    for token in _TOKEN.findall(line):
        # Only words and spaces grow this long: links are shorter than a section (mrkdwn).
        for start in range(0, len(token), SLACK_SECTION_MAX):
            piece = token[start:start + SLACK_SECTION_MAX]
            if chunks[-1] and len(chunks[-1]) + len(piece) > SLACK_SECTION_MAX:
                chunks.append("")
            chunks[-1] += piece
    return [c.strip() for c in chunks if c.strip()]


def _shorten(text: str, limit: int) -> str:
    """Escaped text cut to `limit` with an ellipsis, without leaving half an "&amp;" behind."""
    if len(text) <= limit:
        return text
    return re.sub(r"&[a-z]*$", "", text[:limit - 1]) + "…"
