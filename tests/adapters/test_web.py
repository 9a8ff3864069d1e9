"""The web process over real HTTP: routes, refusals, /healthz, /metrics and hot reload."""
from __future__ import annotations

import json
import time

import pytest

from adapters.web import MAX_BODY_BYTES
from bot.content import load_content
from tests.conftest import bot_report
from tests.fakes.telegram_api import TOKEN, WEBHOOK_SECRET, make_tap, make_update
from tests.webtools import (
    METRICS_HEADERS,
    SLACK_SECRET,
    SLACK_TOKEN,
    eventually,
    request,
    serving,
    slack_command,
    slack_headers,
    web_app,
)

TG_HEADERS = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET,
              "Content-Type": "application/json"}


@pytest.fixture
async def server(content_dir, telegram_api, slack_api):
    async with serving(web_app(content_dir, telegram_api, slack_api)) as url:
        yield url


async def post_update(url, update, headers=TG_HEADERS):
    return await request("POST", f"{url}/telegram", json.dumps(update), headers)


async def test_telegram_webhook_answers_through_the_fake_bot_api(server, telegram_api):
    status, _ = await post_update(server, make_update("private_command", text="/office"))
    assert status == 200
    [sent] = await telegram_api.wait_for("sendMessage")
    assert sent["chat_id"] == 4242001 or str(sent["chat_id"]).isdigit()
    assert "Almaty" in sent["text"] and sent["parse_mode"] == "HTML"


async def test_answers_and_feedback_through_the_webhooks_reach_the_report(server, telegram_api,
                                                                         slack_api, content_dir):
    """The web process records into the store `bot report` reads, as polling and the console do."""
    await post_update(server, make_update("private_command", text="/office"))
    await telegram_api.wait_for("sendMessage")
    tap = make_tap(telegram_api.messages[-1], "f:-:office:en")
    for _ in range(2):
        assert (await post_update(server, tap))[0] == 200
    body = slack_command("где находится офис УВКБ?", slack_api.response_url("web"))
    assert (await request("POST", f"{server}/slack/events", body, slack_headers(body)))[0] == 200
    await slack_api.wait_for("response/web")
    await telegram_api.wait_for("answerCallbackQuery")
    await _quiet()
    report = bot_report(STATE_PATH=str(content_dir.parent / "state.sqlite3"))
    rows = [line.split() for line in report.splitlines()]
    assert ["office", "2", "1", "1", "0"] in rows, report
    assert ["office", "0", "/", "1", "en", "0/1"] in rows, "the webhook re-delivery counted once"


@pytest.mark.parametrize("headers", [{"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {}])
async def test_telegram_webhook_refuses_a_wrong_or_missing_secret(server, telegram_api, headers):
    status, _ = await post_update(server, make_update("private_command", text="/office"),
                                  {**headers, "Content-Type": "application/json"})
    assert status == 403
    await _quiet()
    assert telegram_api.sent() == []


async def test_signed_slack_command_acks_and_answers(server, slack_api):
    body = slack_command("office", slack_api.response_url("web"))
    status, _text = await request("POST", f"{server}/slack/events", body, slack_headers(body))
    assert status == 200
    [answer] = await slack_api.wait_for("response/web")
    assert "Almaty" in json.dumps(answer, ensure_ascii=False)


@pytest.mark.parametrize("tamper", ["signature", "stale", "missing"])
async def test_slack_refuses_forged_requests(server, slack_api, tamper):
    body = slack_command("office", slack_api.response_url("forged"))
    headers = slack_headers(body)
    if tamper == "signature":
        headers = slack_headers(body, secret="not-the-secret")
    elif tamper == "stale":
        headers = slack_headers(body, timestamp=1_600_000_000)
    else:
        headers = {"Content-Type": headers["Content-Type"]}
    status, _ = await request("POST", f"{server}/slack/events", body, headers)
    assert status == 401
    await _quiet()
    assert slack_api.sent("response/forged") == []


@pytest.mark.parametrize("path", ["/telegram", "/slack/events"])
async def test_bodies_over_one_megabyte_are_refused_before_parsing(server, path):
    status, _ = await request("POST", server + path, b"{" + b" " * (2 * MAX_BODY_BYTES),
                              TG_HEADERS)
    assert status == 413
    assert (await request("GET", f"{server}/healthz"))[0] == 200, "the process stays up"


async def test_healthz_reports_content_and_platforms_without_secrets(server, content_dir):
    status, text = await request("GET", f"{server}/healthz")
    health = json.loads(text)
    assert status == 200 and health["status"] == "ok"
    assert health["content"]["version"] == load_content(content_dir).version
    assert health["content"]["topics"] == 19 and health["content"]["loaded_at"]
    assert health["platforms"] == {"telegram": "mounted", "slack": "mounted"}
    assert health["last_reload_error"] is None
    for secret in (TOKEN, WEBHOOK_SECRET, SLACK_TOKEN, SLACK_SECRET):
        assert secret not in text


async def test_metrics_count_messages_by_platform_language_and_intent(server, telegram_api):
    await post_update(server, make_update("private_command", text="/office"))
    await post_update(server, make_update("private_text", text="what is the weather in almaty"))
    await telegram_api.wait_for("sendMessage", 2)
    status, text = await request("GET", f"{server}/metrics", headers=METRICS_HEADERS)
    assert status == 200
    assert 'unhcr_bot_messages_total{intent="office",lang="en",platform="telegram"} 1.0' in text
    assert 'unhcr_bot_messages_total{intent="none",lang="en",platform="telegram"} 1.0' in text
    assert "unhcr_bot_fallbacks_total 1.0" in text
    assert "unhcr_bot_reply_seconds_bucket" in text
    assert 'unhcr_bot_content_reloads_total{result="failure"} 0.0' in text


async def test_a_platform_without_tokens_is_not_mounted(content_dir):
    async with serving(web_app(content_dir)) as url:
        assert (await post_update(url, make_update("private_command", text="/office")))[0] == 404
        assert (await request("POST", f"{url}/slack/events", "x"))[0] == 404
        health = json.loads((await request("GET", f"{url}/healthz"))[1])
        assert health["platforms"] == {"telegram": "not configured", "slack": "not configured"}


async def test_an_edit_goes_live_and_a_broken_edit_keeps_the_last_good_content(
        server, telegram_api, content_dir):
    office = content_dir / "topics" / "office.yaml"
    good = office.read_text(encoding="utf-8")
    menus_at_start = len(telegram_api.sent("setMyCommands"))
    office.write_text(good.replace("in **Almaty**.", "in **Almaty** (edited).")
                      .replace("title: UNHCR office in Kazakhstan", "title: UNHCR office (new)"),
                      encoding="utf-8")

    async def answer():
        before = len(telegram_api.sent())
        await post_update(server, make_update("private_command", text="/office"))
        return (await telegram_api.wait_for("sendMessage", before + 1))[-1]["text"]

    # A reload builds the whole index (about 0.6 s alone, more on a busy machine): the
    # timeout is a ceiling, not a target.
    assert "(edited)" in await eventually(lambda: _has_version_changed(server, content_dir),
                                           timeout=8.0) and "(edited)" in await answer()
    menus = await eventually(lambda: telegram_api.sent("setMyCommands")[menus_at_start:])
    assert any(c["description"] == "UNHCR office (new)" for m in menus for c in m["commands"]
               if c["command"] == "office"), "the command menus are refreshed"

    office.write_text(good.replace("command: office", "command: office\n  bad: [unclosed"),
                      encoding="utf-8")
    health = await eventually(lambda: _health_with_error(server), timeout=8.0)
    assert health["status"] == "degraded"
    assert health["last_reload_error"] == "invalid content in office.yaml", "no path, no problem"
    assert "(edited)" in await answer(), "the last good content keeps serving"
    metrics = (await request("GET", f"{server}/metrics", headers=METRICS_HEADERS))[1]
    assert 'unhcr_bot_content_reloads_total{result="failure"} 1.0' in metrics
    assert 'unhcr_bot_content_reloads_total{result="success"} 1.0' in metrics


async def _has_version_changed(url, content_dir):
    health = json.loads((await request("GET", f"{url}/healthz"))[1])
    return "(edited)" if health["content"]["version"] == load_content(content_dir).version else ""


async def _health_with_error(url):
    health = json.loads((await request("GET", f"{url}/healthz"))[1])
    return health if health["last_reload_error"] else None


async def _quiet(seconds: float = 0.3):
    import asyncio
    await asyncio.sleep(seconds)


async def test_with_public_url_the_webhook_is_registered_with_the_secret(content_dir, telegram_api):
    async with serving(web_app(content_dir, telegram_api, public_url="https://bot.example.org")):
        [hook] = telegram_api.sent("setWebhook")
        assert hook["url"] == "https://bot.example.org/telegram"
        assert hook["secret_token"] == WEBHOOK_SECRET
        menus = await telegram_api.wait_for("setMyCommands", 4)
        assert sorted(m.get("language_code", "") for m in menus) == ["", "en", "kk", "ru"]


async def test_start_up_does_not_wait_for_the_command_menu(content_dir, telegram_api):
    telegram_api.delay("setMyCommands", 1.0)  # four of them: 4 s before the menu is complete
    started = time.monotonic()
    async with serving(web_app(content_dir, telegram_api)) as url:
        assert (await request("GET", f"{url}/healthz"))[0] == 200
        await post_update(url, make_update("private_command", text="/office"))
        [answer] = await telegram_api.wait_for("sendMessage")
        assert time.monotonic() - started < 2.0, "answered while the menu was still on its way"
        assert "Almaty" in answer["text"] and len(telegram_api.sent("setMyCommands")) < 4
        menus = await telegram_api.wait_for("setMyCommands", 4, timeout=8)
        assert sorted(m.get("language_code", "") for m in menus) == ["", "en", "kk", "ru"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-0000000000"},
                                     {"Authorization": "metrics-test-token-0123"}])
async def test_metrics_are_closed_without_the_bearer_token(server, headers):
    status, text = await request("GET", f"{server}/metrics", headers=headers)
    assert status == 401 and "unhcr_bot" not in text


async def test_healthz_names_a_broken_file_but_no_path_or_problem(server, content_dir):
    office = content_dir / "topics" / "office.yaml"
    office.write_text(office.read_text("utf-8").replace("command: office", "comand: office"),
                      "utf-8")
    health = await eventually(lambda: _health_with_error(server), timeout=5)
    assert health["last_reload_error"] == "invalid content in office.yaml"
    assert str(content_dir) not in json.dumps(health) and "comand" not in json.dumps(health)
