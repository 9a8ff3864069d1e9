"""The Slack adapter through real Bolt: signed requests in, a fake Web API and response_url out."""
from __future__ import annotations

import asyncio
import itertools
import json
import re
import socket
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from adapters.settings import SettingsError, SlackSettings, read_settings
from adapters.slack import (
    Outbox,
    build_app,
    handle_http,
    run_socket_mode,
)
from adapters.slack.app import from_slack_text
from adapters.slack.manifest import slash_commands
from adapters.slack.render import BUTTON_VALUE_MAX, render_blocks
from bot.limits import SLACK_BLOCKS_MAX, SLACK_SECTION_MAX
from bot.message import HELPFUL, NOT_HELPFUL, Block, Reply, Span
from tests.conftest import bot_report
from tests.fakes.slack_api import BOT_USER_ID, FakeSlackApi

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "slack"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-0000-fake-test-token"  # not a real token: the fake API accepts any
QUIET = 0.3  # seconds to wait before asserting that nothing was sent


# -- fixtures and factories ------------------------------------------------------------------
@pytest.fixture
async def outbox():
    """Where the app's answers run; closed (drained) after the test."""
    box = Outbox()
    yield box
    await box.close()


@pytest.fixture
def app(sqlite_service, slack_api, outbox):
    """The real Bolt app, talking to the fake."""
    return build_app(sqlite_service, SlackSettings(bot_token=TOKEN, signing_secret=SECRET,
                                                  api_url=slack_api.api_url), outbox)


def load(name: str) -> dict:
    """A recorded payload from tests/fixtures/slack/, with a fresh trigger_id as Slack gives
    every command and tap (a repeated one is a replay, and is not answered twice)."""
    payload = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    if "trigger_id" in payload:
        payload["trigger_id"] = f"{next(_TRIGGERS)}.1234567890123.{uuid.uuid4().hex}"
    return payload


_TRIGGERS = itertools.count(6_000_000_000_000)


def signed_headers(body: str, *, timestamp: int | None = None, secret: str = SECRET,
                   content_type: str = "application/x-www-form-urlencoded") -> dict[str, str]:
    """Headers Slack sends with `body`, signed with `secret` at `timestamp`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature}


async def post(app, body: str, headers: dict[str, str] | None = None, **sign) -> tuple:
    """One signed HTTP request through handle_http: (status, headers, body)."""
    return await handle_http(app, body.encode(), headers or signed_headers(body, **sign))


async def slash(app, api: FakeSlackApi, text: str, command: str = "/unhcr",
                user: str = "U0AIGERIM") -> dict:
    """Run a slash command; what arrived at its response_url."""
    form = {**load("slash_command"), "command": command, "text": text, "user_id": user,
            "response_url": api.response_url("cmd")}
    count = len(api.sent("response/cmd")) + 1
    status, _, _ = await post(app, urlencode(form))
    assert status == 200
    return (await api.wait_for("response/cmd", count))[-1]


def event_body(name: str, event_id: str | None = None, **event) -> str:
    """An Events API body from a fixture, with some event fields replaced."""
    body = load(name)
    body["event"].update(event)
    if event_id:
        body["event_id"] = event_id
    return json.dumps(body)


async def send_event(app, body: str, **headers) -> int:
    """Deliver an event as Slack does; the HTTP status."""
    status, _, _ = await post(app, body, {**signed_headers(body, content_type="application/json"),
                                          **headers})
    return status


async def tap(app, action_id: str, value: str, **payload) -> int:
    """Tap a button: a block_actions payload, form-encoded as Slack sends it."""
    body = {**load("block_actions"), **payload}
    body["actions"] = [{**body["actions"][0], "action_id": action_id, "value": value}]
    status, _, _ = await post(app, urlencode({"payload": json.dumps(body)}))
    return status


def texts(message: dict) -> str:
    """Every piece of text in a Block Kit message, for looking things up."""
    out = []
    for block in message.get("blocks", []):
        if block["type"] in ("section", "header"):
            out.append(block["text"]["text"])
        elif block["type"] in ("context", "actions"):
            out += [e["text"] if isinstance(e["text"], str) else e["text"]["text"]
                    for e in block["elements"]]
    return "\n".join(out)


def buttons(message: dict) -> dict[str, dict]:
    """The buttons of a message, by action_id."""
    return {e["action_id"]: e for b in message["blocks"] if b["type"] == "actions"
            for e in b["elements"]}


# -- slash commands ---------------------------------------------------------------------------
async def test_unhcr_alone_shows_help_and_every_topic(app, slack_api, content):
    answer = await slash(app, slack_api, "")
    assert answer["response_type"] == "ephemeral"
    assert "Type /unhcr and your question" in texts(answer) and "/unhcr privacy" in texts(answer)
    topic_buttons = {k for k in buttons(answer) if k.startswith("topic:")}
    assert topic_buttons == {f"topic:{t.id}" for t in content.topics}


async def test_unhcr_office_acks_at_once_then_answers_at_response_url(app, slack_api):
    slack_api.delay("response/cmd", 1.5)  # a slow answer must not hold the ack back
    form = {**load("slash_command"), "text": "office", "response_url": slack_api.response_url()}
    started = time.monotonic()
    status, _, body = await post(app, urlencode(form))
    acked = time.monotonic()
    assert status == 200 and body == ""
    assert acked - started < 1.0
    [answer] = await slack_api.wait_for("response/cmd")
    assert slack_api.calls[-1].at - acked >= 1.0  # delivered after the ack, not before
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0] == {"type": "header", "text": {
        "type": "plain_text", "text": "UNHCR office in Kazakhstan", "emoji": True}}
    assert "in *Almaty*" in answer["blocks"][1]["text"]["text"]
    assert answer["blocks"][1]["text"]["type"] == "mrkdwn"
    assert "Almaty" in answer["text"]  # the notification fallback
    assert any(b["type"] == "context" and "25 March 2016" in b["elements"][0]["text"]
               for b in answer["blocks"])
    assert {"topic:region", "topic:head", "topic:contacts", "share"} <= set(buttons(answer))


async def test_answers_in_progress_are_delivered_before_the_outbox_closes(app, slack_api,
                                                                          outbox):
    slack_api.delay("response/cmd", 0.5)
    for user in ("U0ONE", "U0TWO", "U0THREE"):
        form = {**load("slash_command"), "text": "history", "user_id": user,
                "response_url": slack_api.response_url()}
        assert (await post(app, urlencode(form)))[0] == 200
    assert outbox.pending == 3 and slack_api.sent("response/cmd") == []
    await outbox.close()
    answers = slack_api.sent("response/cmd")
    assert len(answers) == 3 and all("1950" in texts(a) for a in answers)
    assert outbox.pending == 0


async def test_unhcr_russian_question_is_answered_in_russian(app, slack_api):
    answer = await slash(app, slack_api, "где находится офис УВКБ ООН?")
    assert answer["blocks"][0]["text"]["text"] == "Офис УВКБ ООН в Казахстане"
    assert "*Алматы*" in texts(answer)
    assert json.loads(buttons(answer)["share"]["value"])["lang"] == "ru"


async def test_topic_command(app, slack_api):
    answer = await slash(app, slack_api, "", command="/history")
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0]["text"]["text"] == "About UNHCR: history"


async def test_language_choice_is_kept_per_user(app, slack_api):
    chosen = await slash(app, slack_api, "language ru")
    assert chosen["response_type"] == "ephemeral"
    answer = await slash(app, slack_api, "office")
    assert answer["blocks"][0]["text"]["text"] == "Офис УВКБ ООН в Казахстане"
    other_user = await slash(app, slack_api, "office", user="U0DANIYAR")
    assert other_user["blocks"][0]["text"]["text"] == "UNHCR office in Kazakhstan"


async def test_every_command_in_the_manifest_is_answered(app, slack_api, content):
    # One user per command: a single user sending this many would hit the rate limit.
    for n, command in enumerate(slash_commands(content)[1:]):
        answer = await slash(app, slack_api, "", command="/" + command.name, user=f"U0TESTER{n}")
        share = json.loads(buttons(answer)["share"]["value"])
        assert share["value"] == command.topic_id, command.name


async def test_a_command_the_manifest_does_not_list_is_not_handled(app, slack_api):
    form = {**load("slash_command"), "command": "/weather",
            "response_url": slack_api.response_url()}
    status, _, _ = await post(app, urlencode(form))
    assert status == 404
    await asyncio.sleep(QUIET)
    assert slack_api.deliveries() == []


async def test_a_command_added_by_a_content_reload_is_answered_without_a_restart(
        app, slack_api, sqlite_service, edited_bot):
    form = {**load("slash_command"), "command": "/ofis", "response_url": slack_api.response_url()}
    assert (await post(app, urlencode(form)))[0] == 404  # not a command of the running content
    sqlite_service.swap(edited_bot)
    answer = await slash(app, slack_api, "", command="/ofis")
    assert answer["blocks"][0]["text"]["text"] == "UNHCR office in Kazakhstan"


# -- events ------------------------------------------------------------------------------------
async def test_mention_is_answered_in_its_thread(app, slack_api):
    assert await send_event(app, event_body("app_mention")) == 200
    [post_] = await slack_api.wait_for("chat.postMessage")
    assert post_["channel"] == "C0GENERAL"
    assert post_["thread_ts"] == "1700000100.000200"
    assert "in *Almaty*" in texts(post_)


async def test_mention_inside_a_thread_stays_in_that_thread(app, slack_api):
    body = event_body("app_mention", event_id="Ev0MENTION02", thread_ts="1699999999.000100",
                      text="<@U0BOTUSER|unhcr_bot> contacts")
    assert await send_event(app, body) == 200
    [post_] = await slack_api.wait_for("chat.postMessage")
    assert post_["thread_ts"] == "1699999999.000100"
    assert post_["blocks"][0]["text"]["text"] == "Contacts"


async def test_direct_message_is_answered(app, slack_api):
    assert await send_event(app, event_body("message_im")) == 200
    [post_] = await slack_api.wait_for("chat.postMessage")
    assert post_["channel"] == "D0AIGERIM"
    assert "thread_ts" not in post_
    assert post_["blocks"][0]["text"]["text"] == "Contacts"


@pytest.mark.parametrize("name, event", [
    ("message_im_own", {}),
    ("message_im", {"bot_id": "B0OTHERBOT", "subtype": "bot_message", "user": None}),
    ("message_im", {"subtype": "message_changed"}),
    ("message_im", {"channel_type": "channel", "channel": "C0GENERAL"}),
], ids=["own message", "another bot", "an edit", "not a DM"])
async def test_messages_that_are_not_a_persons_dm_are_ignored(app, slack_api, name, event):
    assert await send_event(app, event_body(name, **event)) == 200
    await asyncio.sleep(QUIET)
    assert slack_api.deliveries() == []


async def test_a_retried_event_is_answered_once(app, slack_api):
    body = event_body("message_im")
    assert await send_event(app, body) == 200
    assert await send_event(app, body, **{"X-Slack-Retry-Num": "1",
                                          "X-Slack-Retry-Reason": "http_timeout"}) == 200
    await slack_api.wait_for("chat.postMessage")
    await asyncio.sleep(QUIET)
    assert len(slack_api.sent("chat.postMessage")) == 1


async def test_rate_limited_post_is_retried_after_retry_after_and_delivered_once(app, slack_api):
    slack_api.rate_limit_once("chat.postMessage")
    assert await send_event(app, event_body("message_im")) == 200
    await slack_api.wait_for("chat.postMessage", timeout=6)
    await asyncio.sleep(QUIET)
    limited, delivered = [c for c in slack_api.calls if c.path == "chat.postMessage"]
    assert (limited.status, delivered.status) == (429, 200)
    assert delivered.at - limited.at >= 1.0  # waited for Retry-After: 1
    assert delivered.body == limited.body


async def test_home_tab_lists_every_topic(app, slack_api, content):
    assert await send_event(app, event_body("app_home_opened")) == 200
    [publish] = await slack_api.wait_for("views.publish")
    assert publish["user_id"] == "U0AIGERIM"
    view = publish["view"] if isinstance(publish["view"], dict) else json.loads(publish["view"])
    assert view["type"] == "home"
    assert len(view["blocks"]) <= 100
    assert {k for k in buttons(view)} == {f"topic:{t.id}" for t in content.topics}


async def test_messages_tab_opening_publishes_nothing(app, slack_api):
    assert await send_event(app, event_body("app_home_opened", tab="messages")) == 200
    await asyncio.sleep(QUIET)
    assert slack_api.deliveries() == []


# -- buttons ---------------------------------------------------------------------------------
async def test_topic_button_under_a_slash_answer_answers_privately(app, slack_api):
    value = json.dumps({"kind": "topic", "value": "contacts", "lang": "ru"})
    assert await tap(app, "topic:contacts", value,
                     response_url=slack_api.response_url("tap")) == 200
    [answer] = await slack_api.wait_for("response/tap")
    assert answer["response_type"] == "ephemeral"
    assert answer["replace_original"] is False
    assert answer["blocks"][0]["text"]["text"] == "Контакты"


async def test_topic_button_in_a_dm_answers_in_the_dm(app, slack_api):
    value = json.dumps({"kind": "topic", "value": "head", "lang": "en"})
    container = {"type": "message", "message_ts": "1700000201.000400", "channel_id": "D0AIGERIM",
                 "is_ephemeral": False}
    assert await tap(app, "topic:head", value, container=container,
                     channel={"id": "D0AIGERIM", "name": "directmessage"},
                     message={"type": "message", "ts": "1700000201.000400",
                              "user": BOT_USER_ID}) == 200
    [post_] = await slack_api.wait_for("chat.postMessage")
    assert post_["channel"] == "D0AIGERIM" and "thread_ts" not in post_
    assert post_["blocks"][0]["text"]["text"] == "Head of the UNHCR Office"


async def test_topic_button_on_the_home_tab_answers_in_the_messages_tab(app, slack_api):
    value = json.dumps({"kind": "topic", "value": "office", "lang": "kk"})
    assert await tap(app, "topic:office", value, container={"type": "view", "view_id": "V0HOME"},
                     channel=None, response_url=None) == 200
    [post_] = await slack_api.wait_for("chat.postMessage")
    assert post_["channel"] == "U0AIGERIM"
    assert "Алматыда" in texts(post_)


async def test_share_in_channel_posts_the_same_answer_visibly(app, slack_api):
    private = await slash(app, slack_api, "office")
    share = buttons(private)["share"]
    assert len(share["value"]) <= BUTTON_VALUE_MAX
    assert await tap(app, "share", share["value"],
                     response_url=slack_api.response_url("share")) == 200
    [shared] = await slack_api.wait_for("response/share")
    assert shared["response_type"] == "in_channel"
    assert shared["blocks"][0] == private["blocks"][0]
    assert texts(shared).startswith(texts(private).split("\n")[0])
    assert "share" not in buttons(shared)


async def test_language_button_stores_the_choice(app, slack_api):
    await slash(app, slack_api, "language")
    value = json.dumps({"kind": "language", "value": "kk", "lang": "en"})
    assert await tap(app, "language:kk", value, response_url=slack_api.response_url("tap")) == 200
    await slack_api.wait_for("response/tap")
    answer = await slash(app, slack_api, "office")
    assert answer["blocks"][0]["text"]["text"] == "БҰҰ БЖКБ-ның Қазақстандағы кеңсесі"


# -- "was this helpful?" ------------------------------------------------------------------------
THANKS = "Thank you! This helps us improve the answers."


async def test_an_answer_ends_with_two_feedback_buttons_about_its_topic(app, slack_api):
    answer = await slash(app, slack_api, "бжкб кеңсесі қайда")
    last = answer["blocks"][-1]
    assert last["type"] == "actions"
    assert [(b["action_id"], b["text"]["text"]) for b in last["elements"]] == [
        ("feedback:helpful", "👍 Пайдалы"), ("feedback:not_helpful", "👎 Көмектеспеді")]
    assert {json.loads(b["value"])["value"] for b in last["elements"]} == {"office"}
    assert {json.loads(b["value"])["lang"] for b in last["elements"]} == {"kk"}
    help_ = await slash(app, slack_api, "help")
    assert not [k for k in buttons(help_) if k.startswith("feedback:")], "only answers ask"


async def test_a_feedback_tap_is_thanked_privately_counted_once_and_shows_in_the_report(
        app, slack_api, sqlite_service, state_path):
    answer = await slash(app, slack_api, "office")
    vote = buttons(answer)["feedback:helpful"]
    for _ in range(2):  # the same person taps twice: each tap is a new trigger_id
        assert await tap(app, vote["action_id"], vote["value"],
                         response_url=slack_api.response_url("vote")) == 200
    thanks = await slack_api.wait_for("response/vote", 2)
    assert [(t["response_type"], t["replace_original"], texts(t)) for t in thanks] == [
        ("ephemeral", False, THANKS)] * 2
    await asyncio.sleep(QUIET)
    assert slack_api.sent("chat.postMessage") == [] and len(slack_api.sent("response/cmd")) == 1
    assert await sqlite_service.state.counts(HELPFUL) == {("office", "en"): 1}
    report = bot_report(STATE_PATH=str(state_path))
    assert re.search(r"^  office +1 / 0 +en 1/0$", report, re.M), report
    assert re.search(r"^  office +1 +1 +0 +0$", report, re.M), "answered once, in English"


async def test_each_person_and_each_answer_gets_one_vote(app, slack_api, sqlite_service):
    answer = await slash(app, slack_api, "history")
    vote = buttons(answer)["feedback:not_helpful"]
    later = {"type": "message", "message_ts": "1700000999.000100", "channel_id": "C0GENERAL",
             "is_ephemeral": True}
    for user, container in (("U0AIGERIM", None), ("U0DANIYAR", None), ("U0AIGERIM", later)):
        body = {"user": {"id": user, "username": user.lower(), "name": user.lower(),
                         "team_id": "T0UNHCRKZ"},
                "response_url": slack_api.response_url("vote"),
                **({"container": container} if container else {})}
        assert await tap(app, vote["action_id"], vote["value"], **body) == 200
    await slack_api.wait_for("response/vote", 3)
    assert await sqlite_service.state.counts(NOT_HELPFUL) == {("history", "en"): 3}


@pytest.mark.parametrize("action_id, value", [
    ("feedback:helpful", json.dumps({"kind": "feedback", "value": "weather", "lang": "en"})),
    ("feedback:maybe", json.dumps({"kind": "feedback", "value": "office", "lang": "en"})),
    ("feedback:helpful", json.dumps({"kind": "topic", "value": "office", "lang": "en"})),
    ("feedback:helpful", "not json"),
])
async def test_a_forged_feedback_tap_is_acked_and_neither_counted_nor_thanked(
        app, slack_api, sqlite_service, action_id, value):
    assert await tap(app, action_id, value, response_url=slack_api.response_url("vote")) == 200
    await asyncio.sleep(QUIET)
    assert slack_api.deliveries() == []
    assert await sqlite_service.state.counts(HELPFUL) == {}


# -- signatures ---------------------------------------------------------------------------------
@pytest.mark.parametrize("headers", [
    lambda body: signed_headers(body, secret="not-the-secret"),
    lambda body: signed_headers(body, timestamp=int(time.time()) - 6 * 60),
    lambda body: {"Content-Type": "application/x-www-form-urlencoded"},
], ids=["bad signature", "stale timestamp", "missing signature"])
async def test_unverified_requests_are_refused(app, slack_api, headers):
    body = urlencode({**load("slash_command"), "response_url": slack_api.response_url()})
    status, _, _ = await post(app, body, headers(body))
    assert status == 401
    await asyncio.sleep(QUIET)
    assert slack_api.calls == []


# -- rendering -----------------------------------------------------------------------------------
def test_a_long_answer_is_split_escaped_and_bounded():
    paragraph = "Refugees & asylum-seekers <in Kazakhstan> need help. " * 20  # ~1100 chars
    giant = Block(spans=(Span(text="x&y " * 1200),))  # one paragraph of 4800 chars
    linked = Block(spans=(Span(text="see "), Span(text="<UNHCR & co>", bold=True,
                                                   link="https://unhcr.org/kz?a=1&b=2")))
    reply = Reply(blocks=(giant, linked) + tuple(Block(spans=(Span(text=paragraph),))
                                                 for _ in range(200)),
                  lang="en", kind="answer", intent="office", title="T" * 200,
                  footer="Source: <¶3> · As of 25 March 2016")
    payload = render_blocks(reply, share_label="Share in channel")
    blocks = payload["blocks"]
    assert len(blocks) <= SLACK_BLOCKS_MAX
    assert len(blocks[0]["text"]["text"]) <= 150
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert len(sections) > 3
    assert all(len(s) <= SLACK_SECTION_MAX for s in sections)
    joined = "".join(sections)
    assert "<in" not in joined and "&lt;in Kazakhstan&gt;" in joined
    assert "*<https://unhcr.org/kz?a=1&amp;b=2|&lt;UNHCR &amp; co&gt;>*" in joined
    assert all(s.count("&") == s.count("&amp;") + s.count("&lt;") + s.count("&gt;")
               for s in sections)
    assert "&lt;¶3&gt;" in blocks[-2]["elements"][0]["text"]  # the footer, before Share
    assert payload["text"].startswith("T" * 200) and len(payload["text"]) <= 3000
    assert payload["text"].endswith("…") and not re.search(r"&[a-z]*…$", payload["text"])


def test_slack_markup_in_incoming_text():
    assert from_slack_text("<@U0BOTUSER> is UNHCR in <https://almaty.kz|Almaty> &amp; Astana?"
                           ) == "is UNHCR in Almaty & Astana?"


# -- configuration and Socket Mode ---------------------------------------------------------------
def test_settings_from_the_environment_keep_secrets_out_of_sight():
    config = read_settings({"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
                            "SLACK_API_URL": "http://127.0.0.1:9/api"}).slack
    assert config is not None and config.bot_token == TOKEN and config.signing_secret == SECRET
    assert config.api_url == "http://127.0.0.1:9/api/"
    assert TOKEN not in repr(config) and SECRET not in repr(config)
    assert read_settings({"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": "xapp-1"}
                         ).slack.api_url == "https://slack.com/api/"
    assert read_settings({"SLACK_SIGNING_SECRET": SECRET}).slack is None
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN must be set") as error:
        read_settings({"SLACK_SIGNING_SECRET": SECRET, "SLACK_APP_TOKEN": "xapp-1-secret"})
    assert SECRET not in str(error.value) and "xapp-1-secret" not in str(error.value)


def socket_runtime(service, environ: dict[str, str]):
    """The runtime `poll` opens, over `service`, with the Slack settings of `environ`."""
    from adapters.metrics import Metrics
    from adapters.runtime import Runtime
    from adapters.settings import for_door
    settings = for_door(read_settings(environ), webhooks=False)
    return Runtime(settings, service, Metrics(), "memory", webhooks=False)


async def test_socket_mode_answers_until_stopped(sqlite_service, slack_api):
    environ = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": "xapp-1-A0UNHCRKZ-1234-abcdef",
               "SLACK_API_URL": slack_api.api_url}
    slack_api.queue_envelope({"envelope_id": "e0DM01", "type": "events_api",
                              "payload": json.loads(event_body("message_im")),
                              "accepts_response_payload": False, "retry_attempt": 0,
                              "retry_reason": ""})
    stop = asyncio.Event()
    running = asyncio.create_task(run_socket_mode(socket_runtime(sqlite_service, environ), stop))
    [post_] = await slack_api.wait_for("chat.postMessage")
    assert post_["channel"] == "D0AIGERIM"
    assert {"envelope_id": "e0DM01"} in slack_api.sent("socket_mode")
    stop.set()
    await asyncio.wait_for(running, 5)


async def test_socket_mode_stops_even_while_slack_is_unreachable(sqlite_service):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    environ = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": "xapp-1-A0UNHCRKZ-1234-abcdef",
               "SLACK_API_URL": f"http://127.0.0.1:{port}/api/"}
    stop = asyncio.Event()
    running = asyncio.create_task(run_socket_mode(socket_runtime(sqlite_service, environ), stop))
    await asyncio.sleep(0.3)
    stop.set()
    await asyncio.wait_for(running, 2)


async def test_a_replayed_slash_command_is_answered_once(app, slack_api):
    """A signed command sent again within Slack's five minutes (same trigger_id) is acked
    but not answered twice."""
    form = {**load("slash_command"), "text": "office", "response_url": slack_api.response_url("cmd")}
    body = urlencode(form)
    for _ in range(3):
        status, _, _ = await post(app, body)
        assert status == 200
    await slack_api.wait_for("response/cmd")
    await asyncio.sleep(0.3)
    assert len(slack_api.sent("response/cmd")) == 1


async def test_a_thousand_answers_through_mixed_429_and_500_are_each_delivered_once(
        app, slack_api, outbox):
    """Slack answering every 7th post with 429 and every 11th with 500: each of 1,000 people
    gets exactly one answer (the retry handlers keep their own counts per call)."""
    slack_api.fail_every("chat.postMessage", 7, 429)
    slack_api.fail_every("chat.postMessage", 11, 500)
    people = [f"D{n:08d}" for n in range(1000)]
    for n, channel in enumerate(people):
        body = event_body("message_im", event_id=f"Ev{n:010d}", channel=channel,
                          user=f"U{n:08d}", text="where is the office", ts=f"{1700000000 + n}.0001")
        assert await send_event(app, body) == 200
    await slack_api.wait_for("chat.postMessage", count=1000, timeout=120)
    await asyncio.sleep(QUIET)
    delivered = Counter(post["channel"] for post in slack_api.sent("chat.postMessage"))
    assert set(delivered) == set(people) and set(delivered.values()) == {1}
    refused = Counter(c.status for c in slack_api.calls if c.path == "chat.postMessage")
    assert refused[429] > 100 and refused[500] > 50  # the faults did happen
