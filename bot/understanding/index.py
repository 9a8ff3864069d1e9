"""The matching index built once from content: each feature's weight, which intents and
examples hold it, and `understand(text) -> Match`, scoring every intent sharing a word."""
from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from operator import mul

from bot.content import Content
from bot.text import STOP_FEATURES, to_cyrillic, tokens
from bot.understanding.danger import NOT_CLASS, SUBJECT_CLASS, DangerIndex
from bot.understanding.language import LanguageDetector
from bot.understanding.match import Candidate, Match
from bot.understanding.parts import parts_of, read_by_parts
from bot.understanding.reading import (
    Row,
    Vocabulary,
    cue_tokens,
    near_miss_of,
    read_danger,
    read_everyday,
    read_phrases,
    read_word_classes,
)
from bot.understanding.spelling import Speller

# Kazakh "не" (what) at the end of a question or after "деген" (called): not the Russian
# "не" (not), which comes before a word and never ends a sentence.
_KAZAKH_WHAT = re.compile(r"(?i)(?:\bдеген\s+не\b|\bdegen\s+ne\b|\b(?:не|ne)\s*(?:[?.!]|$))")
# Laughter, however long: "haha", "ahahah", "хахах", "lol". No one in danger laughs.
_LAUGH = re.compile(r"(?:a?(?:ha){2,}h?|(?:he){3,}|lo+l|а?(?:ха){2,}х?|лол)$")
# Laughing and joking faces say the same ("мафия, меня опять убили 😂"); tokens hold no emoji.
_LAUGHING_FACE = re.compile("[\U0001F600-\U0001F606\U0001F923\U0001F639\U0001F648"
                            "\U0001F61B-\U0001F61D\U0001F92A]")
# A year in this range dates a message to history: no one's danger today happened then.
HISTORY_YEARS = (1900, 1989)
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


class Index:
    """An inverted index over the example questions of every topic and meta intent."""

    def __init__(self, content: Content):
        vocab = Vocabulary()
        intents, answers = read_phrases(content, vocab)
        self.intent_ids = list(intents)
        self.word_classes = read_word_classes(content, vocab)
        # In a message certainly written in a language of another alphabet, a class word
        # typed in Latin letters is that language's word: Kazakh "me" asks a question
        # ("policiyaga trening otkizesizder me"), it is not the English "me" of <someone>.
        self.latin_languages = frozenset(
            lang for by_lang in content.protection.word_classes.values()
            for lang, words in by_lang.items() if all(w.isascii() for w in words))
        self.cyrillic_classes = {f: c for f, c in self.word_classes.items() if not f.isascii()}
        self.threshold = content.threshold
        self.one_letter_cues = cue_tokens(content, lambda name, word: len(word) == 1)
        self.subject_cues = cue_tokens(content, lambda name, word: name == SUBJECT_CLASS)
        # Spelled back from Latin letters, й is и ("aiyrmashylygy": аиырмашылыгы).
        self.subject_cues_from_latin = frozenset(c.replace("й", "и") for c in self.subject_cues)
        self.negations = cue_tokens(content, lambda name, word: name == NOT_CLASS)
        danger_examples = read_danger(content, vocab, self.word_classes)
        everyday = read_everyday(content, vocab)
        self.token_freq = vocab.counts()
        self._weigh(intents, answers)
        self._index_intents()
        self._index_examples(intents)
        classes = self.word_classes
        self.danger = DangerIndex(danger_examples, self._danger_weight, everyday,
                                  ordinary=[[classes.get(f, f) for f in row]
                                            for rows in intents.values() for row in rows],
                                  plain={c.id for c in content.protection.categories
                                         if c.said_in_ordinary_words})
        # Words only danger examples, word classes and everyday words use ("deport", "сына",
        # "chose"): known words, for typo correction and Latin spelling, that no topic uses.
        self.danger_features = (self.danger.features | self.word_classes.keys() | everyday) \
            - self.weight.keys()
        self._index_meta(content)
        # People repeat their typos and Latin spellings ("waht", "kense"): each distinct
        # token is corrected, or voted on, once per index rather than once per message.
        self.languages = LanguageDetector(vocab.languages(), self.weight, TOKEN_CACHE_SIZE)
        self.speller = Speller(self.token_freq, self.weight, self.danger_features, TOKEN_CACHE_SIZE)

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
    def understand(self, text: str, top: int = 3) -> Match:
        """Score every intent sharing a word with `text`, best first. A message of two
        questions ("where is the office and who heads it") gets the second as `also`; a long
        message not understood as a whole, the candidates of its best-understood clause."""
        match = self._understand(text, top)
        best = match.best
        confident = best is not None and best.score >= self.threshold
        asked = parts_of(text, self.languages.typed_in_latin(tokens(text)))
        if len(asked) < 2:
            return match
        return read_by_parts(match, confident, asked,
                             lambda part: self._topic_reading(part, top), self.threshold)

    @staticmethod
    def _as_written(said: list[str]) -> list[str]:
        """A message's tokens, those in Latin letters also spelled in Cyrillic ("vyslali")."""
        return said + [to_cyrillic(t) for t in said if t.isascii() and t.isalpha()]

    def _about_subject(self, said: list[str]) -> bool:
        """Whether a message holds a word of the subject class, as typed or, typed in Latin
        letters, as spelled back in Cyrillic ("diplomnoj": дипломной), a year of history
        ("deported to kazakhstan in 1944": the deportations of peoples, not a danger now), or
        laughter ("мама меня убьет хахах"). A cue after a negation does not count: "no news
        since the police took him" is no one reading the news."""
        cues = self.subject_cues
        asserted = [t for n, t in enumerate(said) if n == 0 or said[n - 1] not in self.negations]
        return not cues.isdisjoint(asserted) \
            or not self.subject_cues_from_latin.isdisjoint(
                to_cyrillic(t).replace("й", "и") for t in asserted if t.isascii()) \
            or any(t.isdigit() and len(t) == 4 and HISTORY_YEARS[0] <= int(t) <= HISTORY_YEARS[1]
                   for t in said) \
            or any(map(_LAUGH.match, said))

    def _topic_reading(self, part: str, top: int) -> Match | None:
        """The reading of a part of a message, if a topic is its best candidate (not the
        bot's own intents, not a near-miss)."""
        got = self._understand(part, top, with_danger=False)
        if got.best is not None \
                and self.intent_ids.index(got.best.intent) not in self.meta_intents \
                and near_miss_of(got.best.intent) is None:
            return got
        return None

    def analyse(self, text: str) -> tuple[list[str], list[tuple[str, str]], list[str]]:
        """The text's features (typos corrected), the corrections made, and unknown words."""
        words = tokens(text)
        return self.speller.read(words, self.languages.typed_in_latin(words))

    def detect_language(self, text: str) -> tuple[str | None, bool]:
        """The language `text` is written in, and whether that is certain."""
        return self.languages.detect(text)

    def _understand(self, text: str, top: int, with_danger: bool = True) -> Match:
        """Score every intent sharing a word with `text`; best first."""
        feats, corrections, unknown = self.analyse(text)
        classes = self.word_classes
        if with_danger:
            lang, certain = self.languages.detect(text)
            if certain and lang not in self.latin_languages:
                classes = self.cyrillic_classes
        # "I" is one letter, so no feature; but "i was raped" says who it happened to.
        said = tokens(text)
        if _KAZAKH_WHAT.search(text):  # "депортация деген не?": не is "what", not "not"
            classes = {f: c for f, c in classes.items() if f != "не"}
        danger = self.danger.find(list(dict.fromkeys(classes.get(f, f) for f in feats)),
                                  personal=not self.one_letter_cues.isdisjoint(said),
                                  about_subject=self._about_subject(said)
                                  or _LAUGHING_FACE.search(text) is not None,
                                  typed=self._as_written(said)) \
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

    def _weight(self, f: str) -> float:
        """A feature's weight; a word the content never uses weighs as the rarest known."""
        w = self.weight.get(f)
        if w is not None:
            return w
        return STOP_WEIGHT if f in STOP_FEATURES else self.unknown_weight

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
