"""The labelled question set: accuracy per language and honest declines."""
from __future__ import annotations

import pytest

from bot.evaluate import evaluate, load_questions, per_intent
from bot.text import normalize

MIN_ACCURACY = 0.95
MIN_DECLINE_RATE = 0.90


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


def test_no_question_copies_a_content_example(content, questions):
    examples = {normalize(ex) for t in content.topics for text in t.texts.values()
                for ex in (*text.examples, *text.keywords)}
    copied = [item["q"] for item in questions if normalize(item["q"]) in examples]
    assert not copied, f"eval questions copied from content: {copied}"


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_accuracy_per_language(result, lang):
    assert result.accuracy(lang) >= MIN_ACCURACY, result.report()


def test_out_of_scope_is_declined(result):
    assert result.decline_rate >= MIN_DECLINE_RATE, result.report()
