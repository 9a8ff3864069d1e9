"""The Slack app manifest, generated from content, and the slash commands the app answers."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

import yaml

from bot import limits
from bot.content import Content

MAIN_COMMAND = "unhcr"
SLASH_COMMANDS_MAX = 50  # slash_commands maxItems in Slack's manifest schema
COMMAND_MAX = limits.SLACK_COMMAND_MAX
DESCRIPTION_MAX = 100
APP_NAME = "UNHCR Kazakhstan"  # display_information.name: at most 35 characters
APP_DESCRIPTION = "Answers questions about UNHCR in Kazakhstan in English, Russian and Kazakh."
MAIN_DESCRIPTION = "Ask UNHCR Kazakhstan: a topic or a question"
MAIN_USAGE_HINT = "[topic or question, e.g. office · where is the office?]"
BOT_SCOPES = ("commands", "chat:write", "app_mentions:read", "im:history")
BOT_EVENTS = ("app_mention", "message.im", "app_home_opened")
EVENTS_PATH = "/slack/events"  # one route serves events, commands and interactivity
SLACK_BUILT_IN = limits.SLACK_BUILT_IN


@dataclass(frozen=True)
class SlashCommand:
    """One slash command: `/unhcr` (topic_id None) or a topic's command or alias."""

    name: str  # without the "/"
    topic_id: str | None
    description: str
    usage_hint: str | None = None


def slash_commands(content: Content) -> tuple[SlashCommand, ...]:
    """/unhcr, every topic's command, then aliases in turn: at most Slack's 50 per app."""
    commands = [SlashCommand(MAIN_COMMAND, None, MAIN_DESCRIPTION, MAIN_USAGE_HINT)]
    primary = [(t.command, t) for t in content.topics]
    aliases = [[(a, t) for a in t.aliases] for t in content.topics]
    # one alias of each topic before a second of any, so that a cut drops the rarest names
    in_turn = [pair for rank in zip_longest(*aliases) for pair in rank if pair]
    seen = {MAIN_COMMAND}
    for name, topic in primary + in_turn:
        if name in seen or name in SLACK_BUILT_IN or len(name) + 1 > COMMAND_MAX:
            continue
        seen.add(name)
        title = topic.texts[content.default_language].title
        commands.append(SlashCommand(name, topic.id, title[:DESCRIPTION_MAX]))
    return tuple(commands[:SLASH_COMMANDS_MAX])


def build_manifest(content: Content, url: str, socket: bool = False) -> str:
    """The app manifest as YAML; request URLs point at `{url}/slack/events` unless `socket`."""
    request_url = url.rstrip("/") + EVENTS_PATH
    commands = []
    for command in slash_commands(content):
        entry: dict[str, Any] = {"command": "/" + command.name, "description": command.description}
        if command.usage_hint:
            entry["usage_hint"] = command.usage_hint
        if not socket:
            entry["url"] = request_url
        entry["should_escape"] = False
        commands.append(entry)
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict = {"is_enabled": True}
    if not socket:
        events = {"request_url": request_url, **events}
        interactivity["request_url"] = request_url
    manifest = {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {"name": APP_NAME, "description": APP_DESCRIPTION,
                                "background_color": "#0072BC"},
        "features": {
            "bot_user": {"display_name": APP_NAME, "always_online": True},
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": False},
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket,
            "token_rotation_enabled": False,
        },
    }
    return yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100)
