"""`python -m bot serve`: the web process, with the settings read from the environment."""
from __future__ import annotations

import contextlib
import logging
import signal

from adapters.runtime import start_runtime

log = logging.getLogger(__name__)
GRACEFUL_SECONDS = 25  # SIGTERM: finish in-flight updates, then exit well within 30 s


def serve(host: str = "0.0.0.0", port: int | None = None, content_dir: str | None = None) -> int:
    """Check the environment, load content, and run uvicorn until SIGTERM/SIGINT."""
    import uvicorn

    from adapters.web import build_web_app

    rt = start_runtime("serve", port=port, content_dir=content_dir)
    if rt is None:
        return 2
    server_class()(uvicorn.Config(build_web_app(rt), host=host, port=rt.settings.port or 0,
                                  log_level="warning", access_log=False, lifespan="on",
                                  timeout_graceful_shutdown=GRACEFUL_SECONDS)).run()
    log.info("stopped")
    return 0


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
