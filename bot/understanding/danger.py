"""Danger: which kind of harm a message speaks of, and whether it outweighs a topic's answer.

Topics are scored by how much of the message they cover, so that a long message about
something else is declined. Danger is read the other way round: by how much of one
danger example the message holds, wherever and among whatever other words. A person who
tells their whole story before "they will deport me" is not diluted into a decline.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from bot.text import STOP_FEATURES, fold
from bot.understanding.odds import DangerOdds


def word_class(name: str) -> str:
    """What every word of a class of interchangeable words becomes ("сын", "ребёнок",
    "ұлым" all read as <child>: "пропал ребёнок" says what "сын пропал" says)."""
    return f"<{name}>"


def is_word_class(f: str) -> bool:
    """Whether a feature stands for a class of words rather than a word."""
    return f.startswith("<")


# The class of words that say a message asks about the subject, not of someone's own danger
# ("for my essay: can refugees be deported", "депортация по закону, для курсовой").
SUBJECT_CLASS = "subject"
# The class of negations ("not", "не", "жоқ"): a danger example that says it, a message must.
NOT_CLASS = "not"
NOT = word_class(NOT_CLASS)
# The class of everyday words of ordinary stories ("came", "days", "live", "приехал", "бұрын"):
# in a long message they do not, alone, make a danger example match (see `DangerIndex.find`).
EVERYDAY_CLASS = "everyday"
# A message of this many content words, class words included, tells a story: the chance that
# its everyday words complete some danger example ("we" + "last week" holds "this is my last
# goodbye") grows with its length.
STORY_WORDS = 12
# An everyday word counts this much of its weight in a danger example: "gave me days to
# leave" is held by "leave", hardly by "days" ("how many days do i have to appeal"). Measured
# over the evaluation sets: 0.5 gave 7 fewer false referrals on tests/eval/protection.yaml and
# no lower recall; 0.3 and less cost recall, 0.7 kept most of the false referrals.
EVERYDAY_WEIGHT = 0.5


# Function words count in an example, a little: "не хочу жить" (don't want to live) must
# not fire on "где жить" (where to live), nor "i dont want to live" on "where do they live".
DANGER_STOP_WEIGHT = 0.5
# A message must hold two of an example's words that say what happened (see `_holds_enough`):
# one generic word ("границе", "missing", "лучше") is not danger, however rare in the topics.
MIN_WORDS_HELD = 2
# The fewest letters of a one-word example a message's word must begin with to hold it
# without saying who: enough to tell a verb ("deporte-") from its noun ("deporta-").
AS_WRITTEN = 7
# A look-alike that holds every danger word matched, and that the message holds this much
# of (or nearly as much as of the danger example), speaks for an ordinary question.
LOOK_ALIKE_HELD = 0.65
LOOK_ALIKE_MARGIN = 0.1
# The odds of danger read from every word of a message (see `DangerOdds`) decide where one
# example cannot: a message whose words are this likely danger gets the referral though no
# example holds it ("my son taken by police, no news"), and one that holds under WEAK_MATCH
# of an example and whose words are ordinary at these odds does not ("my asylum claim got
# rejected, how to appeal it and how many days i have"). Measured over tests/eval/protection.yaml and
# understanding.yaml: see the comment of `referral_rule`.
RESCUE_ODDS = 3.0
ORDINARY_ODDS = -8.0
WEAK_MATCH = 0.8
# Words this ordinary are no danger however much of an example the message holds: a story of
# a family whose father lost his job holds "lost" and <child> ("our child is lost"), and
# every other word of it is a topic's. Measured on tests/eval (2026-11-30, fifth session):
# at -20, 6 fewer false referrals of the protection set's 957 and 7 fewer referrals of the
# understanding set's 615, no danger message lost; at -17, -15 and -12, 1, 2 and 3 fewer
# again for 3, 7 and 17 danger messages. Not for a category said in ordinary words
# (content/protection.yaml `said_in_ordinary_words`): a long story of loss that ends "I
# bought a lot of pills today. I just want someone to know my name" adds up to -26. Exempting
# self-harm cost 1 false referral and 4 understanding referrals, all through four self-harm
# examples of generic words, since removed ("это последнее что я пишу"; "без меня справитесь",
# which "справка" held).
FAR_ORDINARY_ODDS = -20.0


@dataclass(frozen=True)
class Danger:
    """The danger example closest to a message, and how much of it the message holds."""

    category: str
    score: float  # the share of the example's weight found in the message, 0..1
    matched: tuple[str, ...]  # the example's content words found (function words left out)
    example: str
    # The closest ordinary message that holds every matched word, word classes aside ("i'm
    # dying to know" beside "i want to die"), and how much of it the message holds.
    look_alike: str | None = None
    look_alike_score: float = 0.0
    # The message says it asks about the subject (a word of the class "subject", as typed:
    # essay, курсовой, жалпы), for study or the news, rather than of someone in danger.
    about_subject: bool = False
    # The log-odds of danger from every word of the message (see `DangerOdds`).
    odds: float = 0.0
    # Its category is said in ordinary words: the odds never take the referral away.
    said_in_ordinary_words: bool = False


@dataclass(frozen=True, slots=True)
class _Example:
    category: str  # "" for a look-alike
    text: str
    words: tuple[str, ...]  # content features
    stops: tuple[str, ...]  # function-word features
    total: float


class DangerIndex:
    """The danger examples of every category, indexed by their content words."""

    def __init__(self, examples: Iterable[tuple[str, str, Sequence[str]]],
                 weight: Callable[[str], float], everyday: Collection[str] = frozenset(),
                 ordinary: Iterable[Sequence[str]] = (), plain: Collection[str] = frozenset()):
        """`examples` are (category, text, features), category "" for a look-alike (an
        ordinary message that shares words with danger); `weight(f)` says how much a content
        word tells of danger (rarer in the topics, heavier); `everyday`, the features of
        everyday words (see `EVERYDAY_CLASS`); `ordinary`, the features of other ordinary
        phrases (the topics'), for the odds of danger; `plain`, the categories said in
        ordinary words (see `FAR_ORDINARY_ODDS`)."""
        self._everyday = frozenset(everyday)
        self._plain = frozenset(plain)
        self._examples: list[_Example] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        rows = [(category, text, list(dict.fromkeys(feats))) for category, text, feats in examples]
        self.odds = DangerOdds(((category, feats) for category, _, feats in rows if category),
                               [*(feats for category, _, feats in rows if not category), *ordinary])
        self._weight = _weights(rows, weight)
        for f in self._everyday & self._weight.keys():
            self._weight[f] *= EVERYDAY_WEIGHT
        for category, text, unique in rows:
            words = tuple(f for f in unique if f not in STOP_FEATURES)
            if not words:
                continue  # function words alone say nothing of danger
            stops = tuple(f for f in unique if f in STOP_FEATURES)
            for f in words:
                self._postings[f].append(len(self._examples))
            total = sum(self._weight[f] for f in words) + DANGER_STOP_WEIGHT * len(stops)
            self._examples.append(_Example(category, text, words, stops, total))

    @property
    def features(self) -> frozenset[str]:
        """The content words of every danger example."""
        return frozenset(self._weight)

    def find(self, words: Sequence[str], personal: bool = False,
             about_subject: bool = False, typed: Collection[str] = ()) -> Danger | None:
        """The danger example a message's features (in the message's order) hold most of,
        with the look-alike that best accounts for it; None when no danger example is held
        (see `_holds_enough`). `personal`: the message says "I", which is no feature;
        `about_subject`: it says it asks about the subject (see `Danger.about_subject`);
        `typed`: its tokens as typed (Latin ones also spelled in Cyrillic)."""
        feats = set(words)
        # Someone, a child or "not" says who it happened to.
        personal = personal or any(map(is_word_class, words))
        held: dict[int, float] = {}
        for f in words:  # summed in the message's order: the same sums, the same ties, each run
            if is_word_class(f):
                continue  # "my son" alone is no danger: only words that say what happened count
            for n in self._postings.get(f, ()):
                held[n] = held.get(n, 0.0) + self._weight[f]
        scored = []
        story = sum(f not in STOP_FEATURES for f in feats) >= STORY_WORDS
        for n, got in held.items():
            example = self._examples[n]
            if not _holds_enough(example, feats, personal and not story, typed):
                continue
            if story and example.category and self._only_everyday(example, feats):
                continue
            got += sum(self._weight[f] for f in example.words if is_word_class(f) and f in feats)
            got += DANGER_STOP_WEIGHT * sum(f in feats for f in example.stops)
            scored.append((got / example.total, got, -n, example))  # first example wins a tie
        danger = max((s for s in scored if s[3].category), default=None, key=_rank)
        odds = round(self.odds.of(feats), 4)
        if danger is None:
            likeliest = self.odds.likeliest(feats) if odds >= RESCUE_ODDS else None
            return None if likeliest is None else Danger(
                category=likeliest, score=0.0, matched=(), example="", odds=odds,
                about_subject=about_subject)
        example = danger[3]
        matched = tuple(f for f in example.words if f in feats)
        said = [f for f in matched if not is_word_class(f)]
        alike = max((s for s in scored if not s[3].category and all(f in s[3].words for f in said)),
                    default=None, key=_rank)
        return Danger(category=example.category, score=round(danger[0], 4), matched=matched,
                      example=example.text, look_alike=alike[3].text if alike else None,
                      look_alike_score=round(alike[0], 4) if alike else 0.0,
                      about_subject=about_subject, odds=odds,
                      said_in_ordinary_words=example.category in self._plain)


    def _only_everyday(self, example: _Example, feats: Collection[str]) -> bool:
        """Whether every word of a danger example that a message holds, class words aside,
        is an everyday word ("day" of "gave me days to leave"), and there is such a word."""
        said = [f for f in example.words if f in feats and not is_word_class(f)]
        return bool(said) and all(f in self._everyday for f in said)


def _holds_enough(example: _Example, feats: Collection[str], personal: bool,
                  typed: Collection[str]) -> bool:
    """Whether a message holds enough of a danger example to be read by it at all: two of
    its words, or its one ("deported", "изнасиловали") in a message that says who or
    "not" ("*i* was raped", not "депортация беженцев по закону"), or that holds the word
    as written, not only its stem: Russian and Kazakh leave the pronoun out ("на улице
    трое напали"), and "напали" is not "нападение", "deported" not "deportation".
    A story (see `STORY_WORDS`) is not `personal` here: nearly every story names a relative,
    so only the word as written holds a one-word example ("күйеуім ... біреулері соғыстан
    қашады", flee, read as "қамады", locked up). Measured on tests/eval (2026-11-30, sixth
    session): 1 fewer referral in the understanding set's 1,027 messages and 1 more danger
    message of the protection set referred; an unseen set of 150, 1 fewer referral."""
    held = sum(f in feats for f in example.words)
    if held < min(len(example.words), MIN_WORDS_HELD):
        return False
    if NOT in example.words and NOT not in feats and example.category:
        return False  # "nothing to live for" says "not": "where we live" does not hold it
    return len(example.words) > 1 or personal or not example.category \
        or _written(example.text, typed)


def _written(word: str, typed: Collection[str]) -> bool:
    """Whether a message holds a word as written: a token of about its length (3 letters
    more or less) that begins with all its letters but its ending (the last one in English,
    "deporte-" of "deported", not "deporta-"; three in Russian and Kazakh, "депортациял-" of
    "депортациялады", deported, not "депортация"), and at least AS_WRITTEN of them."""
    word = fold(word.strip())
    start = word[:max(AS_WRITTEN, len(word) - (1 if word.isascii() else 3))]
    return any(t.startswith(start) and abs(len(t) - len(word)) <= 3 for t in typed)


def _rank(scored: tuple[float, float, int, _Example]) -> tuple[float, float, int]:
    return scored[:3]


def _weights(rows: list[tuple[str, str, list[str]]],
             rarity: Callable[[str], float]) -> dict[str, float]:
    """Each content word's weight: its rarity among the topics, times how much it belongs
    to few categories. "deport" says removal; "brother" or "husband", found in examples of
    every category, only says who it happened to, and a message need not repeat it."""
    categories: dict[str, set[str]] = defaultdict(set)
    for category, _, feats in rows:
        for f in feats:
            if f not in STOP_FEATURES:
                categories[f].add(category)
    n = len({category for category, _, _ in rows if category}) or 1
    scale = math.log(1 + n)
    return {f: rarity(f) * math.log(1 + n / (len(held - {""}) or 1)) / scale
            for f, held in categories.items()}


# The rules of `referral_rule` that give the referral; the others give the topic's answer.
REFERRAL_RULES = frozenset({"odds-rescue", "look-alike-outweighed", "no-topic", "topic-lacks"})


def referral_rule(danger: Danger | None, danger_threshold: float, topic_score: float,
                  topic_words: Collection[str], topic_threshold: float) -> str:
    """Which rule decides between the referral and a topic's answer (`REFERRAL_RULES` refer).

    The costs are not equal: a person in danger who gets a topic menu is harmed, a person
    asking a question who gets the referral is only surprised. So danger, once read, wins,
    unless something ordinary accounts for every word that made the danger match: a topic
    that answers confidently ("which police committee does UNHCR support": the government
    topic holds "police"; "police took my husband" holds "took", which no topic does), or
    a look-alike that the message holds nearly as much of as of the danger example (0.1
    less), or two thirds of ("this deadline is killing me" beside "they want to kill me"); or
    the message says it asks about the subject ("for my essay", "жалпы білгім келеді").
    The odds of danger from every word of the message (see `DangerOdds`) come first: when
    the message holds its example under the threshold, or under WEAK_MATCH with words
    ordinary at ORDINARY_ODDS, the odds alone decide (RESCUE_ODDS). Measured over
    tests/eval/protection.yaml and understanding.yaml (2026-11-30): RESCUE_ODDS 3 caught 15
    more danger messages of 1,469 and referred no more ordinary ones; ORDINARY_ODDS -8 below
    WEAK_MATCH 0.8 took 25 false referrals of the protection set and 18 referrals of the
    understanding set away for 7 danger messages; -6 or -4 saved 3 to 6 more for 10 to 17
    danger messages, and WEAK_MATCH 0.9 or 1.0 saved 2 to 5 for 9 to 11.
    A look-alike does not outweigh the rest of the message: when all its words are danger at
    RESCUE_ODDS, the referral stands ("thank you for everything. tell my mother i tried.
    goodbye" holds the look-alike "thanks for everything, goodbye, see you"). Measured on
    the same sets (2026-11-30, fifth session): 9 more danger messages of 1,559 referred for
    1 more false referral; at odds 5 or 8 instead, 6 and 2 more for none.
    """
    if danger is None:
        return "none"
    if danger.about_subject:
        return "subject"
    if danger.score < danger_threshold or is_ordinary(danger):
        return "odds-rescue" if danger.odds >= RESCUE_ODDS else "odds-ordinary"
    if danger.look_alike_score >= min(danger.score - LOOK_ALIKE_MARGIN, LOOK_ALIKE_HELD):
        # an ordinary message holds every danger word, and the message holds it
        return "look-alike-outweighed" if danger.odds >= RESCUE_ODDS else "look-alike"
    if topic_score < topic_threshold:
        return "no-topic"
    danger_words = {f for f in danger.matched if not is_word_class(f)}
    return "topic-holds" if danger_words <= set(topic_words) else "topic-lacks"


def is_ordinary(danger: Danger) -> bool:
    """Whether a message's words are ordinary: far from danger, or ordinary and holding
    little of its danger example."""
    return is_far_from_danger(danger) \
        or (danger.score < WEAK_MATCH and danger.odds < ORDINARY_ODDS)


def is_far_from_danger(danger: Danger) -> bool:
    """Whether a message's words are far from danger, its category not said in ordinary words."""
    return danger.odds < FAR_ORDINARY_ODDS and not danger.said_in_ordinary_words
