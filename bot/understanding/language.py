"""Language: which language a message is written in, and whether its Latin letters type
Russian or Kazakh ("kense qaida") rather than English."""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import lru_cache

from bot.text import STOPWORDS, feature, script_counts, to_cyrillic, tokens


class LanguageDetector:
    """Tells languages apart by the words each language's content uses."""

    def __init__(self, lang_vocab: Mapping[str, frozenset[str]], topic_features: Collection[str],
                 cache_size: int):
        """`lang_vocab`: token -> the languages whose content uses it; `topic_features`: the
        features the topics and the bot's own intents use; `cache_size`: distinct tokens
        whose vote is remembered."""
        self._lang_vocab = lang_vocab
        self._topic_features = topic_features
        self._latin_vote = lru_cache(maxsize=cache_size)(self._vote_latin)

    def detect(self, text: str) -> tuple[str | None, bool]:
        """The language `text` is written in, and whether that is certain."""
        latin, cyr, kazakh = script_counts(text)
        if kazakh:
            return "kk", True
        words = tokens(text)
        if latin > cyr:
            if self.typed_in_latin(words):
                ru, kk = self._cyrillic_votes(to_cyrillic(t) for t in words if t.isascii())
                return ("kk" if kk > ru else "ru"), max(ru, kk) >= 2
            # Names alone ("UNHCR Almaty") don't say which language the reader wants.
            return "en", len(words) >= 3 or any(t in STOPWORDS for t in words)
        if not cyr:
            return None, False
        ru, kk = self._cyrillic_votes(words)
        if ru == kk:
            return "ru", False
        return ("kk" if kk > ru else "ru"), True

    def typed_in_latin(self, words: Sequence[str]) -> bool:
        """Whether Latin-letter words are Kazakh or Russian typed in Latin ("kense qaida").

        Only then are unknown Latin words spelled back into Cyrillic: otherwise English
        "restaurants" would become "арест" (arrest) and "joke" "жок" (no).
        """
        return sum(map(self._latin_vote, words)) < 0

    def _cyrillic_votes(self, words: Iterable[str]) -> tuple[int, int]:
        ru = kk = 0
        for tok in words:
            langs = self._lang_vocab.get(tok)
            if langs is None:
                continue
            if "kk" in langs and "ru" not in langs:
                kk += 1
            elif "ru" in langs and "kk" not in langs:
                ru += 1
        return ru, kk

    def _vote_latin(self, tok: str) -> int:
        """+1 if a Latin-letter token reads as English, -1 if as Russian or Kazakh, else 0."""
        if not tok.isascii() or not tok.isalpha():
            return 0
        is_english = tok in STOPWORDS or "en" in self._lang_vocab.get(tok, ())
        cyr = to_cyrillic(tok)
        langs = self._lang_vocab.get(cyr, ())
        # A stem that keeps only the start of a long word is no evidence: "statelesness"
        # spelled in Cyrillic folds to "стат" (of статус), yet it is English misspelt.
        stem = feature(cyr)
        is_cyrillic = ("ru" in langs or "kk" in langs
                       or (len(cyr) >= 4 and stem in self._topic_features
                           and 2 * len(stem) >= len(cyr)))
        if is_english and not is_cyrillic:  # "be", "men": both; they decide nothing
            return 1
        if is_cyrillic and not is_english:
            return -1
        return 0
