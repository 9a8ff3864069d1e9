"""The small answer markup editors write: **bold**, `- ` bullets, [links](https://...)."""
from __future__ import annotations

import re
from functools import lru_cache

from bot.message import Block, Span

MARKUP_CACHE_SIZE = 4096  # parsed texts kept: every answer of 1,000 topics in 3 languages

_INLINE = re.compile(r"\*\*(?P<bold>.+?)\*\*|\[(?P<label>[^\]]+)\]\((?P<url>https?://[^)\s]+)\)")
_BULLET = re.compile(r"^\s*[-*•]\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_WEB_URL = re.compile(r"https?://\S+")


def parse_markup(text: str) -> tuple[Block, ...]:
    """Split an answer into paragraph and bullet blocks of styled spans."""
    return _parse_stripped(text.strip())


# Each answer is parsed when content is validated, again when the bot prepares its replies,
# and bot messages at every reply: the (immutable) blocks are shared instead.
@lru_cache(maxsize=MARKUP_CACHE_SIZE)
def _parse_stripped(text: str) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for paragraph in _PARAGRAPH_BREAK.split(text):
        lines: list[str] = []
        for line in paragraph.splitlines():
            if _BULLET.match(line):
                if lines:
                    blocks.append(Block(spans=parse_spans(" ".join(lines))))
                    lines = []
                blocks.append(Block(spans=parse_spans(_BULLET.sub("", line).strip()), bullet=True))
            elif line.strip():
                lines.append(line.strip())
        if lines:
            blocks.append(Block(spans=parse_spans(" ".join(lines))))
    return tuple(blocks)


def parse_spans(text: str) -> tuple[Span, ...]:
    """Split one line of markup into plain, bold and link spans."""
    spans: list[Span] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            spans.append(Span(text=text[pos:m.start()]))
        if m.group("bold") is not None:
            spans.append(Span(text=m.group("bold"), bold=True))
        else:
            spans.append(Span(text=m.group("label"), link=m.group("url")))
        pos = m.end()
    if pos < len(text):
        spans.append(Span(text=text[pos:]))
    return tuple(spans)


def is_web_url(url: str) -> bool:
    """Whether a link goes to a web page: the only links the markup makes, or renderers link."""
    return bool(_WEB_URL.fullmatch(url))


def plain_text(blocks: tuple[Block, ...]) -> str:
    """Blocks as plain text: bullets with '•', links as 'label (url)'."""
    out: list[str] = []
    for block in blocks:
        line = "".join(f"{s.text} ({s.link})" if s.link else s.text for s in block.spans)
        if block.bullet:
            line = "• " + line
            if out and out[-1].startswith("• "):
                out[-1] += "\n" + line
                continue
        out.append(line)
    return "\n\n".join(out)
