"""Plain-text rendering of a Reply, for the console and the CLI."""
from __future__ import annotations

from bot.markup import plain_text
from bot.message import Reply


def render_plain(reply: Reply) -> str:
    """The reply as plain text: note, answer, suggestions, menu, then the as-of line.

    The "was this helpful?" choices (reply.feedback) are left out: the console is the
    operator's own tool, whose opinion of an answer is an edit, not a tap to count.
    """
    parts: list[str] = []
    if reply.note:
        parts.append(reply.note)
    if reply.title and reply.kind == "answer":
        parts.append(reply.title.upper())
    parts.append(plain_text(reply.blocks))
    topics = [c for c in reply.choices if c.kind == "topic"]
    if topics and reply.kind == "clarify":  # a question: numbered, answered by its number
        parts.append("\n".join(f"{n}. /{c.command} {c.label}" for n, c in enumerate(topics, 1)))
    elif topics:
        parts.append("→ " + " · ".join(f"/{c.command} {c.label}" for c in topics))
    languages = [c for c in reply.choices if c.kind == "language"]
    if languages:
        parts.append("\n".join(f"/{c.command} — {c.label}" for c in languages))
    if reply.menu:
        parts.append("\n".join(f"/{c.command} — {c.label}" for c in reply.menu))
    if reply.footer:
        parts.append(reply.footer)
    return "\n\n".join(p for p in parts if p)
