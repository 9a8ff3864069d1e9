"""The platform commands of `python -m bot`: the console, polling, the web process, the
editors' report and the Slack manifest.

bot/cli.py finds them through the `unhcr_bot.commands` entry points of pyproject.toml, so the
core names no adapter. Each command imports its adapters only when it runs.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.cli import load_bot

if TYPE_CHECKING:
    from adapters.settings import Settings


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    """A command without options of its own."""


@dataclass(frozen=True)
class Command:
    """One subcommand: its help line, its options, and what runs it (returning the exit code)."""

    help: str
    run: Callable[[argparse.Namespace], int]
    add_arguments: Callable[[argparse.ArgumentParser], None] = _no_arguments


def _settings(command: str) -> Settings | None:
    """The settings from the environment; None, after one line on stderr, when one is wrong."""
    from adapters.settings import SettingsError, read_settings
    try:
        return read_settings()
    except SettingsError as e:
        print(f"{command}: {e}", file=sys.stderr)
        return None


def _host_for_health(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="0.0.0.0", help="for /healthz and /metrics, when PORT is set")


def chat(args: argparse.Namespace) -> int:
    """The console chat."""
    from adapters.console import run_console
    from adapters.runtime import start_runtime
    rt = start_runtime("chat", webhooks=False, content_dir=args.content)
    return 2 if rt is None else run_console(rt)


def run(args: argparse.Namespace) -> int:
    """The console chat, or, with platform tokens set, the platforms: one runtime either way."""
    from adapters.console import run_console
    from adapters.runner import run_poll
    from adapters.runtime import start_runtime
    rt = start_runtime("run", webhooks=False, content_dir=args.content)
    if rt is None:
        return 2
    if rt.settings.telegram or rt.settings.slack:
        return run_poll(rt, host=args.host)
    return run_console(rt)


def poll(args: argparse.Namespace) -> int:
    """Telegram long polling and Slack Socket Mode."""
    from adapters.runner import run_poll
    from adapters.runtime import start_runtime
    rt = start_runtime("poll", webhooks=False, content_dir=args.content)
    return 2 if rt is None else run_poll(rt, host=args.host)


def _serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, help="default: $PORT, else 8080")


def serve(args: argparse.Namespace) -> int:
    """The web process."""
    from adapters.server import serve as serve_web
    return serve_web(host=args.host, port=args.port, content_dir=args.content)


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, default=20,
                        help="declined questions and \"did you mean\" pairs to list at most")


def report(args: argparse.Namespace) -> int:
    """Print, from the state store, the answers per topic, "did you mean" pairs, feedback,
    and the questions the bot declined most with the topic closest to each."""
    import asyncio

    from adapters.report import read_usage, render_report
    from adapters.settings import SettingsError
    from adapters.state import open_state

    settings = _settings("report")
    if settings is None:
        return 2

    async def usage():
        state = open_state(settings.state)
        try:
            return await read_usage(state, limit=args.limit)
        finally:
            await state.close()

    try:
        counts = asyncio.run(usage())
    except SettingsError as e:  # a REDIS_URL the Redis client reads otherwise
        print(f"report: {e}", file=sys.stderr)
        return 2
    bot = load_bot(args.content or str(settings.content_dir))
    print(render_report(bot, counts, settings.state.kind, args.limit))
    return 0


def _slack_manifest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", default="https://HOST", help="public base URL of the web process")
    parser.add_argument("--socket", action="store_true", help="a Socket Mode app (no request URLs)")


def slack_manifest(args: argparse.Namespace) -> int:
    """Print the Slack app manifest for the content."""
    from adapters.slack.manifest import build_manifest
    if not args.socket and not re.fullmatch(r"https://[^\s/?#]+(/[^\s?#]*)?", args.url):
        print("slack-manifest: --url must be the bot's public https address, e.g. "
              "https://bot.example.org (or use --socket)", file=sys.stderr)
        return 2
    settings = _settings("slack-manifest")
    if settings is None:
        return 2
    content = load_bot(args.content or str(settings.content_dir)).content
    print(build_manifest(content, url=args.url, socket=args.socket), end="")
    return 0


# The objects the entry points name (pyproject.toml, [project.entry-points."unhcr_bot.commands"]).
CHAT = Command("interactive console chat", chat)
RUN = Command("run the bot: polling with platform tokens set, else the console", run,
              _host_for_health)
POLL = Command("Telegram long polling and Slack Socket Mode, from the environment", poll,
               _host_for_health)
SERVE = Command("the web process: Telegram webhook, Slack events, /healthz", serve,
                _serve_arguments)
REPORT = Command("what people asked, for editors: answers per topic, \"did you mean\" pairs, "
                 "feedback, top declined questions (from the state store)", report,
                 _report_arguments)
SLACK_MANIFEST = Command("print a Slack app manifest generated from content", slack_manifest,
                         _slack_manifest_arguments)
