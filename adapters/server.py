"""`python -m bot serve`: the web process, configured from the environment."""
from __future__ import annotations

import contextlib
import logging
import signal
import sys

from adapters.config import ConfigError, server_config

log = logging.getLogger(__name__)
GRACEFUL_SECONDS = 25  # SIGTERM: finish in-flight updates, then exit well within 30 s


def serve(host: str = "0.0.0.0", port: int | None = None) -> int:
    """Check the environment, load content, and run uvicorn until SIGTERM/SIGINT."""
    import uvicorn

    _Server = _server_class()
    from adapters.metrics import Metrics
    from adapters.stores import open_state
    from adapters.web import build_web_app
    from bot.answer import Bot
    from bot.content import ContentError, load_content
    from bot.service import Service

    try:
        config = server_config(port=port)
        state = open_state(config.environ)
    except (ConfigError, ValueError) as e:
        print(f"serve: {e}", file=sys.stderr)
        return 2
    logging.basicConfig(level=config.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        content = load_content(config.content_dir)
    except ContentError as e:
        print(str(e), file=sys.stderr)
        return 2
    metrics = Metrics()
    service = Service(Bot(content), state, observer=metrics.observe)
    kind = "redis" if config.environ.get("REDIS_URL") else "sqlite"
    app = build_web_app(config, service, metrics, kind)
    _Server(uvicorn.Config(app, host=host, port=config.port, log_level="warning",
                           access_log=False, lifespan="on",
                           timeout_graceful_shutdown=GRACEFUL_SECONDS)).run()
    log.info("stopped")
    return 0


def _server_class():
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
