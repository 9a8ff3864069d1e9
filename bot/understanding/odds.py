"""The odds that a message speaks of danger, from every word it holds.

The danger examples match a message by the words it shares with one example; the rest of
the message is not heard. These odds hear all of it: each word counts by how much more
often danger examples use it than ordinary phrases do (the topics' examples, titles and
keywords, and the look-alikes), as a naive Bayes classifier counts. "police took my son, no
news where he is" is danger in every word even when no one example holds two of them;
"my asylum claim got rejected, how to appeal it and how many days i have" is ordinary in
most of its words, though it half-holds "appeal against deportation rejected".
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

# What a word seen in no phrase of a side counts as having been seen in: an unseen word
# says little, a word seen many times on one side and never on the other, much.
SMOOTHING = 0.5


class DangerOdds:
    """Per word, its log-odds of danger against ordinary, overall and per danger category."""

    def __init__(self, danger: Iterable[tuple[str, Sequence[str]]],
                 ordinary: Iterable[Sequence[str]]):
        """`danger`: (category, features) of each danger example; `ordinary`: the features
        of each ordinary phrase. Each phrase counts each of its features once."""
        in_category: dict[str, Counter[str]] = defaultdict(Counter)
        in_ordinary: Counter[str] = Counter()
        phrases: Counter[str] = Counter()
        for category, feats in danger:
            in_category[category].update(set(feats))
            phrases[category] += 1
        n_ordinary = 0
        for feats in ordinary:
            in_ordinary.update(set(feats))
            n_ordinary += 1
        n_danger = sum(phrases.values())
        in_danger: Counter[str] = Counter()
        for counts in in_category.values():
            in_danger.update(counts)

        def log_p(count: float, n: int) -> float:
            return math.log((count + SMOOTHING) / (n + 2 * SMOOTHING))

        words = in_danger.keys() | in_ordinary.keys()
        ordinary_log = {f: log_p(in_ordinary[f], n_ordinary) for f in words}
        self._odds = {f: log_p(in_danger[f], n_danger) - ordinary_log[f] for f in words}
        # Per category, only the words its examples use; any other word counts as unseen.
        self._categories = sorted(in_category)
        self._unseen = {c: log_p(0, phrases[c]) for c in self._categories}
        self._by_category: dict[str, dict[str, float]] = {
            f: {c: log_p(in_category[c][f], phrases[c]) - ordinary_log[f]
                for c in self._categories if in_category[c][f]}
            for f in in_danger}
        self._unseen_in_ordinary = {f: ordinary_log[f] for f in in_danger}

    def of(self, feats: Iterable[str]) -> float:
        """The log-odds that a message of these (distinct) features speaks of danger: above
        0, its words are likelier in danger examples than in ordinary phrases."""
        odds = self._odds
        return sum(odds.get(f, 0.0) for f in feats)

    def likeliest(self, feats: Iterable[str]) -> str | None:
        """The danger category whose examples' words the message holds most (None when no
        danger example holds any of its words)."""
        known = [f for f in feats if f in self._by_category]
        if not known:
            return None
        scores = dict.fromkeys(self._categories, 0.0)
        for f in known:
            seen = self._by_category[f]
            for c in self._categories:
                scores[c] += seen[c] if c in seen else self._unseen[c] - self._unseen_in_ordinary[f]
        return max(self._categories, key=scores.__getitem__)  # sorted: the first wins a tie
