"""Updates run concurrently across chats and in order within a chat: the processor alone, then
the real Application against a fake Bot API."""
from __future__ import annotations

import asyncio
import itertools
import json
import random
from datetime import datetime, timezone

import pytest
from telegram import Chat, Update
from telegram import Message as TelegramMessage

from adapters.telegram import process_webhook
from adapters.telegram.updates import ChatOrderedUpdateProcessor, chat_key
from tests.fakes.telegram_api import WEBHOOK_SECRET, FakeBotAPI, make_update

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
CHATS = [5_100_001, 5_100_002, 5_100_003, 5_100_004]
HOLD_SECONDS = 1.0  # how long the fake holds a chat's first answer waiting for the others
_update_ids = itertools.count(1)


def update_in(chat_id: int) -> Update:
    """A bare message update in chat `chat_id`."""
    message = TelegramMessage(message_id=1, date=datetime.now(timezone.utc),
                              chat=Chat(chat_id, Chat.PRIVATE))
    return Update(next(_update_ids), message=message)


async def until(check, turns: int = 100) -> None:
    """Let other tasks run until `check()` holds."""
    for _ in range(turns):
        if check():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition not met")


@pytest.fixture
async def processor():
    """An initialized processor for four updates at once."""
    async with ChatOrderedUpdateProcessor(4) as processor:
        yield processor


def start(processor: ChatOrderedUpdateProcessor, update: object, coroutine) -> asyncio.Task:
    """Hand one update to the processor as PTB's Application does: one task per update."""
    return asyncio.create_task(processor.process_update(update, coroutine))


# -- the processor alone -------------------------------------------------------------------
async def test_updates_of_different_chats_overlap(processor):
    gate, started = asyncio.Event(), []

    async def handler(name):
        started.append(name)
        await gate.wait()

    tasks = [start(processor, update_in(chat), handler(chat)) for chat in (1, 2)]
    await until(lambda: started == [1, 2])  # both running while neither can finish
    assert processor.chats_in_flight == 2
    gate.set()
    await asyncio.gather(*tasks)
    assert processor.chats_in_flight == 0


async def test_updates_of_one_chat_run_one_after_the_other(processor):
    gates, log = [asyncio.Event(), asyncio.Event()], []

    async def handler(n):
        log.append(f"start {n}")
        await gates[n].wait()
        log.append(f"end {n}")

    tasks = [start(processor, update_in(7), handler(n)) for n in (0, 1)]
    await until(lambda: log == ["start 0"])
    for _ in range(20):
        await asyncio.sleep(0)
    assert log == ["start 0"], "the second update waits while the first runs"
    gates[1].set()  # the second may finish at once: it still does not start first
    await asyncio.sleep(0)
    gates[0].set()
    await asyncio.gather(*tasks)
    assert log == ["start 0", "end 0", "start 1", "end 1"]
    assert processor.chats_in_flight == 0


async def test_order_per_chat_holds_when_every_slot_is_taken():
    """More updates than slots: those waiting for a slot still keep their chat's order."""
    rng = random.Random(4)
    started: dict[int, list[int]] = {1: [], 2: [], 3: []}
    running: list[int] = []
    most_at_once = 0

    async def handler(chat, n):
        nonlocal most_at_once
        assert chat not in running, "two updates of one chat at once"
        running.append(chat)
        most_at_once = max(most_at_once, len(running))
        started[chat].append(n)
        for _ in range(rng.randint(0, 5)):
            await asyncio.sleep(0)
        running.remove(chat)

    async with ChatOrderedUpdateProcessor(2) as processor:
        arrivals = [(chat, n) for n in range(6) for chat in rng.sample([1, 2, 3], 3)]
        await asyncio.gather(*(start(processor, update_in(chat), handler(chat, n))
                               for chat, n in arrivals))
        assert processor.chats_in_flight == 0
    assert started == {chat: list(range(6)) for chat in started}
    assert most_at_once == 2


async def test_a_busy_chat_does_not_hold_back_other_chats():
    gate, started = asyncio.Event(), []

    async def handler(chat, n):
        started.append((chat, n))
        await gate.wait()

    async with ChatOrderedUpdateProcessor(2) as processor:
        burst = [start(processor, update_in(1), handler(1, n)) for n in range(5)]
        other = start(processor, update_in(2), handler(2, 0))
        await until(lambda: (2, 0) in started)  # while chat 1's first update still runs
        assert started == [(1, 0), (2, 0)]
        gate.set()
        await asyncio.gather(*burst, other)
        assert processor.chats_in_flight == 0
    assert [n for chat, n in started if chat == 1] == [0, 1, 2, 3, 4]


async def test_a_failed_update_frees_its_chat(processor):
    async def fail():
        raise RuntimeError("handler failed")

    async def succeed(done):
        done.append(True)

    done: list[bool] = []
    first = start(processor, update_in(9), fail())
    second = start(processor, update_in(9), succeed(done))
    with pytest.raises(RuntimeError):
        await first
    await second
    assert done == [True] and processor.chats_in_flight == 0


async def test_updates_without_a_chat_are_not_serialised(processor):
    gate, started = asyncio.Event(), []

    async def handler(n):
        started.append(n)
        await gate.wait()

    tasks = [start(processor, object(), handler(n)) for n in (0, 1)]
    await until(lambda: started == [0, 1])
    assert processor.chats_in_flight == 0
    gate.set()
    await asyncio.gather(*tasks)


def test_chat_key_is_the_chat_id():
    assert chat_key(update_in(-100123)) == -100123
    assert chat_key(Update(1)) is None
    assert chat_key("not an update") is None


# -- the real Application ------------------------------------------------------------------
class HoldingBotAPI(FakeBotAPI):
    """Holds each chat's first sendMessage until every chat's first one has arrived."""

    def __init__(self, chats: int):
        super().__init__()
        self.chats = chats
        self.held: set[int] = set()
        self.everyone_arrived = asyncio.Event()
        self.timed_out = 0

    async def _handle(self, request):
        if request.match_info["method"] == "sendMessage":
            chat_id = int((await request.post())["chat_id"])  # aiohttp keeps the parsed form
            if chat_id not in self.held:
                self.held.add(chat_id)
                if len(self.held) == self.chats:
                    self.everyone_arrived.set()
                try:
                    await asyncio.wait_for(self.everyone_arrived.wait(), HOLD_SECONDS)
                except asyncio.TimeoutError:
                    self.timed_out += 1
        return await super()._handle(request)


@pytest.fixture
async def telegram_api():
    """The fake Bot API, holding first answers: a later update answered first would show."""
    api = HoldingBotAPI(chats=len(CHATS))
    await api.start()
    yield api
    await api.close()


def private_update(chat_id: int, text: str) -> bytes:
    """A webhook body: `text` in a private chat with user `chat_id`."""
    update = make_update("private_command", text=text)
    update["message"]["chat"]["id"] = update["message"]["from"]["id"] = chat_id
    return json.dumps(update).encode()


async def test_each_chat_is_answered_in_order_while_chats_run_concurrently(telegram_app,
                                                                          telegram_api):
    texts = ["/language ru", "/office", "/language kk", "/office"]
    for chat in CHATS:
        for text in texts:
            body = private_update(chat, text)
            assert await process_webhook(telegram_app, body, HEADERS, WEBHOOK_SECRET) == 200
    sent = await telegram_api.wait_for("sendMessage", len(CHATS) * len(texts), timeout=5)
    await asyncio.wait_for(telegram_app.update_queue.join(), 5)

    assert telegram_api.timed_out == 0, "every chat's first answer was in flight at once"
    for chat in CHATS:
        answers = [m["text"] for m in sent if m["chat_id"] == chat]
        assert len(answers) == len(texts)
        assert answers[0] == "Я буду отвечать на русском языке."
        assert "<b>Алматы</b>" in answers[1]
        assert answers[2] == "Мен қазақ тілінде жауап беремін."
        assert "<b>Алматыда</b>" in answers[3]
    assert telegram_app.update_processor.chats_in_flight == 0
