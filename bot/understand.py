"""The matching index built once from content, and `understand(text) -> Match`."""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from bot.content import Content
from bot.text import (STOP_FEATURES, STOPWORDS, feature, features, features_of, script_counts,
                      to_cyrillic, tokens)

FUZZY_WEIGHT = 0.85  # a typo-corrected word counts a little less than an exact one
STOP_WEIGHT = 0.1  # function words: they tell "who are you" from "who heads the office"
UNKNOWN_WEIGHT = 1.0  # a word the content never uses, relative to the rarest known word
CANDIDATE_POSTINGS_MAX = 200  # words in more intents than this don't nominate candidates
ANSWER_WEIGHT = 0.3  # a word found only in a topic's answer ("China") is weaker evidence
EXAMPLE_WEIGHT = 0.4  # share of the score from the closest example; the rest is coverage
# Unknown words count as n ** UNKNOWN_DAMPING words: one off-topic word ("weather") weighs
# fully, but a long message full of life story does not drown the one word that matters.
UNKNOWN_DAMPING = 0.5


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

    @property
    def best(self) -> Candidate | None:
        """The top candidate, if any."""
        return self.candidates[0] if self.candidates else None


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


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


def _trigger_key(token: str, lang: str) -> str:
    """The prefix a word must start with to count as this trigger word (inflections pass)."""
    if token.isascii():
        stem = feature(token)  # "deported" -> "deport"; but "being" stays "being", not "be"
        return stem if len(stem) >= 4 and token.startswith(stem) else token
    # Kazakh suffixes are longer than Russian endings: "шығарады" / "шығарып" share 5 letters.
    longest = 5 if lang == "kk" else 6
    return token[:max(4, min(longest, len(token) - 2 if lang == "kk" else len(token) - 1))]


def _follows(keys: tuple[str, ...], words: list[str], start: int) -> bool:
    """Whether `keys` match `words` from `start` on, in order, skipping at most one word."""
    pos = start
    for n, key in enumerate(keys):
        window = words[pos:pos + (1 if n == 0 else 2)]
        hit = next((i for i, w in enumerate(window) if w.startswith(key)), None)
        if hit is None:
            return False
        pos += hit + 1
    return True


class Index:
    """An inverted index over the example questions of every topic and meta intent."""

    def __init__(self, content: Content):
        intents: dict[str, list[list[str]]] = {}  # intent -> examples as feature lists
        answers: dict[str, set[str]] = {}  # intent -> features of its answers
        self.lang_vocab: dict[str, set[str]] = defaultdict(set)  # token -> languages
        token_freq: dict[str, int] = defaultdict(int)
        for topic in content.topics:
            rows = intents.setdefault(topic.id, [])
            for lang, text in topic.texts.items():
                for phrase in (text.title, *text.examples, *text.keywords):
                    rows.append(features_of(self._learn_tokens(phrase, lang, token_freq)))
                answers.setdefault(topic.id, set()).update(
                    features_of(self._learn_tokens(text.answer, lang, token_freq)))
        for name, by_lang in content.intents.items():
            rows = intents.setdefault(name, [])
            for lang, phrases in by_lang.items():
                for phrase in phrases:
                    rows.append(features_of(self._learn_tokens(phrase, lang, token_freq)))
        self.triggers: list[tuple[str, ...]] = []
        for lang, phrases in content.referral_triggers.items():
            for phrase in phrases:
                keys = tuple(_trigger_key(t, lang) for t in self._learn_tokens(phrase, lang, token_freq))
                if keys:
                    self.triggers.append(keys)
        self.intent_ids = list(intents)
        n = len(intents)
        df: dict[str, int] = defaultdict(int)
        self.intent_features: list[frozenset[str]] = []
        self.answer_features: list[frozenset[str]] = []  # in the answer, not the examples
        for name, rows in intents.items():
            fs = frozenset(f for row in rows for f in row)
            extra = frozenset(answers.get(name, ())) - fs
            self.intent_features.append(fs)
            self.answer_features.append(extra)
            for f in fs:
                df[f] += 1
        # Rarity comes from the examples; a word only answers use gets its rarity there.
        answer_df: dict[str, int] = defaultdict(int)
        for extra in self.answer_features:
            for f in extra:
                if f not in df:
                    answer_df[f] += 1
        df.update(answer_df)
        self.weight = {f: STOP_WEIGHT if f in STOP_FEATURES else math.log(1 + n / d)
                       for f, d in df.items()}
        self.unknown_weight = UNKNOWN_WEIGHT * math.log(1 + n)
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, fs in enumerate(self.intent_features):
            for f in fs | self.answer_features[i]:
                if f not in STOP_FEATURES:
                    self.postings[f].append(i)
        # Which examples of each intent hold a word, and each example's norm: the closest
        # example is found through these postings, never by scanning every example.
        self.example_norms: list[list[float]] = []
        self.example_postings: dict[str, dict[int, list[int]]] = defaultdict(dict)
        for i, rows in enumerate(intents.values()):
            norms = []
            for row in rows:
                fs = set(row)
                if not fs:
                    continue
                for f in fs:
                    if f not in STOP_FEATURES:
                        self.example_postings[f].setdefault(i, []).append(len(norms))
                norms.append(math.sqrt(sum(self.weight[f] ** 2 for f in fs)))
            self.example_norms.append(norms)
        self.trigger_features: set[str] = set()
        self._triggers_by_start: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for trig in self.triggers:
            self._triggers_by_start[trig[0][:3]].append(trig)
        self.token_freq = dict(token_freq)
        self._token_deletes = self._deletion_index(t for t in self.token_freq if len(t) >= 4)
        self._feature_deletes = self._deletion_index(
            f for f in (*self.weight, *self.trigger_features) if len(f) >= 4)
        # Words only the bot's own intents use ("hello", "thanks"): in "hello, where is the
        # office" they must not count against the office topic.
        meta = {i for i, name in enumerate(self.intent_ids) if name in content.intents}
        # Function words nominate only the bot's own intents ("what can you do", "who are you").
        self.meta_stop_postings: dict[str, list[int]] = defaultdict(list)
        for i in sorted(meta):
            for f in self.intent_features[i] & STOP_FEATURES:
                self.meta_stop_postings[f].append(i)
        meta_words = {f for i in meta for f in self.intent_features[i]}
        self.meta_only = frozenset(f for f in meta_words
                                   if f in self.postings and set(self.postings[f]) <= meta)
        self.meta_intents = frozenset(meta)

    def _learn_tokens(self, phrase: str, lang: str, freq: dict[str, int] | None) -> list[str]:
        words = tokens(phrase)
        for tok in words:
            self.lang_vocab[tok].add(lang)
            if freq is not None:
                freq[tok] += 1
        return words

    @staticmethod
    def _deletion_index(words) -> dict[str, list[str]]:
        index: dict[str, list[str]] = defaultdict(list)
        for w in words:
            index[w].append(w)
            for d in _deletes(w):
                index[d].append(w)
        return dict(index)

    def _known(self, f: str) -> bool:
        return f in self.weight or f in self.trigger_features

    def _nearest(self, word: str, table: dict[str, list[str]], rank_by: dict) -> str | None:
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

    def _correct(self, token: str, transliterate: bool) -> str | None:
        """The known feature a misspelt (or Latin-typed Kazakh/Russian) token meant, or None."""
        spellings = [token]
        if transliterate and token.isascii() and token.isalpha():
            spellings.append(to_cyrillic(token))
        for spelling in spellings:
            f = feature(spelling)
            if spelling is not token and self._known(f):
                return f
            near = self._nearest(spelling, self._token_deletes, self.token_freq)
            if near is not None and self._known(feature(near)):
                return feature(near)
            # Stems are matched only for English: a Cyrillic feature is a cut-off prefix,
            # and one letter off ("ответ"/"отвеч") is usually another word.
            if f.isascii():
                near = self._nearest(f, self._feature_deletes, {})
                if near is not None:
                    return near
        return None

    def analyse(self, text: str) -> tuple[list[str], list[tuple[str, str]], list[str]]:
        """The text's features (typos corrected), the corrections made, and unknown words."""
        feats: list[str] = []
        corrections: list[tuple[str, str]] = []
        unknown: list[str] = []
        words = tokens(text)
        transliterate = self._typed_in_latin(words)
        for tok in words:
            if len(tok) < 2 and not tok.isdigit():
                continue
            f = feature(tok)
            if not self._known(f) and tok not in STOPWORDS:
                fixed = self._correct(tok, transliterate)
                if fixed is not None:
                    corrections.append((tok, fixed))
                    f = fixed
                else:
                    unknown.append(f)
            if f not in feats:
                feats.append(f)
        return feats, corrections, unknown

    def _typed_in_latin(self, words: list[str]) -> bool:
        """Whether Latin-letter words are Kazakh or Russian typed in Latin ("kense qaida").

        Only then are unknown Latin words spelled back into Cyrillic: otherwise English
        "restaurants" would become "арест" (arrest) and "joke" "жок" (no).
        """
        english = cyrillic = 0
        for tok in words:
            if not tok.isascii() or not tok.isalpha():
                continue
            is_english = tok in STOPWORDS or "en" in self.lang_vocab.get(tok, ())
            cyr = to_cyrillic(tok)
            is_cyrillic = (bool(self.lang_vocab.get(cyr, set()) & {"ru", "kk"})
                           or (len(cyr) >= 4 and feature(cyr) in self.weight))
            if is_english and not is_cyrillic:  # "be", "men": both; they decide nothing
                english += 1
            elif is_cyrillic and not is_english:
                cyrillic += 1
        return cyrillic > english

    def is_referral(self, text: str) -> bool:
        """Whether the text holds a referral trigger: its words in order, at most one between.

        Words are compared by their first letters (4 to 7, by length), not by the matching
        features: "самоубийство" must not match "самые", nor "being held" "be held".
        """
        words = tokens(text)
        if self._typed_in_latin(words):
            words = [to_cyrillic(w) if w.isascii() else w for w in words]
        for start, word in enumerate(words):
            for trig in self._triggers_by_start.get(word[:3], ()):
                if _follows(trig, words, start):
                    return True
        return False

    def _weight(self, f: str) -> float:
        w = self.weight.get(f)
        if w is not None:
            return w
        return STOP_WEIGHT if f in STOP_FEATURES else self.unknown_weight

    def understand(self, text: str, top: int = 3) -> Match:
        """Score every intent sharing a word with `text`; best first."""
        feats, corrections, unknown = self.analyse(text)
        fixed = {c for _, c in corrections}
        weights = {f: self._weight(f) for f in feats}
        unknown_set = set(unknown)
        total = (sum(w for f, w in weights.items() if f not in unknown_set)
                 + self.unknown_weight * len(unknown_set) ** UNKNOWN_DAMPING)
        # Words only the bot's own intents use count as function words for topics.
        meta_only = [f for f in feats if f in self.meta_only]
        topic_total = total - sum(weights[f] - STOP_WEIGHT for f in meta_only)
        norm_sq = sum(w * w for w in weights.values())
        topic_norm = math.sqrt(norm_sq - sum(weights[f] ** 2 - STOP_WEIGHT ** 2 for f in meta_only))
        meta_norm = math.sqrt(norm_sq)

        credit: dict[int, float] = defaultdict(float)
        common: list[str] = []
        content_words = [f for f in feats if f in self.postings]
        for f in content_words:
            posting = self.postings[f]
            if len(posting) > CANDIDATE_POSTINGS_MAX:
                common.append(f)
                continue
            gain = weights[f] * (FUZZY_WEIGHT if f in fixed else 1.0)
            for i in posting:
                credit[i] += gain if f in self.intent_features[i] else gain * ANSWER_WEIGHT
        if not credit:  # only very common words: let them nominate a bounded set
            for f in common:
                for i in self.postings[f][:CANDIDATE_POSTINGS_MAX]:
                    credit[i] += 0.0
        if not credit:  # only function words: perhaps a question to the bot itself
            for f in feats:
                for i in self.meta_stop_postings.get(f, ()):
                    credit[i] += 0.0
        if not credit:
            return Match((), tuple(feats), tuple(corrections), tuple(unknown))
        rest = common + [f for f in feats if f in STOP_FEATURES]
        scored: list[Candidate] = []
        for i in credit:
            fs, extra = self.intent_features[i], self.answer_features[i]
            gain = credit[i] + sum(weights[f] * (FUZZY_WEIGHT if f in fixed else 1.0)
                                   * (1.0 if f in fs else ANSWER_WEIGHT)
                                   for f in rest if f in fs or f in extra)
            dots: dict[int, float] = defaultdict(float)
            for f in content_words:
                for e in self.example_postings[f].get(i, ()):
                    dots[e] += weights[f] * self.weight[f]
            norms = self.example_norms[i]
            closest = max((d / norms[e] for e, d in dots.items()), default=0.0)
            if i in self.meta_intents:
                coverage, closest = gain / total, closest / meta_norm
            else:
                coverage, closest = gain / topic_total, closest / topic_norm
            score = (1 - EXAMPLE_WEIGHT) * coverage + EXAMPLE_WEIGHT * closest
            scored.append((score, i))
        scored.sort(key=lambda c: (-c[0], self.intent_ids[c[1]]))
        best = tuple(Candidate(self.intent_ids[i], round(min(score, 1.0), 4),
                               tuple(f for f in feats if f in self.intent_features[i]
                                     or f in self.answer_features[i]))
                     for score, i in scored[:top])
        return Match(best, tuple(feats), tuple(corrections), tuple(unknown))

    def detect_language(self, text: str) -> tuple[str | None, bool]:
        """The language `text` is written in, and whether that is certain."""
        latin, cyr, kazakh = script_counts(text)
        if kazakh:
            return "kk", True
        words = tokens(text)
        if latin > cyr:
            if self._typed_in_latin(words):
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

    def _cyrillic_votes(self, words) -> tuple[int, int]:
        ru = kk = 0
        for tok in words:
            langs = self.lang_vocab.get(tok)
            if langs is None:
                continue
            if "kk" in langs and "ru" not in langs:
                kk += 1
            elif "ru" in langs and "kk" not in langs:
                ru += 1
        return ru, kk
