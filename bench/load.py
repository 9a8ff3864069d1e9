"""The loads of bench/webhook.py and what each measured: Telegram updates kept in flight until
answered, and Slack slash commands sent on schedule."""
from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

from bench.arrivals import Arrivals
from bench.payloads import SECRET_HEADER, SLACK_SECRET, WEBHOOK_SECRET, slack_headers, slash_command

ANSWER_TIMEOUT = 60.0  # seconds one update may wait for its sendMessage before it counts lost
RUN_TIMEOUT = 900.0  # seconds one Telegram run may take (5,000 at the 30/s limit take ~170 s)


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
    rng = random.Random(7)
    questions = [q["q"] for q in load_questions()]
    run = SlackRun(acks=[], failures=0)

    async def one(i: int) -> None:
        response_url = f"{response_base}/response/s{i}"
        if i % 3 == 0:  # a topic's own command; else /unhcr with a question
            body = slash_command("", response_url, user=f"UB{i:06d}",
                                 command=rng.choice(("/office", "/history")))
        else:
            body = slash_command(rng.choice(questions), response_url, user=f"UB{i:06d}")
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


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (0-100) of samples, nearest rank."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
