"""What bench/webhook.py sends: Telegram updates and signed Slack slash commands, shaped as the
platforms send them, and the credentials the bots under load are started with."""
from __future__ import annotations

import itertools
import json
import random
import time
import uuid
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

TOKEN = "123:BENCH"
WEBHOOK_SECRET = "bench_webhook_secret-1"  # serve wants 16-256 characters
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SLACK_TOKEN = "xoxb-bench"
SLACK_SECRET = "bench-signing-secret"
TOPICS = ("office", "history", "region", "head", "asylum")  # the button taps' topics
_update_ids = itertools.count(910_000_000)


def _person(user_id: int, lang: str) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": "Aigerim", "username": "aigerim_k",
            "language_code": lang}


def _chat(chat_id: int) -> dict:
    return {"id": chat_id, "first_name": "Aigerim", "username": "aigerim_k", "type": "private"}


def telegram_message(chat_id: int, text: str, lang: str) -> dict:
    """A private chat's message, its user's id the chat's; a leading /command marked as such."""
    message = {"message_id": 11, "from": _person(chat_id, lang), "chat": _chat(chat_id),
               "date": int(time.time()), "text": text}
    if text.startswith("/"):
        command = text.split(" ", 1)[0]
        message["entities"] = [{"offset": 0, "length": len(command.encode("utf-16-le")) // 2,
                                "type": "bot_command"}]
    return {"update_id": next(_update_ids), "message": message}


def telegram_tap(chat_id: int, data: str, lang: str) -> dict:
    """A tap on a button with callback `data`, under one of the bot's messages in a private chat."""
    message = {"message_id": 101, "from": {"id": 7000000001, "is_bot": True,
                                           "first_name": "UNHCR Kazakhstan"},
               "chat": _chat(chat_id), "date": int(time.time()), "text": "UNHCR office in Kazakhstan"}
    return {"update_id": next(_update_ids),
            "callback_query": {"id": uuid.uuid4().hex, "from": _person(chat_id, lang),
                               "message": message, "chat_instance": "-7319430117394759413",
                               "data": data}}


def slash_command(text: str, response_url: str, user: str, command: str = "/unhcr") -> str:
    """A slash command's form body, as Slack posts it."""
    return urlencode({
        "token": "gIkuvaNzQIHg97ATvDxqgjtO", "team_id": "T0UNHCRKZ", "team_domain": "unhcr-kz",
        "channel_id": "C0GENERAL", "channel_name": "general", "user_id": user,
        "user_name": "aigerim", "command": command, "text": text, "api_app_id": "A0UNHCRKZ",
        "is_enterprise_install": "false", "response_url": response_url,
        "trigger_id": f"{time.time_ns()}.1234567890123.{uuid.uuid4().hex}"})


def slack_headers(body: str, secret: str = SLACK_SECRET) -> dict[str, str]:
    """The headers Slack signs a request with, signed now."""
    ts = str(int(time.time()))
    return {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=ts,
                                                                              body=body)}


class Workload:
    """Telegram updates in a fixed mix, each from a chat and user of its own."""

    def __init__(self, seed: int = 20160325):
        from bot.evaluate import load_questions
        self.rng = random.Random(seed)
        self.questions = [q["q"] for q in load_questions()]
        self.next_chat = 6_000_000_000

    def updates(self, count: int) -> list[tuple[int, bytes]]:
        """(chat id, JSON body): 30% commands, 45% free text (en/ru/kk), 25% button taps."""
        out = []
        for _ in range(count):
            self.next_chat += 1
            chat, lang = self.next_chat, self.rng.choice(("en", "ru", "kk"))
            roll = self.rng.random()
            if roll < 0.30:
                update = telegram_message(chat, self.rng.choice(("/office", "/history", "/start")),
                                          lang)
            elif roll < 0.75:
                update = telegram_message(chat, self.rng.choice(self.questions), lang)
            else:
                update = telegram_tap(chat, f"t:{self.rng.choice(TOPICS)}:{lang}", lang)
            out.append((chat, json.dumps(update).encode()))
        return out
