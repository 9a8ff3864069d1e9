"""The matching index built once from content, and `understand(text) -> Match`."""
from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import mul

from rapidfuzz.distance import OSA

from bot.content import Content
from bot.text import (
    JOINERS,
    STOP_FEATURES,
    STOPWORDS,
    feature,
    features_of,
    script_counts,
    to_cyrillic,
    tokens,
)
from bot.understanding.danger import SUBJECT_CLASS, Danger, DangerIndex, word_class

FUZZY_WEIGHT = 0.85  # a typo-corrected word counts a little less than an exact one
STOP_WEIGHT = 0.1  # function words: they tell "who are you" from "who heads the office"
UNKNOWN_WEIGHT = 1.0  # a word the content never uses, relative to the rarest known word
CANDIDATE_POSTINGS_MAX = 200  # words in more intents than this don't nominate candidates
ANSWER_WEIGHT = 0.3  # a word found only in a topic's answer ("China") is weaker evidence
EXAMPLE_WEIGHT = 0.4  # share of the score from the closest example; the rest is coverage
# Unknown words count as n ** UNKNOWN_DAMPING words: one off-topic word ("weather") weighs
# fully, but a long message full of life story does not drown the one word that matters.
UNKNOWN_DAMPING = 0.5
TOKEN_CACHE_SIZE = 65536  # distinct typed tokens whose reading is remembered
# Added to a candidate's best possible score, far above float rounding, so that no candidate
# that could still enter the top is skipped.
ROUNDING_SLACK = 1e-9


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


@dataclass(slots=True)
class _Query:
    """A text's features as scoring sees them."""

    content_words: list[str]  # features some intent holds, in the text's order
    gains: dict[str, float]  # feature -> what it adds to an intent's coverage
    products: dict[str, float]  # content word -> its term in a dot product with an example
    total: float  # the text's weight, that coverage is relative to
    topic_total: float  # the same for topics, the bot's own words counting as function words
    meta_norm: float
    topic_norm: float
    common: list[str] = field(default_factory=list)  # content words too common to nominate
    rest: list[tuple[str, float]] = field(default_factory=list)  # (feature, gain)


def _deletes(word: str) -> list[str]:
    """Every distinct form of `word` with one letter deleted (of a doubled letter, one)."""
    return [word[:i] + word[i + 1:] for i in range(len(word)) if not (i and word[i] == word[i - 1])]


def _deletion_index(words) -> dict[str, tuple[str, ...]]:
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


# A phrase's distinct features, in the order its set of features yields them: tuples,
# unlike sets, drop out of the garbage collector's sight, and the index holds many.
Row = tuple[str, ...]


class _Vocabulary:
    """The tokens content uses: how often, and in which languages."""

    def __init__(self) -> None:
        self._seen: list[str] = []  # every token, counted once all are read
        self._by_lang: dict[str, set[str]] = defaultdict(set)

    def learn(self, phrase: str, lang: str) -> list[str]:
        """The tokens of `phrase`, counted as used in `lang`."""
        words = tokens(phrase)
        self._by_lang[lang].update(words)
        self._seen += words
        return words

    def counts(self) -> dict[str, int]:
        """Token -> how many times content uses it."""
        return dict(Counter(self._seen))

    def languages(self) -> dict[str, frozenset[str]]:
        """Token -> the languages whose content uses it.

        Tokens share one set per combination of languages: ten thousand small sets would
        only give the garbage collector work.
        """
        bits: dict[str, int] = {}  # token -> its languages, one bit each
        for n, vocab in enumerate(self._by_lang.values()):
            for tok in vocab:
                bits[tok] = bits.get(tok, 0) | 1 << n
        names = list(self._by_lang)
        shared = {b: frozenset(lang for n, lang in enumerate(names) if b >> n & 1)
                  for b in set(bits.values())}
        return {tok: shared[b] for tok, b in bits.items()}


def _row(words: list[str]) -> Row:
    return tuple({feature(t) for t in words if len(t) > 1 or t.isdigit()})  # as features_of


def _read_phrases(content: Content, vocab: _Vocabulary) -> tuple[dict[str, list[Row]],
                                                                 dict[str, set[str]]]:
    """Each intent's phrases (title, examples, keywords) as rows, and each topic's answer
    features."""
    intents: dict[str, list[Row]] = {}
    answers: dict[str, set[str]] = {}
    for topic in content.topics:
        rows = intents.setdefault(topic.id, [])
        for lang, text in topic.texts.items():
            for phrase in (text.title, *text.examples, *text.keywords):
                rows.append(_row(vocab.learn(phrase, lang)))
            answers.setdefault(topic.id, set()).update(
                features_of(vocab.learn(text.answer, lang)))
    for name, by_lang in content.intents.items():
        rows = intents.setdefault(name, [])
        for lang, phrases in by_lang.items():
            for phrase in phrases:
                rows.append(_row(vocab.learn(phrase, lang)))
    return intents, answers


def _read_word_classes(content: Content, vocab: _Vocabulary) -> dict[str, str]:
    """Each feature of a word of a class ("сын", "ұлым") -> its class ("<child>")."""
    return {feature(t): word_class(name)
            for name, by_lang in content.protection.word_classes.items() if name != SUBJECT_CLASS
            for lang, words in by_lang.items() for word in words for t in vocab.learn(word, lang)}


def _cue_tokens(content: Content, keep) -> frozenset[str]:
    """The words of the classes looked for among a message's tokens as typed, not as
    features: "I", "я" (too short to be features), and the subject class ("курсовой" says
    study, "курсы" does not, though both fold to "курс")."""
    return frozenset(t for name, by_lang in content.protection.word_classes.items()
                     for words in by_lang.values() for word in words
                     for t in tokens(word) if keep(name, word))


def _read_danger(content: Content, vocab: _Vocabulary,
                 classes: dict[str, str]) -> list[tuple[str, str, Row]]:
    """Every danger example as (category, text, its features); look-alikes with category ""."""
    protection = content.protection
    texts = [(category.id, example, lang) for category in protection.categories
             for lang, examples in category.examples.items() for example in examples]
    texts += [("", text, lang) for lang, look_alikes in protection.look_alikes.items()
              for text in look_alikes]
    cyrillic = _cyrillic_languages(content)
    # Sorted: a word's weight is summed in the same order in every process.
    return [(category, text,
             tuple(sorted({classes.get(f, f)
                           for f in _row(vocab.learn(_spelled(text, lang in cyrillic), lang))})))
            for category, text, lang in texts]


def _cyrillic_languages(content: Content) -> frozenset[str]:
    """The languages whose topics are written in Cyrillic letters (Russian, Kazakh)."""
    written: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for topic in content.topics:
        for lang, text in topic.texts.items():
            latin, cyr, _ = script_counts(text.title + " " + text.answer)
            written[lang][0] += latin
            written[lang][1] += cyr
    return frozenset(lang for lang, (latin, cyr) in written.items() if cyr > latin)


def _spelled(text: str, in_cyrillic: bool) -> str:
    """A danger example as messages are read: in a Cyrillic language, an example typed in
    Latin letters ("muzh b'et") is spelled back into Cyrillic, as such a message will be."""
    if not in_cyrillic or not text.isascii():
        return text
    return " ".join(to_cyrillic(t) if t.isalpha() else t for t in tokens(text))


# Where a message's clauses end: sentence ends and semicolons before a space (not the dots
# of "mail.kz"), new lines, and commas; and the words that join two questions.
_CLAUSE_END = re.compile(r"[.!?;]+(?=\s|$)|\n+|,\s")
_JOINER = re.compile(r"\b(?:" + "|".join(sorted(JOINERS)) + r")\b", re.IGNORECASE)
# A part of a message is a question of its own when a topic holds this many of its words.
MIN_QUESTION_WORDS = 2


class Index:
    """An inverted index over the example questions of every topic and meta intent."""

    def __init__(self, content: Content):
        vocab = _Vocabulary()
        intents, answers = _read_phrases(content, vocab)
        self.intent_ids = list(intents)
        self.word_classes = _read_word_classes(content, vocab)
        self.threshold = content.threshold
        self.one_letter_cues = _cue_tokens(content, lambda name, word: len(word) == 1)
        self.subject_cues = _cue_tokens(content, lambda name, word: name == SUBJECT_CLASS)
        danger_examples = _read_danger(content, vocab, self.word_classes)
        self.lang_vocab = vocab.languages()
        self.token_freq = vocab.counts()
        self._weigh(intents, answers)
        self._index_intents()
        self._index_examples(intents)
        self.danger = DangerIndex(danger_examples, self._danger_weight)
        # Words only danger examples and word classes use ("deport", "сына"): known words,
        # for typo correction and Latin spelling, that no topic uses.
        self.danger_features = (self.danger.features | self.word_classes.keys()) - self.weight.keys()
        self._token_deletes = _deletion_index(t for t in self.token_freq if len(t) >= 4)
        self._feature_deletes = _deletion_index(
            f for f in (*self.weight, *self.danger_features) if len(f) >= 4)
        self._index_meta(content)
        # People repeat their typos and Latin spellings ("waht", "kense"): each distinct
        # token is corrected, or voted on, once per index rather than once per message.
        self._corrections = lru_cache(maxsize=TOKEN_CACHE_SIZE)(self._correct)
        self._latin_vote = lru_cache(maxsize=TOKEN_CACHE_SIZE)(self._vote_latin)

    # -- building ----------------------------------------------------------------------
    def _weigh(self, intents: dict[str, list[Row]], answers: dict[str, set[str]]) -> None:
        """Each intent's features, and each feature's weight: rarer across intents, heavier."""
        self.intent_features: list[frozenset[str]] = []
        self.answer_features: list[frozenset[str]] = []  # in the answer, not the examples
        df: Counter[str] = Counter()
        for name, rows in intents.items():
            fs = frozenset().union(*rows)
            self.intent_features.append(fs)
            self.answer_features.append(frozenset(answers.get(name, ())) - fs)
            df.update(fs)
        # Rarity comes from the examples; a word only answers use gets its rarity there.
        answer_df: Counter[str] = Counter()
        for extra in self.answer_features:
            answer_df.update(f for f in extra if f not in df)
        df.update(answer_df)
        n = len(intents)
        rarity = {d: math.log(1 + n / d) for d in set(df.values())}
        self.weight = {f: STOP_WEIGHT if f in STOP_FEATURES else rarity[d] for f, d in df.items()}
        self.unknown_weight = UNKNOWN_WEIGHT * math.log(1 + n)

    def _index_intents(self) -> None:
        """Which intents hold each word, and how much a word counts for each of them."""
        self._in_examples: dict[str, list[int]] = defaultdict(list)
        self._in_answers: dict[str, list[int]] = defaultdict(list)  # only in the answer
        # Per intent, every feature it knows with its share: 1 in examples, less in answers.
        self._shares: list[dict[str, float]] = []
        for i, (fs, extra) in enumerate(zip(self.intent_features, self.answer_features, strict=False)):
            for f in fs - STOP_FEATURES:
                self._in_examples[f].append(i)
            for f in extra - STOP_FEATURES:
                self._in_answers[f].append(i)
            shares = dict.fromkeys(fs, 1.0)
            shares.update(dict.fromkeys(extra, ANSWER_WEIGHT))
            self._shares.append(shares)
        self.postings: dict[str, list[int]] = {
            f: sorted(self._in_examples.get(f, []) + self._in_answers.get(f, []))
            for f in self._in_examples.keys() | self._in_answers.keys()}

    def _index_examples(self, intents: dict[str, list[Row]]) -> None:
        """Per intent: which of its examples hold each word, as a bit mask; the smallest
        norm among them; and each example's norm.

        The closest example is found through these, never by scanning every example of an
        intent (see `_closest_example`).
        """
        self._example_masks: list[dict[str, int]] = []
        self._least_norms: list[dict[str, float]] = []
        self._example_norms: list[tuple[float, ...]] = []
        squares = {f: w ** 2 for f, w in self.weight.items()}
        for rows in intents.values():
            masks: dict[str, int] = {}
            least: dict[str, float] = {}
            norms: list[float] = []
            for row in rows:
                if not row:
                    continue
                bit = 1 << len(norms)
                norm = math.sqrt(sum(map(squares.__getitem__, row)))
                for f in row:
                    if f not in STOP_FEATURES:
                        masks[f] = masks.get(f, 0) | bit
                        if norm < least.get(f, math.inf):
                            least[f] = norm
                norms.append(norm)
            self._example_masks.append(masks)
            self._least_norms.append(least)
            self._example_norms.append(tuple(norms))

    def _danger_weight(self, f: str) -> float:
        """How much a word tells of danger: as much as it is rare among the topics' and the
        bot's own words ("deport" fully, "police", which a topic uses, less)."""
        n = len(self.intent_ids)
        return math.log(1 + n / (1 + len(self.postings.get(f, ()))))

    def _index_meta(self, content: Content) -> None:
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

    # -- reading a text ----------------------------------------------------------------
    def _known(self, f: str) -> bool:
        return f in self.weight or f in self.danger_features

    def _nearest(self, word: str, table: dict[str, tuple[str, ...]], rank_by: dict) -> str | None:
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
            cyrillic = to_cyrillic(token)
            # The text reads as Russian or Kazakh typed in Latin letters: a word the content
            # uses, so spelt, comes before an English look-alike ("shtab" is штаб, not
            # "stab"), and a function word is one ("jatyr" is жатыр).
            if cyrillic in STOPWORDS or (cyrillic in self.token_freq
                                         and self._known(feature(cyrillic))):
                return feature(cyrillic)
            spellings += dict.fromkeys((cyrillic, to_cyrillic(token, vowel_i=False)))
        for spelling in spellings:
            f = feature(spelling)
            if spelling != token and self._known(f):
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
            # In Russian or Kazakh typed in Latin letters, an English word known only from
            # danger examples ("men", "bar") is read again: it is most likely мен, бар.
            if (not self._known(f) or (transliterate and f in self.danger_features)) \
                    and tok not in STOPWORDS:
                fixed = self._corrections(tok, transliterate)
                if fixed is not None:
                    corrections.append((tok, fixed))
                    f = fixed
                else:
                    unknown.append(f)
            if f not in feats:
                feats.append(f)
        return feats, corrections, unknown

    def _typed_in_latin(self, words: Sequence[str]) -> bool:
        """Whether Latin-letter words are Kazakh or Russian typed in Latin ("kense qaida").

        Only then are unknown Latin words spelled back into Cyrillic: otherwise English
        "restaurants" would become "арест" (arrest) and "joke" "жок" (no).
        """
        return sum(map(self._latin_vote, words)) < 0

    def _vote_latin(self, tok: str) -> int:
        """+1 if a Latin-letter token reads as English, -1 if as Russian or Kazakh, else 0."""
        if not tok.isascii() or not tok.isalpha():
            return 0
        is_english = tok in STOPWORDS or "en" in self.lang_vocab.get(tok, ())
        cyr = to_cyrillic(tok)
        langs = self.lang_vocab.get(cyr, ())
        # A stem that keeps only the start of a long word is no evidence: "statelesness"
        # spelled in Cyrillic folds to "стат" (of статус), yet it is English misspelt.
        stem = feature(cyr)
        is_cyrillic = ("ru" in langs or "kk" in langs
                       or (len(cyr) >= 4 and stem in self.weight and 2 * len(stem) >= len(cyr)))
        if is_english and not is_cyrillic:  # "be", "men": both; they decide nothing
            return 1
        if is_cyrillic and not is_english:
            return -1
        return 0

    def _weight(self, f: str) -> float:
        w = self.weight.get(f)
        if w is not None:
            return w
        return STOP_WEIGHT if f in STOP_FEATURES else self.unknown_weight

    def understand(self, text: str, top: int = 3) -> Match:
        """Score every intent sharing a word with `text`, best first. A message of two
        questions ("where is the office and who heads it") gets the second as `also`; a long
        message not understood as a whole, the candidates of its best-understood clause."""
        match = self._understand(text, top)
        best = match.best
        confident = best is not None and best.score >= self.threshold
        parts = [p for p in _CLAUSE_END.split(text) if p.strip()]
        asked = parts if len(parts) > 1 else [p for p in _JOINER.split(text) if p.strip()]
        if len(asked) < 2:
            return match
        read = self._read_parts(asked, top)
        two = self._two_questions(read)
        if two is not None:
            first, second = two
            return replace(match, candidates=first.candidates, also=second.best)
        if confident or not read:
            return match
        # The best-understood clause; of equals, the later (the question follows the story).
        _, _, clause, part = max(read)
        return replace(match, candidates=part.candidates, clause=clause.strip())

    def _read_parts(self, parts: list[str], top: int) -> list[tuple[float, int, str, Match]]:
        """The parts of a message that one topic answers confidently, with their readings."""
        read = []
        for n, part in enumerate(parts):
            got = self._understand(part, top, with_danger=False)
            if got.best is not None and got.best.score >= self.threshold \
                    and self.intent_ids.index(got.best.intent) not in self.meta_intents:
                read.append((got.best.score, n, part, got))
        return read

    def _two_questions(self, read: list[tuple[float, int, str, Match]]) -> tuple[Match, Match] | None:
        """Two parts that two different topics answer, each with at least two words of its
        own, in the message's order; None when the message asks one thing."""
        asked = [(n, got) for _, n, _, got in read
                 if got.best is not None and len(got.best.matched) >= MIN_QUESTION_WORDS]
        topics = {got.best.intent for _, got in asked if got.best is not None}
        if len(topics) != 2 or len(asked) != 2:
            return None
        (_, first), (_, second) = sorted(asked, key=lambda a: a[0])
        return first, second

    def _understand(self, text: str, top: int, with_danger: bool = True) -> Match:
        """Score every intent sharing a word with `text`; best first."""
        feats, corrections, unknown = self.analyse(text)
        classes = self.word_classes
        # "I" is one letter, so no feature; but "i was raped" says who it happened to.
        said = tokens(text)
        danger = self.danger.find(list(dict.fromkeys(classes.get(f, f) for f in feats)),
                                  personal=not self.one_letter_cues.isdisjoint(said),
                                  about_subject=not self.subject_cues.isdisjoint(said)) \
            if with_danger else None
        # Words only danger examples use are, to the topics, words they do not know.
        unheard = set(unknown).union(f for f in feats if f in self.danger_features)
        query = self._query(feats, {c for _, c in corrections}, unheard)
        credit, reach, common = self._credit(query)
        if not credit:  # only very common words: let them nominate a bounded set
            for f in common:
                credit.update(dict.fromkeys(self.postings[f][:CANDIDATE_POSTINGS_MAX], 0.0))
        if not credit:  # only function words: perhaps a question to the bot itself
            for f in feats:
                credit.update(dict.fromkeys(self.meta_stop_postings.get(f, ()), 0.0))
        if not credit:
            return Match((), tuple(feats), tuple(corrections), tuple(unknown), danger)
        # Very common and function words nominate no one, but count for those they name.
        query.common = common
        query.rest = [(f, query.gains[f]) for f in common + [f for f in feats if f in STOP_FEATURES]]
        best = tuple([Candidate(self.intent_ids[i], round(min(score, 1.0), 4),
                                tuple(filter(self._shares[i].__contains__, feats)))
                      for score, i in self._top(query, credit, reach, top)])
        return Match(best, tuple(feats), tuple(corrections), tuple(unknown), danger)

    def _query(self, feats: list[str], fixed: set[str], unknown: set[str]) -> _Query:
        """What scoring needs to know of a text's features."""
        weights: dict[str, float] = {}
        gains: dict[str, float] = {}
        products: dict[str, float] = {}
        content_words: list[str] = []
        for f in feats:
            w = weights[f] = self._weight(f)
            gains[f] = w * (FUZZY_WEIGHT if f in fixed else 1.0)
            if f in self.postings:
                content_words.append(f)
                products[f] = w * w
        known = (w for f, w in weights.items() if f not in unknown) if unknown else weights.values()
        total = sum(known) + self.unknown_weight * len(unknown) ** UNKNOWN_DAMPING
        # Words only the bot's own intents use count as function words for topics.
        meta_only = [f for f in feats if f in self.meta_only]
        topic_total = total - sum(weights[f] - STOP_WEIGHT for f in meta_only)
        norm_sq = sum(map(mul, weights.values(), weights.values()))
        topic_norm = math.sqrt(norm_sq - sum(weights[f] ** 2 - STOP_WEIGHT ** 2 for f in meta_only))
        return _Query(content_words=content_words, gains=gains, products=products, total=total,
                      topic_total=topic_total, meta_norm=math.sqrt(norm_sq), topic_norm=topic_norm)

    def _credit(self, query: _Query) -> tuple[dict[int, float], dict[int, float], list[str]]:
        """What each intent holding the text's (not too common) words gains from them; how
        close its examples could come to the text by those words (see `_top`); and the words
        too common to nominate intents."""
        credit: dict[int, float] = {}
        reach: dict[int, float] = {}
        common: list[str] = []
        for f in query.content_words:
            if len(self.postings[f]) > CANDIDATE_POSTINGS_MAX:
                common.append(f)
                continue
            gain, product = query.gains[f], query.products[f]
            for i in self._in_examples.get(f, ()):
                near = product / self._least_norms[i][f]
                if i in credit:
                    credit[i] += gain
                else:
                    credit[i] = gain
                if i in reach:
                    reach[i] += near
                else:
                    reach[i] = near
            answer_gain = gain * ANSWER_WEIGHT
            for i in self._in_answers.get(f, ()):
                if i in credit:
                    credit[i] += answer_gain
                else:
                    credit[i] = answer_gain
        return credit, reach, common

    def _top(self, query: _Query, credit: dict[int, float], reach: dict[int, float],
             top: int) -> list[tuple[float, int]]:
        """The `top` candidates as (score, intent), best first; ties go to the first id.

        Finding an intent's closest example is the costly part of its score, so intents are
        taken in order of the best score they could reach, until the rest cannot reach the
        top; each is scored only if, its coverage known, it still can.

        Those ceilings bound the closest example by its words: the example's dot product
        with the text over its norm is the sum of its words' products over that norm; each
        is at most the product over the least norm of the intent's examples holding the word
        (`reach`); and for the words too common to be in `reach`, the sum is at most the root
        of the sum of their products (Cauchy-Schwarz), as the norm is at least that root.
        """
        rest_gain = sum([g for _, g in query.rest])  # as if the intent held every such word
        common_near = math.sqrt(sum([query.products[f] for f in query.common]))
        # The larger of the scales of topics and of the bot's own intents: a ceiling may be
        # loose, never low.
        per_gain = (1 - EXAMPLE_WEIGHT) / min(query.total, query.topic_total)
        per_near = EXAMPLE_WEIGHT / min(query.meta_norm, query.topic_norm)
        ceilings = sorted([(-((own + rest_gain) * per_gain
                              + (reach.get(i, 0.0) + common_near) * per_near), i)
                           for i, own in credit.items()])
        scored: list[tuple[float, str, int]] = []
        kept: list[float] = []  # the `top` best scores so far, lowest first
        for neg_ceiling, i in ceilings:
            full = len(kept) == top
            if full and ROUNDING_SLACK - neg_ceiling < kept[0]:
                break
            coverage, norm = self._coverage(i, credit[i], query)
            if full and self._ceiling(i, coverage, norm, reach, query) < kept[0]:
                continue
            closest = self._closest_example(i, query) / norm
            score = (1 - EXAMPLE_WEIGHT) * coverage + EXAMPLE_WEIGHT * closest
            scored.append((-score, self.intent_ids[i], i))
            heapq.heappush(kept, score)
            if len(kept) > top:
                heapq.heappop(kept)
        scored.sort()
        return [(-neg, i) for neg, _, i in scored[:top]]

    def _ceiling(self, i: int, coverage: float, norm: float, reach: dict[int, float],
                 query: _Query) -> float:
        """The best score intent i could reach, its coverage known (see `_top`)."""
        near = reach.get(i, 0.0)
        least = self._least_norms[i]
        for f in query.common:
            if f in least:
                near += query.products[f] / least[f]
        return (1 - EXAMPLE_WEIGHT) * coverage + EXAMPLE_WEIGHT * near / norm + ROUNDING_SLACK

    def _coverage(self, i: int, own: float, query: _Query) -> tuple[float, float]:
        """How much of the text intent i covers, and the text's norm its closeness is
        relative to; the bot's own intents are measured against the whole text."""
        shares = self._shares[i]
        gain = own + sum([g * shares[f] for f, g in query.rest if f in shares]) if query.rest else own
        if i in self.meta_intents:
            return gain / query.total, query.meta_norm
        return gain / query.topic_total, query.topic_norm

    def _closest_example(self, i: int, query: _Query) -> float:
        """The highest dot product of the text with one of intent i's examples, over that
        example's norm; 0 when no example shares a word with the text.

        An example holding one word of the text scores that word's product over its norm,
        so among those the one of least norm is best; examples holding several words are
        summed one by one, in the text's word order.
        """
        masks, least = self._example_masks[i], self._least_norms[i]
        best = 0.0
        found: list[tuple[int, float]] = []  # (examples holding the word, its product)
        seen = several = 0
        for f in query.content_words:
            mask = masks.get(f)
            if mask is not None:
                product = query.products[f]
                found.append((mask, product))
                several |= seen & mask
                seen |= mask
                if product / least[f] > best:
                    best = product / least[f]
        norms = self._example_norms[i]
        while several:
            bit = several & -several
            several ^= bit
            dot = 0.0
            for mask, product in found:
                if mask & bit:
                    dot += product
            if dot / norms[bit.bit_length() - 1] > best:
                best = dot / norms[bit.bit_length() - 1]
        return best

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
