"""Benchmark of the web process: Telegram webhook throughput against an echo bot, Slack ack
latency, peak memory and start-up time, from one run of the real `python -m bot serve`.

Run: .venv/bin/python bench/webhook.py             (about 9 minutes; prints one table)
     .venv/bin/python bench/webhook.py --diagnose  (about 14: adds PTB's plain
                                                    concurrent_updates=32, without per-chat
                                                    order, and a slow Bot API, for both bots)
     .venv/bin/python bench/webhook.py --quick     (N=1000, Slack for 3 s: a smoke run)

Load goes to 127.0.0.1 only. The fake Bot API and Slack API (bench/fake_apis.py) run in a
child process and report each sendMessage's arrival, by chat id, on a pipe
(`--fake-in-process` puts them on the load generator's loop instead: on 2 cores the two
measured alike). Every
update comes from a chat and user of its own: answers are matched to updates, and no user
nears the 20 messages/minute limit. An update is in flight from its POST until its
sendMessage reaches the fake: the webhook answers 200 before the bot has answered, so POST
concurrency alone would only measure how long the Application's queue grows.

Both bots send through AIORateLimiter, whose default is Telegram's 30 messages/s per bot:
as shipped, both run at that ceiling. The run therefore also measures both with the limiter
lifted (bench/patched_serve.py, which is `bot serve` with the BENCH_* overrides applied to
PTB's ApplicationBuilder), which is where their costs differ.

The rest of the benchmark: bench/payloads.py (what is sent), bench/load.py (the loads and what
they measure), bench/processes.py (the servers under load), bench/arrivals.py (where the fakes
run).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.arrivals import Arrivals, FakeProcess, InProcessFakes
from bench.fake_apis import SLOW_TOKEN
from bench.load import SlackRun, TelegramRun, percentile, slack_run, telegram_run
from bench.payloads import SLACK_SECRET, SLACK_TOKEN, TOKEN, WEBHOOK_SECRET, Workload
from bench.processes import ECHO_ARGV, Server, serve_argv

UPDATES = 5000  # per measured Telegram run
WARM_UP = 100  # updates sent (and answered) before each measured run, not counted
CONCURRENCY = 32  # updates in flight: POSTed and not yet answered with a sendMessage
SLACK_RATE = 200  # slash commands per second, open loop (sent on schedule, not on answers)
SLACK_SECONDS = 10
STARTS = 5  # start-up measurements; the median is reported

TARGET_RATIO = 0.8
TARGET_SLACK_P99_MS = 100.0
TARGET_RSS_MB = 100.0
TARGET_START_S = 1.5

SHIPPED: dict[str, str] = {}  # the Application exactly as adapters/telegram builds it
LIFTED = {"BENCH_OVERALL_MAX_RATE": "0"}  # AIORateLimiter's 30 messages/s overall limit off
SLOW = {"TELEGRAM_TOKEN": SLOW_TOKEN}
CONCURRENT = {"BENCH_CONCURRENT_UPDATES": "32"}
DIAGNOSTIC_UPDATES = 600  # per bot and setting: a slow Bot API makes these runs long
DIAGNOSTIC_SETTINGS = (
    ("limiter off, PTB's concurrent_updates=32 (no per-chat order)", {**LIFTED, **CONCURRENT}),
    ("Bot API round trip 100 ms, as shipped (32 at a time, in order per chat)", SLOW),
    ("Bot API round trip 100 ms, PTB's concurrent_updates=32 (no per-chat order)",
     {**SLOW, **CONCURRENT}),
)


def machine() -> str:
    """CPU model, cores and Python version."""
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.machine())
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def load_average() -> str:
    """The 1-minute load average: other processes competing for the cores show here."""
    return Path("/proc/loadavg").read_text().split()[0]


class Bench:
    """One run's fakes, workload and temporary folder."""

    def __init__(self, urls: dict, arrivals: Arrivals, tmp: Path):
        self.urls, self.arrivals, self.tmp = urls, arrivals, tmp
        self.workload = Workload()

    @staticmethod
    def session():
        """An HTTP client for one server: no kept-alive connection outlives the server."""
        import aiohttp
        return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),  # workers limit
                                     timeout=aiohttp.ClientTimeout(total=30))

    def env(self, name: str, setting: dict[str, str], slack: bool = False) -> dict[str, str]:
        env = {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_URL": self.urls["telegram"],
               "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
               "STATE_PATH": str(self.tmp / f"{name}-{time.monotonic_ns()}.sqlite3"), **setting}
        if slack:
            env.update(SLACK_BOT_TOKEN=SLACK_TOKEN, SLACK_SIGNING_SECRET=SLACK_SECRET,
                       SLACK_API_URL=self.urls["slack"])
        return env

    async def starts(self) -> list[float]:
        """Seconds from process start to /healthz 200, STARTS times."""
        out = []
        for _ in range(STARTS):
            server = Server(serve_argv(SHIPPED), self.env("start", SHIPPED, slack=True),
                            self.tmp, "start")
            try:
                async with self.session() as session:
                    out.append(await server.ready(session))
            finally:
                server.stop()
        return out

    async def telegram(self, session, server: Server, updates: int) -> TelegramRun:
        """Warm up, then `updates` measured against `server`."""
        await server.ready(session)
        url = server.url + "/telegram"
        warm = await telegram_run(session, url, self.workload.updates(WARM_UP), self.arrivals,
                                  CONCURRENCY)
        if not warm.complete:
            raise RuntimeError(f"warm-up: {warm.answered} of {warm.sent} answered; see "
                               f"{server.log_path}")
        cpu_before, sends_before = server.cpu_seconds(), self.arrivals.sends
        run = await telegram_run(session, url, self.workload.updates(updates), self.arrivals,
                                 CONCURRENCY)
        run.server_cpu = server.cpu_seconds() - cpu_before
        run.messages = self.arrivals.sends - sends_before
        return run

    async def echo(self, setting: dict[str, str], updates: int) -> TelegramRun:
        """The echo bot under the Telegram load."""
        server = Server(ECHO_ARGV, self.env("echo", setting), self.tmp, "echo")
        try:
            async with self.session() as session:
                return await self.telegram(session, server, updates)
        finally:
            server.stop()

    async def ours(self, setting: dict[str, str], updates: int,
                   slack_seconds: float = 0.0) -> tuple[TelegramRun, SlackRun | None, float]:
        """`bot serve` under the Telegram load, then the Slack load; and its peak RSS."""
        server = Server(serve_argv(setting), self.env("serve", setting, slack=True), self.tmp,
                        "serve")
        try:
            async with self.session() as session:
                run = await self.telegram(session, server, updates)
            slack = None
            if slack_seconds:
                responses, cpu_before = self.arrivals.responses, server.cpu_seconds()
                async with self.session() as session:
                    slack = await slack_run(session, server.url + "/slack/events",
                                            self.urls["slack_base"], SLACK_RATE, slack_seconds)
                await asyncio.sleep(1.0)  # let the last respond() calls land
                slack.answers = self.arrivals.responses - responses
                slack.server_cpu = server.cpu_seconds() - cpu_before
            return run, slack, server.peak_rss_mb()
        finally:
            server.stop()


def describe(run: TelegramRun) -> str:
    return (f"{run.answered}/{run.sent} answered in {run.seconds:.1f} s = {run.rate:.1f}/s; "
            f"latency p50 {percentile(run.latencies, 50) * 1000:.0f} ms, "
            f"p99 {percentile(run.latencies, 99) * 1000:.0f} ms; "
            f"POST ack p50 {percentile(run.acks, 50) * 1000:.1f} ms; "
            f"server CPU {run.cpu_ms():.2f} ms/update; "
            f"{run.messages / max(run.sent, 1):.2f} sendMessage/update")


def ms(samples: list[float], p: float) -> str:
    return f"{percentile(samples, p) * 1000:.0f}"


async def main_async(args) -> int:
    load_before = load_average()
    print(f"machine: {machine()}; load average {load_before}")
    print(f"load: {args.updates} updates per bot, {CONCURRENCY} in flight (POSTed, not yet "
          f"answered); Slack {SLACK_RATE}/s for {args.slack_seconds:g} s; fakes "
          f"{'in this process' if args.fake_in_process else 'in a child process'}", flush=True)
    arrivals = Arrivals()
    fakes = InProcessFakes(arrivals) if args.fake_in_process else FakeProcess(arrivals)
    urls = await fakes.start()
    diagnostics = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-webhook-") as tmp:
            bench = Bench(urls, arrivals, Path(tmp))
            starts = await bench.starts()
            print(f"start-up to /healthz: {', '.join(f'{s:.2f}' for s in starts)} s", flush=True)
            echo = await bench.echo(SHIPPED, args.updates)
            print(f"echo bot: {describe(echo)}", flush=True)
            ours, slack, rss = await bench.ours(SHIPPED, args.updates, args.slack_seconds)
            print(f"our bot:  {describe(ours)}")
            print(f"slack: {len(slack.acks)} acked, {slack.failures} failed, {slack.answers} "
                  f"answers reached response_url; server CPU {slack.cpu_ms():.2f} ms/command",
                  flush=True)
            settings = [("limiter off (overall_max_rate=0), as shipped", LIFTED,
                         args.updates)]
            if args.diagnose:
                settings += [(name, setting, min(args.updates, DIAGNOSTIC_UPDATES))
                             for name, setting in DIAGNOSTIC_SETTINGS]
            for name, setting, updates in settings:
                pair = (await bench.echo(setting, updates),
                        (await bench.ours(setting, updates))[0])
                print(f"{name}: echo {describe(pair[0])}\n  ours {describe(pair[1])}",
                      flush=True)
                diagnostics.append((name, *pair))
    finally:
        await fakes.close()
    print_report(args, starts, echo, ours, slack, rss, diagnostics, load_before)
    return 0


def print_report(args, starts: list[float], echo: TelegramRun, ours: TelegramRun,
                 slack: SlackRun, rss: float, diagnostics: list, load_before: str) -> None:
    """One table of every figure with its target, then the runs with PTB settings changed."""
    def verdict(ok: bool) -> str:
        return "pass" if ok else "MISS"

    ratio = ours.rate / echo.rate if echo.rate else float("nan")
    slack_p99 = percentile(slack.acks, 99) * 1000
    start = statistics.median(starts)
    rows = [
        (f"Telegram updates/s, our bot (N={args.updates}, {CONCURRENCY} in flight)",
         f"{ours.rate:.1f}", "", ""),
        ("Telegram updates/s, echo bot", f"{echo.rate:.1f}", "", ""),
        ("throughput ratio ours / echo", f"{ratio:.2f}", f"≥ {TARGET_RATIO}",
         verdict(ratio >= TARGET_RATIO)),
        ("answered / sent, ours; echo", f"{ours.answered}/{ours.sent}; "
         f"{echo.answered}/{echo.sent}", "all", verdict(ours.complete and echo.complete)),
        ("POST → sendMessage p50 / p99, ours", f"{ms(ours.latencies, 50)} / "
         f"{ms(ours.latencies, 99)} ms", "", ""),
        ("POST → sendMessage p50 / p99, echo", f"{ms(echo.latencies, 50)} / "
         f"{ms(echo.latencies, 99)} ms", "", ""),
        ("server CPU per update, ours; echo", f"{ours.cpu_ms():.2f}; {echo.cpu_ms():.2f} ms",
         "", ""),
        (f"Slack slash-command ack p50 ({SLACK_RATE}/s for {args.slack_seconds:g} s)",
         f"{percentile(slack.acks, 50) * 1000:.1f} ms", "", ""),
        (f"Slack slash-command ack p99 ({SLACK_RATE}/s for {args.slack_seconds:g} s)",
         f"{slack_p99:.1f} ms", f"≤ {TARGET_SLACK_P99_MS:.0f} ms",
         verdict(slack_p99 <= TARGET_SLACK_P99_MS and not slack.failures)),
        ("Slack acked, failed, answers at response_url",
         f"{len(slack.acks)}, {slack.failures}, {slack.answers}", "", ""),
        ("server CPU per slash command", f"{slack.cpu_ms():.2f} ms", "", ""),
        ("serve peak RSS (VmHWM), after Telegram + Slack", f"{rss:.1f} MB",
         f"≤ {TARGET_RSS_MB:.0f} MB", verdict(rss <= TARGET_RSS_MB)),
        (f"process start → /healthz 200, median of {STARTS}",
         f"{start:.2f} s (max {max(starts):.2f})", f"≤ {TARGET_START_S} s",
         verdict(start <= TARGET_START_S)),
    ]
    print(f"\nmachine: {machine()}; load average {load_before} before, {load_average()} after\n")
    print("| figure | value | target | result |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(cell or "–" for cell in row) + " |")
    if diagnostics:
        print("\nsame load, PTB settings changed for both bots (serve behind bench/patched_serve.py):\n")
        print("| setting | N | echo updates/s | ours updates/s | ratio | ours p50 / p99 | "
              "CPU per update, ours; echo |\n|---|---|---|---|---|---|---|")
        for name, e, o in diagnostics:
            print(f"| {name} | {o.sent} | {e.rate:.1f} | {o.rate:.1f} | {o.rate / e.rate:.2f} | "
                  f"{ms(o.latencies, 50)} / {ms(o.latencies, 99)} ms | "
                  f"{o.cpu_ms():.2f}; {e.cpu_ms():.2f} ms |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=UPDATES, help="per measured run")
    parser.add_argument("--slack-seconds", type=float, default=SLACK_SECONDS)
    parser.add_argument("--quick", action="store_true", help="N=1000, Slack for 3 s")
    parser.add_argument("--diagnose", action="store_true",
                        help="also run both bots with PTB's plain concurrent_updates=32 "
                             "and a slow Bot API")
    parser.add_argument("--fake-in-process", action="store_true",
                        help="run the fake APIs on the load generator's event loop")
    args = parser.parse_args()
    if args.quick:
        args.updates, args.slack_seconds = 1000, 3.0
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
