"""Reading a message by its parts: the clauses of a story ("...we arrived last week. how do
we ask for asylum?"), or two questions in one ("where is the office and who heads it")."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from bot.text import JOINERS
from bot.understanding.match import Match

# Where a message's clauses end: sentence ends and semicolons before a space (not the dots
# of "mail.kz"), new lines, and commas; and the words that join two questions.
_CLAUSE_END = re.compile(r"[.!?;]+(?=\s|$)|\n+|,\s")
_JOINER = re.compile(r"\b(?:" + "|".join(sorted(JOINERS)) + r")\b", re.IGNORECASE)
# Russian typed in Latin letters joins with "i" (и), which in English is "I".
_JOINER_IN_LATIN = re.compile(r"\b(?:" + "|".join(sorted(JOINERS | {"i"})) + r")\b",
                              re.IGNORECASE)
# A part of a message is a question of its own when a topic holds this many of its words.
MIN_QUESTION_WORDS = 2
# A part no topic answers clearly is offered as a button beside the clear part's answer when
# its best topic reaches this score.
OFFER_MIN_SCORE = 0.4
# A story none of whose parts is clear is asked about ("did you mean...?") when its best part
# is read from this score: the question at its end, among the story's words, is often just
# under the threshold ("...we cant pay the rent this month. is there any cash support from
# unhcr for families in our situation?": 0.59). Measured on tests/eval/understanding.yaml
# (2026-11-30, fifth session): 0.55 read 7 more of its 489 in-scope messages right and
# declined as many near-misses; 0.5 read 4 more and asked about 2 near-misses ("whats the
# weather in almaty in june, going there for a conference"); 0.45, 8 more for 3.
CLAUSE_FLOOR = 0.55


def parts_of(text: str, typed_in_latin: bool = False) -> list[str]:
    """A message's clauses; of a message of one clause, the parts the joining words
    (and, и, және; "i" too when Russian or Kazakh is `typed_in_latin`) separate."""
    parts = [p for p in _CLAUSE_END.split(text) if p.strip()]
    joiner = _JOINER_IN_LATIN if typed_in_latin else _JOINER
    return parts if len(parts) > 1 else [p for p in joiner.split(text) if p.strip()]


def read_by_parts(whole: Match, confident: bool, parts: Sequence[str],
                  topic_reading: Callable[[str], Match | None], threshold: float) -> Match:
    """The reading of a message of several parts: `whole`, with the second question as
    `also` when two parts ask two (`also` under `threshold` when only the first is clear:
    it is offered, not answered); else, when the whole is not `confident`, with the
    candidates of its best-understood part, that part as the `clause`.

    `topic_reading(part)` is a part's reading when a topic is its best candidate, else None.
    """
    readings = _read_parts(parts, topic_reading, threshold if len(parts) > 2 else None)
    read = [r for r in readings if r[0] >= threshold]
    two = _two_questions(read)
    if two is not None:
        first, second = two
        return replace(whole, candidates=first.candidates, also=second.best)
    if len(read) == 1 and confident:
        unclear = _second_question(read[0][3], [r for r in readings if r[0] < threshold])
        if unclear is not None:
            return replace(whole, candidates=read[0][3].candidates, also=unclear)
    if confident:
        return whole
    if not read:  # no part is clear: the best from CLAUSE_FLOOR, to be asked about
        read = [r for r in readings if r[0] >= CLAUSE_FLOOR]
    # A clause speaks for a story only of a topic the whole story points to as well: "правда
    # ли это?" (is it true?) ends a story about courses and reads as the Government topic by
    # "прав-" (rights). Measured on tests/eval (2026-11-30, sixth session): 2 more stories of
    # the understanding set read right, 3 of an unseen set's 45, and 2 more ordinary questions
    # of the protection set; counting the whole's best 4, 5 or 6 topics did no better.
    backed = {c.intent for c in whole.candidates}
    read = [r for r in read if r[3].best is not None and r[3].best.intent in backed]
    if not read:
        return whole
    # The best-understood clause; of equals, the later (the question follows the story).
    _, _, clause, part = max(read)
    return replace(whole, candidates=part.candidates, clause=clause.strip())


def _read_parts(parts: Sequence[str], topic_answer: Callable[[str], Match | None],
                threshold: float | None = None) -> list[tuple[float, int, str, Match]]:
    """The parts of a message whose best candidate is a topic: (score, position, part,
    reading). With a `threshold` (a story of three clauses or more), the last clause, where
    the question follows the story, read under it is read by its pieces between joining
    words too, and the best piece stands for it ("can you tell us when it was created and by
    whom": "...when it was created")."""
    read = []
    for n, part in enumerate(parts):
        got = topic_answer(part)
        score = got.best.score if got is not None and got.best is not None else 0.0
        if threshold is not None and score < threshold and n == len(parts) - 1:
            for piece in _JOINER.split(part):
                sub = topic_answer(piece) if piece.strip() and piece != part else None
                if sub is not None and sub.best is not None and sub.best.score > score:
                    part, got, score = piece, sub, sub.best.score
        if got is not None and got.best is not None:
            read.append((got.best.score, n, part, got))
    return read


def _second_question(clear: Match, unclear: list[tuple[float, int, str, Match]]):
    """The best candidate of a part that asks of another topic without being clear, to be
    offered beside the clear part's answer; None when there is none worth offering."""
    first = clear.best
    offers = [got.best for score, _, _, got in sorted(unclear, reverse=True)
              if got.best is not None and first is not None and got.best.intent != first.intent
              and score >= OFFER_MIN_SCORE and len(got.best.matched) >= MIN_QUESTION_WORDS]
    return offers[0] if offers else None


def _two_questions(read: list[tuple[float, int, str, Match]]) -> tuple[Match, Match] | None:
    """Two parts that two different topics answer, each with at least two words of its
    own, in the message's order; None when the message asks one thing."""
    asked = [(n, got) for _, n, _, got in read
             if got.best is not None and len(got.best.matched) >= MIN_QUESTION_WORDS]
    topics = {got.best.intent for _, got in asked if got.best is not None}
    if len(topics) != 2 or len(asked) != 2:
        return None
    (_, first), (_, second) = sorted(asked, key=lambda a: a[0])
    return first, second
