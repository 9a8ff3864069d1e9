"""The log of a real `serve` holds no message text, user id or response_url, whatever arrives;
and a Slack timestamp that is not a number is refused (401), not a 500 with a traceback."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakes.telegram_api import TOKEN, WEBHOOK_SECRET, make_update
from tests.webtools import (
    METRICS_HEADERS,
    METRICS_TOKEN,
    SLACK_SECRET,
    SLACK_TOKEN,
    ServerProcess,
    request,
    slack_command,
    slack_headers,
)

ROOT = Path(__file__).resolve().parent.parent
PRIVATE_TEXT = "my name is Aigerim Seitkali and I live at 12 Abay street"
USER = "U0SECRETUSER"


@pytest.mark.parametrize("log_level", ["INFO", "WARNING"])
async def test_no_message_text_or_ids_in_the_log_after_refused_and_accepted_requests(
        telegram_api, slack_api, tmp_path, log_level):
    env = {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_URL": telegram_api.base_url,
           "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET, "SLACK_BOT_TOKEN": SLACK_TOKEN,
           "SLACK_SIGNING_SECRET": SLACK_SECRET, "SLACK_API_URL": slack_api.api_url,
           "STATE_PATH": str(tmp_path / "state.sqlite3"), "LOG_LEVEL": log_level,
           "METRICS_TOKEN": METRICS_TOKEN}
    server = await ServerProcess(env, ROOT).ready()
    response_url = slack_api.response_url("logs")
    body = slack_command(PRIVATE_TEXT, response_url, user=USER)
    url = f"{server.url}/slack/events"
    try:
        statuses = {
            "signed": (await request("POST", url, body, slack_headers(body)))[0],
            "mis-signed": (await request("POST", url, body, slack_headers(body, secret="x" * 20)))[0],
            "stale": (await request("POST", url, body, slack_headers(body, timestamp=1_600_000_000)))[0],
            "unsigned": (await request("POST", url, body, {"Content-Type": "text/plain"}))[0],
        }
        for timestamp in ("abc", "", "1e10", "١٢٣"):
            headers = {**slack_headers(body), "X-Slack-Request-Timestamp": timestamp}
            statuses[f"timestamp {timestamp!r}"] = (await request("POST", url, body, headers))[0]
        update = make_update("private_text", text=PRIVATE_TEXT)
        tg = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET, "Content-Type": "application/json"}
        statuses["telegram"] = (await request("POST", f"{server.url}/telegram",
                                              json.dumps(update), tg))[0]
        await slack_api.wait_for("response/logs")
        await telegram_api.wait_for("sendMessage")
        _, metrics = await request("GET", f"{server.url}/metrics", headers=METRICS_HEADERS)
    finally:
        server.terminate()
        assert await server.wait(30) == 0
    log = server.output()
    assert statuses.pop("signed") == 200 and statuses.pop("telegram") == 200
    assert set(statuses.values()) == {401}, statuses
    assert 'unhcr_bot_errors_total{where="slack"}' not in metrics
    for secret in ("Aigerim", "Abay", USER, response_url, str(update["message"]["from"]["id"]),
                   TOKEN, SLACK_TOKEN):
        assert secret not in log, f"{secret!r} in the log:\n{log}"
    assert "Traceback" not in log
