"""Accuracy of the bot on a labelled question file, per language."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.answer import Bot
from bot.message import Message

DEFAULT_EVAL_FILE = Path(__file__).resolve().parent.parent / "tests" / "eval" / "questions.yaml"


@dataclass
class EvalResult:
    """Counts from one evaluation run."""

    correct: Counter = field(default_factory=Counter)  # lang -> in-scope answered right
    total: Counter = field(default_factory=Counter)  # lang -> in-scope questions
    declined_ok: int = 0  # out-of-scope questions declined
    out_of_scope: int = 0
    wrongly_declined: Counter = field(default_factory=Counter)  # lang -> in-scope declined
    confusions: list[tuple[str, str, str, str | None, float]] = field(default_factory=list)

    def accuracy(self, lang: str) -> float:
        """Share of in-scope questions in `lang` given the right intent."""
        return self.correct[lang] / self.total[lang] if self.total[lang] else 1.0

    @property
    def decline_rate(self) -> float:
        """Share of out-of-scope questions declined."""
        return self.declined_ok / self.out_of_scope if self.out_of_scope else 1.0

    def report(self) -> str:
        """A readable summary with every confusion."""
        lines = []
        for lang in sorted(self.total):
            lines.append(f"{lang}: {self.accuracy(lang):6.1%}  ({self.correct[lang]}/{self.total[lang]},"
                         f" declined {self.wrongly_declined[lang]})")
        lines.append(f"out of scope declined: {self.decline_rate:6.1%}  "
                     f"({self.declined_ok}/{self.out_of_scope})")
        for lang, q, want, got, score in self.confusions:
            lines.append(f"  [{lang}] {q!r}: want {want}, got {got} ({score:.2f})")
        return "\n".join(lines)


def load_questions(path: Path = DEFAULT_EVAL_FILE) -> list[dict]:
    """The labelled questions: dicts with q, lang and intent (None = must decline)."""
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def evaluate(bot: Bot, questions: list[dict]) -> EvalResult:
    """Answer every question and count what came out right."""
    result = EvalResult()
    for item in questions:
        lang, want = item["lang"], item["intent"]
        reply = bot.answer(Message(text=item["q"]))
        got = reply.intent if reply.kind != "decline" else None
        if want is None:
            result.out_of_scope += 1
            if got is None:
                result.declined_ok += 1
            else:
                result.confusions.append((lang, item["q"], "decline", got, reply.score))
            continue
        result.total[lang] += 1
        if got == want:
            result.correct[lang] += 1
        else:
            if got is None:
                result.wrongly_declined[lang] += 1
            result.confusions.append((lang, item["q"], want, got, reply.score))
    return result


def per_intent(questions: list[dict]) -> dict[str, Counter]:
    """How many questions each intent has per language (for checking coverage)."""
    out: dict[str, Counter] = defaultdict(Counter)
    for item in questions:
        out[item["intent"] or "none"][item["lang"]] += 1
    return out
