"""Benchmark of the web process: Telegram webhook throughput against an echo bot, Slack ack
latency, peak memory and start-up time, from one run of the real `python -m bot serve`.

Run: .venv/bin/python bench/webhook.py             (about 9 minutes; prints one table)
     .venv/bin/python bench/webhook.py --diagnose  (about 14: adds PTB's plain
                                                    concurrent_updates=32, without per-chat
                                                    order, and a slow Bot API, for both bots)
     .venv/bin/python bench/webhook.py --quick     (N=1000, Slack for 3 s: a smoke run)

Load goes to 127.0.0.1 only. The fake Bot API and Slack API (tests/fakes) run in a child
process and report each sendMessage's arrival, by chat id, on a pipe (`--fake-in-process`
puts them on the load generator's loop instead: on 2 cores the two measured alike). Every
update comes from a chat and user of its own: answers are matched to updates, and no user
nears the 20 messages/minute limit. An update is in flight from its POST until its
sendMessage reaches the fake: the webhook answers 200 before the bot has answered, so POST
concurrency alone would only measure how long the Application's queue grows.

Both bots send through AIORateLimiter, whose default is Telegram's 30 messages/s per bot:
as shipped, both run at that ceiling. The run therefore also measures both with the limiter
lifted (`--serve-patched`, which is `bot serve` with the BENCH_* overrides applied to PTB's
ApplicationBuilder), which is where their costs differ.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "123:BENCH"
SLOW_TOKEN = "123:BENCH_SLOW"  # the fake answers this bot's calls after SLOW_API_SECONDS
SLOW_API_SECONDS = 0.1  # a round trip to api.telegram.org from a server far from it
WEBHOOK_SECRET = "bench_secret-1"
SLACK_TOKEN = "xoxb-bench"
SLACK_SECRET = "bench-signing-secret"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

UPDATES = 5000  # per measured Telegram run
WARM_UP = 100  # updates sent (and answered) before each measured run, not counted
CONCURRENCY = 32  # updates in flight: POSTed and not yet answered with a sendMessage
SLACK_RATE = 200  # slash commands per second, open loop (sent on schedule, not on answers)
SLACK_SECONDS = 10
STARTS = 5  # start-up measurements; the median is reported

ANSWER_TIMEOUT = 60.0  # seconds one update may wait for its sendMessage before it counts lost
RUN_TIMEOUT = 900.0  # seconds one Telegram run may take (5,000 at the 30/s limit take ~170 s)
READY_TIMEOUT = 15.0  # seconds a process may take to answer /healthz
FAKE_LIFETIME = 3600.0  # the fake process exits by itself after this, whatever happens

TARGET_RATIO = 0.8
TARGET_SLACK_P99_MS = 100.0
TARGET_RSS_MB = 100.0
TARGET_START_S = 1.5

SHIPPED: dict[str, str] = {}  # the Application exactly as adapters.telegram builds it
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


# -- the fakes ----------------------------------------------------------------------------
class BenchFakes:
    """The fake Bot API and Slack API of tests/fakes, reporting each answer as it arrives."""

    def __init__(self, on_send, on_response):
        from tests.fakes.slack_api import FakeSlackApi
        from tests.fakes.telegram_api import FakeBotAPI

        class BotAPI(FakeBotAPI):
            async def _handle(self, request):
                if request.match_info["token"] == SLOW_TOKEN:  # a Bot API across the world
                    await asyncio.sleep(SLOW_API_SECONDS)
                return await super()._handle(request)

            def _result(self, method, params):
                if method == "sendMessage":
                    on_send(int(params["chat_id"]), time.monotonic())
                return super()._result(method, params)

        class SlackApi(FakeSlackApi):
            async def _response_url(self, request):
                response = await super()._response_url(request)
                on_response(time.monotonic())
                return response

        self.telegram, self.slack = BotAPI(), SlackApi()

    async def start(self) -> dict:
        """Serve both on ephemeral ports of 127.0.0.1; their base URLs."""
        return {"telegram": await self.telegram.start(), "slack": await self.slack.start(),
                "slack_base": self.slack.base_url}

    async def close(self) -> None:
        """Stop serving."""
        await self.telegram.close()
        await self.slack.close()


async def run_fake_process() -> None:
    """`--fake`: serve the fakes, one line per answer on stdout, until stdin closes."""
    out = sys.stdout.buffer

    def emit(line: bytes) -> None:
        out.write(line)
        out.flush()

    fakes = BenchFakes(lambda chat, t: emit(b"S %d %.6f\n" % (chat, t)),
                       lambda t: emit(b"R %.6f\n" % t))
    emit(b"READY " + json.dumps(await fakes.start()).encode() + b"\n")
    stdin = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    try:
        await asyncio.wait_for(stdin.read(), FAKE_LIFETIME)  # returns when stdin closes
    except asyncio.TimeoutError:
        pass
    finally:
        await fakes.close()


class Arrivals:
    """When the first sendMessage for each chat arrived, and who is waiting for one."""

    def __init__(self):
        self.first: dict[int, float] = {}
        self.waiters: dict[int, asyncio.Future] = {}
        self.responses = 0  # POSTs to a Slack response_url
        self.sends = 0  # sendMessage calls, the first for a chat and any more

    def on_send(self, chat_id: int, at: float) -> None:
        self.sends += 1
        if chat_id in self.first:
            return
        self.first[chat_id] = at
        waiter = self.waiters.pop(chat_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(at)

    def on_response(self, at: float) -> None:
        self.responses += 1


class FakeProcess:
    """The fakes in a child process; its stdout read into `arrivals`."""

    def __init__(self, arrivals: Arrivals):
        self.arrivals = arrivals
        self.proc: asyncio.subprocess.Process | None = None
        self.reader: asyncio.Task | None = None

    async def start(self) -> dict:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--fake", cwd=ROOT, env=_clean_env({}),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, preexec_fn=_die_with_parent)
        line = await asyncio.wait_for(self.proc.stdout.readline(), READY_TIMEOUT)
        if not line.startswith(b"READY "):
            raise RuntimeError(f"the fake process did not start: {line!r}")
        self.reader = asyncio.create_task(self._read())
        return json.loads(line[len(b"READY "):])

    async def _read(self) -> None:
        while line := await self.proc.stdout.readline():  # ends when the fake exits
            kind, *rest = line.split()
            if kind == b"S":
                self.arrivals.on_send(int(rest[0]), float(rest[1]))
            elif kind == b"R":
                self.arrivals.on_response(float(rest[0]))

    async def close(self) -> None:
        self.proc.stdin.close()
        await asyncio.wait_for(self.proc.wait(), 10)
        await self.reader


class InProcessFakes:
    """The fakes on the load generator's own event loop (`--fake-in-process`)."""

    def __init__(self, arrivals: Arrivals):
        self.fakes = BenchFakes(arrivals.on_send, arrivals.on_response)

    async def start(self) -> dict:
        return await self.fakes.start()

    async def close(self) -> None:
        await self.fakes.close()


# -- the servers ---------------------------------------------------------------------------
def _clean_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "SLACK_", "REDIS_", "PUBLIC_URL", "STATE_",
                                "BENCH_", "CONTENT_DIR", "LOG_LEVEL"))}
    env.update({"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
                "PYTHONUNBUFFERED": "1", **extra})
    return env


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the benchmark dies, so that no server outlives it."""
    import ctypes
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server process on a free port of 127.0.0.1, its output in a log file."""

    def __init__(self, argv: list[str], env: dict[str, str], log_dir: Path, name: str):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"{name}-{self.port}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - open as long as the process runs
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT,
                                     env=_clean_env({**env, "PORT": str(self.port)}),
                                     preexec_fn=_die_with_parent)

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
    """The real serve command; behind the PTB patch below when `setting` changes PTB."""
    if any(key.startswith("BENCH_") for key in setting):
        return [sys.executable, __file__, "--serve-patched"]
    return [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1"]


def serve_patched() -> int:
    """`--serve-patched`: `bot serve`, its Application built with the BENCH_* overrides."""
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


# -- the load ------------------------------------------------------------------------------
class Workload:
    """Telegram updates in a fixed mix, each from a chat and user of its own."""

    def __init__(self, seed: int = 20160325):
        from bot.evaluate import load_questions
        self.rng = random.Random(seed)
        self.questions = [q["q"] for q in load_questions()]
        self.next_chat = 6_000_000_000

    def updates(self, count: int) -> list[tuple[int, bytes]]:
        """(chat id, JSON body): 30% commands, 45% free text (en/ru/kk), 25% button taps."""
        from tests.fakes.telegram_api import make_update
        out = []
        for _ in range(count):
            self.next_chat += 1
            chat, lang = self.next_chat, self.rng.choice(("en", "ru", "kk"))
            roll = self.rng.random()
            if roll < 0.30:
                update = make_update("private_command", language_code=lang,
                                     text=self.rng.choice(("/office", "/history", "/start")))
                update["message"]["from"]["id"] = chat
                message = update["message"]
            elif roll < 0.75:
                update = make_update("private_text", text=self.rng.choice(self.questions),
                                     language_code=lang)
                update["message"]["from"]["id"] = chat
                message = update["message"]
            else:
                topic = self.rng.choice(("office", "history", "region", "head", "asylum"))
                update = make_update("callback_query", data=f"t:{topic}:{lang}",
                                     language_code=lang)
                update["callback_query"]["from"]["id"] = chat
                message = update["callback_query"]["message"]
            message["chat"]["id"] = chat
            out.append((chat, json.dumps(update).encode()))
        return out


@dataclass
class TelegramRun:
    """What one Telegram run measured."""

    sent: int = 0
    answered: int = 0
    refused: int = 0  # not 200 to the POST
    lost: int = 0  # 200, but no sendMessage within ANSWER_TIMEOUT
    seconds: float = 0.0  # first POST to last answer
    latencies: list[float] = field(default_factory=list)  # POST to its sendMessage
    acks: list[float] = field(default_factory=list)  # POST to its HTTP response
    server_cpu: float = 0.0  # CPU seconds the server used meanwhile
    messages: int = 0  # sendMessage calls that arrived meanwhile

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    @property
    def complete(self) -> bool:
        return self.sent > 0 and self.answered == self.sent

    def cpu_ms(self) -> float:
        return self.server_cpu / max(self.sent, 1) * 1000


@dataclass
class SlackRun:
    """What the Slack run measured."""

    acks: list[float]
    failures: int
    answers: int = 0  # POSTs that reached the response_url
    server_cpu: float = 0.0

    def cpu_ms(self) -> float:
        return self.server_cpu / max(len(self.acks), 1) * 1000


async def telegram_run(session, url: str, updates: list[tuple[int, bytes]],
                       arrivals: Arrivals, concurrency: int) -> TelegramRun:
    """POST every update, `concurrency` in flight until answered; time to the last answer."""
    import aiohttp
    loop = asyncio.get_running_loop()
    run = TelegramRun()
    todo = iter(updates)
    headers = {SECRET_HEADER: WEBHOOK_SECRET, "Content-Type": "application/json"}
    first_post, last_answer = float("inf"), 0.0

    async def worker() -> None:
        nonlocal first_post, last_answer
        for chat, body in todo:
            answered = loop.create_future()
            arrivals.waiters[chat] = answered
            posted = time.monotonic()
            first_post = min(first_post, posted)
            run.sent += 1
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    status = response.status
            except (aiohttp.ClientError, asyncio.TimeoutError):
                status = 0
            run.acks.append(time.monotonic() - posted)
            if status != 200:
                run.refused += 1
                arrivals.waiters.pop(chat, None)
                continue
            try:
                at = await asyncio.wait_for(answered, ANSWER_TIMEOUT)
            except asyncio.TimeoutError:
                run.lost += 1
                continue
            run.answered += 1
            run.latencies.append(at - posted)
            last_answer = max(last_answer, at)

    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(concurrency))), RUN_TIMEOUT)
    run.seconds = max(last_answer - first_post, 0.0)
    return run


async def slack_run(session, url: str, response_base: str, rate: int,
                    seconds: float) -> SlackRun:
    """Signed slash commands at `rate`/s for `seconds`, on schedule; their ack latencies."""
    from bot.evaluate import load_questions
    from tests.webtools import slack_command, slack_headers
    rng = random.Random(7)
    questions = [q["q"] for q in load_questions()]
    run = SlackRun(acks=[], failures=0)

    async def one(i: int) -> None:
        response_url = f"{response_base}/response/s{i}"
        if i % 3 == 0:  # a topic's own command; else /unhcr with a question
            body = slack_command("", response_url, user=f"UB{i:06d}",
                                 command=rng.choice(("/office", "/history")))
        else:
            body = slack_command(rng.choice(questions), response_url, user=f"UB{i:06d}")
        headers = slack_headers(body, secret=SLACK_SECRET)
        started = time.monotonic()
        try:
            async with session.post(url, data=body.encode(), headers=headers) as response:
                await response.read()
                ok = response.status == 200
        except Exception:  # a failed ack is counted, not fatal
            ok = False
        if ok:
            run.acks.append(time.monotonic() - started)
        else:
            run.failures += 1

    tasks = []
    start = time.monotonic() + 0.05
    for i in range(int(rate * seconds)):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.wait_for(asyncio.gather(*tasks), seconds + 60)
    return run


# -- the run -------------------------------------------------------------------------------
def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (0-100) of samples, nearest rank."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


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
        print("\nsame load, PTB settings changed for both bots (serve behind --serve-patched):\n")
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
    parser.add_argument("--fake", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-patched", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fake:
        asyncio.run(run_fake_process())
        return 0
    if args.serve_patched:
        return serve_patched()
    if args.quick:
        args.updates, args.slack_seconds = 1000, 3.0
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
