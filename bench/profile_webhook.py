"""Profile one bot of bench/webhook.py under the Telegram load, limiter lifted, with py-spy.

Run: .venv/bin/python bench/profile_webhook.py ours|echo [N] [PY_SPY]
     (py-spy is not a dependency: `pip install --target /tmp/pyspy py-spy`, then pass
     /tmp/pyspy/bin/py-spy; the default is `py-spy` on PATH)
Writes bench-profile-<bot>.txt (py-spy's raw format: one stack per line with its sample
count) in the current folder and prints the run's figures.
"""
from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.arrivals import Arrivals, FakeProcess
from bench.processes import ECHO_ARGV, Server, serve_argv
from bench.webhook import LIFTED, Bench, describe


async def profile(which: str, updates: int, py_spy: str) -> None:
    """Start the fakes and one server, then record it while `updates` are answered."""
    arrivals = Arrivals()
    fakes = FakeProcess(arrivals)
    urls = await fakes.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
            runner = Bench(urls, arrivals, Path(tmp))
            argv = ECHO_ARGV if which == "echo" else serve_argv(LIFTED)
            server = Server(argv, runner.env(which, LIFTED, slack=which != "echo"),
                                  Path(tmp), which)
            try:
                async with runner.session() as session:
                    await server.ready(session)
                    spy = subprocess.Popen([py_spy, "record", "--pid", str(server.proc.pid),  # noqa: ASYNC220 - starts at once
                                            "--rate", "200", "--format", "raw",
                                            "--output", f"bench-profile-{which}.txt"])
                    run = await runner.telegram(session, server, updates)
                    spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
                    spy.wait()
                print(which, describe(run))
            finally:
                server.stop()
    finally:
        await fakes.close()


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("ours", "echo"):
        sys.exit(__doc__)
    asyncio.run(profile(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3000,
                        sys.argv[3] if len(sys.argv) > 3 else "py-spy"))
