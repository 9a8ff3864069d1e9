"""`python -m bot serve`: the web process, with the settings read from the environment."""
from __future__ import annotations

import contextlib
import logging
import signal
from typing import TYPE_CHECKING, Literal

from adapters.runtime import start_runtime

if TYPE_CHECKING:
    import uvicorn

log = logging.getLogger(__name__)
GRACEFUL_SECONDS = 25  # SIGTERM: finish in-flight updates, then exit well within 30 s
# A connection must send a whole request head within this long of opening (or of its last
# answer), however slowly it trickles bytes; idle keep-alive connections close sooner.
HEADER_TIMEOUT_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 5
# Connections beyond this many get 503 until some close: memory stays bounded. Far above
# what Telegram (up to 100 webhook connections) and Slack open, under the open-file limit.
MAX_CONNECTIONS = 4096


def serve(host: str = "0.0.0.0", port: int | None = None, content_dir: str | None = None) -> int:
    """Check the environment, load content, and run uvicorn until SIGTERM/SIGINT."""
    from adapters.web import build_web_app

    rt = start_runtime("serve", port=port, content_dir=content_dir)
    if rt is None:
        return 2
    server_class()(web_config(build_web_app(rt), host, rt.settings.port or 0)).run()
    log.info("stopped")
    return 0


def web_config(app, host: str, port: int, *, lifespan: Literal["on", "off"] = "on",
               header_timeout: float = HEADER_TIMEOUT_SECONDS,
               max_connections: int = MAX_CONNECTIONS) -> uvicorn.Config:
    """uvicorn's settings for a web front door: quiet, with the connection guards."""
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                          lifespan=lifespan, timeout_graceful_shutdown=GRACEFUL_SECONDS,
                          http=guarded_http(header_timeout), limit_concurrency=max_connections,
                          timeout_keep_alive=KEEP_ALIVE_SECONDS)


def guarded_http(header_timeout: float) -> type:
    """uvicorn's HTTP/1.1 protocol, closing a connection that has not sent a whole request
    head within `header_timeout` of opening or of its last answer (uvicorn itself waits
    forever for a head that trickles in a byte at a time)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class GuardedH11Protocol(H11Protocol):
        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._head_deadline = self.loop.call_later(header_timeout, self._head_overdue)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._head_deadline.cancel()
            self._head_deadline = self.loop.call_later(header_timeout, self._head_overdue)

        def connection_lost(self, exc: Exception | None) -> None:
            self._head_deadline.cancel()
            super().connection_lost(exc)

        def _head_overdue(self) -> None:
            cycle = self.cycle
            if cycle is not None and not cycle.response_complete:
                return  # a request is being answered: its body has its own timeout
            if not self.transport.is_closing():
                self.transport.close()

    return GuardedH11Protocol


def server_class():
    """uvicorn's Server class for the web process: a drained SIGTERM exits with code 0."""
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, except that a drained SIGTERM ends in exit code 0.

        uvicorn re-raises the signal after its graceful shutdown, so the process would
        die of it (-15) although every accepted update was answered.
        """

        @contextlib.contextmanager
        def capture_signals(self):
            original = {sig: signal.signal(sig, self.handle_exit)
                        for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in original.items():
                    signal.signal(sig, handler)

    return Server
