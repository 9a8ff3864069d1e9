"""The bot's settings: every environment variable, its default and its check, read once.

`read_settings` is the one place the running bot reads the environment. Each front door
(`serve`, `poll`, the console, `report`) takes the one frozen `Settings` it returns, applies
its own command-line options and needs with `for_door`, and hands the parts down: the
Telegram app gets `TelegramSettings`, the Bolt app `SlackSettings`, the store
`StateSettings`. Secrets stay out of every repr and every error message.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, get_type_hints
from urllib.parse import urlsplit

from bot.content import DEFAULT_CONTENT_DIR

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_LOG_LEVEL = "INFO"
CONSOLE_LOG_LEVEL = "WARNING"  # a chat at the terminal, not an operator's log
DEFAULT_PORT = 8080  # serve's, when neither --port nor PORT says
PORT_MAX = 65535
SECRET_MIN_CHARS = 16  # webhook, signing and state secrets: shorter ones can be guessed
METRICS_TOKEN_MIN_CHARS = 16
TELEGRAM_API_URL = "https://api.telegram.org/bot"
SLACK_API_URL = "https://slack.com/api/"
DEFAULT_STATE_PATH = "state.sqlite3"  # relative: in the working directory
REDIS_SCHEMES = ("redis", "rediss", "unix")
REDIS_URL_SHAPE = ("REDIS_URL must look like redis://[:password@]host:port/db, "
                   "rediss://... (TLS) or unix:///path/to/redis.sock")
_TELEGRAM_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_HTTPS_URL = re.compile(r"https://[^\s/?#]+(/[^\s?#]*)?")
VARIABLE = "variable"  # the key of a field's metadata that names its environment variable
_Reader = Callable[[str], "str | None"]  # a variable's value, stripped; None when unset


class SettingsError(ValueError):
    """A missing or malformed variable: one line naming it and the fix, never its value."""


def _variable(name: str) -> dict[str, str]:
    return {VARIABLE: name}


@dataclass(frozen=True, kw_only=True)
class TelegramSettings:
    """How to reach the Bot API; there only when TELEGRAM_TOKEN is set."""

    token: str = field(repr=False, metadata=_variable("TELEGRAM_TOKEN"))
    api_url: str = field(default=TELEGRAM_API_URL, metadata=_variable("TELEGRAM_API_URL"))
    webhook_secret: str | None = field(default=None, repr=False,
                                       metadata=_variable("TELEGRAM_WEBHOOK_SECRET"))


@dataclass(frozen=True, kw_only=True)
class SlackSettings:
    """How to reach Slack; there only when SLACK_BOT_TOKEN is set."""

    bot_token: str = field(repr=False, metadata=_variable("SLACK_BOT_TOKEN"))
    signing_secret: str | None = field(default=None, repr=False,  # HTTP mode (serve)
                                       metadata=_variable("SLACK_SIGNING_SECRET"))
    app_token: str | None = field(default=None, repr=False,  # Socket Mode (poll)
                                  metadata=_variable("SLACK_APP_TOKEN"))
    api_url: str = field(default=SLACK_API_URL, metadata=_variable("SLACK_API_URL"))


@dataclass(frozen=True, kw_only=True)
class StateSettings:
    """The store: Redis at REDIS_URL when set, else SQLite at STATE_PATH."""

    redis_url: str | None = field(default=None, repr=False,  # it may hold a password
                                  metadata=_variable("REDIS_URL"))
    path: str = field(default=DEFAULT_STATE_PATH, metadata=_variable("STATE_PATH"))
    # The key that hashes user ids; None with SQLite: it generates one into its own file.
    secret: bytes | None = field(default=None, repr=False, metadata=_variable("STATE_SECRET"))

    @property
    def kind(self) -> str:
        """Which store these settings open: "redis" or "sqlite"."""
        return "redis" if self.redis_url else "sqlite"


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything the running bot is configured with; `Settings()` is an empty environment."""

    telegram: TelegramSettings | None = None  # no Telegram without TELEGRAM_TOKEN
    slack: SlackSettings | None = None  # no Slack without SLACK_BOT_TOKEN
    state: StateSettings = field(default_factory=StateSettings)
    public_url: str | None = field(default=None, metadata=_variable("PUBLIC_URL"))
    # None: serve listens on DEFAULT_PORT; poll and the console have no HTTP at all.
    port: int | None = field(default=None, metadata=_variable("PORT"))
    content_dir: Path = field(default=DEFAULT_CONTENT_DIR, metadata=_variable("CONTENT_DIR"))
    # None: DEFAULT_LOG_LEVEL, or CONSOLE_LOG_LEVEL for the console chat.
    log_level: str | None = field(default=None, metadata=_variable("LOG_LEVEL"))
    # /metrics is closed without it.
    metrics_token: str | None = field(default=None, repr=False,
                                      metadata=_variable("METRICS_TOKEN"))


def read_settings(environ: Mapping[str, str] = os.environ) -> Settings:
    """Read and check every variable once; an empty value counts as unset.

    Raises SettingsError on the first missing or malformed one.
    """
    def value(name: str) -> str | None:
        return environ.get(name, "").strip() or None

    port = value("PORT")
    if port is not None and not (port.isdigit() and 0 < int(port) <= PORT_MAX):
        raise SettingsError(f"PORT must be a number from 1 to {PORT_MAX}")
    content_dir = value("CONTENT_DIR")
    log_level = value("LOG_LEVEL")
    if log_level is not None:
        log_level = log_level.upper()
        if log_level not in LOG_LEVELS:
            raise SettingsError("LOG_LEVEL must be one of " + ", ".join(LOG_LEVELS))
    public_url = (value("PUBLIC_URL") or "").rstrip("/") or None
    if public_url and not _HTTPS_URL.fullmatch(public_url):
        raise SettingsError("PUBLIC_URL must look like https://bot.example.org (https, no query)")
    metrics_token = value("METRICS_TOKEN")
    telegram = _telegram(environ, value)
    slack = _slack(value)
    if metrics_token and len(metrics_token) < METRICS_TOKEN_MIN_CHARS:
        raise SettingsError(f"METRICS_TOKEN must be at least {METRICS_TOKEN_MIN_CHARS} characters")
    return Settings(telegram=telegram, slack=slack, state=_state(value), public_url=public_url,
                    port=int(port) if port else None,
                    content_dir=Path(content_dir) if content_dir else DEFAULT_CONTENT_DIR,
                    log_level=log_level, metrics_token=metrics_token)


def _telegram(environ: Mapping[str, str], value: _Reader) -> TelegramSettings | None:
    token = value("TELEGRAM_TOKEN")
    if token is None:
        return None
    if not _TELEGRAM_TOKEN.fullmatch(token):
        raise SettingsError("TELEGRAM_TOKEN must look like 123456789:ABC-def_... "
                            "(the token @BotFather gives)")
    secret = environ.get("TELEGRAM_WEBHOOK_SECRET") or None  # not stripped: sent as it is
    if secret and not (_WEBHOOK_SECRET.fullmatch(secret) and len(secret) >= SECRET_MIN_CHARS):
        raise SettingsError(f"TELEGRAM_WEBHOOK_SECRET must be {SECRET_MIN_CHARS}-256 characters "
                            "of A-Z, a-z, 0-9, _ and - (a secret anyone could guess is none)")
    api_url = (value("TELEGRAM_API_URL") or TELEGRAM_API_URL).rstrip("/")
    return TelegramSettings(token=token, api_url=api_url, webhook_secret=secret)


def _slack(value: _Reader) -> SlackSettings | None:
    bot_token, app_token = value("SLACK_BOT_TOKEN"), value("SLACK_APP_TOKEN")
    if app_token is not None:
        if bot_token is None:
            raise SettingsError("SLACK_BOT_TOKEN must be set with SLACK_APP_TOKEN (Socket Mode)")
        if not app_token.startswith("xapp-"):
            raise SettingsError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
    if bot_token is None:
        return None
    if not bot_token.startswith("xoxb-"):
        raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
    api_url = value("SLACK_API_URL") or SLACK_API_URL
    if not api_url.endswith("/"):
        api_url += "/"  # the SDK joins method names onto it
    return SlackSettings(bot_token=bot_token, signing_secret=value("SLACK_SIGNING_SECRET"),
                         app_token=app_token, api_url=api_url)


def _state(value: _Reader) -> StateSettings:
    secret = value("STATE_SECRET")
    if secret is not None and len(secret) < SECRET_MIN_CHARS:
        raise SettingsError(f"STATE_SECRET must be at least {SECRET_MIN_CHARS} characters "
                            "(e.g. 64 hex digits), or unset to generate one")
    redis_url = value("REDIS_URL")
    if redis_url is not None:
        if secret is None:
            raise SettingsError(f"STATE_SECRET must be set with REDIS_URL (at least "
                                f"{SECRET_MIN_CHARS} characters): the key that hashes user ids "
                                "is not kept in Redis")
        if not _is_redis_url(redis_url):
            raise SettingsError(REDIS_URL_SHAPE)  # never the URL: it may hold a password
    return StateSettings(redis_url=redis_url, path=value("STATE_PATH") or DEFAULT_STATE_PATH,
                         secret=secret.encode() if secret else None)


def _is_redis_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme in REDIS_SCHEMES


def for_door(settings: Settings, *, webhooks: bool, port: int | None = None,
             content_dir: str | None = None) -> Settings:
    """The settings one front door runs with: its command-line options over the variables,
    then what the door needs checked. Raises SettingsError naming what is missing.

    `serve` (webhooks) listens on a port, DEFAULT_PORT unless told, and needs the webhook
    secrets. `poll` and the console listen only on a PORT that is set, and run Slack only in
    Socket Mode: without SLACK_APP_TOKEN their settings have no Slack.
    """
    folder = Path(content_dir) if content_dir else settings.content_dir
    if not folder.is_dir():
        raise SettingsError("CONTENT_DIR must name a folder holding messages.yaml and topics/")
    telegram, slack = settings.telegram, settings.slack
    if port is None:
        port = settings.port or (DEFAULT_PORT if webhooks else None)
    if webhooks:
        if telegram is not None and not telegram.webhook_secret:
            raise SettingsError(f"TELEGRAM_WEBHOOK_SECRET must be set for the webhook: "
                                f"{SECRET_MIN_CHARS}-256 characters of A-Z, a-z, 0-9, _ and -")
        if slack is not None and len(slack.signing_secret or "") < SECRET_MIN_CHARS:
            raise SettingsError("SLACK_SIGNING_SECRET must be set with SLACK_BOT_TOKEN: the app's "
                                "Signing Secret from Basic Information (32 characters)")
    elif slack is not None and slack.app_token is None:
        slack = None  # a bot token alone cannot poll: Socket Mode needs SLACK_APP_TOKEN
    return replace(settings, slack=slack, port=port, content_dir=folder)


def variables(part: type = Settings) -> list[str]:
    """The environment variables `part`'s fields are read from, its nested parts' included."""
    names = []
    hints = get_type_hints(part)
    for f in fields(part):
        if VARIABLE in f.metadata:
            names.append(f.metadata[VARIABLE])
        else:
            names += variables(_settings_class(hints[f.name]))
    return names


def _settings_class(hint: Any) -> type:
    """The settings dataclass a field holds, `X | None` included."""
    for candidate in (hint, *getattr(hint, "__args__", ())):
        if isinstance(candidate, type) and is_dataclass(candidate):
            return candidate
    raise TypeError(f"a settings field without {VARIABLE!r} metadata must hold settings: {hint}")
