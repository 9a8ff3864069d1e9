"""The processes bench/webhook.py measures: `python -m bot serve` and the echo bot, each on a
free port of 127.0.0.1 with its output in a log file, and dying with the benchmark."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 15.0  # seconds a process may take to answer /healthz


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    """This environment without the bot's settings, with `extra`; no proxy for 127.0.0.1."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "SLACK_", "REDIS_", "PUBLIC_URL", "STATE_",
                                "BENCH_", "CONTENT_DIR", "LOG_LEVEL"))}
    env.update({"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
                "PYTHONUNBUFFERED": "1", **extra})
    return env


def die_with_parent() -> None:
    """In the child: get SIGTERM when the benchmark dies, so that no server outlives it."""
    import ctypes
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    """A port of 127.0.0.1 nobody listens on right now."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server process on a free port of 127.0.0.1, its output in a log file."""

    def __init__(self, argv: list[str], env: dict[str, str], log_dir: Path, name: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"{name}-{self.port}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - open as long as the process runs
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT,
                                     env=clean_env({**env, "PORT": str(self.port)}),
                                     preexec_fn=die_with_parent)

    async def ready(self, session) -> float:
        """Wait until /healthz answers 200; seconds since the process was started."""
        import aiohttp
        deadline = self.started + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.log_path.name} exited {self.proc.returncode}:\n"
                                   + self.log_path.read_text(errors="replace")[-2000:])
            try:
                async with session.get(self.url + "/healthz",
                                       timeout=aiohttp.ClientTimeout(total=1)) as r:
                    if r.status == 200:
                        return time.monotonic() - self.started
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(0.005)
        raise RuntimeError(f"{self.log_path.name}: no /healthz within {READY_TIMEOUT} s")

    def peak_rss_mb(self) -> float:
        """VmHWM: the most resident memory the process has used so far."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited in 30 s."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


ECHO_ARGV = [sys.executable, str(ROOT / "bench" / "echo_bot.py")]


def serve_argv(setting: dict[str, str]) -> list[str]:
    """The real serve command; behind bench/patched_serve.py when `setting` changes PTB."""
    if any(key.startswith("BENCH_") for key in setting):
        return [sys.executable, str(ROOT / "bench" / "patched_serve.py")]
    return [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1"]
