"""Reading content for the index: phrases as rows of features, word classes, danger rows,
and the vocabulary (each token content uses: how often, in which languages)."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

from bot.content import Content
from bot.text import feature, features_of, script_counts, to_cyrillic, tokens
from bot.understanding.danger import EVERYDAY_CLASS, SUBJECT_CLASS, word_class

# A phrase's distinct features, in the order its set of features yields them: tuples,
# unlike sets, drop out of the garbage collector's sight, and the index holds many.
Row = tuple[str, ...]


class Vocabulary:
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


NOT_ABOUT = "not-about:"


def not_about(topic_id: str) -> str:
    """The intent of the questions a topic lists as `not_about`."""
    return NOT_ABOUT + topic_id


def near_miss_of(intent: str) -> str | None:
    """The topic a `not_about` intent belongs to; None for any other intent."""
    return intent[len(NOT_ABOUT):] if intent.startswith(NOT_ABOUT) else None


def read_phrases(content: Content, vocab: Vocabulary) -> tuple[dict[str, list[Row]],
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
    for topic in content.topics:  # what it does not answer: a decline that points to it
        for lang, text in topic.texts.items():
            for phrase in text.not_about:
                intents.setdefault(not_about(topic.id), []).append(_row(vocab.learn(phrase, lang)))
    for name, by_lang in content.intents.items():
        rows = intents.setdefault(name, [])
        for lang, phrases in by_lang.items():
            for phrase in phrases:
                rows.append(_row(vocab.learn(phrase, lang)))
    return intents, answers


def read_word_classes(content: Content, vocab: Vocabulary) -> dict[str, str]:
    """Each feature of a word of a class ("сын", "ұлым") -> its class ("<child>")."""
    return {feature(t): word_class(name)
            for name, by_lang in content.protection.word_classes.items()
            if name not in (SUBJECT_CLASS, EVERYDAY_CLASS)
            for lang, words in by_lang.items() for word in words for t in vocab.learn(word, lang)}


def read_everyday(content: Content, vocab: Vocabulary) -> frozenset[str]:
    """The features of the everyday words (see `EVERYDAY_CLASS`), known to the speller too:
    "chose" is a word, not a typo of "choke"."""
    words = content.protection.word_classes.get(EVERYDAY_CLASS, {})
    return frozenset(feature(t) for lang, listed in words.items() for word in listed
                     for t in vocab.learn(word, lang))


def cue_tokens(content: Content, keep: Callable[[str, str], bool]) -> frozenset[str]:
    """The words of the classes looked for among a message's tokens as typed, not as
    features: "I", "я" (too short to be features), and the subject class ("курсовой" says
    study, "курсы" does not, though both fold to "курс")."""
    return frozenset(t for name, by_lang in content.protection.word_classes.items()
                     for words in by_lang.values() for word in words
                     for t in tokens(word) if keep(name, word))


def read_danger(content: Content, vocab: Vocabulary,
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
