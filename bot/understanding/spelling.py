"""Spelling: a typed word the content does not know, read as the known word it most likely
meant (a typo, or Russian or Kazakh typed in Latin letters)."""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import lru_cache

from rapidfuzz.distance import OSA

from bot.text import STOP_FEATURES, STOPWORDS, feature, to_cyrillic


def _deletes(word: str) -> list[str]:
    """Every distinct form of `word` with one letter deleted (of a doubled letter, one)."""
    return [word[:i] + word[i + 1:] for i in range(len(word)) if not (i and word[i] == word[i - 1])]


def _deletion_index(words: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each word under itself and under every form with one letter deleted."""
    index: dict[str, tuple[str, ...]] = {}
    for w in words:
        for key in (w, *_deletes(w)):
            index[key] = index.get(key, ()) + (w,)
    return index


def _allowed_distance(word: str) -> int:
    return 1 if len(word) < 8 else 2


def _plausible(typed: str, known: str, dist: int) -> bool:
    """Whether `known` is a believable correction of `typed` at edit distance `dist`."""
    if typed[0] != known[0]:
        return False  # people rarely mistype the first letter; other words often differ there
    if len(typed) >= 5:
        return dist <= _allowed_distance(typed)
    # Four letters: only a dropped letter ("wher" -> "where"); a changed letter makes
    # another word too often ("best" -> "beat", "rate" -> "rape").
    return len(typed) == 4 and dist == 1 and len(known) == 5


def _nearest(word: str, table: dict[str, tuple[str, ...]], rank_by: Mapping[str, int]) -> str | None:
    """The closest word in a deletion table within the allowed edit distance."""
    if len(word) < 4:
        return None
    limit = _allowed_distance(word)
    best: tuple[int, int, str] | None = None
    for probe in (word, *_deletes(word)):
        for cand in table.get(probe, ()):
            dist = OSA.distance(word, cand, score_cutoff=limit)
            if _plausible(word, cand, dist):
                rank = (dist, -rank_by.get(cand, 0), cand)
                if best is None or rank < best:
                    best = rank
    return best[2] if best else None


class Speller:
    """Reads a message's tokens as features the content knows, correcting those it does not."""

    def __init__(self, token_freq: Mapping[str, int], topic_features: Collection[str],
                 danger_features: frozenset[str], cache_size: int):
        """`token_freq`: every token content uses, with how often; `topic_features`: the
        features the topics and the bot's own intents use; `danger_features`: those only
        danger examples and word classes use; `cache_size`: distinct tokens remembered."""
        self._token_freq = token_freq
        self._topic_features = topic_features
        self._danger_features = danger_features
        # Function words too: "actualy" is "actually", which says nothing, not an unknown
        # word that weighs as much as the rarest one.
        self._token_deletes = _deletion_index(
            t for t in {*token_freq, *STOPWORDS} if len(t) >= 4 and not t.isdigit())
        self._feature_deletes = _deletion_index(
            f for f in (*topic_features, *danger_features) if len(f) >= 4)
        # Russian typed in Latin letters leaves out the soft and hard signs ("ubet", убьет):
        # each known word that has one, under its spelling without, the commonest first.
        self._signless: dict[str, str] = {}
        for t, n in token_freq.items():
            if "ь" in t or "ъ" in t:
                plain = t.replace("ь", "").replace("ъ", "")
                if n > token_freq.get(self._signless.get(plain, ""), 0):
                    self._signless[plain] = t
        self._corrections = lru_cache(maxsize=cache_size)(self._correct)

    def _known(self, f: str) -> bool:
        return f in self._topic_features or f in self._danger_features

    def read(self, words: Sequence[str], transliterate: bool
             ) -> tuple[list[str], list[tuple[str, str]], list[str]]:
        """The features of a message's tokens (typos corrected), the corrections made, and
        unknown words; `transliterate`: the Latin letters type Russian or Kazakh."""
        feats: list[str] = []
        corrections: list[tuple[str, str]] = []
        unknown: list[str] = []
        for tok in words:
            if len(tok) < 2 and not tok.isdigit():
                continue
            f = feature(tok)
            # In Russian or Kazakh typed in Latin letters, an English word known only from
            # danger examples ("men", "bar") is read again: it is most likely мен, бар.
            if (not self._known(f) or (transliterate and f in self._danger_features)) \
                    and tok not in STOPWORDS and f not in STOP_FEATURES:
                fixed = self._corrections(tok, transliterate)
                if fixed is not None:
                    corrections.append((tok, fixed))
                    f = fixed
                else:
                    unknown.append(f)
            if f not in feats:
                feats.append(f)
        return feats, corrections, unknown

    def _correct(self, token: str, transliterate: bool) -> str | None:
        """The known feature a misspelt (or Latin-typed Kazakh/Russian) token meant, or None."""
        spellings = [token]
        if transliterate and token.isascii() and token.isalpha():
            cyrillic = to_cyrillic(token)
            signed = self._signless.get(cyrillic)
            if signed is not None \
                    and self._token_freq[signed] > self._token_freq.get(cyrillic, 0):
                cyrillic = signed  # "ubet": убьет, not a rarer "убет"; "brat" stays брат
            # The text reads as Russian or Kazakh typed in Latin letters: a word the content
            # uses, so spelt, comes before an English look-alike ("shtab" is штаб, not
            # "stab"), and a function word is one ("jatyr" is жатыр).
            if cyrillic in STOPWORDS or (cyrillic in self._token_freq
                                         and self._known(feature(cyrillic))):
                return feature(cyrillic)
            spellings += dict.fromkeys((cyrillic, to_cyrillic(token, vowel_i=False)))
        for spelling in spellings:
            f = feature(spelling)
            if spelling != token and self._known(f):
                return f
            near = _nearest(spelling, self._token_deletes, self._token_freq)
            if near is not None and (self._known(feature(near)) or near in STOPWORDS):
                return feature(near)
            # Stems are matched only for English: a Cyrillic feature is a cut-off prefix,
            # and one letter off ("ответ"/"отвеч") is usually another word.
            if f.isascii():
                near = _nearest(f, self._feature_deletes, {})
                if near is not None:
                    return near
        return None
