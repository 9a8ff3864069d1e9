"""`python -m bot serve` with python-telegram-bot's settings changed by BENCH_* variables, for
bench/webhook.py's runs with the limiter lifted and with --diagnose.

BENCH_OVERALL_MAX_RATE sets AIORateLimiter's overall limit (0: off); BENCH_CONCURRENT_UPDATES=N
replaces the update processor with PTB's plain `concurrent_updates(N)` (no per-chat order).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def serve_patched() -> int:
    """`bot serve`, its Application built with the BENCH_* overrides."""
    from telegram.ext import AIORateLimiter, ApplicationBuilder

    from adapters.telegram import MAX_RETRIES
    from bot.cli import main as cli_main
    rate = os.environ.get("BENCH_OVERALL_MAX_RATE")
    concurrent = os.environ.get("BENCH_CONCURRENT_UPDATES")
    build = ApplicationBuilder.build

    def patched_build(self):
        if rate is not None:
            self.rate_limiter(AIORateLimiter(overall_max_rate=float(rate), max_retries=MAX_RETRIES))
        if concurrent:
            self.concurrent_updates(int(concurrent))
        return build(self)

    ApplicationBuilder.build = patched_build
    return cli_main(["serve", "--host", "127.0.0.1"])


if __name__ == "__main__":
    sys.exit(serve_patched())
