"""Hot reload: watch the content folder, validate a change whole, swap it in atomically."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.answer import Bot
from bot.content import Content, ContentError, load_content
from bot.service import Service

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # editors see a change within a second; stat() of ~25 files is nothing
ERROR_LINES = 20  # problems kept for /healthz; the log has them all


class ContentWatcher:
    """Reloads content when its files change; a broken edit leaves the last good content."""

    def __init__(self, service: Service, content_dir: Path,
                 on_reload: Callable[[Content], Awaitable[None]] | None = None,
                 on_result: Callable[[bool], None] | None = None):
        self.service = service
        self.content_dir = Path(content_dir)
        self.on_reload = on_reload
        self.on_result = on_result
        self.last_error: str | None = None
        self.last_error_at: float | None = None
        self._fingerprint = self._snapshot()

    def _snapshot(self) -> tuple:
        files = sorted(self.content_dir.rglob("*.y*ml"))
        out = []
        for path in files:
            try:
                st = path.stat()
            except FileNotFoundError:  # removed between the listing and the stat
                continue
            out.append((str(path), st.st_mtime_ns, st.st_size))
        return tuple(out)

    async def run(self, stop: asyncio.Event) -> None:
        """Check for changes every POLL_SECONDS until `stop` is set."""
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=POLL_SECONDS)
            except asyncio.TimeoutError:
                try:
                    await self.check()
                except Exception:  # e.g. out of file handles: try again at the next tick
                    log.exception("checking the content for changes failed; still watching")

    async def check(self) -> bool:
        """Reload if any content file changed; True when new content went live."""
        snapshot = self._snapshot()
        if snapshot == self._fingerprint:
            return False
        self._fingerprint = snapshot
        try:
            content = await asyncio.to_thread(load_content, self.content_dir)
            bot = await asyncio.to_thread(Bot, content)
        except ContentError as e:
            errors = [p for p in e.problems if p.severity == "error"]
            # /healthz is open: it names the files, never a server path or the problem itself.
            files = sorted({Path(p.where.file).name for p in errors})
            self.last_error = f"invalid content in {', '.join(files[:ERROR_LINES])}"
            self.last_error_at = time.time()
            log.error("content change rejected, still serving version %s: %s",
                      self.service.bot.content.version,
                      "; ".join(str(p).splitlines()[0] for p in errors[:ERROR_LINES]))
            self._report(False)
            return False
        except Exception:  # any failure must leave the last good content
            self.last_error = "content could not be loaded"
            self.last_error_at = time.time()
            log.exception("content reload failed; still serving the last good content")
            self._report(False)
            return False
        self.service.swap(bot)
        self.last_error = None
        log.info("content version %s is live (%d topics)", content.version, len(content.topics))
        self._report(True)
        if self.on_reload is not None:
            try:
                await self.on_reload(content)
            except Exception:  # e.g. the platform is down: answers still work
                log.warning("content is live, but refreshing platform menus failed",
                            exc_info=True)
        return True

    def _report(self, ok: bool) -> None:
        if self.on_result is not None:
            self.on_result(ok)
