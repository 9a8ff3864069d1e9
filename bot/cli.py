"""Command line: ask, chat, validate, explain, eval, topics (and later serve, poll)."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.content import DEFAULT_CONTENT_DIR, ContentError, load_content
from bot.message import Message

if TYPE_CHECKING:
    from bot.answer import Bot
    from bot.understand import Match


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
    lines = [" ".join(args.text)] if args.text else (line.rstrip("\n") for line in sys.stdin)
    try:
        for line in lines:
            reply = bot.answer(Message(text=line, platform="cli", preferred_lang=args.lang))
            if args.json:
                print(reply_json(reply), flush=True)
            else:
                print(render_plain(reply).replace("\n", " ⏎ ") if not args.text
                      else render_plain(reply), flush=True)
    except BrokenPipeError:  # `ask ... | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def cmd_chat(args) -> int:
    from adapters.console import run_console
    from adapters.runtime import start_runtime
    rt = start_runtime("chat", webhooks=False, content_dir=args.content)
    return 2 if rt is None else run_console(rt)


def cmd_run(args) -> int:
    """The console chat, or, with platform tokens set, the platforms: one runtime either way."""
    from adapters.console import run_console
    from adapters.runner import run_poll
    from adapters.runtime import start_runtime
    rt = start_runtime("run", webhooks=False, content_dir=args.content)
    if rt is None:
        return 2
    if rt.config.telegram or rt.config.slack:
        return run_poll(rt, host=args.host)
    return run_console(rt)


def cmd_poll(args) -> int:
    from adapters.runner import run_poll
    from adapters.runtime import start_runtime
    rt = start_runtime("poll", webhooks=False, content_dir=args.content)
    return 2 if rt is None else run_poll(rt, host=args.host)


def cmd_serve(args) -> int:
    from adapters.server import serve
    return serve(host=args.host, port=args.port, content_dir=args.content)


def cmd_report(args) -> int:
    import asyncio

    from adapters.stores import open_state
    from bot.state import DECLINED_RETENTION_DAYS, REPORT_MIN_USERS

    async def top():
        state = open_state(os.environ)
        try:
            return await state.top_declined(limit=args.limit)
        finally:
            await state.close()

    rows = asyncio.run(top())
    print(f"Questions the bot declined, asked by at least {REPORT_MIN_USERS} people "
          f"in the last {DECLINED_RETENTION_DAYS} days:")
    for text, people in rows:
        print(f"{people:5d}  {text}")
    if not rows:
        print("  (none)")
    return 0


def cmd_slack_manifest(args) -> int:
    from adapters.slack import build_manifest
    if not args.socket and not re.fullmatch(r"https://[^\s/?#]+(/[^\s?#]*)?", args.url):
        print("slack-manifest: --url must be the bot's public https address, e.g. "
              "https://bot.example.org (or use --socket)", file=sys.stderr)
        return 2
    print(build_manifest(load_bot(args.content).content, url=args.url, socket=args.socket), end="")
    return 0


def cmd_validate(args) -> int:
    from bot.content import check_documents, read_documents
    try:
        docs = read_documents(content_dir(args.dir))
    except ContentError as e:
        print(str(e), file=sys.stderr)
        return 2
    problems = check_documents(docs)
    topics = docs.topics
    problems.sort(key=lambda p: (p.where.file, p.where.line, p.where.column))
    errors = sum(p.severity == "error" for p in problems)
    for p in problems:
        print(p)
    print(f"{len(topics)} topic file(s): {errors} error(s), {len(problems) - errors} warning(s)")
    return 2 if errors else 0


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
    for c in match.candidates:
        print(f"{c.score:.3f}  {c.intent:20s} matched: {' '.join(c.matched)}")
    print(explain_danger(bot, match))
    return 0


def explain_danger(bot: Bot, match: Match) -> str:
    """The danger reading of a message and the rule that decides between it and a topic."""
    danger, best = match.danger, match.best
    need = bot.content.protection.threshold
    if danger is None:
        return "danger: none (the message holds no danger example: two of its words, or its one)"
    lines = [f"danger: {danger.category} {danger.score:.3f} (threshold {need}); "
             f"example {danger.example!r}; matched: {' '.join(danger.matched)}"]
    if danger.look_alike:
        lines.append(f"look-alike {danger.look_alike!r}: {danger.look_alike_score:.3f}")
    if danger.score < need:
        lines.append("rule: under the danger threshold -> no referral")
    elif not bot.is_referral(match) and danger.look_alike_score:
        lines.append("rule: the look-alike holds every danger word and is held -> its answer")
    elif best is None or best.score < bot.content.threshold:
        lines.append("rule: no topic is confident -> referral")
    elif bot.is_referral(match):
        unheld = [f for f in danger.matched if f not in best.matched]
        lines.append(f"rule: topic '{best.intent}' does not hold {' '.join(unheld)} -> referral")
    else:
        lines.append(f"rule: topic '{best.intent}' is confident and holds every danger word "
                     f"-> its answer")
    return "\n".join(lines)


def cmd_eval(args) -> int:
    from bot.evaluate import (
        DEFAULT_EVAL_FILE,
        DEFAULT_PROTECTION_FILE,
        evaluate,
        evaluate_protection,
        is_protection_set,
        load_questions,
    )
    bot = load_bot(args.content)
    files = [Path(f) for f in args.files] or [DEFAULT_EVAL_FILE, DEFAULT_PROTECTION_FILE]
    for n, path in enumerate(files):
        questions = load_questions(path)
        print(("\n" if n else "") + f"{path.name}:")
        if is_protection_set(questions):
            print(evaluate_protection(bot, questions).report())
        else:
            print(evaluate(bot, questions).report())
    return 0


def cmd_topics(args) -> int:
    bot = load_bot(args.content)
    for topic in bot.content.topics:
        aliases = ", ".join("/" + a for a in topic.aliases)
        print(f"/{topic.command:14s} {topic.id:20s} {topic.texts['en'].title}"
              + (f"  ({aliases})" if aliases else ""))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="unhcr-bot", description="UNHCR Kazakhstan information bot")
    parser.add_argument("--content", help="content folder (default: $CONTENT_DIR or ./content)")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("ask", help="answer one message, or one per stdin line")
    p.add_argument("--lang", help="the user's chosen language: a code from content/messages.yaml")
    p.add_argument("--json", action="store_true", help="one JSON object per answer")
    p.add_argument("text", nargs="*")
    p.set_defaults(func=cmd_ask)
    sub.add_parser("chat", help="interactive console chat").set_defaults(func=cmd_chat)
    for name, func, text in (
            ("run", cmd_run, "run the bot: polling with platform tokens set, else the console"),
            ("poll", cmd_poll, "Telegram long polling and Slack Socket Mode, from the environment")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--host", default="0.0.0.0", help="for /healthz and /metrics, when PORT is set")
        p.set_defaults(func=func)
    p = sub.add_parser("serve", help="the web process: Telegram webhook, Slack events, /healthz")
    p.add_argument("--host", default="0.0.0.0")
    p.add_argument("--port", type=int, help="default: $PORT, else 8080")
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("report", help="top declined questions, for editors (from the state store)")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("slack-manifest", help="print a Slack app manifest generated from content")
    p.add_argument("--url", default="https://HOST", help="public base URL of the web process")
    p.add_argument("--socket", action="store_true", help="a Socket Mode app (no request URLs)")
    p.set_defaults(func=cmd_slack_manifest)
    p = sub.add_parser("validate", help="check content, report every problem")
    p.add_argument("dir", nargs="?")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("explain", help="top candidates for a text, with scores")
    p.add_argument("text", nargs="+")
    p.set_defaults(func=cmd_explain)
    p = sub.add_parser("eval", help="accuracy on labelled question files, protection recall")
    p.add_argument("files", nargs="*", help="default: tests/eval/questions.yaml and protection.yaml")
    p.set_defaults(func=cmd_eval)
    sub.add_parser("topics", help="list topics and commands").set_defaults(func=cmd_topics)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    args = build_parser().parse_args(argv)
    if not getattr(args, "func", None):
        args = build_parser().parse_args(["chat"])
    return args.func(args)
