"""Fuzzing: the `fuzz` Hypothesis profile and the text strategies the fuzz tests share.

The fuzz tests carry the `fuzz` marker, which the default run deselects; `make fuzz` runs
them with `--hypothesis-profile=fuzz` (10,000 examples each), and
`pytest -m fuzz tests/fuzz` with Hypothesis' default 100, for a quick look.
"""
from __future__ import annotations

import re
from functools import lru_cache

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from bot.answer import META_COMMANDS
from bot.content import load_content
from bot.message import Message

FUZZ_EXAMPLES = 10_000
LONG_TEXT_MAX = 5_000  # "very long" user text: longer than any message a person sends

settings.register_profile(
    "fuzz", max_examples=FUZZ_EXAMPLES, deadline=None, print_blob=True,
    # `no_internet` is an autouse function-scoped fixture; it holds no per-example state.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large])

# Characters that break naive text handling: controls, bidi marks, joiners, combining
# marks, case-folding expanders, look-alikes, separators, emoji sequences.
SPECIAL = (
    "\x00", "\x01", "\x07", "\x08", "\t", "\n", "\r", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f",
    "\x85", "\x9f", "\xa0", "\xad", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
    "\u2028", "\u2029", "\u3000", "\ufeff", "\ufe0f", "\ufffd", "\u0301", "\u0336", "İ", "ß",
    "ﬃ", "ǅ", "ſ", "ı", "ｏｆｆｉｃｅ", "ОФИС", "оФиС", "Ё", "𝐨𝐟𝐟𝐢𝐜𝐞", "😀", "👨‍👩‍👧", "🇰🇿",
    "👍🏽", "❤️", "\U0010ffff", "\U000e0001", "مكتب", "משרד", "办公室", "ऑफिस", "١٢٣",
    "/", "@", "#", "*", "**", "_", "`", "~", "|", "[x](https://e.org)", "<", ">", "&",
    "&amp;", "&lt;", "'", '"', "\\", "%s", "{0}", "{}", "\U0001f3f3\ufe0f\u200d\U0001f308",
)
_unicode = st.characters(exclude_categories=("Cs",))  # every code point but lone surrogates
_special = st.sampled_from(SPECIAL)

# Kazakh in Latin letters, as people type it: the 2021 alphabet and an ASCII-only habit.
_LATIN_2021 = {"а": "a", "ә": "á", "б": "b", "в": "v", "г": "g", "ғ": "ǵ", "д": "d",
               "е": "e", "ё": "ıo", "ж": "j", "з": "z", "и": "ı", "й": "ı", "к": "k",
               "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "ń", "о": "o", "ө": "ó", "п": "p",
               "р": "r", "с": "s", "т": "t", "у": "ý", "ұ": "u", "ү": "ú", "ф": "f", "х": "h",
               "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "y",
               "і": "i", "ь": "", "э": "e", "ю": "ıý", "я": "ıa"}
_LATIN_ASCII = {**_LATIN_2021, "ә": "a", "ғ": "gh", "ё": "yo", "ж": "zh", "и": "i", "й": "i",
                "ң": "ng", "ө": "o", "у": "u", "ү": "u", "х": "kh", "ю": "yu", "я": "ya"}


def to_latin(text: str, alphabet: str) -> str:
    """Cyrillic Kazakh spelled in Latin letters ("2021" or "ascii"), keeping each letter's case."""
    table = _LATIN_2021 if alphabet == "2021" else _LATIN_ASCII
    out = []
    for ch in text:
        latin = table.get(ch.lower())
        out.append(ch if latin is None else latin.upper() if ch.isupper() else latin)
    return "".join(out)


@lru_cache(maxsize=1)
def content_words() -> dict[str, tuple[str, ...]]:
    """Words and phrases from the shipped content, by the kind of input they make."""
    content = load_content()
    phrases: list[str] = []
    kazakh: list[str] = []
    commands = set(META_COMMANDS)
    for topic in content.topics:
        commands.update((topic.command, topic.id, *topic.aliases))
        for lang, text in topic.texts.items():
            own = [text.title, *text.examples, *text.keywords]
            phrases += own
            if lang == "kk":
                kazakh += own
    for by_lang in content.intents.values():
        for lang, said in by_lang.items():
            phrases += said
            if lang == "kk":
                kazakh += said
    for category in content.protection.categories:
        for said in category.examples.values():
            phrases += said
    phrases += content.languages.values()
    words = sorted({w for p in phrases for w in (*p.split(), *re.findall(r"\w+", p))})
    return {"phrases": tuple(sorted(set(phrases))), "words": tuple(words),
            "commands": tuple(sorted(commands)), "kazakh": tuple(sorted(set(kazakh))),
            "languages": tuple(sorted(content.languages)) + tuple(content.languages.values())}


def _from_content(kind: str) -> st.SearchStrategy[str]:
    return st.deferred(lambda: st.sampled_from(content_words()[kind]))


def _typo(word: str, position: int, letter: str, how: int) -> str:
    """The word with one letter dropped, changed, doubled or two letters swapped."""
    if not word:
        return letter
    i = position % len(word)
    return [word[:i] + word[i + 1:], word[:i] + letter + word[i + 1:],
            word[:i] + word[i] + word[i:], word[:i] + word[i + 1:i + 2] + word[i] + word[i + 2:]
            ][how % 4]


def _repeat(piece: str, times: int) -> str:
    return (piece * times)[:LONG_TEXT_MAX]


words = _from_content("words")
phrases = _from_content("phrases")
typos = st.builds(_typo, words, st.integers(0, 30), _unicode, st.integers(0, 3))
kazakh_in_latin = st.builds(to_latin, _from_content("kazakh"), st.sampled_from(["2021", "ascii"]))
separators = st.sampled_from([" ", "  ", "\n", ", ", "? ", "! ", "...", "\t", "\u200b", "-",
                              " \u200f", "\u00a0", "", "/"])
piece = st.one_of(words, phrases, typos, kazakh_in_latin, _special, st.text(_unicode, max_size=8))


@st.composite
def _joined(draw, parts: st.SearchStrategy[str], max_size: int) -> str:
    items = draw(st.lists(parts, max_size=max_size))
    return "".join(item + draw(separators) for item in items)


# A command as Telegram and Slack deliver them: "/cmd", "/cmd@bot args", "/CMD", "cmd args".
commands = st.builds(
    lambda slash, name, bot, gap, args: f"{slash}{name}{bot}{gap}{args}",
    st.sampled_from(["/", "", " /", "//"]),
    st.one_of(_from_content("commands"), _from_content("commands").map(str.upper),
              st.from_regex(r"[A-Za-z0-9_]{1,40}", fullmatch=True), st.text(_unicode, max_size=6)),
    st.one_of(st.just(""), st.from_regex(r"@[A-Za-z0-9_]{0,32}", fullmatch=True),
              st.text(_unicode, max_size=6).map(lambda s: "@" + s)),
    st.sampled_from(["", " ", "  ", "\n", "\t", "\u00a0"]),
    st.one_of(st.just(""), _from_content("commands"), _from_content("languages"),
              _joined(piece, 4)))

# Any text a person (or a broken client) may send, up to about 5,000 characters.
user_texts = st.one_of(
    st.text(_unicode, max_size=300),
    st.lists(st.one_of(_unicode, _special), max_size=120).map("".join),
    _joined(piece, 25),
    commands,
    kazakh_in_latin,
    st.builds(_repeat, st.one_of(st.text(_unicode, min_size=1, max_size=40), _joined(piece, 6)),
              st.integers(1, LONG_TEXT_MAX)),
)

# What adapters pass as the stored choice or the platform's hint: codes, tags, junk.
language_hints = st.one_of(st.none(), st.sampled_from(["", "en", "ru", "kk", "EN", "kk-KZ",
                                                        "ru_RU", "de", "-", "zh-Hans-CN"]),
                           st.text(max_size=8))
messages = st.builds(Message, text=user_texts,
                     platform=st.sampled_from(["console", "telegram", "slack"]),
                     preferred_lang=language_hints, platform_lang=language_hints,
                     slash_text=st.booleans())
