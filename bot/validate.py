"""Checks of the content files: every problem at once, with file, line and a hint."""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import date
from typing import Any, TypeGuard

from bot import limits
from bot.markup import parse_markup, plain_text
from bot.text import normalize
from bot.yamlsrc import Document, Problem

TOPIC_KEYS = ("id", "command", "aliases", "related", "source", "as_of", "can_change", "review_by")
TOPIC_LANG_KEYS = ("title", "examples", "keywords", "answer")
MESSAGES_TOP_KEYS = ("settings", "languages", "messages", "intents", "language_words", "now_words")
SETTINGS_KEYS = ("threshold", "default_language")
MESSAGE_KEYS = (
    "welcome", "privacy", "help", "help_slack",
    "menu", "fallback", "unknown_command", "greeting", "thanks",
    "about_bot", "language_prompt", "language_set", "translation_missing", "as_of",
    "source", "date_format", "slow_down", "months", "share_label", "command_language",
    "command_help", "command_start", "may_have_changed", "review_overdue",
)
INTENT_KEYS = ("greeting", "thanks", "about_bot", "help")
RETENTION_PLACEHOLDERS = ("language_days", "declined_days", "dedup_hours")
# The {placeholders} each message may use; any other brace is a slip that would crash.
PLACEHOLDERS = {"translation_missing": ("language",), "as_of": ("date",), "source": ("source",),
                "date_format": ("day", "month", "month_number", "year"),
                "privacy": RETENTION_PLACEHOLDERS,
                "about_bot": RETENTION_PLACEHOLDERS, "review_overdue": ("date",)}
# Meta commands the bot handles itself; no topic may take them.
RESERVED_COMMANDS = frozenset({"start", "help", "language", "lang", "menu", "topics", "privacy",
                               "unhcr", "settings"})
RESERVED_IDS = frozenset(INTENT_KEYS) | {"referral", "language", "fallback", "none"}
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
COMMAND_RE = re.compile(rf"^[a-z0-9_]{{1,{limits.TELEGRAM_COMMAND_MAX}}}$")
_LINK_TARGET = re.compile(r"\]\(([^)]*)\)")


def validate_documents(messages: Document | None, topics: list[Document],
                       unreadable_ids: Iterable[str] = (), *,
                       protection: Document | None = None) -> list[Problem]:
    """Every problem in the parsed content files.

    `unreadable_ids` are the ids (file stems) of topic files that did not parse: their
    syntax error is already reported, so `related` naming them is not a second error.
    """
    out: list[Problem] = []
    if messages is not None:
        languages, default = _check_messages(messages, out)
        footer_len, shows_source = _footer_length(messages.data, languages)
    else:
        # messages.yaml is unreadable (already reported): accept the language sections the
        # topics have rather than flag every one of them as an unknown key.
        languages = sorted({k for d in topics if isinstance(d.data, dict) for k, v in d.data.items()
                            if isinstance(v, dict) and re.fullmatch(r"[a-z]{2,3}", str(k))}) or ["en"]
        default, footer_len, shows_source = "en", 60, True
    examples = _check_topics(topics, languages, default, footer_len, shows_source,
                             set(unreadable_ids), out)
    if protection is not None:
        topic_ids = {str(d.data.get("id")) for d in topics if isinstance(d.data, dict)}
        check_protection(protection, languages, default, topic_ids | set(unreadable_ids),
                         examples, out)
    return out


class _Report:
    """Small helper that builds Problems for one document."""

    def __init__(self, doc: Document, out: list[Problem]):
        self.doc, self.out = doc, out

    def error(self, path: Iterable[Any], message: str, hint: str = "") -> None:
        self.out.append(Problem(self.doc.where(*path), message, hint, "error"))

    def warning(self, path: Iterable[Any], message: str, hint: str = "") -> None:
        self.out.append(Problem(self.doc.where(*path), message, hint, "warning"))

    def unknown_keys(self, mapping: dict, allowed: Iterable[str], path: tuple) -> None:
        allowed = list(allowed)
        for key in mapping:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(allowed)
                self.error(path + (key,), f"unknown key '{key}'", hint)

    def duplicates(self) -> None:
        for path, where in self.doc.duplicate_keys:
            self.out.append(Problem(where, f"key '{path[-1]}' appears twice",
                                    "keep one: YAML silently uses the last one"))


def _is_text(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and value.strip() != ""


def _check_messages(doc: Document, out: list[Problem]) -> tuple[list[str], str]:
    r = _Report(doc, out)
    r.duplicates()
    data = doc.data
    if not isinstance(data, dict):
        r.error((), "messages.yaml must be a mapping of settings, languages, messages, ...")
        return ["en"], "en"
    r.unknown_keys(data, MESSAGES_TOP_KEYS, ())
    langs = data.get("languages")
    if not isinstance(langs, dict) or not langs:
        r.error(("languages",), "'languages' is missing", "e.g. languages: {en: English, ru: Русский}")
        languages = ["en"]
    else:
        languages = [str(k) for k in langs]
        for code, name in langs.items():
            if not re.fullmatch(r"[a-z]{2,3}", str(code)) or not _is_text(name):
                r.error(("languages", code), f"bad language entry '{code}'",
                        "a 2-3 letter code and the language's name, e.g. kk: Қазақша")
    settings = data.get("settings")
    default = "en"
    if not isinstance(settings, dict):
        r.error(("settings",), "'settings' is missing", "settings: {threshold: 0.5, default_language: en}")
    else:
        r.unknown_keys(settings, SETTINGS_KEYS, ("settings",))
        t = settings.get("threshold")
        if not isinstance(t, (int, float)) or isinstance(t, bool) or not 0 < t < 1:
            r.error(("settings", "threshold"), "threshold must be a number between 0 and 1",
                    "0.5 is a good start: higher declines more, lower guesses more")
        default = str(settings.get("default_language", "en"))
        if default not in languages:
            r.error(("settings", "default_language"), f"default_language '{default}' is not in languages")
    msgs = data.get("messages")
    if not isinstance(msgs, dict):
        r.error(("messages",), "'messages' is missing")
    else:
        r.unknown_keys(msgs, MESSAGE_KEYS, ("messages",))
        for key in MESSAGE_KEYS:
            if key not in msgs:
                r.error(("messages",), f"message '{key}' is missing",
                        f"add '{key}:' with a text for each of {', '.join(languages)}")
                continue
            _check_by_language(r, msgs[key], ("messages", key), languages, default,
                               list_of=12 if key == "months" else None)
            _check_placeholders(r, key, msgs[key])
    intents = data.get("intents") or {}
    if not isinstance(intents, dict):
        r.error(("intents",), "'intents' must be a mapping of intent -> language -> phrases")
    else:
        r.unknown_keys(intents, INTENT_KEYS, ("intents",))
        for key, by_lang in intents.items():
            _check_by_language(r, by_lang, ("intents", key), languages, default, list_of=0)
    for key in ("language_words", "now_words"):
        if data.get(key) is not None:
            _check_by_language(r, data[key], (key,), languages, default, list_of=0)
    return languages, default


def _check_placeholders(r: _Report, key: str, texts: Any) -> None:
    """Each text formats with the placeholders its message is given, and only those."""
    allowed = PLACEHOLDERS.get(key, ())
    for lang, text in texts.items() if isinstance(texts, dict) and key != "months" else ():
        try:
            str(text).format(**dict.fromkeys(allowed, 1))
        except (KeyError, IndexError, ValueError):
            names = ", ".join("{" + a + "}" for a in allowed) or "none"
            r.error(("messages", key, lang), "a { } placeholder this message is not given",
                    f"it may use: {names}; write a brace as {{{{ or }}}}")


def _check_by_language(r: _Report, value: Any, path: tuple, languages: list[str], default: str,
                       list_of: int | None) -> None:
    """A mapping language -> text (list_of None) or -> list of texts (exactly N if N > 0)."""
    if not isinstance(value, dict):
        r.error(path, f"'{path[-1]}' needs one entry per language: " + ", ".join(languages))
        return
    r.unknown_keys(value, languages, path)
    for lang in languages:
        item = value.get(lang)
        if item is None:
            if lang == default:
                r.error(path, f"'{path[-1]}' has no '{lang}' (the default language)")
            else:
                r.warning(path, f"'{path[-1]}' has no '{lang}' text", "the bot falls back to "
                          f"'{default}' for it")
        elif list_of is None and not _is_text(item):
            r.error(path + (lang,), "expected a non-empty text")
        elif list_of is not None and (not isinstance(item, list)
                                      or not all(_is_text(x) for x in item)
                                      or (list_of and len(item) != list_of)):
            want = f"{list_of} texts" if list_of else "texts"
            r.error(path + (lang,), f"expected a list of {want}")


def _footer_length(data: Any, languages: list[str]) -> tuple[int, bool]:
    """The longest source + as-of line any language renders, without the topic's own source,
    and whether a language shows that source (the editors' paragraph reference)."""
    try:
        msgs = data["messages"]
        longest = 0
        for lang in languages:
            months = msgs["months"][lang]
            date_text = msgs["date_format"][lang].format(day=25, month=max(months, key=len),
                                                         month_number=12, year=2016)
            line = msgs["source"][lang].format(source="") + " · " + msgs["as_of"][lang].format(
                date=date_text)
            longest = max(longest, len(line))
        return longest, any("{source}" in str(msgs["source"][lang]) for lang in languages)
    except (KeyError, TypeError, AttributeError, IndexError, ValueError):
        return 60, True


def _check_topics(docs: list[Document], languages: list[str], default: str, footer_len: int,
                  shows_source: bool, unreadable: set[str], out: list[Problem]) -> dict:
    """Check every topic file; return the examples seen, for the checks that follow."""
    # First uses, by the document that has them: a position is looked up only for a report.
    ids: dict[str, Document] = {}
    commands: dict[str, tuple[str, Document, tuple]] = {}
    examples: dict[str, tuple[str, Document, str, list]] = {}  # the section of the first
    related: list[tuple[_Report, int, str]] = []
    for doc in docs:
        r = _Report(doc, out)
        r.duplicates()
        d = doc.data
        if not isinstance(d, dict):
            r.error((), "a topic file must be a mapping with id, command, ... and one section "
                        "per language", "see content/README.md")
            continue
        r.unknown_keys(d, TOPIC_KEYS + tuple(languages), ())
        topic_id: Any = d.get("id")
        if not _is_text(topic_id) or not ID_RE.match(str(topic_id)):
            r.error(("id",), "'id' is missing or not lowercase letters, digits and '-'",
                    "e.g. id: almaty-process")
            topic_id = doc.file
        elif topic_id in RESERVED_IDS:
            r.error(("id",), f"id '{topic_id}' is reserved for the bot's own intents")
        elif topic_id in ids:
            first = ids[topic_id].where("id")
            r.error(("id",), f"id '{topic_id}' is also used in {first.file}:{first.line}",
                    "each topic needs its own id")
        else:
            ids[topic_id] = doc
        _check_commands(r, d, str(topic_id), commands)
        for i, rel in enumerate(d.get("related") or []):
            related.append((r, i, str(rel)))
        if not isinstance(d.get("related", []), list):
            r.error(("related",), "'related' must be a list of topic ids")
        if not _is_text(d.get("source")):
            r.error(("source",) if "source" in d else (), "'source' is missing",
                    "name the paragraph(s) of the source document, e.g. source: \"¶3\"")
        review_by = d.get("review_by")
        if review_by is not None and not isinstance(review_by, date):
            r.error(("review_by",), "'review_by' is not a date", "YYYY-MM-DD, e.g. 2027-03-25")
        elif review_by is not None and review_by < date.today():
            r.warning(("review_by",), f"this topic was due for review on {review_by.isoformat()}",
                      "check the answer against the latest source, then set a new review_by; "
                      "until then the bot says the answer may be out of date")
        if not isinstance(d.get("can_change", False), bool):
            r.error(("can_change",), "'can_change' must be true or false",
                    "true when the answer holds something that can go stale: who holds a post, "
                    "counts, what UNHCR does now")
        as_of = d.get("as_of")
        if not isinstance(as_of, date):
            r.error(("as_of",) if "as_of" in d else (), "'as_of' is missing or not a date",
                    "write the date the facts are from as YYYY-MM-DD, e.g. as_of: 2016-03-25")
        for lang in languages:
            section = d.get(lang)
            if section is None:
                if lang == default:
                    r.error((), f"the '{lang}' section is missing (the default language)")
                else:
                    r.warning((), f"the '{lang}' section is missing",
                              f"'{lang}' readers get the '{default}' answer with a note")
                continue
            footer = footer_len + (len(str(d.get("source", ""))) if shows_source else 0)
            _check_topic_language(r, section, lang, str(topic_id), footer, examples)
    for r, i, rel in related:
        if rel not in ids and rel not in unreadable:
            close = difflib.get_close_matches(rel, list(ids), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "use the id of another topic file"
            r.error(("related", i), f"related topic '{rel}' does not exist", hint)
    return examples


def _check_commands(r: _Report, d: dict, topic_id: str, seen: dict) -> None:
    words: list[tuple[tuple[Any, ...], Any]] = [(("command",), d.get("command"))]
    aliases = d.get("aliases") or []
    if not isinstance(aliases, list):
        r.error(("aliases",), "'aliases' must be a list of commands")
        aliases = []
    words += [(("aliases", i), a) for i, a in enumerate(aliases)]
    for path, word in words:
        if word is None and path == ("command",):
            r.error((), "'command' is missing", "the /command for this topic, e.g. command: office")
            continue
        word = str(word)
        if not COMMAND_RE.match(word):
            r.error(path, f"command '{word}' is not valid",
                    "1-32 characters of lowercase a-z, 0-9 and _ (Telegram's rule)")
        elif word in RESERVED_COMMANDS:
            r.error(path, f"command '/{word}' is reserved for the bot itself")
        elif word in limits.SLACK_BUILT_IN or len(word) + 1 > limits.SLACK_COMMAND_MAX:
            r.warning(path, f"Slack has no command '/{word}'",
                      "a Slack built-in name or over 31 characters: in Slack it is reached only "
                      f"as '/unhcr {word}'; choose another name to give it its own command")
        elif word in seen and seen[word][0] != topic_id:
            other, doc, first = seen[word]
            where = doc.where(*first)
            r.error(path, f"command '/{word}' is also used by topic '{other}' "
                          f"({where.file}:{where.line})", "each command opens one topic")
        else:
            seen[word] = (topic_id, r.doc, path)


def _check_topic_language(r: _Report, section: Any, lang: str, topic_id: str, footer_len: int,
                          seen_examples: dict) -> None:
    if not isinstance(section, dict):
        r.error((lang,), f"'{lang}' must hold title, examples, keywords and answer")
        return
    r.unknown_keys(section, TOPIC_LANG_KEYS, (lang,))
    title = section.get("title")
    if not _is_text(title):
        r.error((lang,), f"'{lang}.title' is missing", "a short name for buttons and menus")
    elif len(title) > limits.TITLE_MAX_CHARS:
        r.warning((lang, "title"), f"title is {len(title)} characters",
                  f"keep it under {limits.TITLE_MAX_CHARS} so it fits a button")
    answer = section.get("answer")
    if not _is_text(answer):
        r.error((lang,), f"'{lang}.answer' is missing")
    else:
        # Counted as a reader sees it: title, answer, then the source and as-of line.
        size = len(str(title or "")) + 2 + len(plain_text(parse_markup(answer))) + 2 + footer_len
        if size > limits.ANSWER_MAX_CHARS:
            r.error((lang, "answer"), f"answer is too long: {size} characters with the title "
                    "and the source/as-of line",
                    f"shorten it to {limits.ANSWER_MAX_CHARS}, or split the topic in two")
        for url in _LINK_TARGET.findall(answer):
            if not re.match(r"https?://", url):
                r.error((lang, "answer"), f"link '{url}' is not a web address",
                        "write links as [text](https://...)")
    examples = section.get("examples")
    if not isinstance(examples, list) or not all(_is_text(x) for x in examples):
        r.error((lang, "examples") if "examples" in section else (lang,),
                f"'{lang}.examples' must be a list of questions")
        examples = []
    elif len(examples) < limits.MIN_EXAMPLES:
        r.warning((lang, "examples"), f"only {len(examples)} example questions",
                  f"give at least {limits.MIN_EXAMPLES}, as people really ask: the bot learns from them")
    # Examples are remembered by their section, and the first one's place is looked up only
    # for a report: a record per example would leave tens of thousands of small objects for
    # the garbage collector to walk.
    section_ref = (topic_id, r.doc, lang, examples)
    for i, ex in enumerate(examples):
        key = normalize(ex)
        if key not in seen_examples:
            seen_examples[key] = section_ref
            continue
        other, doc, other_lang, other_examples = seen_examples[key]
        if other == topic_id:
            r.warning((lang, "examples", i), f"example '{ex}' is listed twice")
        else:
            j = next(j for j, x in enumerate(other_examples) if normalize(x) == key)
            first = doc.where(other_lang, "examples", j)
            r.error((lang, "examples", i), f"example '{ex}' is also under topic '{other}' "
                    f"({first.file}:{first.line})", "an example question belongs to one topic")
    keywords = section.get("keywords")
    if keywords is not None and (not isinstance(keywords, list)
                                 or not all(_is_text(x) for x in keywords)):
        r.error((lang, "keywords"), "'keywords' must be a list of words or phrases")


# -- protection.yaml ---------------------------------------------------------------------

PROTECTION_KEYS = ("settings", "contacts_heading", "contact_line", "verified_contacts",
                   "word_classes", "categories", "look_alikes")
CONTACT_PLACEHOLDERS = ("name", "reach", "verified_by", "date")
PROTECTION_SETTINGS_KEYS = ("threshold",)
CATEGORY_LANG_KEYS = ("reply", "examples")
CONTACT_KEYS = ("name", "reach", "verified_by", "as_of")
NO_CONTACTS_HINT = ("the referral can only point to the office in Almaty: once a colleague has "
                    "checked a contact, add it here with name, reach, verified_by and as_of")


def check_protection(doc: Document, languages: list[str], default: str, topic_ids: set[str],
                     topic_examples: dict, out: list[Problem]) -> None:
    """Check protection.yaml: its categories, their replies and examples, and the contacts."""
    r = _Report(doc, out)
    r.duplicates()
    d = doc.data
    if not isinstance(d, dict):
        r.error((), "protection.yaml must be a mapping of settings, categories, ...",
                "see content/README.md")
        return
    r.unknown_keys(d, PROTECTION_KEYS, ())
    settings = d.get("settings")
    threshold = settings.get("threshold") if isinstance(settings, dict) else None
    if isinstance(settings, dict):
        r.unknown_keys(settings, PROTECTION_SETTINGS_KEYS, ("settings",))
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0 < threshold < 1:
        r.error(("settings", "threshold") if isinstance(settings, dict) else ("settings",),
                "settings.threshold must be a number between 0 and 1",
                "how much of one example a message must hold to be read as danger; 0.8 is a "
                "good start: lower catches more, and surprises more people with the referral")
    _check_by_language(r, d.get("contacts_heading"), ("contacts_heading",), languages, default,
                       list_of=None)
    _check_by_language(r, d.get("contact_line"), ("contact_line",), languages, default,
                       list_of=None)
    lines = d.get("contact_line")
    for lang, line in lines.items() if isinstance(lines, dict) else ():
        try:
            str(line).format(**dict.fromkeys(CONTACT_PLACEHOLDERS, ""))
        except (KeyError, IndexError, ValueError):
            r.error(("contact_line", lang), "contact_line may use only "
                    + ", ".join("{" + p + "}" for p in CONTACT_PLACEHOLDERS),
                    "e.g. {name}: {reach} (checked by {verified_by}, {date})")
    categories = d.get("categories")
    if not isinstance(categories, dict) or not categories:
        r.error(("categories",) if "categories" in d else (), "'categories' is missing or empty",
                "one entry per kind of danger (removal, detention, ...): see content/README.md")
    else:
        seen: dict[str, tuple[str, str]] = {}
        for category_id, category in categories.items():
            _check_category(r, str(category_id), category, languages, default, topic_ids,
                            topic_examples, seen)
        _check_look_alikes(r, d.get("look_alikes"), languages, seen)
    classes = d.get("word_classes")
    if classes is not None and not isinstance(classes, dict):
        r.error(("word_classes",), "'word_classes' must map a class name to words per language",
                "e.g. word_classes: {child: {en: [son, daughter], ru: [сын, дочь]}}")
    for name, words in classes.items() if isinstance(classes, dict) else ():
        if not ID_RE.match(str(name)):
            r.error(("word_classes", name), f"class '{name}' is not lowercase letters, digits and '-'")
        _check_by_language(r, words, ("word_classes", name), languages, default, list_of=0)
    _check_contacts(r, d.get("verified_contacts"))


def _check_look_alikes(r: _Report, look_alikes: Any, languages: list[str], seen: dict) -> None:
    if look_alikes is None:
        return
    if not isinstance(look_alikes, dict):
        r.error(("look_alikes",), "'look_alikes' needs a list of messages per language")
        return
    r.unknown_keys(look_alikes, languages, ("look_alikes",))
    for lang, texts in look_alikes.items():
        if not isinstance(texts, list) or not all(_is_text(x) for x in texts):
            r.error(("look_alikes", lang), "expected a list of messages")
            continue
        for i, text in enumerate(texts):
            if normalize(text) in seen:
                r.error(("look_alikes", lang, i), f"'{text}' is also an example of category "
                        f"'{seen[normalize(text)][0]}'", "a message is either danger or not")


def _check_category(r: _Report, category_id: str, c: Any, languages: list[str], default: str,
                    topic_ids: set[str], topic_examples: dict, seen: dict) -> None:
    path: tuple = ("categories", category_id)
    if not ID_RE.match(category_id):
        r.error(path, f"category '{category_id}' is not lowercase letters, digits and '-'",
                "e.g. self-harm")
    if not isinstance(c, dict):
        r.error(path, f"category '{category_id}' must hold points_to and one section per language")
        return
    r.unknown_keys(c, ("points_to", *languages), path)
    points_to = c.get("points_to") or []
    if not isinstance(points_to, list):
        r.error(path + ("points_to",), "'points_to' must be a list of topic ids")
        points_to = []
    for i, topic_id in enumerate(points_to):
        if str(topic_id) not in topic_ids:
            close = difflib.get_close_matches(str(topic_id), sorted(topic_ids), n=1)
            r.error(path + ("points_to", i), f"topic '{topic_id}' does not exist",
                    f"did you mean '{close[0]}'?" if close else "use the id of a topic file")
    for lang in languages:
        section = c.get(lang)
        if section is None:
            if lang == default:
                r.error(path, f"the '{lang}' section is missing (the default language)")
            else:
                r.warning(path, f"the '{lang}' section is missing",
                          f"messages in '{lang}' are read with the other languages' examples, "
                          f"and get the '{default}' reply")
            continue
        if not isinstance(section, dict):
            r.error(path + (lang,), f"'{lang}' must hold reply and examples")
            continue
        r.unknown_keys(section, CATEGORY_LANG_KEYS, path + (lang,))
        reply = section.get("reply")
        if not _is_text(reply):
            r.error(path + (lang,), f"'{lang}.reply' is missing",
                    "what the bot says to a person in this danger: short, and only facts the "
                    "source gives")
        elif len(plain_text(parse_markup(reply))) > limits.ANSWER_MAX_CHARS:
            r.error(path + (lang, "reply"), "the reply is too long",
                    f"keep it under {limits.ANSWER_MAX_CHARS} characters: it is read in distress")
        _check_danger_examples(r, path + (lang,), section.get("examples"), category_id,
                               topic_examples, seen)


def _check_danger_examples(r: _Report, path: tuple, examples: Any, category_id: str,
                           topic_examples: dict, seen: dict) -> None:
    if not isinstance(examples, list) or not all(_is_text(x) for x in examples):
        r.error(path + ("examples",), "'examples' must be a list of messages")
        return
    if len(examples) < limits.MIN_DANGER_EXAMPLES:
        r.warning(path + ("examples",), f"only {len(examples)} example messages",
                  f"give at least {limits.MIN_DANGER_EXAMPLES}, in the words people in this "
                  "danger use: the bot recognises danger from them")
    for i, ex in enumerate(examples):
        key = normalize(ex)
        if key in topic_examples:
            r.error(path + ("examples", i), f"example '{ex}' is also a question of topic "
                    f"'{topic_examples[key][0]}'", "a message is either danger or a question")
        elif key in seen and seen[key][0] != category_id:
            r.error(path + ("examples", i), f"example '{ex}' is also under category "
                    f"'{seen[key][0]}'", "an example belongs to one category")
        elif key in seen:
            r.warning(path + ("examples", i), f"example '{ex}' is listed twice")
        seen.setdefault(key, (category_id, ex))


def _check_contacts(r: _Report, contacts: Any) -> None:
    if not contacts:
        r.warning(("verified_contacts",), "no verified contacts are set in this file",
                  NO_CONTACTS_HINT)
        return
    if not isinstance(contacts, list):
        r.error(("verified_contacts",), "'verified_contacts' must be a list of contacts")
        return
    today = date.today()
    for i, contact in enumerate(contacts):
        path = ("verified_contacts", i)
        if not isinstance(contact, dict):
            r.error(path, "a contact needs name, reach, verified_by and as_of")
            continue
        r.unknown_keys(contact, CONTACT_KEYS, path)
        for key in ("name", "reach", "verified_by"):
            if not _is_text(contact.get(key)):
                r.error(path, f"the contact's '{key}' is missing")
        as_of = contact.get("as_of")
        if not isinstance(as_of, date):
            r.error(path + ("as_of",) if "as_of" in contact else path,
                    "the contact's 'as_of' is missing or not a date",
                    "the day it was last checked, as YYYY-MM-DD")
        elif (today - as_of).days > limits.CONTACT_RECHECK_DAYS:
            r.warning(path + ("as_of",), f"this contact was checked on {as_of.isoformat()}, "
                      f"more than {limits.CONTACT_RECHECK_DAYS} days ago",
                      "check it again, then update as_of")
