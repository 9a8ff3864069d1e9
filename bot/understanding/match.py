"""What understanding a message gives: its candidates, best first, and how they were read."""
from __future__ import annotations

from dataclasses import dataclass

from bot.understanding.danger import Danger


@dataclass(frozen=True)
class Candidate:
    """An intent the text may mean, with its confidence and the words that matched."""

    intent: str
    score: float
    matched: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    """What the index made of a text: best candidates first."""

    candidates: tuple[Candidate, ...]
    features: tuple[str, ...]
    corrections: tuple[tuple[str, str], ...]  # (typed word, the known word it became)
    unknown: tuple[str, ...]
    danger: Danger | None = None  # the closest danger example, however far
    # The part of a long message the candidates were read from, when the whole was not
    # understood ("...we arrived last week. how do we ask for asylum?"); None: the whole.
    clause: str | None = None
    # The best candidate for a second question asked in the same message, if any.
    also: Candidate | None = None

    @property
    def best(self) -> Candidate | None:
        """The top candidate, if any."""
        return self.candidates[0] if self.candidates else None
