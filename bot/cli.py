"""Command line: ask, validate, explain, eval and topics; the platform commands (chat, run, poll,
serve, ...) come from the packages that provide the `unhcr_bot.commands` entry points."""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.content import DEFAULT_CONTENT_DIR, ContentError, load_content
from bot.message import Message

if TYPE_CHECKING:
    from bot.answer import Bot
    from bot.understanding import Match


def content_dir(arg: str | None = None) -> Path:
    """The content folder: the argument, else $CONTENT_DIR, else the shipped content/."""
    return Path(arg or os.environ.get("CONTENT_DIR") or DEFAULT_CONTENT_DIR)


def load_bot(path: str | None = None):
    """Load content and build the bot; on invalid content print the report and exit 2."""
    from bot.answer import Bot
    folder = content_dir(path)
    if not folder.is_dir():  # e.g. an installed package, run outside the project
        print(f"no content folder at {folder}: pass --content FOLDER or set CONTENT_DIR to "
              "the folder holding messages.yaml and topics/", file=sys.stderr)
        raise SystemExit(2)
    try:
        content = load_content(folder)
    except ContentError as e:
        print(str(e), file=sys.stderr)
        raise SystemExit(2) from None
    return Bot(content)


def reply_json(reply) -> str:
    """One reply as a JSON line."""
    from bot.render import render_plain
    return json.dumps({
        "text": render_plain(reply), "intent": reply.intent, "kind": reply.kind,
        "lang": reply.lang, "score": round(reply.score, 4), "suggestions": list(reply.suggestions),
        "source": reply.source, "as_of": reply.as_of.isoformat() if reply.as_of else None,
    }, ensure_ascii=False)


def cmd_ask(args) -> int:
    from bot.render import render_plain
    bot = load_bot(args.content)
    if args.lang and args.lang not in bot.content.languages:
        print(f"ask: --lang must be one of {', '.join(bot.content.languages)}", file=sys.stderr)
        return 2
    preview = None
    if args.platform != "console":
        preview = previews().get(args.platform)
        if preview is None:
            print(f"ask: no renderer for {args.platform}: the platform adapters are not "
                  f"installed", file=sys.stderr)
            return 2
    lines = [" ".join(args.text)] if args.text else (line.rstrip("\n") for line in sys.stdin)
    try:
        for line in lines:
            reply = bot.answer(Message(text=line, platform=args.platform,
                                       preferred_lang=args.lang))
            if preview is not None:
                print(preview(bot, reply), flush=True)
            elif args.json:
                print(reply_json(reply), flush=True)
            else:
                print(render_plain(reply).replace("\n", " ⏎ ") if not args.text
                      else render_plain(reply), flush=True)
    except BrokenPipeError:  # `ask ... | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def cmd_validate(args) -> int:
    from bot.content import check_documents, read_documents
    folder = content_dir(args.dir or args.content)  # `validate DIR`, or `--content DIR validate`
    try:
        docs = read_documents(folder)
    except ContentError as e:
        print(str(e), file=sys.stderr)
        return 2
    problems = check_documents(docs)
    topics = docs.topics
    problems += _unasked_topics(docs, folder)
    problems.sort(key=lambda p: (p.where.file, p.where.line, p.where.column))
    errors = sum(p.severity == "error" for p in problems)
    for p in problems:
        print(p)
    print(f"{len(topics)} topic file(s): {errors} error(s), {len(problems) - errors} warning(s)")
    return 2 if errors else 0


def _unasked_topics(docs, folder: Path) -> list:
    """A warning for each topic no labelled question asks about in a language, when the
    content sits in a project with an evaluation set (tests/eval/questions.yaml beside it)."""
    from bot.evaluate import load_questions
    from bot.yamlsrc import Problem, Where
    questions_file = folder.resolve().parent / "tests" / "eval" / "questions.yaml"
    if not questions_file.is_file():
        return []
    asked = {(q["intent"], q["lang"]) for q in load_questions(questions_file)}
    languages = list(((docs.messages.data if docs.messages else {}) or {}).get("languages") or ())
    out = []
    for doc in docs.topics:
        topic_id = (doc.data or {}).get("id") if isinstance(doc.data, dict) else None
        missing = [lang for lang in languages if (topic_id, lang) not in asked]
        if topic_id and missing:
            out.append(Problem(
                Where(doc.file, 1, 1),
                f"no question in {questions_file.parent.parent.name}/eval/questions.yaml asks "
                f"about this topic in {', '.join(missing)}",
                f"add two or three as people type them, e.g. - {{q: \"...\", lang: "
                f"{missing[0]}, intent: {topic_id}}}; `bot eval` then measures them",
                "warning"))
    return out


def cmd_explain(args) -> int:
    bot = load_bot(args.content)
    text = " ".join(args.text)
    match = bot.understand(text)
    lang, certain = bot.index.detect_language(text)
    print(f"language: {lang} ({'certain' if certain else 'guess'}); threshold "
          f"{bot.content.threshold}")
    print(f"words: {' '.join(match.features) or '-'}")
    for typed, fixed in match.corrections:
        print(f"typo: {typed} -> {fixed}")
    if match.unknown:
        print(f"unknown: {' '.join(match.unknown)}")
    if match.clause:
        print(f"the whole is not understood; read from the clause: {match.clause!r}")
    for c in match.candidates:
        print(f"{c.score:.3f}  {c.intent:20s} matched: {' '.join(c.matched)}")
    if match.also:
        print(f"second question: {match.also.score:.3f}  {match.also.intent} "
              f"matched: {' '.join(match.also.matched)}")
    nearest = bot.not_in_source(match)
    if nearest:
        print(f"not in the source: a question the topic '{nearest}' lists under not_about "
              f"-> declined, offering '{nearest}'")
    asked = bot.kinds_asked(text)
    topic = bot.content.topic(match.best.intent) if match.best else None
    if asked and topic is not None:
        gives = ", ".join(sorted(topic.gives)) or "nothing"
        lacks = bot.asks_for_what_topic_lacks(text, topic)
        print(f"asks for: {', '.join(sorted(asked))}; '{topic.id}' gives {gives}"
              + (f" -> declined, offering '{topic.id}'" if lacks else ""))
    maybe = bot.did_you_mean(match)
    if maybe:
        from bot.answer import (
            SHORT_FLOOR,
            SHORT_WORDS,
            STORY_FLOOR,
            STORY_LEAD,
            STORY_WORDS,
            TIE_MARGIN,
            UNDER_MARGIN,
        )
        from bot.understanding.parts import CLAUSE_FLOOR
        print(f"did you mean: {', '.join(maybe)} (asked when the best two topics are within "
              f"{TIE_MARGIN}, or the best is within {UNDER_MARGIN} under the threshold, or, "
              f"in a message of {SHORT_WORDS} words or fewer, from {SHORT_FLOOR}, or, in the "
              f"best part of a story, from {CLAUSE_FLOOR}, or, in a story of {STORY_WORDS} "
              f"words or more, from {STORY_FLOOR} when {STORY_LEAD} times any other reading)")
    print(explain_danger(bot, match))
    return 0


def explain_danger(bot: Bot, match: Match) -> str:
    """The danger reading of a message and the rule that decides between it and a topic."""
    from bot.understanding.danger import (
        FAR_ORDINARY_ODDS,
        ORDINARY_ODDS,
        RESCUE_ODDS,
        STORY_WORDS,
        WEAK_MATCH,
        is_far_from_danger,
    )
    danger, best = match.danger, match.best
    need = bot.content.protection.threshold
    if danger is None:
        return ("danger: none (the message holds no danger example: two of its words, or its "
                f"one; in a message of {STORY_WORDS} words or more, a word that is not everyday;"
                f" and the odds of danger from all its words are under {RESCUE_ODDS})")
    if danger.example:
        lines = [f"danger: {danger.category} {danger.score:.3f} (threshold {need}); "
                 f"example {danger.example!r}; matched: {' '.join(danger.matched)}"]
    else:
        lines = [f"danger: {danger.category} (no example held; the likeliest category)"]
    lines.append(f"odds of danger from every word: {danger.odds:+.2f} (referral from "
                 f"{RESCUE_ODDS:+.1f} whatever the examples; ordinary under {ORDINARY_ODDS:+.1f} "
                 f"when the example is held under {WEAK_MATCH})")
    if danger.look_alike:
        lines.append(f"look-alike {danger.look_alike!r}: {danger.look_alike_score:.3f}")
    if danger.said_in_ordinary_words and danger.odds < FAR_ORDINARY_ODDS:
        lines.append(f"'{danger.category}' is said in ordinary words: odds under "
                     f"{FAR_ORDINARY_ODDS:+.1f} do not take its referral away")
    rule = bot.referral_rule(match)
    verdict = "referral" if bot.is_referral(match) else "no referral"
    if rule == "subject":
        lines.append("rule: the message asks about the subject (a word of the class 'subject') "
                     "-> no referral")
    elif rule.startswith("odds-"):
        if danger.score < need:
            why = "under the danger threshold"
        elif is_far_from_danger(danger):
            why = f"the words are far from danger (odds under {FAR_ORDINARY_ODDS:+.1f})"
        else:
            why = "the example is weakly held and the words are ordinary"
        lines.append(f"rule: {why}; odds {'at or over' if rule == 'odds-rescue' else 'under'} "
                     f"{RESCUE_ODDS:+.1f} -> {verdict}")
    elif rule.startswith("look-alike"):
        lines.append("rule: the look-alike holds every danger word and is held; the odds are "
                     f"{'at or over' if rule == 'look-alike-outweighed' else 'under'} "
                     f"{RESCUE_ODDS:+.1f} -> {verdict}")
    elif rule == "no-topic":
        lines.append("rule: no topic is confident -> referral")
    elif rule == "topic-lacks" and best is not None:
        unheld = [f for f in danger.matched if f not in best.matched]
        lines.append(f"rule: topic '{best.intent}' does not hold {' '.join(unheld)} -> referral")
    elif best is not None:
        lines.append(f"rule: topic '{best.intent}' is confident and holds every danger word "
                     f"-> its answer")
    return "\n".join(lines)


def cmd_eval(args) -> int:
    from bot import compare
    from bot.evaluate import (
        DEFAULT_EVAL_FILE,
        DEFAULT_PROTECTION_FILE,
        DEFAULT_UNDERSTANDING_FILE,
        evaluate,
        evaluate_protection,
        is_protection_set,
        load_questions,
    )
    bot = load_bot(args.content)
    files = [Path(f) for f in args.files] or [DEFAULT_EVAL_FILE, DEFAULT_PROTECTION_FILE,
                                              DEFAULT_UNDERSTANDING_FILE]
    sets = [(path.name, load_questions(path)) for path in files]
    under = []
    for n, (name, questions) in enumerate(sets):
        print(("\n" if n else "") + f"{name}:")
        result = (evaluate_protection(bot, questions) if is_protection_set(questions)
                  else evaluate(bot, questions))
        print(result.report())
        under += [f"{name}: {line}" for line in compare.under_bars(result)]
    if args.save or args.compare:
        after = compare.routes(bot, sets)
        if args.save:
            compare.save(Path(args.save), after)
        if args.compare:
            before = _routes_before(args.compare, content_dir(args.content), sets, compare)
            if before is None:
                return 2
            print(_changes_report(compare.changes(before, after), args.compare))
    for line in under:
        print(f"under the bar: {line}", file=sys.stderr)
    return 1 if under else 0


def _routes_before(ref: str, folder: Path, sets, compare) -> list | None:
    """The routes to compare with: a file saved by --save, or the content at a git ref
    (read with today's code and today's labelled files)."""
    import tempfile

    from bot.answer import Bot
    saved = Path(ref)
    if saved.is_file():
        return compare.load(saved)
    with tempfile.TemporaryDirectory(prefix="unhcr-bot-compare-") as tmp:
        try:
            earlier = Bot(load_content(compare.content_at(ref, folder, Path(tmp))))
        except (ValueError, ContentError) as error:
            print(f"eval --compare: {ref}: {error}", file=sys.stderr)
            return None
        return compare.routes(earlier, sets)


def _changes_report(changed: list, ref: str) -> str:
    """Every message whose route changed since `ref`, by file and language."""
    if not changed:
        return f"\nno message goes elsewhere than at {ref}"
    lines = [f"\n{len(changed)} message(s) go elsewhere than at {ref} (before -> after):"]
    for route, was in sorted(changed, key=lambda c: c[0].key):
        lines.append(f"  {route.file} [{route.lang}] {route.q!r}: {was} -> {route.route}")
    return "\n".join(lines)


def cmd_coverage(args) -> int:
    from bot import compare
    from bot.evaluate import DEFAULT_EVAL_FILE, load_questions
    bot = load_bot(args.content)
    print(compare.coverage(bot, load_questions(Path(args.file or DEFAULT_EVAL_FILE))))
    return 0


def cmd_topics(args) -> int:
    bot = load_bot(args.content)
    for topic in bot.content.topics:
        aliases = ", ".join("/" + a for a in topic.aliases)
        print(f"/{topic.command:14s} {topic.id:20s} {topic.texts['en'].title}"
              + (f"  ({aliases})" if aliases else ""))
    return 0


COMMANDS_GROUP = "unhcr_bot.commands"  # entry points: the subcommand's name = a PlatformCommand
CORE_COMMANDS = ("ask", "validate", "explain", "eval", "coverage", "topics")  # the ones build_parser defines
DEFAULT_COMMAND = "chat"
HELP = "--help"


class PlatformCommand(Protocol):
    """A subcommand an entry point of COMMANDS_GROUP provides (adapters/cli.py)."""

    help: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add the subcommand's own options to its parser."""

    def run(self, args: argparse.Namespace) -> int:
        """Run the subcommand; the exit code."""


PREVIEWS_GROUP = "unhcr_bot.previews"  # entry points: platform name -> (bot, reply) -> text


def previews() -> dict[str, Callable]:
    """What each platform would be sent for a reply (adapters/preview.py), by platform."""
    from importlib.metadata import entry_points
    return {ep.name: ep.load() for ep in entry_points(group=PREVIEWS_GROUP)}


def platform_commands() -> dict[str, PlatformCommand]:
    """The subcommands the installed entry points provide, by name (none of the core's)."""
    from importlib.metadata import entry_points
    return {ep.name: ep.load() for ep in entry_points(group=COMMANDS_GROUP)
            if ep.name not in CORE_COMMANDS}


def requested_command(argv: Sequence[str]) -> str | None:
    """The subcommand `argv` names, at a glance: its first word that is neither an option nor
    --content's value; HELP for a request for help before it, None for no subcommand.

    argparse reads argv in the end: this only tells whether to look the platform commands up.
    """
    words = iter(argv)
    for word in words:
        if word == "-h" or (len(word) > 2 and HELP.startswith(word)):
            return HELP
        if len(word) > 2 and "--content".startswith(word):
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def build_parser(platform: Mapping[str, PlatformCommand] | None = None) -> argparse.ArgumentParser:
    """The argument parser for every subcommand: the core's and those in `platform`."""
    parser = argparse.ArgumentParser(prog="unhcr-bot", description="UNHCR Kazakhstan information bot")
    parser.add_argument("--content", help="content folder (default: $CONTENT_DIR or ./content)")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("ask", help="answer one message, or one per stdin line")
    p.add_argument("--lang", help="the user's chosen language: a code from content/messages.yaml")
    p.add_argument("--json", action="store_true", help="one JSON object per answer")
    p.add_argument("--platform", choices=["console", "telegram", "slack"], default="console",
                   help="show what that platform would be sent: Telegram's HTML and keyboard, "
                        "Slack's Block Kit JSON (default: plain text, as the console shows it)")
    p.add_argument("text", nargs="*")
    p.set_defaults(func=cmd_ask)
    for name, command in (platform or {}).items():
        p = sub.add_parser(name, help=command.help)
        command.add_arguments(p)
        p.set_defaults(func=command.run)
    p = sub.add_parser("validate", help="check content, report every problem")
    p.add_argument("dir", nargs="?")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("explain", help="top candidates for a text, with scores")
    p.add_argument("text", nargs="+")
    p.set_defaults(func=cmd_explain)
    p = sub.add_parser("eval", help="accuracy on labelled question files, protection recall; "
                                    "exit 1 under a bar")
    p.add_argument("files", nargs="*",
                   help="default: tests/eval/questions.yaml, protection.yaml, understanding.yaml")
    p.add_argument("--save", metavar="FILE", help="save where every message went, for --compare")
    p.add_argument("--compare", metavar="REF",
                   help="list the messages that go elsewhere than with the content at git REF "
                        "(e.g. main, HEAD~1) or in a file saved by --save")
    p.set_defaults(func=cmd_eval)
    p = sub.add_parser("coverage", help="per topic and language: labelled questions that reach "
                                        "it, where the others go, thin topics")
    p.add_argument("file", nargs="?", help="default: tests/eval/questions.yaml")
    p.set_defaults(func=cmd_coverage)
    sub.add_parser("topics", help="list topics and commands").set_defaults(func=cmd_topics)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the platform commands are looked up only when one is asked for."""
    argv = sys.argv[1:] if argv is None else argv
    name = requested_command(argv)
    platform = {} if name in CORE_COMMANDS else platform_commands()
    if not platform and name not in (*CORE_COMMANDS, HELP):
        print(f"{name or DEFAULT_COMMAND}: the platform adapters are not installed (no "
              f"{COMMANDS_GROUP} entry point); the core alone has {', '.join(CORE_COMMANDS)}",
              file=sys.stderr)
        return 2
    parser = build_parser(platform)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args = parser.parse_args([DEFAULT_COMMAND])
    return args.func(args)
