"""The running bot's settings, read from the environment only, each checked with a clear error.

Every front door reads them here: `serve` (webhooks over HTTP), `poll` (long polling and
Socket Mode) and the console; only what the door needs differs.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.content import DEFAULT_CONTENT_DIR

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_PORT = 8080
METRICS_TOKEN_MIN_CHARS = 16
SECRET_MIN_CHARS = 16  # webhook and signing secrets: shorter ones can be guessed
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class ConfigError(ValueError):
    """A missing or malformed variable: one line naming it and the expected shape, no value."""


@dataclass(frozen=True)
class ServerConfig:
    """Where the bot listens and what it serves; secrets are kept out of repr."""

    port: int | None  # None: no HTTP at all (poll or the console without PORT)
    content_dir: Path
    log_level: str
    public_url: str | None
    telegram: bool  # TELEGRAM_TOKEN set
    slack: bool  # Slack set up for this door (webhooks: signing secret; poll: app token)
    environ: Mapping[str, str] = field(repr=False, compare=False)
    webhooks: bool = True  # serve: platforms reach us over HTTP; poll: we reach them
    metrics_token: str | None = field(default=None, repr=False)  # /metrics is closed without it


def server_config(environ: Mapping[str, str] = os.environ, port: int | None = None, *,
                  webhooks: bool = True, content_dir: str | None = None) -> ServerConfig:
    """Read and check every variable the bot uses; raise ConfigError on the first bad one.

    `webhooks` is the door: `serve` needs a port and the webhook secrets; `poll` and the
    console listen on PORT only when it is set (for /healthz and /metrics).
    """
    if port is None and (webhooks or environ.get("PORT")):
        port = _port(environ.get("PORT") or str(DEFAULT_PORT))
    content_dir_path = Path(content_dir or environ.get("CONTENT_DIR") or DEFAULT_CONTENT_DIR)
    if not content_dir_path.is_dir():
        raise ConfigError("CONTENT_DIR must name a folder holding messages.yaml and topics/")
    log_level = (environ.get("LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError("LOG_LEVEL must be one of " + ", ".join(LOG_LEVELS))
    public_url = (environ.get("PUBLIC_URL") or "").rstrip("/") or None
    if public_url and not re.fullmatch(r"https://[^\s/?#]+(/[^\s?#]*)?", public_url):
        raise ConfigError("PUBLIC_URL must look like https://bot.example.org (https, no query)")
    telegram = bool(environ.get("TELEGRAM_TOKEN"))
    if telegram:
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", environ["TELEGRAM_TOKEN"].strip()):
            raise ConfigError("TELEGRAM_TOKEN must look like 123456789:ABC-def_... "
                              "(the token @BotFather gives)")
        secret = environ.get("TELEGRAM_WEBHOOK_SECRET")
        if webhooks and not secret:
            raise ConfigError(f"TELEGRAM_WEBHOOK_SECRET must be set for the webhook: "
                              f"{SECRET_MIN_CHARS}-256 characters of A-Z, a-z, 0-9, _ and -")
        if secret and not (_WEBHOOK_SECRET.fullmatch(secret) and len(secret) >= SECRET_MIN_CHARS):
            raise ConfigError(f"TELEGRAM_WEBHOOK_SECRET must be {SECRET_MIN_CHARS}-256 characters "
                              "of A-Z, a-z, 0-9, _ and - (a secret anyone could guess is none)")
    slack = bool(environ.get("SLACK_BOT_TOKEN"))
    if webhooks and slack and len(environ.get("SLACK_SIGNING_SECRET", "").strip()) < SECRET_MIN_CHARS:
        raise ConfigError("SLACK_SIGNING_SECRET must be set with SLACK_BOT_TOKEN: the app's "
                          "Signing Secret from Basic Information (32 characters)")
    if not webhooks and environ.get("SLACK_APP_TOKEN"):
        if not slack:
            raise ConfigError("SLACK_BOT_TOKEN must be set with SLACK_APP_TOKEN (Socket Mode)")
        if not environ["SLACK_APP_TOKEN"].startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
    elif not webhooks:
        slack = False  # a bot token alone cannot poll: Socket Mode needs SLACK_APP_TOKEN
    if slack and not environ["SLACK_BOT_TOKEN"].startswith("xoxb-"):
        raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
    metrics_token = environ.get("METRICS_TOKEN", "").strip() or None
    if metrics_token and len(metrics_token) < METRICS_TOKEN_MIN_CHARS:
        raise ConfigError(f"METRICS_TOKEN must be at least {METRICS_TOKEN_MIN_CHARS} characters")
    return ServerConfig(port=port, content_dir=content_dir_path, log_level=log_level,
                        metrics_token=metrics_token,
                        public_url=public_url, telegram=telegram, slack=slack, environ=environ,
                        webhooks=webhooks)


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError("PORT must be a number from 1 to 65535")
    return int(value)
