"""What is kept of a question the bot could not answer: the question, not the person.

Digits, e-mail addresses, links, @handles, names and street addresses are replaced by a
word saying what was there, before the text is stored for the editors' report.
"""
from __future__ import annotations

import re
from collections.abc import Callable

_UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_LOWER = "a-zа-яёәғқңөұүһі"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@\w+")
# "my name is X Y", "меня зовут X", "менің атым X": the word after the cue, and the next one
# when it is capitalised (a surname).
_NAME_CUE = re.compile(
    rf"(?i:\b(my name is|i am called|call me|меня зовут|моё имя|мое имя|моя фамилия|"
    rf"менің атым|атым|есімім|тегім))\s+\S+(?:\s+[{_UPPER}][{_LOWER}]+)?")
# A street word with the words around it: "12 Abay street", "улица Абая, 5", "Абай көшесі".
_STREET = re.compile(
    r"(?i)(?:\S+\s+)?\b(?:street|str\.|avenue|ave\.|road|lane|улиц\w*|ул\.|проспект\w*|"
    r"переул\w*|мкр\.?|микрорайон\w*|көше\w*|даңғыл\w*|шағын\s*аудан\w*)(?:[\s,]+\S+)?")
_WORD = re.compile(rf"\b[{_UPPER}][{_LOWER}]+\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)$")
_DIGIT = re.compile(r"\d")


def scrub(text: str, is_known: Callable[[str], bool]) -> str:
    """`text` with what identifies a person replaced; `is_known(word)` tells a word the
    content uses ("Almaty", "UNHCR") from a name."""
    text = _EMAIL.sub(" email ", text)
    text = _LINK.sub(" link ", text)
    text = _HANDLE.sub(" handle ", text)
    text = _NAME_CUE.sub(lambda m: f"{m.group(1)} name", text)
    text = _STREET.sub(" address ", text)
    text = _names(text, is_known)
    return _DIGIT.sub("#", text)


def _names(text: str, is_known: Callable[[str], bool]) -> str:
    """Capitalised words inside a sentence that the content does not use: names."""
    out, last = [], 0
    for match in _WORD.finditer(text):
        word, start = match.group(0), match.start()
        if _SENTENCE_START.search(text[:start]) or is_known(word.lower()):
            continue
        out.append(text[last:start] + "name")
        last = match.end()
    return "".join(out) + text[last:]
