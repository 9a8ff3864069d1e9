"""The JSON Schemas in content/schema/ are the one statement of the content's shape: editors'
tools read them, and the bot checks every file against them (bot/schema.py) with the
messages and hints they give. Here: the schemas themselves, the shipped content against them,
and each shape rule as editors meet it (a broken document is rejected by the schema as an
editor's tool reads it, and the bot reports the schema's message for it).
"""
from __future__ import annotations

import copy
import json
import os
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from bot import limits, schema, validate
from bot.content import ContentError, load_content
from bot.yamlsrc import Document, read_yaml

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "content_min"
SCHEMA_DIR = CONTENT / "schema"
TOPIC_SCHEMA = SCHEMA_DIR / "topic.schema.json"
MESSAGES_SCHEMA = SCHEMA_DIR / "messages.schema.json"
PROTECTION_SCHEMA = SCHEMA_DIR / "protection.schema.json"
SCHEMAS = [TOPIC_SCHEMA, MESSAGES_SCHEMA, PROTECTION_SCHEMA]
MESSAGES_FILE = CONTENT / "messages.yaml"
PROTECTION_FILE = CONTENT / "protection.yaml"
TOPIC_FILES = sorted((CONTENT / "topics").glob("*.yaml"))
LANGUAGES = ("en", "ru", "kk")
PLACEHOLDERS = {"key", "path", "value", "count"}  # what x-message and x-hint may name


def _schema(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _editor_errors(schema_path: Path, data: Any) -> list[str]:
    """What a schema check in an editor finds: plain jsonschema on the file as written."""
    validator = Draft202012Validator(_schema(schema_path), format_checker=FormatChecker())
    errors = validator.iter_errors(data)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in sorted(errors, key=lambda e: list(map(str, e.absolute_path)))]


def _load(path: Path) -> Any:
    """A content file as the bot and editors' tools read it (YAML 1.2: a date is its text)."""
    return read_yaml(path).data


def _nodes(node: Any, where: str = "") -> list[tuple[str, dict]]:
    """Every object in a schema, with its JSON pointer."""
    found = []
    if isinstance(node, dict):
        found.append((where, node))
        for key, sub in node.items():
            found += _nodes(sub, f"{where}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            found += _nodes(sub, f"{where}/{i}")
    return found


# -- the schemas themselves -------------------------------------------------------------

@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_schema_is_valid_draft_2020_12(path):
    s = _schema(path)
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(s)


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_every_property_has_a_description(path):
    """Editors see the description on hover: it says what the value is for."""
    missing = [f"{where}/{name}" for where, node in _nodes(_schema(path))
               for name, sub in (node.get("properties") or {}).items()
               if isinstance(sub, dict) and "description" not in sub and not where.endswith("properties")]
    assert missing == []


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_refs_stay_in_the_file(path):
    """Nothing is fetched to check content: each $ref names a part of its own file."""
    s = _schema(path)
    for where, node in _nodes(s):
        ref = node.get("$ref")
        if isinstance(ref, str):
            assert ref.startswith("#/$defs/"), where
            assert ref.removeprefix("#/$defs/") in s["$defs"], where


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_messages_hints_and_severities_are_well_formed(path):
    for where, node in _nodes(_schema(path)):
        for name in ("x-message", "x-hint"):
            value = node.get(name)
            if value is None or where.endswith("/properties"):
                continue
            texts = value.values() if isinstance(value, dict) else [value]
            for text in texts:
                assert isinstance(text, str) and text.strip(), (where, name)
                # beside the four, a hint may show the placeholders a contact line is given
                fields = set(re.findall(r"\{(\w+)\}", text)) - set(validate.CONTACT_PLACEHOLDERS)
                assert fields <= PLACEHOLDERS, (where, name, fields - PLACEHOLDERS)
        assert node.get("x-severity", "warning") == "warning", where


def test_the_slack_manifest_reads_slacks_own_commands_from_the_schema():
    rule = _schema(TOPIC_SCHEMA)["$defs"]["slackCommand"]
    assert frozenset(rule["not"]["enum"]) == limits.SLACK_BUILT_IN
    assert {"status", "remind", "who"} <= limits.SLACK_BUILT_IN
    assert rule["maxLength"] + 1 == limits.SLACK_COMMAND_MAX == 32


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_no_schema_names_a_language(path):
    """messages.yaml's 'languages' is the one list of languages: a fourth is added there."""
    for where, node in _nodes(_schema(path)):
        assert not set(node.get("properties") or {}) & set(LANGUAGES), where
        assert not set(node.get("required") or []) & set(LANGUAGES), where
        assert not set(node.get("enum") or []) & set(LANGUAGES), where


# -- the content files --------------------------------------------------------------------

def test_content_files_exist():
    assert MESSAGES_FILE.exists() and PROTECTION_FILE.exists()
    assert TOPIC_FILES, "content/topics/ holds no *.yaml file"


@pytest.mark.parametrize("path", TOPIC_FILES, ids=lambda p: p.name)
def test_topic_file_matches_schema(path):
    assert _editor_errors(TOPIC_SCHEMA, _load(path)) == []


def test_messages_file_matches_schema():
    assert _editor_errors(MESSAGES_SCHEMA, _load(MESSAGES_FILE)) == []


def test_protection_file_matches_schema():
    # The one warning the shipped content carries: no verified contact yet.
    assert [e.split(":")[0] for e in _editor_errors(PROTECTION_SCHEMA, _load(PROTECTION_FILE))] \
        == ["verified_contacts"]


def _schema_line(path: Path, schema_path: Path) -> str:
    rel = Path(os.path.relpath(schema_path, path.parent)).as_posix()
    return f"# yaml-language-server: $schema={rel}"


_FILES_AND_SCHEMAS = [(p, TOPIC_SCHEMA) for p in TOPIC_FILES] + [(MESSAGES_FILE, MESSAGES_SCHEMA),
                                                                  (PROTECTION_FILE, PROTECTION_SCHEMA)]


@pytest.mark.parametrize("path, schema_path", _FILES_AND_SCHEMAS,
                         ids=[str(p.relative_to(CONTENT)) for p, _ in _FILES_AND_SCHEMAS])
def test_first_line_names_the_schema(path, schema_path):
    first = (path.read_text(encoding="utf-8").splitlines() or [""])[0]
    assert first == _schema_line(path, schema_path)
    assert (path.parent / first.split("$schema=", 1)[1]).resolve() == schema_path


# -- broken documents: an editor's tool rejects them, and the bot says what the schema says --

def _section(lang: str) -> dict:
    return {
        "title": f"Test topic {lang}",
        "examples": [f"test question {lang} number {i}" for i in range(8)],
        "keywords": ["test", "1995"],
        "answer": "The office opened in **August 1995**.\n\n- one\n- two\n\n[UNHCR](https://www.unhcr.org)\n",
    }


GOOD_TOPIC = {
    "id": "test-topic", "command": "test_topic", "aliases": ["testing"], "related": [],
    "source": "¶3", "as_of": "2016-03-25",  # the YAML reader keeps a date as its text
    **{lang: _section(lang) for lang in LANGUAGES},
}
MESSAGE_KEYS = list(_schema(MESSAGES_SCHEMA)["properties"]["messages"]["required"])
INTENT_KEYS = list(_schema(MESSAGES_SCHEMA)["properties"]["intents"]["properties"])


def _texts(text: str) -> dict:
    return {lang: f"{text} ({lang})" for lang in LANGUAGES}


GOOD_MESSAGES = {
    "settings": {"threshold": 0.5, "default_language": "en"},
    "languages": {"en": "English", "ru": "Русский", "kk": "Қазақша"},
    "messages": {
        **{key: _texts(f"the {key} text") for key in MESSAGE_KEYS},
        "translation_missing": _texts("Not yet in {language}."),
        "as_of": _texts("As of {date}"),
        "source": _texts("Source: {source}"),
        "date_format": _texts("{day} {month} {year}"),
        "months": {lang: [f"m{i}{lang}" for i in range(1, 13)] for lang in LANGUAGES},
    },
    "intents": {key: {lang: [f"{key} {lang}"] for lang in LANGUAGES} for key in INTENT_KEYS},
}


def _danger_section(lang: str, category: str) -> dict:
    return {"reply": f"I cannot act on this ({lang}).",
            "examples": [f"{category} danger {lang} number {i}" for i in range(15)]}


GOOD_PROTECTION = {
    "settings": {"threshold": 0.5},
    "contacts_heading": _texts("Checked contacts:"),
    "contact_line": _texts("{name}: {reach} ({verified_by}, {date})"),
    "verified_contacts": [{"name": "Legal aid", "reach": "ask at reception",
                           "verified_by": "the test team", "as_of": date.today().isoformat()}],
    "word_classes": {"child": {lang: ["son", "daughter"] for lang in LANGUAGES}},
    "categories": {category: {"points_to": ["test-topic"],
                              **{lang: _danger_section(lang, category) for lang in LANGUAGES}}
                   for category in ("removal", "self-harm")},
    "look_alikes": {lang: [f"an ordinary question {lang}"] for lang in LANGUAGES},
}


def _bot_problems(messages: Any = None, topic: Any = None, protection: Any = None) -> list[str]:
    """What the bot says about the documents: 'severity: message (hint)' for each problem."""
    docs = [Document(name, copy.deepcopy(data), {}, ()) for name, data in (
        ("messages.yaml", messages or GOOD_MESSAGES), ("topics/test-topic.yaml", topic or GOOD_TOPIC),
        ("protection.yaml", protection or GOOD_PROTECTION))]
    problems = validate.validate_documents(docs[0], [docs[1]], protection=docs[2])
    return [f"{p.severity}: {p.message} ({p.hint})" for p in problems]


def test_good_documents_pass_schema_and_bot():
    assert _bot_problems() == []
    assert _editor_errors(TOPIC_SCHEMA, GOOD_TOPIC) == []
    assert _editor_errors(MESSAGES_SCHEMA, GOOD_MESSAGES) == []
    assert _editor_errors(PROTECTION_SCHEMA, GOOD_PROTECTION) == []


def test_optional_parts_may_be_left_out():
    topic = {k: v for k, v in GOOD_TOPIC.items() if k not in ("aliases", "related", "ru", "kk")}
    topic["en"] = {k: v for k, v in topic["en"].items() if k != "keywords"}
    topic["aliases"] = None  # an empty 'aliases:' line
    assert _editor_errors(TOPIC_SCHEMA, topic) == []
    messages = copy.deepcopy(GOOD_MESSAGES)
    del messages["intents"], messages["settings"]["default_language"]
    del messages["messages"]["welcome"]["kk"]
    assert _editor_errors(MESSAGES_SCHEMA, messages) == []
    # A language left out is a warning (the bot falls back to English), never an error.
    assert not [p for p in _bot_problems(messages, topic) if p.startswith("error:")]


def _set(doc: dict, path: tuple, value: Any) -> dict:
    doc = copy.deepcopy(doc)
    *parents, last = path
    target = doc
    for key in parents:
        target = target[key]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return doc


_DELETE = object()
TOO_FEW = [f"question {i}" for i in range(7)]

# case: (path, value, what the bot says: "severity: message (hint)" contains it)
BROKEN_TOPICS = {
    "unknown top-level key": (("sorce",), "¶3", "error: unknown key 'sorce' (did you mean 'source'?)"),
    "unknown language key (typo)": (("en", "exampels"), ["a"],
                                    "unknown key 'exampels' (did you mean 'examples'?)"),
    "bad command: capitals and '!'": (("command",), "Office!",
                                      "error: command 'Office!' is not valid (1-32 characters"),
    "bad command: a space": (("command",), "my office", "command 'my office' is not valid"),
    "bad command: too long": (("command",), "a" * 33, f"error: command '{'a' * 33}' is not valid"),
    "bad command: starts with '/'": (("command",), "/office", "command '/office' is not valid"),
    "reserved command": (("command",), "help", "error: command '/help' is reserved for the bot itself"),
    "bad alias": (("aliases",), ["ok", "not-ok"], "command 'not-ok' is not valid"),
    "reserved alias": (("aliases",), ["start"], "command '/start' is reserved"),
    "aliases not a list": (("aliases",), "almaty", "error: 'aliases' must be a list of commands"),
    "Slack's own command": (("aliases",), ["status"], "warning: Slack has no command '/status' ("
                            "a Slack built-in name or over 31 characters: in Slack it is reached only as "
                            "'/unhcr status'"),
    "too long for Slack": (("aliases",), ["x" * 32], "warning: Slack has no command '/" + "x" * 32),
    "too few examples": (("en", "examples"), TOO_FEW, "warning: only 7 example questions (give at least 8"),
    "examples not a list": (("ru", "examples"), "just one question",
                            "error: 'ru.examples' must be a list of questions"),
    "an empty example": (("kk", "examples"), ["  "] + _section("kk")["examples"],
                         "error: 'kk.examples' must be a list of questions"),
    "title too long": (("en", "title"), "x" * 41, "warning: title is 41 characters (keep it under 40"),
    "title missing": (("en", "title"), _DELETE, "error: 'en.title' is missing (a short name"),
    "answer missing": (("ru", "answer"), _DELETE, "error: 'ru.answer' is missing"),
    "empty answer": (("en", "answer"), "   ", "error: 'en.answer' is missing"),
    "link that is not a web address": (("en", "answer"), "See [the office](www.unhcr.org).",
                                       "error: a link in 'en.answer' is not a web address (write links as"),
    "keyword that is a number": (("en", "keywords"), ["office", 1995],
                                 "error: 'en.keywords' must be a list of words"),
    "bad id": (("id",), "Office",
               "error: 'id' is missing or not lowercase letters, digits and '-' (e.g. id:"),
    "reserved id": (("id",), "greeting", "error: id 'greeting' is reserved for the bot's own intents"),
    "id missing": (("id",), _DELETE, "error: 'id' is missing or not lowercase"),
    "command missing": (("command",), _DELETE, "error: 'command' is missing (the /command for this topic"),
    "source missing": (("source",), _DELETE, "error: 'source' is missing (name the paragraph(s)"),
    "empty source": (("source",), "", "error: 'source' is missing"),
    "as_of missing": (("as_of",), _DELETE, "error: 'as_of' is missing or not a date (write the date"),
    "as_of not a date": (("as_of",), "25.03.2016", "error: 'as_of' is missing or not a date"),
    "as_of an impossible date": (("as_of",), "2016-02-30", "error: 'as_of' is missing or not a date"),
    "as_of with a time": (("as_of",), "2016-03-25 10:00", "error: 'as_of' is missing or not a date"),
    "can_change not true or false": (("can_change",), "yes please",
                                     "error: 'can_change' must be true or false"),
    "review_by not a date": (("review_by",), "next year", "error: 'review_by' is not a date (YYYY-MM-DD"),
    "related not a list": (("related",), "region", "error: 'related' must be a list of topic ids"),
    "related not an id": (("related",), ["Region"], "error: 'Region' is not a topic id"),
    "section not a mapping": (("kk",), "Қазақша",
                              "error: 'kk' must hold title, examples, keywords and answer"),
    "not a mapping": ((), ["id: x"], "error: a topic file must be a mapping"),
}

BROKEN_MESSAGES = {
    "unknown top-level key": (("setings",), {}, "error: unknown key 'setings' (did you mean 'settings'?)"),
    "unknown setting": (("settings", "treshold"), 0.5, "unknown key 'treshold' (did you mean 'threshold'?)"),
    "threshold 0": (("settings", "threshold"), 0, "error: threshold must be a number between 0 and 1 (0.5"),
    "threshold 1": (("settings", "threshold"), 1, "threshold must be a number between 0 and 1"),
    "threshold as text": (("settings", "threshold"), "0.5", "threshold must be a number between 0 and 1"),
    "threshold yes": (("settings", "threshold"), True, "threshold must be a number between 0 and 1"),
    "threshold NaN": (("settings", "threshold"), ".nan", "threshold must be a number between 0 and 1"),
    "threshold missing": (("settings", "threshold"), _DELETE, "threshold must be a number between 0 and 1"),
    "settings missing": (("settings",), _DELETE, "error: 'settings' is missing (settings: {threshold"),
    "default_language not a language": (("settings", "default_language"), "German",
                                        "error: default_language 'German' is not a language code"),
    "languages missing": (("languages",), _DELETE, "error: 'languages' is missing (e.g. languages:"),
    "empty language name": (("languages", "kk"), "", "error: the name of 'kk' is missing"),
    "unknown message": (("messages", "welcom"), _texts("hi"),
                        "unknown key 'welcom' (did you mean 'welcome'?)"),
    "message missing": (("messages", "fallback"), _DELETE,
                        "error: message 'fallback' is missing (add 'fallback:' with a text for each of "
                        "en, ru, kk)"),
    "message in no language": (("messages", "help", "German"), "Hilfe",
                               "error: 'German' is not a language code"),
    "message not per language": (("messages", "menu"), "Topics:",
                                 "error: 'menu' needs one entry per language"),
    "empty message": (("messages", "menu", "ru"), "", "error: expected a non-empty text"),
    "11 months": (("messages", "months", "ru"), [f"m{i}" for i in range(11)],
                  "error: expected a list of 12 texts"),
    "13 months": (("messages", "months", "en"), [f"m{i}" for i in range(13)],
                  "error: expected a list of 12 texts"),
    "unknown intent": (("intents", "goodbye"), {"en": ["bye"]}, "error: unknown key 'goodbye'"),
    "intent phrases not a list": (("intents", "thanks", "en"), "thanks", "error: expected a list of texts"),
    "intents not a mapping": (("intents",), ["hi"], "error: 'intents' must be a mapping"),
    "feedback not true or false": (("settings", "feedback"), "yes",
                                   "error: feedback must be true or false (feedback: true shows"),
}

BROKEN_PROTECTION = {
    "unknown top-level key": (("catgories",), {},
                              "error: unknown key 'catgories' (did you mean 'categories'?)"),
    "threshold missing": (("settings", "threshold"), _DELETE,
                          "error: settings.threshold must be a number between 0 and 1 (how much of one "
                          "example"),
    "threshold 1": (("settings", "threshold"), 1, "settings.threshold must be a number between 0 and 1"),
    "categories missing": (("categories",), _DELETE, "error: 'categories' is missing (one entry per kind"),
    "categories empty": (("categories",), {}, "error: 'categories' is missing or empty"),
    "category id with capitals": (("categories", "Removal"), {"en": _danger_section("en", "x")},
                                  "error: category 'Removal' is not lowercase letters, digits and '-' "
                                  "(e.g. self-harm)"),
    "category not a mapping": (("categories", "removal"), "deport",
                               "error: category 'removal' must hold points_to"),
    "points_to not an id": (("categories", "removal", "points_to"), ["Asylum"],
                            "error: 'Asylum' is not a topic id"),
    "reply missing": (("categories", "removal", "ru", "reply"), _DELETE,
                      "error: 'categories.removal.ru.reply' is missing (what the bot says"),
    "too few examples": (("categories", "removal", "en", "examples"), [f"deported {i}" for i in range(3)],
                         "warning: only 3 example messages (give at least 15"),
    "unknown section key": (("categories", "removal", "kk", "answer"), "x", "error: unknown key 'answer'"),
    "contact without verified_by": (("verified_contacts", 0, "verified_by"), _DELETE,
                                    "error: the contact's 'verified_by' is missing"),
    "contact with an empty name": (("verified_contacts", 0, "name"), " ",
                                   "error: the contact's 'name' is missing"),
    "contact with an unknown key": (("verified_contacts", 0, "phone"), "+7", "error: unknown key 'phone'"),
    "contact as_of not a date": (("verified_contacts", 0, "as_of"), "last week",
                                 "error: the contact's 'as_of' is missing or not a date"),
    "no verified contacts": (("verified_contacts",), [],
                             "warning: no verified contacts are set in this file"),
    "verified contacts left out": (("verified_contacts",), _DELETE, "warning: no verified contacts are set"),
    "contact_line missing": (("contact_line",), _DELETE, "error: 'contact_line' is missing"),
    "look-alikes not a list": (("look_alikes", "en"), "dying to know", "error: expected a list of messages"),
    "class name with a space": (("word_classes", "my child"), {"en": ["son"]},
                                "error: class 'my child' is not lowercase letters, digits and '-'"),
}

_CASES = ([("topic", case, GOOD_TOPIC, TOPIC_SCHEMA, row) for case, row in BROKEN_TOPICS.items()]
          + [("messages", case, GOOD_MESSAGES, MESSAGES_SCHEMA, row) for case, row in BROKEN_MESSAGES.items()]
          + [("protection", case, GOOD_PROTECTION, PROTECTION_SCHEMA, row)
             for case, row in BROKEN_PROTECTION.items()])


FEEDBACK_MESSAGES = ("feedback_helpful", "feedback_not_helpful", "feedback_thanks")


def test_feedback_switched_on_needs_the_buttons_labels_and_the_thanks():
    on = _set(GOOD_MESSAGES, ("settings", "feedback"), True)
    assert _editor_errors(MESSAGES_SCHEMA, on) == [
        f"messages: '{key}' is a required property" for key in FEEDBACK_MESSAGES]
    assert _bot_problems(on) == [
        f"error: settings.feedback is true, so message '{key}' is needed (add '{key}:' with a "
        "text for each of en, ru, kk, or set feedback: false)" for key in FEEDBACK_MESSAGES]
    labelled = copy.deepcopy(on)
    labelled["messages"].update({key: _texts(f"the {key} text") for key in FEEDBACK_MESSAGES})
    assert _bot_problems(labelled) == [] and _editor_errors(MESSAGES_SCHEMA, labelled) == []
    off = _set(GOOD_MESSAGES, ("settings", "feedback"), False)
    assert _bot_problems(off) == [], "switched off, the texts may be left out"


def test_the_feedback_thanks_fits_telegrams_notice():
    messages = _set(GOOD_MESSAGES, ("settings", "feedback"), True)
    messages["messages"].update({key: _texts(f"the {key} text") for key in FEEDBACK_MESSAGES})
    messages["messages"]["feedback_thanks"]["ru"] = "Спасибо! " * 23  # 207 characters
    assert _editor_errors(MESSAGES_SCHEMA, messages)
    assert _bot_problems(messages) == [
        "error: the thanks is 207 characters: Telegram shows at most 200 (a short sentence, "
        "e.g. Thank you! This helps us improve the answers.)"]


@pytest.mark.parametrize("kind, case, good, schema_path, row", _CASES,
                         ids=[f"{kind}: {case}" for kind, case, *_ in _CASES])
def test_broken_document_gets_the_schemas_message(kind, case, good, schema_path, row):
    path, value, expected = row
    doc = _set(good, path, value) if path else value
    assert _editor_errors(schema_path, doc), f"an editor's schema check accepts: {case}"
    said = _bot_problems(**{kind: doc})
    assert len(said) == 1 and expected in said[0], f"{case}: expected {expected!r} alone in\n" + \
        "\n".join(said)
    assert not [p for p in said if "is not valid: " in p], "a rule without a message of its own"


@pytest.mark.parametrize("kind, path, value, expected", [
    ("topic", ("de",), _section("de"), "error: unknown key 'de': not a language of messages.yaml "
                                       "(languages: en, ru, kk)"),
    ("messages", ("messages", "help", "de"), "Hilfe", "error: unknown key 'de': not a language"),
    ("messages", ("settings", "default_language"), "de", "error: default_language 'de' is not in languages"),
    ("protection", ("categories", "removal", "uz"), _danger_section("uz", "removal"), "unknown key 'uz'"),
    ("protection", ("look_alikes", "de"), ["nur eine Frage"], "unknown key 'de'"),
])
def test_a_language_messages_yaml_does_not_name_is_an_error(kind, path, value, expected):
    """The schemas take any language code; which ones there are, messages.yaml says."""
    doc = _set({"topic": GOOD_TOPIC, "messages": GOOD_MESSAGES, "protection": GOOD_PROTECTION}[kind],
               path, value)
    assert [p for p in _bot_problems(**{kind: doc}) if expected in p], _bot_problems(**{kind: doc})


def test_a_value_is_reported_once_even_when_it_breaks_two_rules():
    # "" is shorter than 1 character and has no visible character; 40 characters break the
    # command pattern and Slack's length, which is only a warning beside it.
    assert _bot_problems(topic=_set(GOOD_TOPIC, ("source",), "")) == [
        "error: 'source' is missing (name the paragraph(s) of the source document, e.g. source: \"¶3\")"]
    said = _bot_problems(topic=_set(GOOD_TOPIC, ("command",), "x" * 40))
    assert len(said) == 1 and said[0].startswith("error: command")


def test_a_quoted_date_keeps_to_the_schema_and_loads_as_a_date(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    alpha = content / "topics" / "alpha.yaml"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("as_of: 2016-03-25",
                                                               'as_of: "2016-03-25"'), encoding="utf-8")
    protection = content / "protection.yaml"
    protection.write_text(protection.read_text(encoding="utf-8").replace(
        "as_of: 2026-11-01", f'as_of: "{date.today().isoformat()}"'), encoding="utf-8")
    loaded = load_content(content)
    assert loaded.topic("alpha").as_of == date(2016, 3, 25)
    assert loaded.protection.contacts[0].as_of == date.today()


# -- a schema that cannot be used is reported, never followed off the machine -------------

def _with_schema(monkeypatch, tmp_path: Path, name: str, text: str) -> None:
    """The bot's schemas, `name` written as `text`."""
    folder = tmp_path / "schema"
    folder.mkdir()
    for path in SCHEMAS:
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(schema, "SCHEMA_DIR", folder)


def test_a_schema_with_a_json_slip_is_one_error_at_its_line(monkeypatch, tmp_path):
    text = TOPIC_SCHEMA.read_text(encoding="utf-8").replace('"type": "object",', '"type": "object"', 1)
    _with_schema(monkeypatch, tmp_path, "topic.schema.json", text)
    with pytest.raises(ContentError) as info:
        load_content(FIXTURE)
    [p] = [p for p in info.value.problems if p.severity == "error"]
    assert p.where.file.endswith("topic.schema.json") and p.message.startswith("JSON syntax")
    assert p.where.line == text.splitlines().index('  "type": "object"') + 2  # the next line


def test_a_ref_to_another_place_is_an_error_not_a_download(monkeypatch, tmp_path):
    s = _schema(TOPIC_SCHEMA)
    s["properties"]["source"]["$ref"] = "https://example.org/text.schema.json"
    _with_schema(monkeypatch, tmp_path, "topic.schema.json", json.dumps(s))
    with pytest.raises(ContentError) as info:
        load_content(FIXTURE)
    assert [p.message for p in info.value.problems if p.severity == "error"] == [
        "$ref 'https://example.org/text.schema.json' is not within the file"]


def test_a_rule_that_is_not_json_schema_is_an_error(monkeypatch, tmp_path):
    s = _schema(MESSAGES_SCHEMA)
    s["properties"]["settings"]["properties"]["threshold"]["type"] = "nmber"
    _with_schema(monkeypatch, tmp_path, "messages.schema.json", json.dumps(s))
    with pytest.raises(ContentError) as info:
        load_content(FIXTURE)
    [p] = [p for p in info.value.problems if p.severity == "error"]
    assert p.where.file.endswith("messages.schema.json")
    assert p.message == "not a JSON Schema the bot can use: Unknown type 'nmber' for validator with schema"


# -- the bot's check is the schema's, however it is sped up --------------------------------

_ODD_VALUES = [None, "", " ", "x", "Office!", "help", "status", "2016-02-30", "2016-03-25", 0, 1,
               0.5, 1.5, ".nan", True, [], ["a"], [" "], ["a"] * 20, [1], {}, {"a": "b"},
               {"en": "x"}, "x" * 50, "[a](www.b)", b"bytes", {"1995": "x"}]


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, sub in value.items():
            found += _paths(sub, path + (key,))
    elif isinstance(value, list):
        for i, sub in enumerate(value[:3]):
            found += _paths(sub, path + (i,))
    return found


_DOCS = {"topic": (GOOD_TOPIC, TOPIC_SCHEMA), "messages": (GOOD_MESSAGES, MESSAGES_SCHEMA),
         "protection": (GOOD_PROTECTION, PROTECTION_SCHEMA)}


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_bots_check_accepts_exactly_what_the_schema_accepts(data):
    """The bot checks with its $refs written out and lists of texts in one loop: for any
    document, it finds a problem exactly when plain jsonschema does, at the same places."""
    kind = data.draw(st.sampled_from(sorted(_DOCS)))
    good, schema_path = _DOCS[kind]
    doc = copy.deepcopy(good)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(doc) or [("id",)]))
        action = data.draw(st.sampled_from(["set", "set", "delete", "add"]))
        value = data.draw(st.sampled_from(_ODD_VALUES))
        if action == "add":
            path = path[:-1] + ("extra",)
        try:
            doc = _set(doc, path, _DELETE if action == "delete" else copy.deepcopy(value))
        except (KeyError, IndexError, TypeError):
            continue
    schemas, _ = schema.load_schemas()
    found: list = []
    shaped = schema.check_shape(Document("x.yaml", doc, {}, ()), schemas[kind], found)
    validator = Draft202012Validator(_schema(schema_path), format_checker=FormatChecker())
    editor = [tuple(e.absolute_path) for e in validator.iter_errors(doc)]
    assert bool(found) == bool(editor), (doc, found, editor)
    # Each place the bot calls broken is where an editor's tool sees an error, or just under
    # it: a missing or unknown key, a key that is not a name, is reported at the key.
    for place in shaped.broken:
        assert place in editor or place[:-1] in editor, (place, editor)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["]", "(", ")", "[", "x", " ", "\n", "https://", "http://", "](",
                                 "](https://", "www."]), max_size=20).map("".join))
def test_answer_link_rule_means_every_link_goes_to_the_web(answer):
    """The schema's link rule for answers (a regular expression editors' tools also run)
    says: every '](target)' has a target starting with http:// or https://."""
    pattern = _schema(TOPIC_SCHEMA)["$defs"]["section"]["properties"]["answer"]["allOf"][0]["pattern"]
    every_link_is_web = all(re.match(r"https?://", url) for url in re.findall(r"\]\(([^)]*)\)", answer))
    assert bool(re.search(pattern, answer)) == every_link_is_web
