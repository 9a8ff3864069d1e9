"""The content validator, as editors meet it: one broken thing at a time, reported with
file, line, severity and a hint; every problem at once; and `python -m bot validate`.

Each test copies tests/fixtures/content_min (a small valid content folder) to tmp_path,
breaks one thing by editing the YAML text, and looks for the exact problem. Expected line
numbers are found by searching the edited file, never hard-coded.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content import ContentError, check_documents, load_content, read_documents
from bot.yamlsrc import Problem

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "content_min"
PROJECT_ROOT = Path(__file__).resolve().parent.parent

ALPHA = "topics/alpha.yaml"
BETA = "topics/beta.yaml"
GAMMA = "topics/gamma.yaml"
MESSAGES = "messages.yaml"


# -- helpers ---------------------------------------------------------------------------

@pytest.fixture
def cdir(tmp_path: Path) -> Path:
    """A fresh, writable copy of the valid fixture, its verified contact checked today (a
    contact checked over a year ago is a warning)."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE, target)
    edit(target, "protection.yaml", "as_of: 2026-11-01", f"as_of: {date.today().isoformat()}")
    return target


def edit(root: Path, rel: str, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in a file with `new`."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def cut(root: Path, rel: str, start: str, end: str) -> None:
    """Remove the text from `start` (inclusive) up to `end` (exclusive)."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    i = text.index(start)
    j = text.index(end, i + len(start))
    path.write_text(text[:i] + text[j:], encoding="utf-8")


def pos(root: Path, rel: str, needle: str, after: str | None = None) -> tuple[int, int]:
    """1-based (line, column) of the first visible character of `needle` in the file as it
    is now, searching after the first occurrence of `after` when given."""
    text = (root / rel).read_text(encoding="utf-8")
    start = text.index(after) + len(after) if after else 0
    i = text.index(needle, start)
    i += len(needle) - len(needle.lstrip("\n"))
    line = text.count("\n", 0, i) + 1
    column = i - (text.rfind("\n", 0, i) + 1) + 1
    return line, column


def line_of(root: Path, rel: str, needle: str, after: str | None = None) -> int:
    return pos(root, rel, needle, after)[0]


def check(root: Path) -> list[Problem]:
    """Every problem, exactly as `python -m bot validate` collects them."""
    return check_documents(read_documents(root))


def rel(p: Problem, root: Path) -> str:
    """The problem's file, relative to the content folder."""
    return Path(p.where.file).resolve().relative_to(root.resolve()).as_posix()


def find(problems: list[Problem], root: Path, file: str, contains: str) -> list[Problem]:
    return [p for p in problems if rel(p, root) == file and contains in p.message]


def one(problems: list[Problem], root: Path, file: str, contains: str) -> Problem:
    """The single problem in `file` whose message contains `contains`."""
    found = find(problems, root, file, contains)
    assert len(found) == 1, (f"expected one problem in {file} containing {contains!r}, got:\n"
                             + "\n".join(map(str, problems)))
    return found[0]


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def warnings_(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "warning"]


def at(p: Problem, line: int, column: int | None = None) -> bool:
    return p.where.line == line and (column is None or p.where.column == column)


# -- the fixture itself ----------------------------------------------------------------

def test_fixture_is_valid_and_loads(cdir):
    assert check(cdir) == []
    content = load_content(cdir)
    assert content.warnings == ()
    assert [t.id for t in content.topics] == ["alpha", "beta", "gamma"]
    assert [t.command for t in content.topics] == ["alpha", "beta", "gamma"]
    assert dict(content.languages).keys() == {"en", "ru", "kk"}
    assert content.default_language == "en"
    for topic in content.topics:
        assert set(topic.texts) == {"en", "ru", "kk"}
        assert all(content.topic(r) for r in topic.related)
        assert all(len(t.examples) == 8 for t in topic.texts.values())
    for lang in ("en", "ru", "kk"):
        assert len(content.messages["months"][lang]) == 12


# -- YAML syntax -----------------------------------------------------------------------

def test_yaml_syntax_error_reports_line_and_column(cdir):
    edit(cdir, ALPHA, "title: Alpha reading room", "title: Alpha: reading room")
    line, col = pos(cdir, ALPHA, ": reading room")
    problems = check(cdir)
    p = one(problems, cdir, ALPHA, "YAML syntax")
    assert p.severity == "error"
    assert at(p, line, col)
    assert "mapping values are not allowed" in p.message
    assert "quoted" in p.hint


def test_tab_indented_file_is_reported_at_the_first_tab(cdir):
    path = cdir / BETA
    path.write_text(re.sub(r"(?m)^  ", "\t", path.read_text(encoding="utf-8")), encoding="utf-8")
    line, col = pos(cdir, BETA, "\n\t")
    p = one(check(cdir), cdir, BETA, "YAML syntax")
    assert p.severity == "error"
    assert at(p, line, col)


def test_tab_indented_file_hint_says_tabs(cdir):
    path = cdir / BETA
    path.write_text(re.sub(r"(?m)^  ", "\t", path.read_text(encoding="utf-8")), encoding="utf-8")
    p = one(check(cdir), cdir, BETA, "YAML syntax")
    assert "tab" in (p.message + " " + p.hint).lower()
    assert "spaces" in p.hint


def test_syntax_error_in_messages_causes_no_knock_on_errors(cdir):
    edit(cdir, MESSAGES, "en: I am a small test bot.", "en: I am: a small test bot.")
    problems = check(cdir)
    p = one(problems, cdir, MESSAGES, "YAML syntax")
    assert p.where.line == line_of(cdir, MESSAGES, "en: I am: a small test bot.")
    assert problems == [p], "\n".join(map(str, problems))


def test_syntax_error_in_topic_causes_no_knock_on_errors(cdir):
    edit(cdir, ALPHA, "title: Alpha reading room", "title: Alpha: reading room")
    problems = check(cdir)
    assert len(problems) == 1, "\n".join(map(str, problems))
    assert rel(problems[0], cdir) == ALPHA


# -- keys ------------------------------------------------------------------------------

@pytest.mark.parametrize("old, typo, meant", [
    ("\n  examples:", "\n  exampels:", "examples"),
    ("\nrelated:", "\nrelatd:", "related"),
    ("\n  answer:", "\n  anwser:", "answer"),
    ("\n  keywords:", "\n  keywrods:", "keywords"),
])
def test_unknown_key_with_did_you_mean(cdir, old, typo, meant):
    text = (cdir / ALPHA).read_text(encoding="utf-8")
    (cdir / ALPHA).write_text(text.replace(old, typo, 1), encoding="utf-8")  # the first one
    line, col = pos(cdir, ALPHA, typo.strip())
    bad = typo.strip().rstrip(":")
    p = one(check(cdir), cdir, ALPHA, f"unknown key '{bad}'")
    assert p.severity == "error"
    assert at(p, line, col)
    assert f"did you mean '{meant}'?" in p.hint


def test_unknown_key_in_messages(cdir):
    edit(cdir, MESSAGES, "  fallback:", "  falback:")
    line, col = pos(cdir, MESSAGES, "  falback:")
    problems = check(cdir)
    p = one(problems, cdir, MESSAGES, "unknown key 'falback'")
    assert at(p, line, col + 2) and p.severity == "error"
    assert "did you mean 'fallback'?" in p.hint
    assert find(problems, cdir, MESSAGES, "message 'fallback' is missing")


@pytest.mark.parametrize("file, first, after", [
    (ALPHA, "  title: Alpha reading room", "\nen:"),
    (MESSAGES, "  threshold: 0.5", "\nsettings:"),
    (MESSAGES, "    ru: Пожалуйста.", "\n  thanks:"),
])
def test_duplicate_yaml_key(cdir, file, first, after):
    key = first.strip().split(":")[0]
    edit(cdir, file, first + "\n", first + "\n" + first.split(":")[0] + ": again\n")
    line = line_of(cdir, file, "\n" + first.split(":")[0] + ": again")
    first_line = line_of(cdir, file, first, after=after)
    p = one(check(cdir), cdir, file, f"key '{key}' appears twice")
    assert p.severity == "error"
    assert p.where.line == line != first_line
    assert "keep one" in p.hint


# -- language sections -----------------------------------------------------------------

def test_missing_other_language_is_a_warning_and_the_bot_still_loads(cdir):
    cut(cdir, ALPHA, "\nru:", "\nkk:")
    problems = check(cdir)
    assert errors(problems) == []
    p = one(problems, cdir, ALPHA, "the 'ru' section is missing")
    assert p.severity == "warning"
    assert p.where.line == line_of(cdir, ALPHA, "id: alpha")
    assert "'en'" in p.hint
    content = load_content(cdir)
    assert [w.message for w in content.warnings] == [p.message]
    alpha = content.topic("alpha")
    assert set(alpha.texts) == {"en", "kk"}
    text, used = alpha.text("ru", content.default_language)
    assert used == "en" and text.title == "Alpha reading room"


def test_missing_default_language_is_an_error(cdir):
    cut(cdir, GAMMA, "\nen:", "\nru:")
    problems = check(cdir)
    p = one(problems, cdir, GAMMA, "the 'en' section is missing")
    assert p.severity == "error"
    assert "default language" in p.message
    assert p.where.line == line_of(cdir, GAMMA, "id: gamma")
    assert errors(problems) == [p]
    with pytest.raises(ContentError):
        load_content(cdir)


@pytest.mark.parametrize("old, new, lang, what", [
    ("  title: Alpha reading room\n", "", "en", "title"),
    ("  title: Alpha reading room\n", '  title: ""\n', "en", "title"),
    ("  title: Альфа оқу залы\n", "", "kk", "title"),
    ("  answer: |\n    The Alpha reading room is open on **weekdays**. You may borrow up to "
     "three books for two weeks.\n", "", "en", "answer"),
    ("  answer: |\n    Читальный зал Альфа работает по **будням**. Можно взять до трёх книг на "
     "две недели.\n", "  answer:\n", "ru", "answer"),
])
def test_missing_title_or_answer(cdir, old, new, lang, what):
    edit(cdir, ALPHA, old, new)
    p = one(check(cdir), cdir, ALPHA, f"'{lang}.{what}' is missing")
    assert p.severity == "error"
    # An empty key is pointed at; a key left out, at its section.
    expected = (line_of(cdir, ALPHA, f"  {what}:", after=f"\n{lang}:") if new
                else line_of(cdir, ALPHA, f"\n{lang}:"))
    assert p.where.line == expected


def test_fewer_than_eight_examples_is_a_warning(cdir):
    edit(cdir, ALPHA, "    - сколько книг можно взять\n", "")
    problems = check(cdir)
    assert errors(problems) == []
    p = one(problems, cdir, ALPHA, "only 7 example questions")
    assert p.severity == "warning"
    assert p.where.line == line_of(cdir, ALPHA, "  examples:", after="\nru:")
    assert "at least 8" in p.hint
    assert load_content(cdir).warnings == (p,)


# -- commands, aliases, related --------------------------------------------------------

def test_duplicate_command_across_topics(cdir):
    edit(cdir, BETA, "command: beta", "command: alpha")
    line, col = pos(cdir, BETA, "command: alpha")
    first_line = line_of(cdir, ALPHA, "command: alpha")
    problems = check(cdir)
    p = one(problems, cdir, BETA, "command '/alpha' is also used by topic 'alpha'")
    assert p.severity == "error"
    assert at(p, line, col)
    assert f"alpha.yaml:{first_line}" in p.message
    assert not find(problems, cdir, ALPHA, "command")
    assert len(errors(problems)) == 1


@pytest.mark.parametrize("file, old, new, word, owner, owner_needle", [
    (BETA, "aliases: [garden]", "aliases: [reading]", "reading", "alpha", "aliases: [reading]"),
    (GAMMA, "aliases: [workshop]", "aliases: [workshop, beta]", "beta", "beta", "command: beta"),
])
def test_duplicate_alias(cdir, file, old, new, word, owner, owner_needle):
    edit(cdir, file, old, new)
    line, col = pos(cdir, file, word, after="aliases: [")
    owner_file = f"topics/{owner}.yaml"
    owner_line = line_of(cdir, owner_file, owner_needle)
    problems = check(cdir)
    p = one(problems, cdir, file, f"command '/{word}' is also used by topic '{owner}'")
    assert p.severity == "error"
    assert at(p, line, col)
    assert f"{owner}.yaml:{owner_line}" in p.message
    assert "one topic" in p.hint
    assert len(errors(problems)) == 1


# A problem with a mapping value points at its key; with a list item, at the item.
@pytest.mark.parametrize("old, new, word, needle, after", [
    ("command: alpha", "command: help", "help", "command: help", None),
    ("command: alpha", "command: start", "start", "command: start", None),
    ("aliases: [reading]", "aliases: [reading, language]", "language", "language", "aliases: ["),
])
def test_reserved_command(cdir, old, new, word, needle, after):
    edit(cdir, ALPHA, old, new)
    line, col = pos(cdir, ALPHA, needle, after=after)
    problems = check(cdir)
    p = one(problems, cdir, ALPHA, f"command '/{word}' is reserved")
    assert p.severity == "error"
    assert at(p, line, col)
    assert len(errors(problems)) == 1


def test_invalid_command(cdir):
    edit(cdir, GAMMA, "command: gamma", "command: Gamma-Workshop")
    line, col = pos(cdir, GAMMA, "command: Gamma-Workshop")
    p = one(check(cdir), cdir, GAMMA, "command 'Gamma-Workshop' is not valid")
    assert at(p, line, col) and p.severity == "error"
    assert "lowercase" in p.hint


def test_gives_names_a_kind_that_asks_for_does_not(cdir):
    edit(cdir, ALPHA, "related: [beta, gamma]", "related: [beta, gamma]\ngives: [cuont]")
    line, col = pos(cdir, ALPHA, "cuont]")
    problems = check(cdir)
    p = one(problems, cdir, ALPHA, "kind 'cuont' is not named in messages.yaml asks_for")
    assert p.severity == "error" and at(p, line, col)
    assert "use one of:" in p.hint
    assert len(errors(problems)) == 1


def test_related_names_no_topic_with_did_you_mean(cdir):
    edit(cdir, ALPHA, "related: [beta, gamma]", "related: [beta, gama]")
    line, col = pos(cdir, ALPHA, "gama]")
    problems = check(cdir)
    p = one(problems, cdir, ALPHA, "related topic 'gama' does not exist")
    assert p.severity == "error"
    assert at(p, line, col)
    assert "did you mean 'gamma'?" in p.hint
    assert len(errors(problems)) == 1


def test_duplicate_id(cdir):
    edit(cdir, GAMMA, "id: gamma", "id: beta")
    first = line_of(cdir, BETA, "id: beta")
    p = one(check(cdir), cdir, GAMMA, "id 'beta' is also used in")
    assert p.severity == "error"
    assert p.where.line == line_of(cdir, GAMMA, "id: beta")
    assert f"beta.yaml:{first}" in p.message


# -- answers ---------------------------------------------------------------------------

ALPHA_EN_ANSWER = ("    The Alpha reading room is open on **weekdays**. You may borrow up to three "
                   "books for two weeks.\n")


def _frame_len(root: Path) -> int:
    """What alpha's English answer is framed with on screen: title, then the longest
    'source · as-of' line the fixture renders (25 <longest month> 2016), blank lines between."""
    import yaml
    m = yaml.safe_load((root / MESSAGES).read_text(encoding="utf-8"))["messages"]
    topic = yaml.safe_load((root / ALPHA).read_text(encoding="utf-8"))
    footer = max(len(m["source"][lang].format(source=topic["source"]) + " · " + m["as_of"][lang].format(
        date=m["date_format"][lang].format(day=25, month=max(m["months"][lang], key=len), month_number=12,
                                           year=2016)))
        for lang in ("en", "ru", "kk"))
    return len(topic["en"]["title"]) + 2 + 2 + footer


def _sentence_text(n: int) -> str:
    """Plain text of exactly n characters, without markup or outer spaces."""
    return ("Many old books and quiet tables. " * n)[:n - 1] + "."


@pytest.mark.parametrize("length", [701, 900])
def test_answer_over_700_characters(cdir, length):
    body = _sentence_text(length)
    assert len(body) == length
    edit(cdir, ALPHA, ALPHA_EN_ANSWER, "    " + body + "\n")
    line, col = pos(cdir, ALPHA, "  answer:", after="\nen:")
    problems = check(cdir)
    p = one(problems, cdir, ALPHA, "answer is too long")
    assert p.severity == "error"
    assert at(p, line, col + 2)
    expected = length + _frame_len(cdir)
    assert f"{expected} characters with the title and the source/as-of line" in p.message
    assert "700" in p.hint
    assert len(errors(problems)) == 1


def test_answer_limit_counts_the_title_and_as_of_line_but_not_markup(cdir):
    limit = 700 - _frame_len(cdir)
    # Exactly at the limit: fine. With **bold** markers the raw text is longer, still fine.
    body = _sentence_text(limit - 5) + " **bold**"
    assert len(body) == limit + 4
    edit(cdir, ALPHA, ALPHA_EN_ANSWER, "    " + body + "\n")
    assert check(cdir) == []
    # One character more (an answer of < 700 on its own) is too long with the as-of line.
    edit(cdir, ALPHA, body, body + "!")
    p = one(check(cdir), cdir, ALPHA, "answer is too long")
    assert "701 characters" in p.message


# -- example questions -----------------------------------------------------------------

@pytest.mark.parametrize("file, old, new, lang, original", [
    (BETA, "    - can i visit the beta garden", "    - When is the Alpha reading-room OPEN?!", "en",
     "    - when is the alpha reading room open"),
    (GAMMA, "    - сколько стоит ремонт", "    - Когда открыт читальный зал «Альфа»?", "ru",
     "    - когда открыт читальный зал альфа"),
    # Kazakh typed on a Russian keyboard (қ -> к, ұ -> у) still counts as the same question.
    (GAMMA, "    - жөндеу қанша тұрады", "    - Альфа оку залы кашан ашык?", "kk",
     "    - альфа оқу залы қашан ашық"),
])
def test_same_example_under_two_topics(cdir, file, old, new, lang, original):
    edit(cdir, file, old, new)
    line, col = pos(cdir, file, new.lstrip()[2:])
    first_line = line_of(cdir, ALPHA, original)
    problems = check(cdir)
    p = one(problems, cdir, file, "is also under topic 'alpha'")
    assert p.severity == "error"
    assert at(p, line, col)
    assert new.strip()[2:] in p.message
    assert f"alpha.yaml:{first_line}" in p.message
    assert "one topic" in p.hint
    assert len(errors(problems)) == 1


# -- source and as_of ------------------------------------------------------------------

@pytest.mark.parametrize("new, at_key", [("", False), ('source: ""\n', True), ("source:\n", True)])
def test_missing_source(cdir, new, at_key):
    edit(cdir, BETA, 'source: "¶2"\n', new)
    expected = line_of(cdir, BETA, "source:") if at_key else line_of(cdir, BETA, "id: beta")
    problems = check(cdir)
    p = one(problems, cdir, BETA, "'source' is missing")
    assert p.severity == "error"
    assert p.where.line == expected
    assert "source:" in p.hint
    assert len(errors(problems)) == 1


def test_missing_as_of(cdir):
    edit(cdir, BETA, "as_of: 2016-03-25\n", "")
    p = one(check(cdir), cdir, BETA, "'as_of' is missing or not a date")
    assert p.severity == "error"
    assert p.where.line == line_of(cdir, BETA, "id: beta")
    assert "YYYY-MM-DD" in p.hint


@pytest.mark.parametrize("written", ['"25.03.2016"', "25.03.2016", "2016-3-25", "March 2016"])
def test_as_of_not_a_date(cdir, written):
    edit(cdir, BETA, "as_of: 2016-03-25", f"as_of: {written}")
    line, col = pos(cdir, BETA, "as_of:")
    problems = check(cdir)
    p = one(problems, cdir, BETA, "'as_of' is missing or not a date")
    assert p.severity == "error"
    assert at(p, line, col)
    assert "YYYY-MM-DD" in p.hint and "2016-03-25" in p.hint
    assert len(errors(problems)) == 1


# -- messages.yaml ---------------------------------------------------------------------

@pytest.mark.parametrize("value", ["1.5", "-0.2", "high", "'0.5'", "0,5", "yes", ""])
def test_bad_threshold(cdir, value):
    edit(cdir, MESSAGES, "threshold: 0.5", f"threshold: {value}".rstrip())
    line, col = pos(cdir, MESSAGES, "threshold:")
    problems = check(cdir)
    p = one(problems, cdir, MESSAGES, "threshold must be a number between 0 and 1")
    assert p.severity == "error"
    assert at(p, line, col)
    assert "0.5" in p.hint
    assert len(errors(problems)) == 1


def test_good_thresholds_pass(cdir):
    for value in ("0.35", "0.9"):
        shutil.rmtree(cdir)
        shutil.copytree(FIXTURE, cdir)
        edit(cdir, MESSAGES, "threshold: 0.5", f"threshold: {value}")
        assert check(cdir) == [], value


def test_missing_message_key(cdir):
    cut(cdir, MESSAGES, "  fallback:\n", "  unknown_command:\n")
    problems = check(cdir)
    p = one(problems, cdir, MESSAGES, "message 'fallback' is missing")
    assert p.severity == "error"
    assert p.where.line == line_of(cdir, MESSAGES, "\nmessages:")
    assert "add 'fallback:'" in p.hint and "en, ru, kk" in p.hint
    assert len(errors(problems)) == 1


def test_message_missing_in_one_language_is_a_warning(cdir):
    edit(cdir, MESSAGES, "    kk: Оқасы жоқ.\n", "")
    problems = check(cdir)
    p = one(problems, cdir, MESSAGES, "'thanks' has no 'kk' text")
    assert p.severity == "warning"
    assert p.where.line == line_of(cdir, MESSAGES, "  thanks:", after="\nmessages:")
    assert "'en'" in p.hint
    assert errors(problems) == []
    load_content(cdir)


def test_message_missing_in_default_language_is_an_error(cdir):
    edit(cdir, MESSAGES, "    en: You are welcome.\n", "")
    p = one(check(cdir), cdir, MESSAGES, "'thanks' has no 'en' (the default language)")
    assert p.severity == "error"
    assert p.where.line == line_of(cdir, MESSAGES, "  thanks:", after="\nmessages:")


def test_months_need_twelve_names(cdir):
    edit(cdir, MESSAGES, "қараша, желтоқсан]", "қараша]")
    p = one(check(cdir), cdir, MESSAGES, "expected a list of 12 texts")
    assert p.severity == "error"
    assert p.where.line == line_of(cdir, MESSAGES, "    kk: [қаңтар")


# -- many problems at once -------------------------------------------------------------

def break_several(root: Path) -> dict[tuple[str, int, str], str]:
    """Break 4 files (and add a 5th, unparsable); return (file, line, severity) -> message part."""
    edit(root, MESSAGES, "threshold: 0.5", "threshold: 1.5")
    edit(root, ALPHA, "command: alpha", "command: help")
    edit(root, BETA, "as_of: 2016-03-25", 'as_of: "25.03.2016"')
    edit(root, BETA, "    - можно ли гулять с собакой в саду бета\n", "")
    edit(root, GAMMA, 'source: "¶3"\n', "")
    edit(root, GAMMA, "  title: Gamma workshop\n", "  title: Gamma workshop\n  title: Repairs\n")
    (root / "topics" / "delta.yaml").write_text("id: delta\ncommand: delta: x\n", encoding="utf-8")
    return {
        (MESSAGES, line_of(root, MESSAGES, "threshold:"), "error"): "threshold must be",
        (ALPHA, line_of(root, ALPHA, "command: help"), "error"): "'/help' is reserved",
        (BETA, line_of(root, BETA, "as_of:"), "error"): "'as_of' is missing or not a date",
        (BETA, line_of(root, BETA, "  examples:", after="\nru:"), "warning"):
            "only 7 example questions",
        (GAMMA, line_of(root, GAMMA, "id: gamma"), "error"): "'source' is missing",
        (GAMMA, line_of(root, GAMMA, "  title: Repairs"), "error"): "key 'title' appears twice",
        ("topics/delta.yaml", 2, "error"): "YAML syntax",
    }


def test_several_errors_in_several_files_are_all_reported(cdir):
    expected = break_several(cdir)
    problems = check(cdir)
    got = {(rel(p, cdir), p.where.line, p.severity): p.message for p in problems}
    assert len(problems) == 7, "\n".join(map(str, problems))
    assert len(errors(problems)) == 6 and len(warnings_(problems)) == 1
    assert got.keys() == expected.keys()
    for key, part in expected.items():
        assert part in got[key], (key, got[key])


def test_load_content_raises_content_error_with_every_problem(cdir):
    expected = break_several(cdir)
    with pytest.raises(ContentError) as info:
        load_content(cdir)
    e = info.value
    got = {(rel(p, cdir), p.where.line, p.severity): p.message for p in e.problems}
    assert got.keys() == expected.keys()
    assert str(e).startswith("6 error(s) in content")
    for p in e.problems:
        assert str(p) in str(e)


def test_load_content_with_only_warnings_does_not_raise(cdir):
    cut(cdir, ALPHA, "\nru:", "\nkk:")
    edit(cdir, GAMMA, "    - гамма шеберханасы қайда\n", "")
    problems = check(cdir)
    assert errors(problems) == [] and len(problems) == 2
    assert load_content(cdir).warnings == tuple(problems)


# -- the command line ------------------------------------------------------------------

def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CONTENT_DIR"}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run([sys.executable, "-m", "bot", "validate", *args], cwd=PROJECT_ROOT,
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)


def shown(root: Path, rel_file: str) -> str:
    """How the CLI names a file: relative to its working directory when inside it."""
    path = root / rel_file
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def test_cli_valid_fixture_exits_0(cdir):
    result = run_cli(str(cdir))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 topic file(s): 0 error(s), 0 warning(s)" in result.stdout
    assert "error:" not in result.stdout and "warning:" not in result.stdout


def test_cli_shipped_fixture_path_exits_0():
    result = run_cli(str(FIXTURE))
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_errors_exit_2_and_print_every_error_with_position(cdir):
    expected = break_several(cdir)
    problems = {(rel(p, cdir), p.where.line, p.severity): p for p in check(cdir)}
    result = run_cli(str(cdir))
    assert result.returncode == 2, result.stdout + result.stderr
    out = result.stdout
    for key, part in expected.items():
        file, line, severity = key
        col = problems[key].where.column
        prefix = f"{shown(cdir, file)}:{line}:{col}: {severity}: "
        printed = [row for row in out.splitlines() if row.startswith(prefix)]
        assert len(printed) == 1 and part in printed[0], (prefix, out)
    assert "6 error(s), 1 warning(s)" in out
    assert out.count("\n    hint: ") == sum(bool(p.hint) for p in problems.values())


def test_cli_only_warnings_exits_0_and_prints_them(cdir):
    cut(cdir, ALPHA, "\nru:", "\nkk:")
    edit(cdir, GAMMA, "    - сколько стоит ремонт\n", "")
    result = run_cli(str(cdir))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert f"{shown(cdir, ALPHA)}:{line_of(cdir, ALPHA, 'id: alpha')}:1: warning: " \
           "the 'ru' section is missing" in out
    gamma_line, gamma_col = pos(cdir, GAMMA, "examples:", after="\nru:")
    assert f"{shown(cdir, GAMMA)}:{gamma_line}:{gamma_col}: warning: only 7 example questions" in out
    assert "0 error(s), 2 warning(s)" in out


def test_cli_missing_folder_exits_2(tmp_path):
    result = run_cli(str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "content directory not found" in result.stderr


# -- protection.yaml ---------------------------------------------------------------------

def test_no_verified_contacts_is_a_warning_that_names_the_file(cdir):
    text = (cdir / "protection.yaml").read_text(encoding="utf-8")
    start = text.index("verified_contacts:")
    end = text.index("categories:")
    (cdir / "protection.yaml").write_text(text[:start] + "verified_contacts: []\n" + text[end:],
                                         encoding="utf-8")
    [p] = check(cdir)
    assert p.severity == "warning" and rel(p, cdir) == "protection.yaml"
    assert "no verified contacts" in p.message and "name, reach, verified_by and as_of" in p.hint
    assert load_content(cdir).protection.contacts == ()
    out = run_cli(str(cdir)).stdout
    assert f"{shown(cdir, 'protection.yaml')}:" in out and "no verified contacts" in out


def test_shipped_content_warns_that_no_verified_contacts_are_set():
    result = run_cli()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "content/protection.yaml:" in result.stdout
    assert "warning: no verified contacts are set" in result.stdout


def test_contact_checked_over_a_year_ago_is_a_warning(cdir):
    old = date.today() - timedelta(days=400)
    edit(cdir, "protection.yaml", f"as_of: {date.today().isoformat()}", f"as_of: {old.isoformat()}")
    [p] = check(cdir)
    assert p.severity == "warning" and "check it again" in p.hint
    assert p.where.line == line_of(cdir, "protection.yaml", "as_of: ", after="verified_contacts:")


def test_protection_errors_have_positions(cdir):
    edit(cdir, "protection.yaml", "points_to: [alpha]", "points_to: [alhpa]")
    edit(cdir, "protection.yaml", "      reply: Вы заслуживаете", "      replly: Вы заслуживаете")
    problems = {p.message: p for p in errors(check(cdir))}
    p = problems["topic 'alhpa' does not exist"]
    assert p.hint == "did you mean 'alpha'?"
    assert p.where.line == line_of(cdir, "protection.yaml", "points_to: [alhpa]")
    p = problems["unknown key 'replly'"]
    assert p.hint == "did you mean 'reply'?"
    assert p.where.line == line_of(cdir, "protection.yaml", "replly:")


def test_said_in_ordinary_words_must_be_true_or_false(cdir):
    edit(cdir, "protection.yaml", "points_to: [alpha]",
         "points_to: [alpha]\n    said_in_ordinary_words: often")
    p = one(errors(check(cdir)), cdir, "protection.yaml",
            "'said_in_ordinary_words' must be true or false")
    assert p.hint == "e.g. said_in_ordinary_words: true"
    assert p.where.line == line_of(cdir, "protection.yaml", "said_in_ordinary_words: often")


def test_missing_protection_file_is_an_error(cdir):
    (cdir / "protection.yaml").unlink()
    [p] = check(cdir)
    assert p.message == "file missing" and rel(p, cdir) == "protection.yaml"
    with pytest.raises(ContentError):
        load_content(cdir)


# -- files that cannot be read, or must not be -------------------------------------------

def test_an_impossible_date_is_one_error_with_its_line(cdir):
    edit(cdir, ALPHA, "as_of: 2016-03-25", "as_of: 2016-02-30")
    [p] = errors(check(cdir))
    assert rel(p, cdir) == ALPHA and p.where.line == line_of(cdir, ALPHA, "as_of:")
    assert p.message == "'as_of' is missing or not a date" and "YYYY-MM-DD" in p.hint
    for command in (["validate", str(cdir)], ["--content", str(cdir), "ask", "/alpha"]):
        out = subprocess.run([sys.executable, "-m", "bot", *command], cwd=PROJECT_ROOT,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 2 and "Traceback" not in out.stdout + out.stderr
        assert f"{ALPHA}:{p.where.line}:" in out.stdout + out.stderr


def test_an_alias_bomb_is_refused_at_once_with_its_line(cdir):
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 9)]
    (cdir / "topics" / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    problems = [p for p in errors(check(cdir)) if "bomb.yaml" in p.where.file]
    assert time.perf_counter() - started < 2
    assert [(p.where.line, p.where.column) for p in problems] == [(1, 5)]
    assert "anchors and aliases" in problems[0].message


def test_bold_markup_and_ampersands_are_not_taken_for_aliases(cdir):
    edit(cdir, ALPHA, "open on **weekdays**.", "open on **weekdays** & *most* holidays.")
    assert errors(check(cdir)) == []


def test_a_fifo_or_an_oversized_file_is_refused_not_read(cdir):
    os.mkfifo(cdir / "topics" / "pipe.yaml")
    big = cdir / "topics" / "big.yaml"
    big.write_text("id: big\n" + "# padding\n" * 60_000, encoding="utf-8")
    problems = {Path(p.where.file).name: p.message for p in errors(check(cdir))}
    assert problems["pipe.yaml"] == "not a regular file"
    assert problems["big.yaml"].startswith("file is over")


def test_a_placeholder_a_message_is_not_given_is_an_error(cdir):
    edit(cdir, MESSAGES, 'kk: "Бір минут күтіп, қайта сұраңыз."', 'kk: "Бір {minutes} минут күтіп."')
    [p] = errors(check(cdir))
    assert "placeholder" in p.message and p.where.line == line_of(cdir, MESSAGES, "{minutes}")


def test_a_command_slack_cannot_have_is_a_warning_that_says_how_it_is_reached(cdir):
    edit(cdir, ALPHA, "aliases: [reading]", "aliases: [reading, status, " + "x" * 32 + "]")
    problems = warnings_(check(cdir))
    assert [p.message for p in problems] == ["Slack has no command '/status'",
                                             "Slack has no command '/" + "x" * 32 + "'"]
    assert all("/unhcr" in p.hint for p in problems)


# -- no content ends in a traceback ------------------------------------------------------

@pytest.mark.parametrize("command", [["validate", "{dir}"], ["--content", "{dir}", "ask", "/alpha"],
                                     ["--content", "{dir}", "explain", "where"],
                                     ["--content", "{dir}", "eval"], ["--content", "{dir}", "run"]],
                         ids=lambda c: c[0] if c[0] == "validate" else c[2])
def test_every_command_reports_broken_content_without_a_traceback(cdir, command):
    edit(cdir, MESSAGES, "threshold: 0.5", "threshold: [0.5]")
    edit(cdir, BETA, "title: Beta garden", "title: 2016-03-25")  # a date is text where text goes
    out = subprocess.run([sys.executable, "-m", "bot", *(a.format(dir=cdir) for a in command)],
                         cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
                         stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    said = out.stdout + out.stderr
    assert out.returncode == 2 and "Traceback" not in said, said
    assert f"{shown(cdir, MESSAGES)}:{line_of(cdir, MESSAGES, 'threshold:')}:3: error: threshold must" in said
    assert "error(s)" in said and BETA not in said


def test_yaml_values_that_are_not_text_where_text_goes_are_errors_not_crashes(cdir):
    edit(cdir, ALPHA, "title: Alpha reading room", "title: 2016-03-25")  # text, as editors see it
    edit(cdir, BETA, "title: Beta garden", "title: 1995")
    edit(cdir, GAMMA, "    - сколько стоит ремонт", "    - !!binary aGVsbG8=")
    problems = check(cdir)
    assert [(rel(p, cdir), p.message) for p in errors(problems)] == [
        (BETA, "'en.title' is missing"), (GAMMA, "'ru.examples' must be a list of questions")]
    with pytest.raises(ContentError):
        load_content(cdir)
    edit(cdir, BETA, "title: 1995", "title: .nan")  # JSON has no NaN: it stays text
    edit(cdir, GAMMA, "    - !!binary aGVsbG8=", "    - сколько стоит ремонт")
    assert errors(check(cdir)) == []
    assert load_content(cdir).topic("alpha").texts["en"].title == "2016-03-25"


def test_keys_are_names_as_editors_tools_read_them(cdir):
    edit(cdir, ALPHA, "related: [beta, gamma]\n", "related: [beta, gamma]\n1995: a year\n")
    edit(cdir, BETA, "related:", "? [a, b]\n: c\nrelated:")  # a list as a key: a YAML slip
    problems = errors(check(cdir))
    assert sorted((rel(p, cdir), p.where.line, p.message) for p in problems) == [
        (ALPHA, line_of(cdir, ALPHA, "1995:"), "unknown key '1995'"),
        (BETA, line_of(cdir, BETA, "? [a, b]"), "a key must be a name, not a list or mapping")]


_ODD = [None, "", " ", "x", "help", "status", "2016-02-30", "2016-03-25", 0, 1, 0.5, 1.5, True,
        [], ["a"], [" "], ["a", "a"], {}, {"en": "x"}, {"x": ["y"]}, "x" * 50, "[a](www.b)",
        "{nope}", "{", b"bytes", {1995: "x"}]


def _paths(value, path=()):
    found = [path] if path else []
    if isinstance(value, dict):
        for key, sub in value.items():
            found += _paths(sub, path + (key,))
    elif isinstance(value, list):
        for i, sub in enumerate(value[:2]):
            found += _paths(sub, path + (i,))
    return found


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_edit_is_reported_or_loads_never_a_traceback(data):
    """Whatever an editor writes in a file's place, the content loads or every problem is
    reported (ContentError): nothing else is raised."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        shutil.copytree(FIXTURE, root)
        files = [MESSAGES, "protection.yaml", ALPHA, BETA]
        for _ in range(data.draw(st.integers(1, 3))):
            rel_file = data.draw(st.sampled_from(files))
            doc = yaml.safe_load((root / rel_file).read_text(encoding="utf-8"))
            path = data.draw(st.sampled_from(_paths(doc)))
            target = doc
            for key in path[:-1]:
                target = target[key]
            if data.draw(st.booleans()):
                target[path[-1]] = data.draw(st.sampled_from(_ODD))
            elif isinstance(target, dict):
                del target[path[-1]]
            (root / rel_file).write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        try:
            content = load_content(root)
        except ContentError as e:
            assert any(p.severity == "error" for p in e.problems)
        else:
            assert content.topics


def test_the_menu_order_names_existing_topics_once(cdir):
    edit(cdir, MESSAGES, "  default_language: en\n",
         "  default_language: en\n  menu: [gamma, betta, gamma]\n")
    problems = check(cdir)
    p = one(problems, cdir, MESSAGES, "topic 'betta' does not exist")
    assert p.severity == "error" and p.where.line == line_of(cdir, MESSAGES, "  menu:")
    assert "did you mean 'beta'?" in p.hint
    twice = one(problems, cdir, MESSAGES, "topic 'gamma' is listed twice in the menu")
    assert twice.severity == "warning"


def test_the_menu_order_puts_the_listed_topics_first(cdir):
    from bot.content import load_content
    edit(cdir, MESSAGES, "  default_language: en\n", "  default_language: en\n  menu: [gamma]\n")
    assert [t.id for t in load_content(cdir).topics] == ["gamma", "alpha", "beta"]
