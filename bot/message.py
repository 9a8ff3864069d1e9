"""The two values that cross the core/adapter boundary: Message in, Reply out."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# The two answers to "was this helpful?": a feedback Choice's value, and what the store counts.
HELPFUL = "helpful"
NOT_HELPFUL = "not_helpful"


@dataclass(frozen=True, kw_only=True)
class Message:
    """One incoming message, as the adapters hand it to the core."""

    text: str
    platform: str = "console"
    chat_id: str = ""
    user_id: str = ""
    preferred_lang: str | None = None  # the user's stored /language choice
    platform_lang: str | None = None  # e.g. Telegram's language_code: only a hint
    slash_text: bool = False  # Slack slash-command text: a first word may name a topic


@dataclass(frozen=True, kw_only=True)
class Span:
    """A run of text inside a paragraph."""

    text: str
    bold: bool = False
    link: str | None = None


@dataclass(frozen=True, kw_only=True)
class Block:
    """A paragraph, or one bullet of a list."""

    spans: tuple[Span, ...]
    bullet: bool = False

    @property
    def plain(self) -> str:
        """The block's text without markup."""
        return "".join(s.text for s in self.spans)


@dataclass(frozen=True, kw_only=True)
class Choice:
    """A button the reply offers: a topic to open, a language to switch to, or a vote on
    whether an answer helped."""

    kind: str  # "topic", "language" or "feedback"
    value: str  # topic id, language code, or HELPFUL / NOT_HELPFUL
    label: str  # shown on the button
    command: str = ""  # the slash command that does the same, e.g. "office"


@dataclass(frozen=True, kw_only=True)
class Reply:
    """A platform-neutral answer; adapters render it to HTML, Block Kit or plain text."""

    blocks: tuple[Block, ...]
    lang: str
    kind: str  # answer | decline | referral | meta | help | language
    intent: str | None = None  # topic id or meta intent; None when declined
    also: str | None = None  # a second topic answered in the same reply (two questions)
    score: float = 0.0
    title: str | None = None
    choices: tuple[Choice, ...] = ()
    source: str | None = None
    as_of: date | None = None
    footer: str | None = None  # the localised as-of/source line
    note: str | None = None  # e.g. "not yet translated" notice, shown first
    language_choice: str | None = None  # set when the user picked a language
    menu: tuple[Choice, ...] = field(default=())  # the topic menu, when the reply lists it
    # "Was this helpful?" under an answer (settings.feedback): two feedback Choices about
    # `intent`; a tap goes to Service.feedback, not back through Bot.answer.
    feedback: tuple[Choice, ...] = ()

    @property
    def suggestions(self) -> tuple[str, ...]:
        """Ids of the topics this reply suggests next."""
        return tuple(c.value for c in self.choices if c.kind == "topic")
