"""The settings: one frozen object read once from the environment, each variable with its
default and its check; .env.example and the README's table list exactly its variables."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from adapters.settings import (
    DEFAULT_LOG_LEVEL,
    DEFAULT_PORT,
    DEFAULT_STATE_PATH,
    VARIABLE,
    Settings,
    SettingsError,
    for_door,
    read_settings,
    variables,
)

ROOT = Path(__file__).resolve().parent.parent
_ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]+)=")
_TABLE_ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]+)` \|")
_READS_ENVIRONMENT = re.compile(r"\benviron\b|\bgetenv\b")

TOKEN = "123456789:AAF-secret_telegram-token"
SECRETS = {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": "tg-webhook-secret-0123",
           "SLACK_BOT_TOKEN": "xoxb-slack-bot-secret",
           "SLACK_SIGNING_SECRET": "slack-signing-secret-0123",
           "SLACK_APP_TOKEN": "xapp-slack-app-secret",
           "REDIS_URL": "redis://:hunter2-pw@127.0.0.1:6379/0",
           "STATE_SECRET": "state-secret-0123456789", "METRICS_TOKEN": "metrics-secret-0123"}


def env_example() -> dict[str, str]:
    """The variables .env.example lists, with their example values (comments dropped)."""
    listed = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if match := _ASSIGNMENT.match(line):
            listed[match.group(1)] = line.split("=", 1)[1].split("#", 1)[0].strip()
    return listed


def readme_table() -> list[str]:
    """The variables of the settings table in README.md, in its order."""
    return [m.group(1) for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
            if (m := _TABLE_ROW.match(line))]


# -- one list of variables ------------------------------------------------------------------
def test_every_setting_is_a_variable_of_env_example_and_of_the_readme_table():
    names = variables()
    assert len(names) == len(set(names)) == 15, names
    listed, table = env_example(), readme_table()
    assert set(names) == set(listed), {"settings only": set(names) - set(listed),
                                       ".env.example only": set(listed) - set(names)}
    assert set(names) == set(table), {"settings only": set(names) - set(table),
                                      "README only": set(table) - set(names)}
    assert len(table) == len(set(table)), "the README lists a variable twice"


def test_every_field_is_a_variable_or_a_part_made_of_them():
    def walk(part: type) -> list[str]:
        names = []
        for f in dataclasses.fields(part):
            if VARIABLE in f.metadata:
                names.append(f.metadata[VARIABLE])
            else:  # a platform's or the store's part: each of its fields a variable
                value = getattr(read_settings(SECRETS), f.name)
                assert dataclasses.is_dataclass(value), f"{part.__name__}.{f.name} names no variable"
                names += walk(type(value))
        return names
    assert walk(Settings) == variables()


def test_only_the_settings_module_reads_the_environment():
    readers = {path.relative_to(ROOT).as_posix()
               for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("adapters/**/*.py")]
               if _READS_ENVIRONMENT.search(path.read_text(encoding="utf-8"))}
    # bot/ cannot import adapters/: the core's own commands (ask, validate, ...) read
    # CONTENT_DIR there, and nothing else.
    assert readers <= {"adapters/settings.py", "bot/cli.py"}, readers
    core = (ROOT / "bot" / "cli.py").read_text(encoding="utf-8")
    assert set(re.findall(r"environ\.get\(\"([A-Z_]+)\"", core)) <= {"CONTENT_DIR"}
    assert len(_READS_ENVIRONMENT.findall(core)) <= 1


def test_the_example_file_reads_as_the_defaults_it_documents():
    settings = read_settings(env_example())
    assert settings.port == DEFAULT_PORT and settings.log_level == DEFAULT_LOG_LEVEL
    assert settings.state.path == DEFAULT_STATE_PATH and settings.content_dir == Path("content")
    assert settings.telegram is None and settings.slack is None and settings.metrics_token is None


def test_an_empty_environment_is_the_default_settings():
    assert read_settings({}) == Settings()
    assert read_settings({name: "" for name in variables()}) == Settings(), "empty is unset"
    assert read_settings({name: "   " for name in variables()}) == Settings()


# -- secrets stay out of sight --------------------------------------------------------------
def test_repr_and_str_of_the_settings_show_no_secret(tmp_path):
    settings = read_settings(SECRETS)
    assert settings.telegram and settings.slack and settings.state.secret and settings.metrics_token
    for shown in (settings, for_door(settings, webhooks=True), for_door(settings, webhooks=False),
                  settings.telegram, settings.slack, settings.state):
        for text in (repr(shown), str(shown), f"{shown}"):
            for name, secret in SECRETS.items():
                assert secret not in text, f"{name} shows in {type(shown).__name__}"
            assert "hunter2" not in text
    assert "api.telegram.org" in repr(settings), "what is not secret still shows"


def test_a_settings_object_cannot_change():
    settings = read_settings({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]


# -- each check: one line naming the variable, never its value --------------------------------
@pytest.mark.parametrize("env,message", [
    ({"PORT": "eighty"}, "PORT must be a number from 1 to 65535"),
    ({"PORT": "0"}, "PORT must be a number from 1 to 65535"),
    ({"PORT": "65536"}, "PORT must be a number from 1 to 65535"),
    ({"LOG_LEVEL": "loud"}, "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR"),
    ({"PUBLIC_URL": "http://bot.example.org"}, "PUBLIC_URL must look like https://"),
    ({"PUBLIC_URL": "https://bot.example.org/?token=x"}, "PUBLIC_URL must look like https://"),
    ({"TELEGRAM_TOKEN": "not-a-token"}, "TELEGRAM_TOKEN must look like 123456789:"),
    ({"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": "tooshort"},
     "TELEGRAM_WEBHOOK_SECRET must be 16-256 characters"),
    ({"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": "has spaces, not allowed"},
     "TELEGRAM_WEBHOOK_SECRET must be 16-256 characters"),
    ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN must be a bot token starting with xoxb-"),
    ({"SLACK_APP_TOKEN": "xapp-lonely-token"}, "SLACK_BOT_TOKEN must be set with SLACK_APP_TOKEN"),
    ({"SLACK_BOT_TOKEN": "xoxb-bot-token", "SLACK_APP_TOKEN": "xoxa-not-app"},
     "SLACK_APP_TOKEN must be an app-level token starting with xapp-"),
    ({"METRICS_TOKEN": "shortmetric"}, "METRICS_TOKEN must be at least 16 characters"),
    ({"STATE_SECRET": "shortsecret"}, "STATE_SECRET must be at least 16 characters"),
    ({"REDIS_URL": "redis://:hunter2@127.0.0.1:6379/0"}, "STATE_SECRET must be set with REDIS_URL"),
    ({"REDIS_URL": "http://:hunter2@127.0.0.1:6379/0", "STATE_SECRET": "s" * 32},
     "REDIS_URL must look like redis://"),
])
def test_a_malformed_variable_is_one_line_naming_it(env, message):
    with pytest.raises(SettingsError) as error:
        read_settings(env)
    text = str(error.value)
    assert message in text and "\n" not in text
    for value in env.values():
        if len(value) >= 5:
            assert value not in text, "a value, maybe a secret, is echoed"
    assert "hunter2" not in text


# -- what a door adds -----------------------------------------------------------------------
def test_serve_needs_the_webhook_secrets(tmp_path):
    telegram = read_settings({"TELEGRAM_TOKEN": TOKEN})
    with pytest.raises(SettingsError, match=r"^TELEGRAM_WEBHOOK_SECRET must be set for the webhook"):
        for_door(telegram, webhooks=True)
    assert for_door(telegram, webhooks=False).telegram == telegram.telegram, "polling needs none"
    for signing in ({}, {"SLACK_SIGNING_SECRET": "too-short"}):
        slack = read_settings({"SLACK_BOT_TOKEN": "xoxb-1", **signing})
        with pytest.raises(SettingsError, match=r"^SLACK_SIGNING_SECRET must be set with SLACK_BOT"):
            for_door(slack, webhooks=True)


def test_polling_runs_slack_only_in_socket_mode():
    bot_only = read_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s" * 32})
    assert for_door(bot_only, webhooks=False).slack is None
    assert for_door(bot_only, webhooks=True).slack == bot_only.slack
    socket = read_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert for_door(socket, webhooks=False).slack == socket.slack


def test_a_door_listens_on_port_serve_by_default_and_its_options_come_first(tmp_path):
    assert for_door(read_settings({}), webhooks=True).port == DEFAULT_PORT
    assert for_door(read_settings({}), webhooks=False).port is None, "no HTTP unless PORT is set"
    assert for_door(read_settings({"PORT": "9000"}), webhooks=False).port == 9000
    assert for_door(read_settings({"PORT": "9000"}), webhooks=True, port=9001).port == 9001
    folder = tmp_path / "content"
    folder.mkdir()
    nowhere = read_settings({"CONTENT_DIR": str(tmp_path / "nowhere")})
    assert for_door(nowhere, webhooks=True, content_dir=str(folder)).content_dir == folder
    with pytest.raises(SettingsError, match=r"^CONTENT_DIR must name a folder"):
        for_door(nowhere, webhooks=False)
