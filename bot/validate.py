"""Checks of the content files: every problem at once, with file, line and a hint.

Each file is checked against its JSON Schema first (bot/schema.py: the shape, with the
schema's own messages). What follows here is what one file's schema cannot see: ids,
commands and examples used twice, topics named that do not exist, a text for each language
of messages.yaml, the length of an answer as readers see it, the {placeholders} a text may
use, and dates against today. It reads only values that keep to the schema.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from bot import limits
from bot.markup import parse_markup, plain_text
from bot.schema import Shaped, as_date, check_shape, load_schemas
from bot.text import normalize
from bot.yamlsrc import Document, Problem

RETENTION_PLACEHOLDERS = ("language_days", "declined_days", "dedup_hours")
# The {placeholders} each message may use; any other brace is a slip that would crash.
PLACEHOLDERS = {"translation_missing": ("language",), "as_of": ("date",), "source": ("source",),
                "date_format": ("day", "month", "month_number", "year"),
                "privacy": RETENTION_PLACEHOLDERS,
                "about_bot": RETENTION_PLACEHOLDERS, "review_overdue": ("date",)}
CONTACT_PLACEHOLDERS = ("name", "reach", "verified_by", "date")
DEFAULT_FOOTER = 60  # the source/as-of line's length when messages.yaml cannot tell it


def validate_documents(messages: Document | None, topics: list[Document],
                       unreadable_ids: Iterable[str] = (), *,
                       protection: Document | None = None) -> list[Problem]:
    """Every problem in the parsed content files.

    `unreadable_ids` are the ids (file stems) of topic files that did not parse: their
    syntax error is already reported, so `related` naming them is not a second error.
    """
    out: list[Problem] = []
    schemas, schema_problems = load_schemas()
    out += schema_problems

    def shaped(doc: Document, kind: str) -> Shaped:
        for path, where in doc.duplicate_keys:
            out.append(Problem(where, f"key '{path[-1]}' appears twice",
                               "keep one: YAML silently uses the last one"))
        return check_shape(doc, schemas[kind], out)

    m = shaped(messages, "messages") if messages is not None else None
    shaped_topics = [shaped(doc, "topic") for doc in topics]
    p = shaped(protection, "protection") if protection is not None else None
    languages, default = _check_messages(m, out) if m is not None else ([], "en")
    footer, shows_source = _footer_length(m, languages)
    examples, topic_ids = _check_topics(shaped_topics, languages, default, footer, shows_source,
                                        set(unreadable_ids), out)
    _check_gives(shaped_topics, set((m.mapping("asks_for") or {}) if m is not None else ()), out)
    if p is not None:
        check_protection(p, languages, default, topic_ids, examples, out)
    if m is not None:
        _check_menu(m, topic_ids, out)
    return out


def _check_gives(topics: list[Shaped], kinds: set[str], out: list[Problem]) -> None:
    """Every kind a topic `gives` is one that messages.yaml `asks_for` names."""
    for t in topics:
        r = _Report(t, out)
        for i, kind in t.each("gives"):
            if isinstance(kind, str) and kind not in kinds:
                named = ", ".join(sorted(kinds)) or "none yet"
                r.error(("gives", i), f"kind '{kind}' is not named in messages.yaml asks_for",
                        f"use one of: {named}; or add it there with the words that ask for it")


def _check_menu(m: Shaped, topic_ids: set[str], out: list[Problem]) -> None:
    """Every topic `settings.menu` puts first exists, and is named once."""
    r, seen = _Report(m, out), set()
    for i, topic_id in m.each("settings", "menu"):
        if topic_id in seen:
            r.warning(("settings", "menu", i), f"topic '{topic_id}' is listed twice in the menu",
                      "keep the first")
        elif topic_id not in topic_ids:
            close = difflib.get_close_matches(topic_id, sorted(topic_ids), n=1)
            r.error(("settings", "menu", i), f"topic '{topic_id}' does not exist",
                    f"did you mean '{close[0]}'?" if close else "use the id of a topic file")
        seen.add(topic_id)


class _Report:
    """Builds the Problems of one document."""

    def __init__(self, shaped: Shaped, out: list[Problem]):
        self.shaped, self.doc, self.out = shaped, shaped.doc, out

    def error(self, path: Iterable, message: str, hint: str = "") -> None:
        self.out.append(Problem(self.doc.where(*path), message, hint, "error"))

    def warning(self, path: Iterable, message: str, hint: str = "") -> None:
        self.out.append(Problem(self.doc.where(*path), message, hint, "warning"))

    def each_language(self, path: tuple, languages: list[str], default: str,
                      missing: tuple[str, str] | None, hint: str = "", sections: bool = False) -> None:
        """A value under `path` for each language of messages.yaml and for no other (the
        schemas name no language: a new one is added to messages.yaml alone). Without one in
        the default language is an error, in another a warning (the bot falls back to the
        default one): `missing` is their messages, naming {name} (the last key of `path`) and
        {lang}. With `sections`, only mapping values are languages (a topic's sections)."""
        present = self.shaped.mapping(*path)
        if present is None or not languages:
            return
        for key, value in present.items():
            if key in languages or (sections and not isinstance(value, dict)):
                continue
            if self.shaped.keeps(*path, key):
                close = difflib.get_close_matches(str(key), languages, n=1)
                self.error(path + (key,), f"unknown key '{key}': not a language of messages.yaml",
                           f"did you mean '{close[0]}'?" if close else "languages: " + ", ".join(languages))
        if missing is None:
            return
        for lang in (lang for lang in languages if lang not in present):
            error, warning = (m.format(name=path[-1] if path else "", lang=lang) for m in missing)
            if lang == default:
                self.error(path, error)
            else:
                self.warning(path, warning, hint.format(lang=lang))

    def texts(self, path: tuple, languages: list[str], default: str) -> None:
        """A text (or list) for each language."""
        missing = ("'{name}' has no '{lang}' (the default language)", "'{name}' has no '{lang}' text")
        self.each_language(path, languages, default, missing, f"the bot falls back to '{default}' for it")

    def sections(self, path: tuple, languages: list[str], default: str, hint: str) -> None:
        """A section for each language, of a topic or a danger category."""
        self.each_language(path, languages, default, ("the '{lang}' section is missing (the default "
                           "language)", "the '{lang}' section is missing"), hint, sections=True)

    def placeholders(self, path: tuple, allowed: Iterable[str], message: str, hint: str) -> None:
        """Each text at `path` formats with the placeholders it is given, and only those."""
        for lang in self.shaped.mapping(*path) or ():
            text = self.shaped.value(*path, lang)
            try:
                str(text).format(**dict.fromkeys(allowed, 1))
            except (KeyError, IndexError, ValueError, AttributeError):
                self.error(path + (lang,), message, hint)


def _check_messages(m: Shaped, out: list[Problem]) -> tuple[list[str], str]:
    """Check messages.yaml across its keys; its languages and default language."""
    r = _Report(m, out)
    # Until every language is well named, no text is checked against them: one slip there
    # would make every text in that language unknown.
    languages = list(m.value("languages") or ())
    settings = m.mapping("settings") or {}
    default = settings.get("default_language", "en")  # the bot's, when it is left out
    stated = "default_language" not in settings or m.value("settings", "default_language")
    if languages and stated and default not in languages:
        r.error(("settings", "default_language"), f"default_language '{default}' is not in languages",
                "one of " + ", ".join(languages))
    default = default if default in languages else (languages[0] if languages else "en")
    for key in m.mapping("messages") or ():
        r.texts(("messages", key), languages, default)
        if key != "months":
            allowed = PLACEHOLDERS.get(key, ())
            names = ", ".join("{" + a + "}" for a in allowed) or "none"
            r.placeholders(("messages", key), allowed, "a { } placeholder this message is not given",
                           f"it may use: {names}; write a brace as {{{{ or }}}}")
    for key in m.mapping("intents") or ():
        r.texts(("intents", key), languages, default)
    for key in ("language_words", "now_words"):
        r.texts((key,), languages, default)
    for kind in m.mapping("asks_for") or ():
        r.texts(("asks_for", kind), languages, default)
    return languages, default


def _footer_length(m: Shaped | None, languages: list[str]) -> tuple[int, bool]:
    """The longest source + as-of line any language renders, without the topic's own source,
    and whether a language shows that source (the editors' paragraph reference)."""
    if m is None:
        return DEFAULT_FOOTER, True
    try:
        longest, shows_source = 0, False
        for lang in languages:
            months = m.value("messages", "months", lang)
            date_text = m.value("messages", "date_format", lang).format(
                day=25, month=max(months, key=len), month_number=12, year=2016)
            source = m.value("messages", "source", lang)
            line = source.format(source="") + " · " + m.value("messages", "as_of", lang).format(
                date=date_text)
            longest, shows_source = max(longest, len(line)), shows_source or "{source}" in source
        return (longest, shows_source) if longest else (DEFAULT_FOOTER, True)
    except (KeyError, TypeError, AttributeError, IndexError, ValueError):  # a text not there
        return DEFAULT_FOOTER, True


def _check_topics(topics: list[Shaped], languages: list[str], default: str, footer_len: int,
                  shows_source: bool, unreadable: set[str], out: list[Problem]) -> tuple[dict, set[str]]:
    """Check the topic files across each other; return the examples seen and the topic ids
    (with those of files too broken to tell), for the checks that follow."""
    # First uses, by the document that has them: a position is looked up only for a report.
    ids: dict[str, Document] = {}
    commands: dict[str, tuple[str, Document, tuple]] = {}
    examples: dict[str, tuple[str, Document, str, list]] = {}  # the section of the first
    known = set(unreadable)
    for t in topics:
        raw_id = (t.mapping() or {}).get("id")
        known |= {raw_id} if isinstance(raw_id, str) else set()
        if t.value("id") is None:  # its id is broken: others may name it by its file
            known.add(Path(t.doc.file).stem)
    for t in topics:
        r, d = _Report(t, out), t.mapping()
        if d is None:
            continue
        topic_id = t.value("id")
        if topic_id in ids:
            first = ids[topic_id].where("id")
            r.error(("id",), f"id '{topic_id}' is also used in {first.file}:{first.line}",
                    "each topic needs its own id")
        elif topic_id is not None:
            ids[topic_id] = t.doc
        name = topic_id or Path(t.doc.file).stem
        _check_commands(r, name, commands)
        for i, rel in t.each("related"):
            if rel not in known:
                close = difflib.get_close_matches(rel, sorted(known), n=1)
                hint = f"did you mean '{close[0]}'?" if close else "use the id of another topic file"
                r.error(("related", i), f"related topic '{rel}' does not exist", hint)
        review_by = t.value("review_by")
        if review_by is not None and as_date(review_by) < date.today():
            r.warning(("review_by",), f"this topic was due for review on {as_date(review_by).isoformat()}",
                      "check the answer against the latest source, then set a new review_by; "
                      "until then the bot says the answer may be out of date")
        r.sections((), languages, default, f"'{{lang}}' readers get the '{default}' answer with a note")
        footer = footer_len + (len(t.value("source") or "") if shows_source else 0)
        for lang in languages or [k for k, v in d.items() if isinstance(v, dict)]:
            _check_answer_length(r, lang, footer)
            _check_examples(r, lang, name, examples)
    return examples, known | set(ids)


def _check_commands(r: _Report, topic_id: str, seen: dict) -> None:
    """A command or alias opens one topic."""
    t = r.shaped
    words = [(("command",), t.value("command"))] + [(("aliases", i), a) for i, a in t.each("aliases")]
    for path, word in words:
        if word is None:
            continue
        if word in seen and seen[word][0] != topic_id:
            other, doc, first = seen[word]
            where = doc.where(*first)
            r.error(path, f"command '/{word}' is also used by topic '{other}' "
                          f"({where.file}:{where.line})", "each command opens one topic")
        else:
            seen.setdefault(word, (topic_id, r.doc, path))


def _check_answer_length(r: _Report, lang: str, footer_len: int) -> None:
    """An answer fits a phone, counted as a reader sees it: title, answer, then the source
    and as-of line."""
    title, answer = r.shaped.value(lang, "title"), r.shaped.value(lang, "answer")
    if title is None or answer is None:
        return
    size = len(title) + 2 + len(plain_text(parse_markup(answer))) + 2 + footer_len
    if size > limits.ANSWER_MAX_CHARS:
        r.error((lang, "answer"), f"answer is too long: {size} characters with the title "
                "and the source/as-of line",
                f"shorten it to {limits.ANSWER_MAX_CHARS}, or split the topic in two")


def _check_examples(r: _Report, lang: str, topic_id: str, seen: dict) -> None:
    """An example question belongs to one topic, and is listed once."""
    # Examples are remembered by their section, and the first one's place is looked up only
    # for a report: a record per example would leave tens of thousands of small objects for
    # the garbage collector to walk.
    section_ref = (topic_id, r.doc, lang, (r.shaped.mapping(lang) or {}).get("examples"))
    for i, ex in r.shaped.each(lang, "examples"):
        key = normalize(ex)
        if key not in seen:
            seen[key] = section_ref
            continue
        other, doc, other_lang, other_examples = seen[key]
        if other == topic_id:
            r.warning((lang, "examples", i), f"example '{ex}' is listed twice")
        else:
            j = next(j for j, x in enumerate(other_examples) if normalize(x) == key)
            first = doc.where(other_lang, "examples", j)
            r.error((lang, "examples", i), f"example '{ex}' is also under topic '{other}' "
                    f"({first.file}:{first.line})", "an example question belongs to one topic")


# -- protection.yaml ---------------------------------------------------------------------

def check_protection(p: Shaped, languages: list[str], default: str, topic_ids: set[str],
                     topic_examples: dict, out: list[Problem]) -> None:
    """Check protection.yaml against the topics and itself: the topics its categories point
    to, examples that belong to one category, each language, replies' length, contacts' age."""
    r = _Report(p, out)
    r.texts(("contacts_heading",), languages, default)
    r.texts(("contact_line",), languages, default)
    r.placeholders(("contact_line",), CONTACT_PLACEHOLDERS,
                   "contact_line may use only " + ", ".join("{" + c + "}" for c in CONTACT_PLACEHOLDERS),
                   "e.g. {name}: {reach} (checked by {verified_by}, {date})")
    seen: dict[str, tuple[str, str]] = {}
    for category_id in p.mapping("categories") or ():
        _check_category(r, category_id, languages, default, topic_ids, topic_examples, seen)
    r.each_language(("look_alikes",), languages, default, missing=None)  # a language may have none
    for lang in p.mapping("look_alikes") or ():
        for i, text in p.each("look_alikes", lang):
            if normalize(text) in seen:
                r.error(("look_alikes", lang, i), f"'{text}' is also an example of category "
                        f"'{seen[normalize(text)][0]}'", "a message is either danger or not")
    for name in p.mapping("word_classes") or ():
        r.texts(("word_classes", name), languages, default)
    today = date.today()
    for i, contact in p.each("verified_contacts"):
        checked = as_date(contact["as_of"])
        if (today - checked).days > limits.CONTACT_RECHECK_DAYS:
            r.warning(("verified_contacts", i, "as_of"), f"this contact was checked on "
                      f"{checked.isoformat()}, more than {limits.CONTACT_RECHECK_DAYS} days ago",
                      "check it again, then update as_of")


def _check_category(r: _Report, category_id: str, languages: list[str], default: str,
                    topic_ids: set[str], topic_examples: dict, seen: dict) -> None:
    p, path = r.shaped, ("categories", category_id)
    for i, topic_id in p.each(*path, "points_to"):
        if topic_id not in topic_ids:
            close = difflib.get_close_matches(topic_id, sorted(topic_ids), n=1)
            r.error(path + ("points_to", i), f"topic '{topic_id}' does not exist",
                    f"did you mean '{close[0]}'?" if close else "use the id of a topic file")
    r.sections(path, languages, default, "messages in '{lang}' are read with the other languages' "
               f"examples, and get the '{default}' reply")
    for lang in languages or list(p.mapping(*path) or ()):
        reply = p.value(*path, lang, "reply")
        if reply is not None and len(plain_text(parse_markup(reply))) > limits.ANSWER_MAX_CHARS:
            r.error(path + (lang, "reply"), "the reply is too long",
                    f"keep it under {limits.ANSWER_MAX_CHARS} characters: it is read in distress")
        for i, ex in p.each(*path, lang, "examples"):
            key = normalize(ex)
            where = path + (lang, "examples", i)
            if key in topic_examples:
                r.error(where, f"example '{ex}' is also a question of topic "
                        f"'{topic_examples[key][0]}'", "a message is either danger or a question")
            elif key in seen and seen[key][0] != category_id:
                r.error(where, f"example '{ex}' is also under category '{seen[key][0]}'",
                        "an example belongs to one category")
            elif key in seen:
                r.warning(where, f"example '{ex}' is listed twice")
            seen.setdefault(key, (category_id, ex))
