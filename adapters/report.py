"""`bot report`: what people asked and how the answers did, from the state store's counts.

Aggregate only, as the store keeps it: answers per topic and language, the topics a "did you
mean" question offered together, "was this helpful?" taps, and the declined questions asked
by at least REPORT_MIN_USERS people, each with the topic the bot reads closest to it today,
so that an editor can add it as an example where it belongs.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.answer import Bot
from bot.message import HELPFUL, NOT_HELPFUL
from bot.state import (
    ANSWERED,
    DECLINED_RETENTION_DAYS,
    OFFERED,
    OFFERED_JOIN,
    REPORT_MIN_USERS,
    State,
)

Counts = dict[tuple[str, str], int]  # (topic id, or ids joined, language) -> count
NONE = "  (none)"
DECLINED_COLUMN = 60  # a longer question pushes its own nearest topic right, not everyone's


@dataclass(frozen=True)
class Usage:
    """What the store holds for the report, read once."""

    answered: Counts
    offered: Counts
    helpful: Counts
    not_helpful: Counts
    declined: list[tuple[str, int]]  # (scrubbed text, people), most asked first


async def read_usage(state: State, limit: int) -> Usage:
    """The report's counts from `state`, within the retention."""
    return Usage(answered=await state.counts(ANSWERED), offered=await state.counts(OFFERED),
                 helpful=await state.counts(HELPFUL), not_helpful=await state.counts(NOT_HELPFUL),
                 declined=await state.top_declined(limit=limit))


def nearest_topic(bot: Bot, text: str) -> tuple[str, float] | None:
    """The topic the bot reads closest to `text` today, and its score; None when no topic's
    words are in it."""
    for candidate in bot.understand(text).candidates:
        if bot.content.topic(candidate.intent) is not None:
            return candidate.intent, candidate.score
    return None


def render_report(bot: Bot, usage: Usage, store: str, limit: int) -> str:
    """The report as plain text, one section after another."""
    content = bot.content
    seen = {lang for counts in (usage.answered, usage.offered, usage.helpful, usage.not_helpful)
            for _, lang in counts}
    langs = [*content.languages, *sorted(seen - set(content.languages))]
    lines = [f"From the state store ({store}), the last {DECLINED_RETENTION_DAYS} days: counts "
             "per topic and language, no one's id.", ""]
    lines += _answers(bot, usage, langs)
    lines += ["", '"Did you mean" questions, by the topics offered together:']
    lines += _offers(usage.offered, langs, limit) or [NONE]
    lines += ["", '"Was this helpful?" taps per topic: helpful / not helpful, in all and per '
                  "language:"]
    lines += _feedback(usage, langs) or [NONE]
    lines += ["", f"Questions the bot declined, asked by at least {REPORT_MIN_USERS} people, and the "
                  "topic it reads", f"closest to each today, with its score (it answers from "
                  f"{content.threshold}):"]
    lines += _declined(bot, usage.declined) or [NONE]
    return "\n".join(lines)


def _topic_ids(bot: Bot, counts: Counts) -> list[str]:
    """The content's topics in menu order, then ids the store holds that it no longer has."""
    known = [t.id for t in bot.content.topics]
    return known + sorted({key for key, _ in counts} - set(known))


def _answers(bot: Bot, usage: Usage, langs: list[str]) -> list[str]:
    ids = _topic_ids(bot, usage.answered)
    total = {t: sum(usage.answered.get((t, lang), 0) for lang in langs) for t in ids}
    width = max(map(len, ids), default=5) + 2
    header = f"  {'topic':<{width}}{'all':>6}" + "".join(f"{lang:>6}" for lang in langs)
    rows = [f"  {t:<{width}}{total[t]:>6}"
            + "".join(f"{usage.answered.get((t, lang), 0):>6}" for lang in langs)
            + ("" if bot.content.topic(t) else "  (not in the content now)")
            for t in sorted(ids, key=lambda t: -total[t])]  # stable: menu order among equals
    return ["Answers per topic and language (to questions, commands and buttons):", header, *rows]


def _per_language(counts: Counts, key: str, langs: list[str]) -> str:
    return "  ".join(f"{lang} {counts[(key, lang)]}" for lang in langs if counts.get((key, lang)))


def _offers(offered: Counts, langs: list[str], limit: int) -> list[str]:
    totals: dict[str, int] = {}
    for (key, _), n in offered.items():
        totals[key] = totals.get(key, 0) + n
    lines = []
    for key in sorted(totals, key=lambda k: (-totals[k], k))[:limit]:
        topics = key.split(OFFERED_JOIN)
        what = " + ".join(topics) if len(topics) > 1 else f"{key} alone (just under the threshold)"
        lines.append(f"  {totals[key]:5d}  {what:<40} {_per_language(offered, key, langs)}")
    return lines


def _feedback(usage: Usage, langs: list[str]) -> list[str]:
    ids = sorted({key for key, _ in (*usage.helpful, *usage.not_helpful)})
    width = max(map(len, ids), default=5) + 2
    lines = []
    for topic in ids:
        cells = [f"{lang} {usage.helpful.get((topic, lang), 0)}/"
                 f"{usage.not_helpful.get((topic, lang), 0)}" for lang in langs
                 if (topic, lang) in usage.helpful or (topic, lang) in usage.not_helpful]
        helpful = sum(usage.helpful.get((topic, lang), 0) for lang in langs)
        not_helpful = sum(usage.not_helpful.get((topic, lang), 0) for lang in langs)
        lines.append(f"  {topic:<{width}}{helpful:>4} / {not_helpful:<4}  " + "  ".join(cells))
    return lines


def _declined(bot: Bot, declined: list[tuple[str, int]]) -> list[str]:
    width = min(max((len(text) for text, _ in declined), default=0), DECLINED_COLUMN)
    lines = []
    for text, people in declined:
        nearest = nearest_topic(bot, text)
        closest = f"{nearest[0]} {nearest[1]:.2f}" if nearest else "(no topic)"
        lines.append(f"  {people:5d}  {text:<{width}}  -> {closest}")
    return lines
