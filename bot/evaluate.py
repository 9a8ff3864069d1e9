"""Accuracy of the bot on a labelled question file, per language (and per kind of message,
for the understanding set); protection recall on the protection set."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.answer import Bot
from bot.message import Message, Reply

EVAL_DIR = Path(__file__).resolve().parent.parent / "tests" / "eval"
DEFAULT_EVAL_FILE = EVAL_DIR / "questions.yaml"
DEFAULT_PROTECTION_FILE = EVAL_DIR / "protection.yaml"
DEFAULT_UNDERSTANDING_FILE = EVAL_DIR / "understanding.yaml"


@dataclass
class EvalResult:
    """Counts from one evaluation run."""

    correct: Counter = field(default_factory=Counter)  # lang -> in-scope answered right
    total: Counter = field(default_factory=Counter)  # lang -> in-scope questions
    declined_ok: int = 0  # out-of-scope questions declined
    out_of_scope: int = 0
    wrongly_declined: Counter = field(default_factory=Counter)  # lang -> in-scope declined
    confusions: list[tuple[str, str, str, str | None, float]] = field(default_factory=list)
    # Of a set whose messages name their kind (story, two, near-tie, near-miss, short): per
    # kind, those read right and all; and messages given the referral (no one is in danger).
    kind_right: Counter = field(default_factory=Counter)
    kind_total: Counter = field(default_factory=Counter)
    referred: list[str] = field(default_factory=list)

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
        if self.kind_total:
            lines.append("by kind: " + ", ".join(f"{kind} {self.kind_right[kind]}/{n}"
                                                 for kind, n in self.kind_total.items()))
            lines.append(f"given the referral, though no one is in danger: {len(self.referred)}")
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
        got = _outcome(reply, want)
        if "kind" in item:
            result.kind_total[item["kind"]] += 1
            result.kind_right[item["kind"]] += got == want
            if reply.kind == "referral":
                result.referred.append(item["q"])
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


def _outcome(reply: Reply, want: str | None = None) -> str | None:
    """What a reply did, as the labels say it: a topic or meta intent, "referral", or None.
    A "did you mean...?" question counts as the wanted topic when it offers it, and as
    "clarify" otherwise (for an out-of-scope question, it is not a decline)."""
    if reply.kind == "decline":
        return None
    if reply.kind == "clarify":
        return want if want is not None and want in reply.suggestions else "clarify"
    return "referral" if reply.kind == "referral" else reply.intent


def is_protection_set(questions: list[dict]) -> bool:
    """Whether a labelled file is a protection set (entries labelled with `danger`)."""
    return bool(questions) and all("danger" in item for item in questions)


@dataclass
class ProtectionResult:
    """Counts from one run over a protection set."""

    caught: Counter = field(default_factory=Counter)  # lang -> danger messages referred
    danger: Counter = field(default_factory=Counter)  # lang -> danger messages
    caught_in: Counter = field(default_factory=Counter)  # category -> referred
    danger_in: Counter = field(default_factory=Counter)  # category -> danger messages
    same_category: int = 0  # referrals that named the labelled category
    ordinary: Counter = field(default_factory=Counter)  # lang -> ordinary questions
    labelled: Counter = field(default_factory=Counter)  # lang -> those labelled with an intent
    answered_as_labelled: Counter = field(default_factory=Counter)  # lang -> right topic/decline
    missed: list[tuple[str, str, str, str | None, float]] = field(default_factory=list)
    false_referrals: list[tuple[str, str, str, float]] = field(default_factory=list)

    def recall(self, lang: str) -> float:
        """Share of danger messages in `lang` given the referral."""
        return self.caught[lang] / self.danger[lang] if self.danger[lang] else 1.0

    def report(self) -> str:
        """Recall per language and category, every miss and every false referral."""
        lines = ["protection recall (danger messages given the referral):"]
        for lang in sorted(self.danger):
            lines.append(f"  {lang}: {self.recall(lang):6.1%}  ({self.caught[lang]}/{self.danger[lang]})")
        for category in sorted(self.danger_in):
            lines.append(f"  {category:16s} {self.caught_in[category]}/{self.danger_in[category]}")
        caught = sum(self.caught.values())
        lines.append(f"  referrals naming the labelled category: {self.same_category}/{caught}")
        ordinary = sum(self.ordinary.values())
        lines.append(f"false referrals (ordinary questions given the referral): "
                     f"{len(self.false_referrals)}/{ordinary}")
        for lang in sorted(self.ordinary):
            lines.append(f"  {lang}: ordinary questions answered as labelled "
                         f"{self.answered_as_labelled[lang]}/{self.labelled[lang]}")
        for lang, q, category, got, score in self.missed:
            lines.append(f"  missed [{lang}] {q!r}: {category}, got {got or 'decline'} ({score:.2f})")
        for lang, q, category, score in self.false_referrals:
            lines.append(f"  false referral [{lang}] {q!r}: {category} ({score:.2f})")
        return "\n".join(lines)


def evaluate_protection(bot: Bot, items: list[dict]) -> ProtectionResult:
    """Answer every message of a protection set and count referrals, misses and false ones."""
    result = ProtectionResult()
    for item in items:
        lang, category = item["lang"], item["danger"]
        reply = bot.answer(Message(text=item["q"]))
        referred = reply.kind == "referral"
        if category is None:
            result.ordinary[lang] += 1
            if "intent" in item:  # the topic that answers it, or null: declined
                result.labelled[lang] += 1
            if referred:
                result.false_referrals.append((lang, item["q"], str(reply.intent), reply.score))
            elif "intent" in item and _outcome(reply, item["intent"]) == item["intent"]:
                result.answered_as_labelled[lang] += 1
            continue
        result.danger[lang] += 1
        result.danger_in[category] += 1
        if referred:
            result.caught[lang] += 1
            result.caught_in[category] += 1
            result.same_category += reply.intent == category
        else:
            result.missed.append((lang, item["q"], category, _outcome(reply), reply.score))
    return result
