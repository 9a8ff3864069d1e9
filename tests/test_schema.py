"""The JSON Schemas in content/schema/ (editor autocompletion) agree with the content and
with bot/validate.py, which stays the authority on the rules."""
from __future__ import annotations

import copy
import json
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from bot import limits, validate
from bot.yamlsrc import Document

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SCHEMA_DIR = CONTENT / "schema"
TOPIC_SCHEMA = SCHEMA_DIR / "topic.schema.json"
MESSAGES_SCHEMA = SCHEMA_DIR / "messages.schema.json"
PROTECTION_SCHEMA = SCHEMA_DIR / "protection.schema.json"
MESSAGES_FILE = CONTENT / "messages.yaml"
PROTECTION_FILE = CONTENT / "protection.yaml"
TOPIC_FILES = sorted((CONTENT / "topics").glob("*.yaml"))
LANGUAGES = ("en", "ru", "kk")


def _schema(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _validator(path: Path) -> Draft202012Validator:
    # format_checker makes "format": "date" an assertion (an editor shows it as a problem too)
    return Draft202012Validator(_schema(path), format_checker=FormatChecker())


def _as_editor_sees(value: Any) -> Any:
    """YAML data as an editor's schema check sees it: dates are 'YYYY-MM-DD' strings."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _as_editor_sees(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_editor_sees(v) for v in value]
    return value


def _errors(schema_path: Path, data: Any) -> list[str]:
    errors = _validator(schema_path).iter_errors(_as_editor_sees(data))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in sorted(errors, key=lambda e: list(map(str, e.absolute_path)))]


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# -- the schemas themselves -------------------------------------------------------------

SCHEMAS = [TOPIC_SCHEMA, MESSAGES_SCHEMA, PROTECTION_SCHEMA]


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_schema_is_valid_draft_2020_12(path):
    schema = _schema(path)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def _described(node: Any, where: str = "") -> list[str]:
    """Paths of properties that have no description (editors show it on hover)."""
    missing = []
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            if "description" not in sub:
                missing.append(f"{where}/{name}")
        for key, sub in node.items():
            missing += _described(sub, f"{where}/{key}")
    return missing


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_every_property_has_a_description(path):
    assert _described(_schema(path)) == []


def test_topic_schema_mirrors_validator():
    s = _schema(TOPIC_SCHEMA)
    section = s["$defs"]["section"]
    assert list(s["properties"]) == list(validate.TOPIC_KEYS) + list(LANGUAGES)
    assert s["additionalProperties"] is False and section["additionalProperties"] is False
    assert list(section["properties"]) == list(validate.TOPIC_LANG_KEYS)
    assert s["properties"]["id"]["pattern"] == validate.ID_RE.pattern
    assert s["properties"]["related"]["items"]["pattern"] == validate.ID_RE.pattern
    assert s["$defs"]["command"]["pattern"] == validate.COMMAND_RE.pattern
    assert set(s["$defs"]["command"]["not"]["enum"]) == validate.RESERVED_COMMANDS
    assert set(s["properties"]["id"]["not"]["enum"]) == validate.RESERVED_IDS
    assert section["properties"]["title"]["maxLength"] == limits.TITLE_MAX_CHARS
    assert section["properties"]["examples"]["minItems"] == limits.MIN_EXAMPLES


def test_messages_schema_mirrors_validator():
    s = _schema(MESSAGES_SCHEMA)
    props = s["properties"]
    assert list(props) == list(validate.MESSAGES_TOP_KEYS)
    assert list(props["settings"]["properties"]) == list(validate.SETTINGS_KEYS)
    assert list(props["messages"]["properties"]) == list(validate.MESSAGE_KEYS)
    assert props["messages"]["required"] == list(validate.MESSAGE_KEYS)
    assert list(props["intents"]["properties"]) == list(validate.INTENT_KEYS)
    assert list(props["languages"]["properties"]) == list(LANGUAGES)
    for name in ("settings", "languages", "messages", "intents"):
        assert props[name]["additionalProperties"] is False, name
    assert props["language_words"]["$ref"] == "#/$defs/phrases"


def test_protection_schema_mirrors_validator():
    s = _schema(PROTECTION_SCHEMA)
    props = s["properties"]
    assert set(props) == set(validate.PROTECTION_KEYS)
    assert list(props["settings"]["properties"]) == list(validate.PROTECTION_SETTINGS_KEYS)
    assert list(s["$defs"]["section"]["properties"]) == list(validate.CATEGORY_LANG_KEYS)
    assert list(props["verified_contacts"]["items"]["properties"]) == list(validate.CONTACT_KEYS)
    assert s["$defs"]["section"]["properties"]["examples"]["minItems"] == limits.MIN_DANGER_EXAMPLES
    assert props["categories"]["propertyNames"]["pattern"] == validate.ID_RE.pattern


def test_schema_languages_match_messages_yaml():
    """The schemas list en, ru, kk: adding a language to messages.yaml needs them updated."""
    if not MESSAGES_FILE.exists():
        pytest.fail("content/messages.yaml does not exist (yet)")
    assert tuple(_load(MESSAGES_FILE)["languages"]) == LANGUAGES


# -- the content files --------------------------------------------------------------------

def test_content_files_exist():
    missing = [str(p.relative_to(ROOT)) for p in [MESSAGES_FILE] if not p.exists()]
    assert not missing, f"not written yet: {missing}"
    assert TOPIC_FILES, "content/topics/ holds no *.yaml file yet"


@pytest.mark.parametrize("path", TOPIC_FILES, ids=lambda p: p.name)
def test_topic_file_matches_schema(path):
    assert _errors(TOPIC_SCHEMA, _load(path)) == []


def test_messages_file_matches_schema():
    if not MESSAGES_FILE.exists():
        pytest.fail("content/messages.yaml does not exist (yet)")
    assert _errors(MESSAGES_SCHEMA, _load(MESSAGES_FILE)) == []


def test_protection_file_matches_schema():
    assert _errors(PROTECTION_SCHEMA, _load(PROTECTION_FILE)) == []


def _schema_line(path: Path, schema: Path) -> str:
    rel = Path(os.path.relpath(schema, path.parent)).as_posix()
    return f"# yaml-language-server: $schema={rel}"


_FILES_AND_SCHEMAS = [(p, TOPIC_SCHEMA) for p in TOPIC_FILES] + [(MESSAGES_FILE, MESSAGES_SCHEMA),
                                                                  (PROTECTION_FILE, PROTECTION_SCHEMA)]


@pytest.mark.parametrize("path, schema", _FILES_AND_SCHEMAS,
                         ids=[str(p.relative_to(CONTENT)) for p, _ in _FILES_AND_SCHEMAS])
def test_first_line_names_the_schema(path, schema):
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} does not exist (yet)")
    first = (path.read_text(encoding="utf-8").splitlines() or [""])[0]
    assert first == _schema_line(path, schema)
    assert (path.parent / first.split("$schema=", 1)[1]).resolve() == schema


# -- broken documents: the schema rejects them, as the validator does ---------------------

def _section(lang: str) -> dict:
    return {
        "title": f"Test topic {lang}",
        "examples": [f"test question {lang} number {i}" for i in range(limits.MIN_EXAMPLES)],
        "keywords": ["test", "1995"],
        "answer": "The office opened in **August 1995**.\n\n- one\n- two\n\n[UNHCR](https://www.unhcr.org)\n",
    }


GOOD_TOPIC = {
    "id": "test-topic", "command": "test_topic", "aliases": ["testing"], "related": [],
    "source": "¶3", "as_of": date(2016, 3, 25),
    **{lang: _section(lang) for lang in LANGUAGES},
}


def _texts(text: str) -> dict:
    return {lang: f"{text} ({lang})" for lang in LANGUAGES}


GOOD_MESSAGES = {
    "settings": {"threshold": 0.5, "default_language": "en"},
    "languages": {"en": "English", "ru": "Русский", "kk": "Қазақша"},
    "messages": {
        **{key: _texts(f"the {key} text") for key in validate.MESSAGE_KEYS},
        "translation_missing": _texts("Not yet in {language}."),
        "as_of": _texts("As of {date}"),
        "source": _texts("Source: {source}"),
        "date_format": _texts("{day} {month} {year}"),
        "months": {lang: [f"m{i}{lang}" for i in range(1, 13)] for lang in LANGUAGES},
    },
    "intents": {key: {lang: [f"{key} {lang}"] for lang in LANGUAGES} for key in validate.INTENT_KEYS},
}


def _danger_section(lang: str, category: str) -> dict:
    return {"reply": f"I cannot act on this ({lang}).",
            "examples": [f"{category} danger {lang} number {i}" for i in range(limits.MIN_DANGER_EXAMPLES)]}


GOOD_PROTECTION = {
    "settings": {"threshold": 0.5},
    "contacts_heading": _texts("Checked contacts:"),
    "contact_line": _texts("{name}: {reach} ({verified_by}, {date})"),
    "verified_contacts": [{"name": "Legal aid", "reach": "ask at reception",
                           "verified_by": "the test team", "as_of": date.today()}],
    "word_classes": {"child": {lang: ["son", "daughter"] for lang in LANGUAGES}},
    "categories": {category: {"points_to": ["test-topic"],
                              **{lang: _danger_section(lang, category) for lang in LANGUAGES}}
                   for category in ("removal", "self-harm")},
    "look_alikes": {lang: [f"an ordinary question {lang}"] for lang in LANGUAGES},
}


def _validator_problems(messages: Any = None, topic: Any = None, protection: Any = None) -> list[str]:
    """What bot/validate.py says about the documents (errors and warnings)."""
    messages_doc = Document("messages.yaml", copy.deepcopy(messages or GOOD_MESSAGES), {}, ())
    topic_doc = Document("topics/test.yaml", copy.deepcopy(topic or GOOD_TOPIC), {}, ())
    protection_doc = Document("protection.yaml", copy.deepcopy(protection or GOOD_PROTECTION), {}, ())
    return [str(p) for p in validate.validate_documents(messages_doc, [topic_doc],
                                                        protection=protection_doc)]


def test_good_documents_pass_schema_and_validator():
    assert _validator_problems() == []
    assert _errors(TOPIC_SCHEMA, GOOD_TOPIC) == []
    assert _errors(MESSAGES_SCHEMA, GOOD_MESSAGES) == []
    assert _errors(PROTECTION_SCHEMA, GOOD_PROTECTION) == []


def test_optional_parts_may_be_left_out():
    topic = {k: v for k, v in GOOD_TOPIC.items() if k not in ("aliases", "related", "ru", "kk")}
    topic["en"] = {k: v for k, v in topic["en"].items() if k != "keywords"}
    topic["aliases"] = None  # an empty 'aliases:' line
    assert _errors(TOPIC_SCHEMA, topic) == []
    messages = copy.deepcopy(GOOD_MESSAGES)
    del messages["intents"], messages["settings"]["default_language"]
    del messages["messages"]["welcome"]["kk"]
    assert _errors(MESSAGES_SCHEMA, messages) == []
    assert not [p for p in _validator_problems(messages, topic) if ": error:" in p]


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

BROKEN_TOPICS = {
    "unknown top-level key": (("sorce",), "¶3"),
    "unknown language key (typo)": (("en", "exampels"), ["a"]),
    "unknown language": (("de",), _section("de")),
    "bad command: capitals and '!'": (("command",), "Office!"),
    "bad command: a space": (("command",), "my office"),
    "bad command: too long": (("command",), "a" * (limits.TELEGRAM_COMMAND_MAX + 1)),
    "bad command: starts with '/'": (("command",), "/office"),
    "reserved command": (("command",), "help"),
    "bad alias": (("aliases",), ["ok", "not-ok"]),
    "reserved alias": (("aliases",), ["start"]),
    "aliases not a list": (("aliases",), "almaty"),
    "too few examples": (("en", "examples"), [f"question {i}" for i in range(limits.MIN_EXAMPLES - 1)]),
    "examples not a list": (("ru", "examples"), "just one question"),
    "an empty example": (("kk", "examples"), ["  "] + _section("kk")["examples"]),
    "title too long": (("en", "title"), "x" * (limits.TITLE_MAX_CHARS + 1)),
    "title missing": (("en", "title"), _DELETE),
    "answer missing": (("ru", "answer"), _DELETE),
    "empty answer": (("en", "answer"), "   "),
    "link that is not a web address": (("en", "answer"), "See [the office](www.unhcr.org)."),
    "keyword that is a number": (("en", "keywords"), ["office", 1995]),
    "bad id": (("id",), "Office"),
    "reserved id": (("id",), "greeting"),
    "id missing": (("id",), _DELETE),
    "command missing": (("command",), _DELETE),
    "source missing": (("source",), _DELETE),
    "empty source": (("source",), ""),
    "as_of missing": (("as_of",), _DELETE),
    "as_of not a date": (("as_of",), "25.03.2016"),
    "related not a list": (("related",), "region"),
    "en section missing": (("en",), _DELETE),
    "section not a mapping": (("kk",), "Қазақша"),
}


@pytest.mark.parametrize("case", list(BROKEN_TOPICS))
def test_broken_topic_is_rejected(case):
    path, value = BROKEN_TOPICS[case]
    doc = _set(GOOD_TOPIC, path, value)
    assert _errors(TOPIC_SCHEMA, doc), f"the schema accepts: {case}"
    assert _validator_problems(topic=doc), f"bot/validate.py accepts: {case}"


def test_impossible_date_is_rejected():
    # PyYAML itself refuses 2016-02-30; in an editor it is a string that "format": "date" rejects
    assert _errors(TOPIC_SCHEMA, _set(GOOD_TOPIC, ("as_of",), "2016-02-30"))


BROKEN_MESSAGES = {
    "unknown top-level key": (("setings",), {}),
    "unknown setting": (("settings", "treshold"), 0.5),
    "threshold 0": (("settings", "threshold"), 0),
    "threshold 1": (("settings", "threshold"), 1),
    "threshold as text": (("settings", "threshold"), "0.5"),
    "threshold missing": (("settings", "threshold"), _DELETE),
    "default_language not a language": (("settings", "default_language"), "de"),
    "languages missing": (("languages",), _DELETE),
    "empty language name": (("languages", "kk"), ""),
    "unknown message": (("messages", "welcom"), _texts("hi")),
    "message missing": (("messages", "fallback"), _DELETE),
    "message without en": (("messages", "help", "en"), _DELETE),
    "message in an unknown language": (("messages", "help", "de"), "Hilfe"),
    "message not per language": (("messages", "menu"), "Topics:"),
    "empty message": (("messages", "menu", "ru"), ""),
    "11 months": (("messages", "months", "ru"), [f"m{i}" for i in range(11)]),
    "13 months": (("messages", "months", "en"), [f"m{i}" for i in range(13)]),
    "unknown intent": (("intents", "goodbye"), {"en": ["bye"]}),
    "intent phrases not a list": (("intents", "thanks", "en"), "thanks"),
}


@pytest.mark.parametrize("case", list(BROKEN_MESSAGES))
def test_broken_messages_are_rejected(case):
    path, value = BROKEN_MESSAGES[case]
    doc = _set(GOOD_MESSAGES, path, value)
    assert _errors(MESSAGES_SCHEMA, doc), f"the schema accepts: {case}"
    assert _validator_problems(messages=doc), f"bot/validate.py accepts: {case}"


BROKEN_PROTECTION = {
    "unknown top-level key": (("catgories",), {}),
    "threshold missing": (("settings", "threshold"), _DELETE),
    "threshold 1": (("settings", "threshold"), 1),
    "categories missing": (("categories",), _DELETE),
    "category id with capitals": (("categories", "Removal"), {"en": _danger_section("en", "x")}),
    "category without en": (("categories", "removal", "en"), _DELETE),
    "reply missing": (("categories", "removal", "ru", "reply"), _DELETE),
    "too few examples": (("categories", "removal", "en", "examples"), ["deported"] * 3),
    "unknown section key": (("categories", "removal", "kk", "answer"), "x"),
    "contact without verified_by": (("verified_contacts", 0, "verified_by"), _DELETE),
    "contact with an unknown key": (("verified_contacts", 0, "phone"), "+7"),
    "contact as_of not a date": (("verified_contacts", 0, "as_of"), "last week"),
    "contact_line missing": (("contact_line",), _DELETE),
    "look-alikes not a list": (("look_alikes", "en"), "dying to know"),
}


@pytest.mark.parametrize("case", list(BROKEN_PROTECTION))
def test_broken_protection_is_rejected(case):
    path, value = BROKEN_PROTECTION[case]
    doc = _set(GOOD_PROTECTION, path, value)
    assert _errors(PROTECTION_SCHEMA, doc), f"the schema accepts: {case}"
    assert _validator_problems(protection=doc), f"bot/validate.py accepts: {case}"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["]", "(", ")", "[", "x", " ", "\n", "https://", "http://", "](",
                                 "](https://", "www."]), max_size=20).map("".join))
def test_answer_link_pattern_agrees_with_validator(answer):
    """The schema's link rule for answers says what validate.py says, for any text."""
    pattern = _schema(TOPIC_SCHEMA)["$defs"]["section"]["properties"]["answer"]["pattern"]
    validator_ok = all(re.match(r"https?://", url) for url in re.findall(r"\]\(([^)]*)\)", answer))
    assert bool(re.search(pattern, answer)) == validator_ok
