"""The one running bot every front door shares: content with hot reload, the state store,
the service, metrics; `serve`, `poll` and the console differ only in how messages arrive."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from typing import Any

from adapters.config import ConfigError, ServerConfig, server_config
from adapters.metrics import Metrics
from adapters.reload import ContentWatcher
from adapters.state import open_state
from bot.answer import Bot
from bot.content import Content, ContentError, load_content
from bot.service import Service

log = logging.getLogger(__name__)

# The person at the keyboard of the console is the operator: no rate limit for them.
UNLIMITED_PLATFORMS = frozenset({"console"})
CONSOLE_DOORS = ("chat", "run")  # the console, unless platform tokens are set


class Runtime:
    """What a running bot holds: the service, metrics, the content watcher, the platforms."""

    def __init__(self, config: ServerConfig, service: Service, metrics: Metrics, state_kind: str):
        self.config, self.service, self.metrics, self.state_kind = config, service, metrics, state_kind
        self.telegram: Any = None  # telegram.ext.Application once started
        self.telegram_secret: str | None = None
        self.slack: Any = None  # slack_bolt AsyncApp
        self.slack_verifier: Any = None  # slack_sdk SignatureVerifier, for webhooks
        self.watcher = ContentWatcher(service, config.content_dir,
                                      on_reload=self._refresh_platforms,
                                      on_result=self._count_reload)

    async def _refresh_platforms(self, content: Content) -> None:
        if self.telegram is not None:
            from adapters.telegram import refresh_menu
            await refresh_menu(self.telegram, content)

    def _count_reload(self, ok: bool) -> None:
        self.metrics.reloads.labels(result="success" if ok else "failure").inc()


def open_runtime(config: ServerConfig) -> Runtime:
    """Load the content and open the store the settings name.

    Raises ContentError for invalid content and ValueError for a malformed store setting
    (REDIS_URL, STATE_SECRET), each with a message fit for one line.
    """
    content = load_content(config.content_dir)
    state = open_state(config.environ)
    metrics = Metrics()
    service = Service(Bot(content), state, observer=metrics.observe,
                      unlimited=UNLIMITED_PLATFORMS)
    kind = "redis" if config.environ.get("REDIS_URL", "").strip() else "sqlite"
    return Runtime(config, service, metrics, kind)


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
    """The settings checked and the runtime opened for a front door, with logging set up;
    None (after one line, or the content report, on stderr) when either is not right."""
    try:
        config = server_config(port=port, webhooks=webhooks, content_dir=content_dir)
        level = config.log_level
        if door in CONSOLE_DOORS and not (config.telegram or config.slack) \
                and not config.environ.get("LOG_LEVEL"):
            level = "WARNING"  # a chat at the terminal, not an operator's log
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        quiet_library_logs(level)
        raise_open_file_limit()
        return open_runtime(config)
    except ContentError as e:
        print(str(e), file=sys.stderr)
    except (ConfigError, ValueError) as e:
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
