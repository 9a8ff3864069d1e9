"""The web process's settings, read from the environment only, each checked with a clear error."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from bot.content import DEFAULT_CONTENT_DIR

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(ValueError):
    """A missing or malformed variable: one line naming it and the expected shape, no value."""


@dataclass(frozen=True)
class ServerConfig:
    """Where the web process listens and what it serves; secrets are kept out of repr."""

    port: int
    content_dir: Path
    log_level: str
    public_url: str | None
    telegram: bool  # TELEGRAM_TOKEN set: mount POST /telegram
    slack: bool  # SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET set: mount POST /slack/events
    environ: Mapping[str, str] = field(repr=False, compare=False)


def server_config(environ: Mapping[str, str] = os.environ, port: int | None = None) -> ServerConfig:
    """Read and check every variable the web process uses; raise ConfigError on the first bad one."""
    port = port if port is not None else _port(environ.get("PORT", "8080"))
    content_dir = Path(environ.get("CONTENT_DIR") or DEFAULT_CONTENT_DIR)
    if not content_dir.is_dir():
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
        if not environ.get("TELEGRAM_WEBHOOK_SECRET"):
            raise ConfigError("TELEGRAM_WEBHOOK_SECRET must be set for the webhook: 1-256 "
                              "characters of A-Z, a-z, 0-9, _ and -")
    slack = bool(environ.get("SLACK_BOT_TOKEN"))
    if slack and not environ.get("SLACK_SIGNING_SECRET"):
        raise ConfigError("SLACK_SIGNING_SECRET must be set with SLACK_BOT_TOKEN: the app's "
                          "Signing Secret from Basic Information")
    if slack and not environ["SLACK_BOT_TOKEN"].startswith("xoxb-"):
        raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
    return ServerConfig(port=port, content_dir=content_dir, log_level=log_level,
                        public_url=public_url, telegram=telegram, slack=slack, environ=environ)


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError("PORT must be a number from 1 to 65535")
    return int(value)
