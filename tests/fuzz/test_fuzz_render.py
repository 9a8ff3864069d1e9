"""Fuzzing the renderers: any Reply becomes Telegram HTML and Slack Block Kit the APIs accept.

Replies come from two places: built by Hypothesis (spans holding <, >, &, quotes, Slack
control sequences, links to anything, lengths past every limit) and from Bot.answer on any
text. The checks read the output as the platform would, independently of the renderers.
"""
from __future__ import annotations

import html
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.slack.render import render_blocks, render_home
from adapters.telegram.render import render
from bot.message import Block, Choice, Reply, Span
from tests.fuzz.conftest import SPECIAL, messages

pytestmark = pytest.mark.fuzz

TELEGRAM_MESSAGE_MAX = 4096  # UTF-16 code units
TELEGRAM_CALLBACK_MAX = 64  # bytes of UTF-8
TELEGRAM_BUTTONS_MAX = 100  # per inline keyboard
TELEGRAM_ROW_MAX = 8  # buttons per keyboard row
TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                 "tg-spoiler", "blockquote"}
SLACK_SECTION_MAX = 3000
SLACK_HEADER_MAX = 150
SLACK_BLOCKS_MAX = 50
SLACK_HOME_BLOCKS_MAX = 100
SLACK_ACTIONS_ELEMENTS_MAX = 25
SLACK_BUTTON_TEXT_MAX = 75
SLACK_BUTTON_VALUE_MAX = 2000
SLACK_ACTION_ID_MAX = 255
_WEB_URL = re.compile(r"https?://\S+")  # the only links the answer markup can make


def is_web_url(url: str) -> bool:
    return bool(_WEB_URL.fullmatch(url))


# -- replies built by Hypothesis -----------------------------------------------------------
def one_in(times: int, rare: st.SearchStrategy, usual: st.SearchStrategy) -> st.SearchStrategy:
    """`rare` once in `times` draws, else `usual` (one_of weighs its branches equally)."""
    return st.integers(0, times - 1).flatmap(lambda n: rare if n == 0 else usual)


TRICKS = ("<", ">", "&", "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#x3C;", "&nbsp;", "&bogus;",
          "&am", '"', "'", "<b>", "</b>", "<i>", "</a>", "<a href='x'>", '<a href="x">', "<br/>",
          "<!--", "-->", "<![CDATA[", "<?x?>", "<!DOCTYPE html>", "<script>", "<!channel>",
          "<!here|here>", "<@U123>", "<#C1|general>", "<https://e.org|x>", "<https://e.org>",
          "*", "_", "~", "`", "```", "|", "\n", "\n\n", " ", "  ", "\t", "• ", "- ", "…",
          "&&", "<<>>", "]]>", "**bold**", "[x](https://e.org)") + SPECIAL
_fragment = st.one_of(st.text(max_size=10), st.sampled_from(TRICKS))
inline_texts = st.lists(_fragment, max_size=3).map("".join)


def _repeat_to(text: str, length: int) -> str:
    return (text * (length // len(text) + 1))[:length]


def sized(low: int, high: int) -> st.SearchStrategy[str]:
    """Text of `low` to `high` characters, cheaply: a short random text repeated."""
    return st.builds(_repeat_to, st.text(min_size=1, max_size=5), st.integers(low, high))


# Past Telegram's 4,096 and Slack's 3,000, with and without places to break.
long_texts = st.builds(
    _repeat_to, st.lists(st.one_of(st.text(min_size=1, max_size=10), st.sampled_from(TRICKS)),
                         min_size=1, max_size=3).map("".join),
    st.integers(2900, 9000))
texts = one_in(6, long_texts, inline_texts)
urls = st.one_of(
    st.text(max_size=20),
    st.builds(str.__add__, st.sampled_from(["https://", "http://", "HTTPS://", "https://e.org/",
                                            "javascript:", "tg://user?id=", "mailto:", "!",
                                            "@", "#", "!subteam^", ""]), inline_texts),
    st.sampled_from(['https://e.org/?a=1&b="2"&c=<3>|x', "https://e.org/a b", "https://",
                     "https://e.org/" + "x" * 3100, "https://e.org/" + "&" * 700]),
)
spans = st.builds(Span, text=texts, bold=st.booleans(), link=st.none() | urls)
blocks = st.builds(Block, spans=st.lists(spans, max_size=3).map(tuple), bullet=st.booleans())
short_blocks = st.builds(Block, spans=st.lists(st.builds(Span, text=inline_texts,
                                                         bold=st.booleans()),
                                               min_size=1, max_size=2).map(tuple),
                         bullet=st.booleans())
block_lists = one_in(
    5, st.builds(lambda some, times: some * times, st.lists(short_blocks, min_size=1, max_size=3),
                 st.integers(1, 150)),
    st.lists(blocks, max_size=5)).map(tuple)

TOPIC_IDS = ("office", "head", "contacts", "region", "asylum", "history")
# Ids, labels and commands past Slack's 255-character action id and 2,000-character value,
# its 75-character button text and Telegram's 64-byte callback data.
choices = st.builds(
    Choice, kind=st.sampled_from(["topic", "language"]),
    value=st.one_of(st.sampled_from(TOPIC_IDS), st.text(max_size=12), sized(200, 2100)),
    label=st.one_of(st.text(min_size=1, max_size=20), sized(70, 120),
                    st.sampled_from([t for t in TRICKS if t.strip()])),
    command=st.one_of(st.sampled_from(TOPIC_IDS), st.text(max_size=12), sized(30, 80)))


def _many(choice: Choice, times: int) -> list[Choice]:
    return [replace(choice, value=f"{choice.value}{i}", command=f"{choice.command}{i}")
            for i in range(times)]


# Now and then more buttons than a message (50 blocks of 25) or a Home tab (100) can hold.
choice_lists = one_in(40, st.builds(_many, choices, st.sampled_from([26, 51, 1251, 2501])),
                      st.lists(choices, max_size=4)).map(tuple)
replies = st.builds(
    Reply, blocks=block_lists,
    lang=st.one_of(st.sampled_from(["en", "ru", "kk"]), st.text(max_size=6), sized(30, 80)),
    kind=st.sampled_from(["answer", "decline", "referral", "meta", "help", "language"]),
    intent=st.none() | st.text(max_size=12) | sized(1900, 2100), score=st.floats(0, 1),
    title=st.none() | texts, choices=choice_lists, source=st.none() | st.text(max_size=12),
    as_of=st.none() | st.dates(), footer=st.none() | texts, note=st.none() | texts,
    language_choice=st.none() | st.sampled_from(["en", "ru", "kk"]), menu=choice_lists,
)


# -- what a reply says ----------------------------------------------------------------------
def span_text(span: Span) -> str:
    """A span as the reader sees it: a web link's label; any other link spelled out."""
    if span.link and not is_web_url(span.link):
        return f"{span.text} ({span.link})"
    return span.text


def web_links(reply: Reply) -> set[str]:
    return {s.link for b in reply.blocks for s in b.spans if s.link and is_web_url(s.link)}


def expected_text(reply: Reply) -> str:
    """The reply's visible text in reading order: note, title, paragraphs, footer."""
    parts: list[str] = [reply.note or "", reply.title or ""]
    for i, block in enumerate(reply.blocks):
        line = "".join(map(span_text, block.spans))
        if not block.bullet:
            parts.append(line)
        elif i and reply.blocks[i - 1].bullet:
            parts[-1] += "\n• " + line
        else:
            parts.append("• " + line)
    parts.append(reply.footer or "")
    return "\n\n".join(p for p in parts if p.strip())


def assert_same_text_across_splits(expected: str, pieces: list[str]) -> None:
    """The pieces, in order, are the expected text: only whitespace where it was cut may go."""
    pos = 0
    for n, piece in enumerate(pieces):
        piece = piece.strip()
        while pos < len(expected) and expected[pos].isspace():
            pos += 1
        assert expected.startswith(piece, pos), (
            f"message {n + 1} of {len(pieces)} differs at character {pos}: "
            f"{expected[pos:pos + 60]!r} expected, {piece[:60]!r} sent")
        pos += len(piece)
    assert not expected[pos:].strip(), f"lost at the end: {expected[pos:pos + 60]!r}"


# -- Telegram --------------------------------------------------------------------------------
_TELEGRAM_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")
_STRICT_START_TAG = re.compile(r'<(?:[a-z-]+|a href="[^"<>]*")>\Z')


class TelegramHTML(HTMLParser):
    """Reads a message as Telegram's HTML parse mode does, failing on anything it rejects."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        raw = self.get_starttag_text()
        assert tag in TELEGRAM_TAGS and _STRICT_START_TAG.match(raw), f"tag {raw!r}"
        if tag == "a":
            assert "a" not in self.open, "a link inside a link"
            self.links.append(dict(attrs)["href"])
        self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open}"
        self.open.pop()

    def handle_data(self, data):
        assert not {"<", ">", "&"} & set(data), f"unescaped in {data[:80]!r}"
        self.text.append(data)

    def handle_entityref(self, name):
        assert name in ("lt", "gt", "amp", "quot"), f"&{name};"
        self.text.append(html.unescape(f"&{name};"))

    def handle_charref(self, name):
        self.text.append(html.unescape(f"&#{name};"))

    def handle_startendtag(self, tag, attrs):
        raise AssertionError(f"self-closing tag {self.get_starttag_text()!r}")

    def unknown_decl(self, data):
        raise AssertionError(f"declaration, comment or instruction {data[:80]!r}")

    handle_comment = handle_decl = handle_pi = unknown_decl


def telegram_visible(source: str) -> tuple[str, list[str]]:
    """The text a Telegram user sees in one HTML message, and its link targets."""
    assert "&" not in _TELEGRAM_ENTITY.sub("", source), "an & that is not an entity"
    parser = TelegramHTML()
    parser.feed(source)
    parser.close()
    assert not parser.open, f"unclosed {parser.open}"
    return "".join(parser.text), parser.links


def check_telegram(reply: Reply) -> None:
    outs = render(reply)
    expected = expected_text(reply)
    assert outs
    seen = []
    for n, out in enumerate(outs):
        assert out.parse_mode == "HTML"
        assert len(out.text.encode("utf-16-le")) // 2 <= TELEGRAM_MESSAGE_MAX
        visible, links = telegram_visible(out.text)
        assert set(links) <= web_links(reply), "a link the reply does not hold"
        assert visible.strip() or not expected.strip(), f"message {n + 1} shows nothing"
        assert out.reply_markup is None or n == len(outs) - 1, "keyboard before the last message"
        seen.append(visible)
    assert_same_text_across_splits(expected, seen)
    if outs[-1].reply_markup:
        assert sum(map(len, outs[-1].reply_markup.inline_keyboard)) <= TELEGRAM_BUTTONS_MAX
        assert all(len(row) <= TELEGRAM_ROW_MAX for row in outs[-1].reply_markup.inline_keyboard)
        for row in outs[-1].reply_markup.inline_keyboard:
            for button in row:
                assert button.text
                assert len(button.callback_data.encode()) <= TELEGRAM_CALLBACK_MAX


# -- Slack -----------------------------------------------------------------------------------
_SLACK_LINK = re.compile(r"<([^<>|]*)\|([^<>]*)>")
_SLACK_ENTITY = re.compile(r"&(?:amp|lt|gt);")


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_span_text(span: Span) -> str:
    """As span_text; a link too long for one section is spelled out too (it cannot be split)."""
    if span.link and is_web_url(span.link):
        link = f"<{slack_escape(span.link).replace('|', '%7C')}|{slack_escape(span.text)}>"
        if len(link) > SLACK_SECTION_MAX:
            return f"{span.text} ({span.link})"
    return span_text(span)


def slack_unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def check_mrkdwn(text: str, links: set[str]) -> None:
    """Input reaches mrkdwn escaped; raw <, > only delimit links, to the reply's web links."""
    assert isinstance(text, str)
    assert "&" not in _SLACK_ENTITY.sub("", text), f"an & that is not an entity: {text[:80]!r}"
    for link in _SLACK_LINK.finditer(text):
        url = slack_unescape(link[1])
        assert is_web_url(url.replace("%7C", "|")), f"link to {url[:80]!r}"
        assert url in {u.replace("|", "%7C") for u in links}, f"unknown link {url[:80]!r}"
    rest = _SLACK_LINK.sub("", text)
    assert "<" not in rest and ">" not in rest, f"raw < or > in {rest[:80]!r}"


def slack_visible(text: str) -> str:
    """Section mrkdwn as compared: link labels, entities read, no asterisks, no whitespace."""
    text = slack_unescape(_SLACK_LINK.sub(lambda m: m[2], text))
    return re.sub(r"[\s*]", "", text)


def check_slack(reply: Reply, payload: dict, *, home: bool = False) -> None:
    blocks = payload["blocks"]
    assert len(blocks) <= (SLACK_HOME_BLOCKS_MAX if home else SLACK_BLOCKS_MAX)
    links = web_links(reply)
    action_ids: list[str] = []
    sections: list[str] = []
    for block in blocks:
        kind = block["type"]
        if kind == "section":
            text = block["text"]
            assert text["type"] == "mrkdwn" and text["text"].strip()
            assert len(text["text"]) <= SLACK_SECTION_MAX
            check_mrkdwn(text["text"], links)
            sections.append(text["text"])
        elif kind == "header":
            text = block["text"]
            assert text["type"] == "plain_text" and text["text"].strip()
            assert len(text["text"]) <= SLACK_HEADER_MAX
        elif kind == "context":
            for element in block["elements"]:
                assert element["type"] == "mrkdwn" and element["text"].strip()
                assert len(element["text"]) <= SLACK_SECTION_MAX
                check_mrkdwn(element["text"], set())
        elif kind == "actions":
            assert 1 <= len(block["elements"]) <= SLACK_ACTIONS_ELEMENTS_MAX
            for button in block["elements"]:
                assert button["type"] == "button"
                assert 1 <= len(button["text"]["text"]) <= SLACK_BUTTON_TEXT_MAX
                assert len(button["value"]) <= SLACK_BUTTON_VALUE_MAX
                assert 1 <= len(button["action_id"]) <= SLACK_ACTION_ID_MAX
                action_ids.append(button["action_id"])
        else:
            raise AssertionError(f"block type {kind!r}")
    assert len(action_ids) == len(set(action_ids)), "action ids repeat within the message"
    if home:
        assert payload["type"] == "home"
    else:
        assert isinstance(payload["text"], str) and payload["text"].strip(), "empty fallback"
        check_mrkdwn(payload["text"], set())
    if _fits(reply, len(blocks) - len(sections), home):
        expected = "".join(("•" if b.bullet else "") + "".join(map(slack_span_text, b.spans))
                           for b in reply.blocks)
        assert "".join(map(slack_visible, sections)) == re.sub(r"[\s*]", "", expected), \
            "section text lost although every section fits"


def _fits(reply: Reply, other_blocks: int, home: bool) -> bool:
    """Whether the reply's paragraphs surely fit the blocks left (so none may be cut)."""
    budget = (SLACK_HOME_BLOCKS_MAX if home else SLACK_BLOCKS_MAX) - other_blocks
    needed = sum(1 + sum(5 * len(s.text) + 5 * len(s.link or "") + 8 for s in b.spans) // 1400
                 for b in reply.blocks)
    return needed <= budget


# -- the properties ----------------------------------------------------------------------------
# Each reply goes through all three renderings: drawing a reply costs more than rendering it.
@given(reply=replies, shareable=st.booleans())
def test_any_reply_renders_to_valid_telegram_html_and_slack_blocks(reply, shareable):
    check_telegram(reply)
    check_slack(reply, render_blocks(reply, share_label="Share" if shareable else None))
    check_slack(reply, render_home(reply), home=True)


@given(message=messages, shareable=st.booleans())
def test_bot_answers_render_to_valid_telegram_html_and_slack_blocks(bot, message, shareable):
    reply = bot.answer(message)
    check_telegram(reply)
    check_slack(reply, render_blocks(reply, share_label="Share" if shareable else None))
    check_slack(reply, render_home(reply), home=True)
