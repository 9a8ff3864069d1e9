"""The Slack app manifest generated from content: commands, events, scopes, request URLs."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from adapters.slack import build_manifest as reexported
from adapters.slack.manifest import (
    SLACK_BUILT_IN,
    SLASH_COMMANDS_MAX,
    build_manifest,
    slash_commands,
)

URL = "https://bot.example.org"
ROOT = Path(__file__).resolve().parents[3]


def test_every_command_the_app_handles_is_listed_once(content):
    manifest = yaml.safe_load(build_manifest(content, url=URL))
    listed = [c["command"] for c in manifest["features"]["slash_commands"]]
    handled = ["/" + c.name for c in slash_commands(content)]  # what build_app registers
    assert listed == handled
    assert len(listed) == len(set(listed)) <= SLASH_COMMANDS_MAX
    assert listed[0] == "/unhcr"
    assert {"/" + t.command for t in content.topics} <= set(listed)  # every topic, at least once
    assert {"/office", "/history", "/almaty"} <= set(listed)


def test_commands_fit_slack_rules(content):
    manifest = yaml.safe_load(build_manifest(content, url=URL))
    titles = {t.texts["en"].title for t in content.topics}
    for command in manifest["features"]["slash_commands"]:
        assert command["command"].startswith("/") and len(command["command"]) <= 32
        assert command["command"][1:] not in SLACK_BUILT_IN
        assert 0 < len(command["description"]) <= 100
        assert command["url"] == URL + "/slack/events"
        assert command["should_escape"] is False
        if command["command"] != "/unhcr":
            assert command["description"] in titles
    assert manifest["features"]["slash_commands"][0]["usage_hint"]


def test_aliases_beyond_slacks_limit_are_dropped_rarest_first(content):
    names = [c.name for c in slash_commands(content)]
    aliases = [a for t in content.topics for a in t.aliases]
    first_aliases = [t.aliases[0] for t in content.topics if t.aliases]
    if 1 + len(content.topics) + len(aliases) > SLASH_COMMANDS_MAX:
        assert len(names) == SLASH_COMMANDS_MAX
        assert set(first_aliases) <= set(names)


def test_events_scopes_and_settings(content):
    manifest = yaml.safe_load(build_manifest(content, url=URL + "/"))
    assert len(manifest["display_information"]["name"]) <= 35
    assert manifest["features"]["bot_user"]["display_name"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands", "chat:write", "app_mentions:read", "im:history"}
    settings = manifest["settings"]
    assert settings["event_subscriptions"] == {
        "request_url": URL + "/slack/events",
        "bot_events": ["app_mention", "message.im", "app_home_opened"]}
    assert settings["interactivity"] == {"is_enabled": True, "request_url": URL + "/slack/events"}
    assert settings["socket_mode_enabled"] is False


def test_socket_mode_manifest_has_no_request_urls(content):
    text = build_manifest(content, url=URL, socket=True)
    manifest = yaml.safe_load(text)
    assert "http" not in text
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"] == {"is_enabled": True}
    assert "url" not in manifest["features"]["slash_commands"][1]


def test_adapters_slack_reexports_it(content):
    assert reexported is build_manifest


def test_cli_prints_it():
    result = subprocess.run([sys.executable, "-m", "bot", "slack-manifest", "--url", URL],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    manifest = yaml.safe_load(result.stdout)
    assert manifest["features"]["slash_commands"][0]["command"] == "/unhcr"


def test_cli_refuses_a_url_that_is_not_https_in_one_line():
    result = subprocess.run([sys.executable, "-m", "bot", "slack-manifest", "--url",
                             "bot.example.org"], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "https" in result.stderr
