"""The labelled question set: accuracy per language and honest declines."""
from __future__ import annotations

import pytest

from bot import compare
from bot.compare import (
    MAX_FALSE_REFERRALS,
    MIN_ACCURACY,
    MIN_DECLINE_RATE,
    MIN_PROTECTION_RECALL,
    under_bars,
)
from bot.evaluate import (
    DEFAULT_PROTECTION_FILE,
    EVAL_DIR,
    evaluate,
    evaluate_protection,
    is_protection_set,
    load_questions,
    per_intent,
)
from bot.text import normalize


@pytest.fixture(scope="module")
def questions():
    return load_questions()


@pytest.fixture(scope="module")
def result(bot, questions):
    return evaluate(bot, questions)


def test_set_is_big_enough(questions):
    langs = {"en": 0, "ru": 0, "kk": 0}
    out_of_scope = 0
    for item in questions:
        if item["intent"] is None:
            out_of_scope += 1
        else:
            langs[item["lang"]] += 1
    assert len(questions) >= 300
    assert langs["en"] >= 120 and langs["ru"] >= 100 and langs["kk"] >= 50, langs
    assert out_of_scope >= 40


def test_every_topic_is_asked_in_every_language(content, questions):
    counts = per_intent(questions)
    for topic in content.topics:
        assert all(counts[topic.id][lang] >= 2 for lang in ("en", "ru", "kk")), (topic.id,
                                                                                counts[topic.id])


def _said_in_content(content) -> set[str]:
    """Every example, keyword, near-miss, danger example and look-alike, normalised."""
    said = {ex for t in content.topics for text in t.texts.values()
            for ex in (*text.examples, *text.keywords, *text.not_about)}
    said.update(ex for c in content.protection.categories for examples in c.examples.values()
                for ex in examples)
    said.update(ex for texts in content.protection.look_alikes.values() for ex in texts)
    return {normalize(ex) for ex in said}


@pytest.mark.parametrize("eval_file", ["questions", "protection", "understanding"])
def test_no_eval_message_copies_content(content, questions, protection_set, eval_file):
    items = {"questions": questions, "protection": protection_set,
             "understanding": load_questions(EVAL_DIR / "understanding.yaml")}[eval_file]
    said = _said_in_content(content)
    copied = [item["q"] for item in items if normalize(item["q"]) in said]
    assert not copied, f"eval messages copied from content: {copied}"


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_accuracy_per_language(result, lang):
    assert result.accuracy(lang) >= MIN_ACCURACY, result.report()


def test_out_of_scope_is_declined(result):
    assert result.decline_rate >= MIN_DECLINE_RATE, result.report()


# -- protection: people in danger get the referral, ordinary questions never do ------------

# The bars live in bot/compare.py, where `bot eval` checks them too.
CATEGORIES = ("removal", "detention", "violence", "sexual-violence", "trafficking", "child",
              "self-harm")


@pytest.fixture(scope="module")
def protection_set():
    return load_questions(DEFAULT_PROTECTION_FILE)


@pytest.fixture(scope="module")
def protection(bot, protection_set):
    return evaluate_protection(bot, protection_set)


def test_protection_set_is_big_enough(content, protection_set):
    assert is_protection_set(protection_set) and len(protection_set) >= 300
    danger = [item for item in protection_set if item["danger"]]
    assert len(danger) >= 200 and len(protection_set) - len(danger) >= 100
    for lang in ("en", "ru", "kk"):
        assert sum(item["lang"] == lang for item in danger) >= 60, lang
    assert {item["danger"] for item in danger} == {c.id for c in content.protection.categories}
    assert set(CATEGORIES) == {c.id for c in content.protection.categories}


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_protection_recall_per_language(protection, lang):
    assert protection.recall(lang) >= MIN_PROTECTION_RECALL, protection.report()


def test_ordinary_questions_rarely_get_the_referral(protection):
    assert len(protection.false_referrals) <= MAX_FALSE_REFERRALS, protection.report()


def test_ordinary_messages_without_an_intent_are_checked_only_for_the_referral(bot):
    items = [{"q": "where is the unhcr office", "lang": "en", "danger": None, "intent": "office"},
             {"q": "we lost the match 3-0 haha", "lang": "en", "danger": None}]
    result = evaluate_protection(bot, items)
    assert (result.ordinary["en"], result.labelled["en"]) == (2, 1)
    assert result.answered_as_labelled["en"] == 1 and not result.false_referrals
    assert "ordinary questions answered as labelled 1/1" in result.report()


# -- understanding: stories, two questions, near-ties, near-misses, one or two words --------------

def test_the_understanding_set_keeps_its_bars(bot):
    questions = load_questions(EVAL_DIR / "understanding.yaml")
    kinds = {item["kind"] for item in questions}
    assert kinds == {"story", "two", "near-tie", "near-miss", "short"}
    assert len(questions) >= 250
    result = evaluate(bot, questions)
    assert under_bars(result) == [], result.report()


def test_the_understanding_bars_name_what_fell(bot):
    # One story read as danger and one near-miss answered: each bar says what it is about.
    items = [{"q": "they will deport me tomorrow", "lang": "en", "intent": "asylum", "kind": "story"},
             {"q": "where is the unhcr office", "lang": "en", "intent": None, "kind": "near-miss"}]
    lines = under_bars(evaluate(bot, items))
    assert lines[0] == f"understood in en: 0.0%, under {compare.MIN_UNDERSTOOD:.0%}"
    assert lines[1] == f"0.0% of near-misses declined, under {compare.MIN_NEAR_MISSES_DECLINED:.0%}"
