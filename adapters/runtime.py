"""The one running bot every front door shares: content with hot reload, the state store,
the service, metrics; `serve`, `poll` and the console differ only in how messages arrive."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from typing import Any

from adapters.metrics import Metrics
from adapters.reload import ContentWatcher
from adapters.settings import (
    CONSOLE_LOG_LEVEL,
    DEFAULT_LOG_LEVEL,
    Settings,
    for_door,
    read_settings,
)
from adapters.state import open_state
from bot.answer import Bot
from bot.content import Content, ContentError, load_content
from bot.service import Service

log = logging.getLogger(__name__)

# The person at the keyboard of the console is the operator: no rate limit for them.
UNLIMITED_PLATFORMS = frozenset({"console"})
CONSOLE_DOORS = ("chat", "run")  # the console, unless platform tokens are set


class Runtime:
    """What a running bot holds: the settings of its front door, the service, metrics, the
    content watcher, the platforms."""

    def __init__(self, settings: Settings, service: Service, metrics: Metrics, state_kind: str,
                 *, webhooks: bool = True):
        self.settings, self.service, self.metrics = settings, service, metrics
        self.state_kind = state_kind
        self.webhooks = webhooks  # serve: the platforms reach us over HTTP; poll: we reach them
        self.telegram: Any = None  # telegram.ext.Application once started
        self.telegram_secret: str | None = None
        self.slack: Any = None  # slack_bolt AsyncApp
        self.slack_verifier: Any = None  # slack_sdk SignatureVerifier, for webhooks
        self.watcher = ContentWatcher(service, settings.content_dir,
                                      on_reload=self._refresh_platforms,
                                      on_result=self._count_reload)

    async def _refresh_platforms(self, content: Content) -> None:
        if self.telegram is not None:
            from adapters.telegram import refresh_menu
            await refresh_menu(self.telegram, content)

    def _count_reload(self, ok: bool) -> None:
        self.metrics.reloads.labels(result="success" if ok else "failure").inc()


def open_runtime(settings: Settings, *, webhooks: bool = True) -> Runtime:
    """Load the content and open the store the settings name.

    Raises ContentError for invalid content and SettingsError for a REDIS_URL the Redis
    client cannot read, each with a message fit for one line.
    """
    content = load_content(settings.content_dir)
    state = open_state(settings.state)
    metrics = Metrics()
    service = Service(Bot(content), state, observer=metrics.observe,
                      unlimited=UNLIMITED_PLATFORMS)
    return Runtime(settings, service, metrics, settings.state.kind, webhooks=webhooks)


@contextlib.asynccontextmanager
async def running(rt: Runtime) -> AsyncIterator[None]:
    """Watch the content while the door is open; on leaving, stop watching and close the store."""
    stop = asyncio.Event()
    watcher = asyncio.create_task(rt.watcher.run(stop))
    try:
        yield
    finally:
        stop.set()
        await watcher
        await rt.service.state.close()


def start_runtime(door: str, *, port: int | None = None, content_dir: str | None = None,
                  webhooks: bool = True) -> Runtime | None:
    """The settings read from the environment, checked for a front door, and the runtime
    opened with them, logging set up; None (after one line, or the content report, on
    stderr) when either is not right. `port` and `content_dir` are the door's options."""
    try:
        settings = for_door(read_settings(), webhooks=webhooks, port=port, content_dir=content_dir)
        console = door in CONSOLE_DOORS and not (settings.telegram or settings.slack)
        level = settings.log_level or (CONSOLE_LOG_LEVEL if console else DEFAULT_LOG_LEVEL)
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        quiet_library_logs(level)
        raise_open_file_limit()
        return open_runtime(settings, webhooks=webhooks)
    except ContentError as e:
        print(str(e), file=sys.stderr)
    except ValueError as e:  # SettingsError, or a store that cannot open with its settings
        print(f"{door}: {e}", file=sys.stderr)
    return None


# Libraries that log request bodies, update contents, URLs with tokens or response_url at
# INFO or DEBUG: Bolt logs the whole body of a request it refuses.
CHATTY_LOGGERS = ("slack_bolt", "slack_sdk", "telegram", "httpx", "httpcore", "uvicorn.access",
                  "aiohttp.access", "apscheduler")


def quiet_library_logs(level: str) -> None:
    """Keep the libraries' logs to warnings, which carry no message text or user ids; only an
    explicit LOG_LEVEL=DEBUG lets them speak, and says so."""
    if level == "DEBUG":
        log.warning("LOG_LEVEL=DEBUG: library logs may hold message text, user ids and URLs")
        return
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


OPEN_FILES_WANTED = 65536  # each connection is a file: 1024, a common default, is ~1,000 clients


def raise_open_file_limit() -> None:
    """Lift the soft limit on open files towards the hard one: past it, idle connections
    stop the bot accepting any (and its content watcher)."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = OPEN_FILES_WANTED if hard == resource.RLIM_INFINITY else min(hard, OPEN_FILES_WANTED)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        log.info("open files: raised the limit from %d to %d", soft, wanted)
