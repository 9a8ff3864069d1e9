"""Slack: a Bolt app that turns slash commands, mentions, DMs and button taps into Messages."""
from __future__ import annotations

import asyncio
import inspect
import logging
import re
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.kwargs_injection.async_args import AsyncArgs
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.settings import SettingsError, SlackSettings
from adapters.slack.manifest import MAIN_COMMAND, slash_commands
from adapters.slack.outbox import Outbox
from adapters.slack.render import (
    FEEDBACK_ACTION,
    SHARE_ACTION,
    parse_button_value,
    render_blocks,
    render_home,
)
from bot.message import HELPFUL, NOT_HELPFUL, Message, Reply
from bot.service import Service

if TYPE_CHECKING:
    from adapters.runtime import Runtime

log = logging.getLogger(__name__)

PLATFORM = "slack"
SERVER_ERROR_RETRIES = 6  # slack_sdk's backoff: 0.5 s doubled each time, ~32 s in all
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")  # <url|label>, <url>, <#C123|general>
# Top-level fields of Slack's payloads that are objects (or null) whenever present.
_ENVELOPE_OBJECTS = ("user", "team", "channel", "enterprise", "container", "message", "view")


def build_app(service: Service, settings: SlackSettings, outbox: Outbox | None = None) -> AsyncApp:
    """The Bolt app: every listener acks, then answers through `outbox` after the response.

    Close `outbox` on shutdown: it finishes the answers in progress and its HTTP session.
    """
    outbox = outbox or Outbox()
    client = AsyncWebClient(token=settings.bot_token, base_url=settings.api_url,
                            retry_handlers=_retry_handlers())
    # process_before_response: Bolt answers Slack as soon as the listener returns, which is
    # right after ack(); otherwise it polls every 10 ms for the ack, from a task of its own.
    # Without a signing secret (Socket Mode) no HTTP request may verify: use one nobody knows.
    app = AsyncApp(client=client, signing_secret=settings.signing_secret or secrets.token_hex(32),
                   name="unhcr-kz-bot", process_before_response=True)
    listed: dict[str, frozenset[str]] = {}  # content version -> its slash command names

    async def in_manifest(command) -> bool:
        """True for a slash command of the current content (a reload may add some)."""
        content = service.bot.content
        if content.version not in listed:
            listed.clear()
            listed[content.version] = frozenset(c.name for c in slash_commands(content))
        return command["command"].lstrip("/") in listed[content.version]

    def later(work):
        """A listener that acks at once, then runs `work` with the Bolt arguments it names."""
        wanted = list(inspect.signature(work).parameters)

        async def listener(args: AsyncArgs):  # Bolt passes every argument as `args`
            await args.ack()
            client.session = outbox.session  # Web API calls reuse the pooled connections
            outbox.start(work(**{name: getattr(args, name) for name in wanted}))
        listener.__name__ = work.__name__
        return listener

    @app.command(re.compile("^/"), matchers=[in_manifest])
    @later
    async def on_command(body, command, respond):
        if not await _first_delivery(service, body):
            return
        reply = await service.handle(command_message(command))
        if reply is not None:  # None: over the rate limit, already told once
            await _respond(outbox, respond, response_type="ephemeral",
                           **render_blocks(reply, share_label=share_label(service, reply)))

    @app.event("app_mention")
    @later
    async def on_mention(body, event, client):
        if event.get("bot_id") or not await _first_delivery(service, body):
            return
        reply = await service.handle(event_message(event))
        if reply is not None:
            await client.chat_postMessage(channel=event["channel"],
                                          thread_ts=event.get("thread_ts") or event["ts"],
                                          **render_blocks(reply))

    @app.event("message")
    @later
    async def on_message(body, event, client, context):
        if not is_user_dm(event, context.bot_user_id) or not await _first_delivery(service, body):
            return
        reply = await service.handle(event_message(event))
        if reply is not None:
            await client.chat_postMessage(channel=event["channel"],
                                          thread_ts=event.get("thread_ts"), **render_blocks(reply))

    @app.event("app_home_opened")
    @later
    async def on_home(body, event, client):
        if event.get("tab") != "home" or not await _first_delivery(service, body):
            return
        reply = await service.handle(Message(text="/start", platform=PLATFORM,
                                             user_id=event["user"]))
        if reply is not None:
            await client.views_publish(user_id=event["user"], view=render_home(reply))

    @app.action(re.compile(r"^(?:topic|language):"))
    @later
    async def on_choice(body, action, respond, client):
        if not await _first_delivery(service, body):
            return
        reply = await _choice_reply(service, body, action)
        if reply is not None:
            await _answer_tap(outbox, body, reply, respond, client, share_label(service, reply))

    @app.action(SHARE_ACTION)
    @later
    async def on_share(body, action, respond):
        if not await _first_delivery(service, body):
            return
        reply = await _choice_reply(service, body, action)
        if reply is not None:
            await _respond(outbox, respond, response_type="in_channel", replace_original=False,
                           **render_blocks(reply))

    @app.action(re.compile(f"^{FEEDBACK_ACTION}:"))
    @later
    async def on_feedback(body, action, respond):
        # Thanked with one line only the person sees ("Only visible to you"), not a message:
        # what Slack users meet after a click on a message others may share. The buttons stay:
        # in a channel or thread the answer is everyone's to vote on, and Slack sends no copy
        # of an ephemeral answer (a slash command's) to rewrite without them; a second tap is
        # thanked again and not counted again.
        if not await _first_delivery(service, body):
            return
        reply = await _feedback_reply(service, body, action)
        if reply is not None and respond.response_url:
            await _respond(outbox, respond, response_type="ephemeral", replace_original=False,
                           **render_blocks(reply))

    return app


# -- translations in ---------------------------------------------------------------------
def command_message(command: Mapping) -> Message:
    """A slash command as a Message: `/unhcr <text>` as slash text, `/office` as itself."""
    name = command["command"].lstrip("/")
    text = from_slack_text(command.get("text", ""))
    if name == MAIN_COMMAND:
        return Message(text=text, platform=PLATFORM, chat_id=command.get("channel_id", ""),
                       user_id=command.get("user_id", ""), slash_text=True)
    return Message(text=f"/{name} {text}".strip(), platform=PLATFORM,
                   chat_id=command.get("channel_id", ""), user_id=command.get("user_id", ""))


def event_message(event: Mapping) -> Message:
    """A mention or DM event as a Message, without the <@bot> mention."""
    return Message(text=from_slack_text(event.get("text", "")), platform=PLATFORM,
                   chat_id=event.get("channel", ""), user_id=event.get("user", ""))


def from_slack_text(text: str) -> str:
    """Slack's message text as typed: mentions dropped, links as their labels, &<> unescaped."""
    text = _MENTION.sub(" ", text)
    text = _LINK.sub(lambda m: (m.group(2) or m.group(1)).lstrip("#"), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def is_user_dm(event: Mapping, bot_user_id: str | None) -> bool:
    """True for a person's new message in a DM with the bot: not an edit, a bot, or our own."""
    return (event.get("channel_type") == "im" and not event.get("subtype")
            and not event.get("bot_id") and bool(event.get("user"))
            and event.get("user") != bot_user_id)


async def _first_delivery(service: Service, body: Mapping) -> bool:
    """False for a delivery already answered: Slack retries an event with the same event_id,
    and a signed slash command or button tap replayed within five minutes carries the same
    trigger_id."""
    key = body.get("event_id") or body.get("trigger_id")
    return not isinstance(key, str) or not key or await service.first_time(PLATFORM, key)


async def _choice_reply(service: Service, body: Mapping, action: Mapping) -> Reply | None:
    """The reply to a tapped button: the same as typing the command it stands for."""
    parsed = parse_button_value(action.get("value", ""))
    if parsed is None:
        log.warning("ignored a Slack button with an unknown value")
        return None
    kind, value, lang = parsed
    if kind == "language":
        text = f"/language {value}"
    else:
        topic = service.bot.content.topic(value)
        text = f"/{topic.command}" if topic else "/help"  # gone after a content reload
    channel = (body.get("channel") or {}).get("id", "")
    return await service.handle(Message(text=text, platform=PLATFORM, chat_id=channel,
                                        user_id=(body.get("user") or {}).get("id", ""),
                                        preferred_lang=lang if kind == "topic" else None))


async def _feedback_reply(service: Service, body: Mapping, action: Mapping) -> Reply | None:
    """Count a "was this helpful?" tap once per person and answer message; the thanks."""
    parsed = parse_button_value(action.get("value", ""))
    vote = action.get("action_id", "").partition(":")[2]
    if parsed is None or parsed[0] != FEEDBACK_ACTION or vote not in (HELPFUL, NOT_HELPFUL):
        log.warning("ignored a Slack feedback button with an unknown value")
        return None
    _, topic, lang = parsed
    container = body.get("container") or {}
    answer = f"{container.get('channel_id', '')}:{container.get('message_ts', '')}"
    return await service.feedback(platform=PLATFORM, user_id=(body.get("user") or {}).get("id", ""),
                                  answer=answer if container.get("message_ts") else "",
                                  topic=topic, lang=lang, helpful=vote == HELPFUL)


def share_label(service: Service, reply: Reply) -> str:
    """The Share button's label in the reply's language, from the content being served."""
    return service.bot.content.message("share_label", reply.lang)


async def _answer_tap(outbox: Outbox, body: Mapping, reply: Reply, respond, client,
                      label: str) -> None:
    """Answer where the button was: privately under a slash answer, else in its conversation."""
    container = body.get("container") or {}
    if container.get("type") == "message" and container.get("is_ephemeral"):
        await _respond(outbox, respond, response_type="ephemeral", replace_original=False,
                       **render_blocks(reply, share_label=label))
    elif container.get("type") == "message":
        channel = container["channel_id"]
        thread_ts = (body.get("message") or {}).get("thread_ts")
        if not thread_ts and not channel.startswith("D"):  # in a channel, keep to a thread
            thread_ts = container.get("message_ts")
        await client.chat_postMessage(channel=channel, thread_ts=thread_ts, **render_blocks(reply))
    else:  # the Home tab: answer in the app's Messages tab
        await client.chat_postMessage(channel=body["user"]["id"], **render_blocks(reply))


async def _respond(outbox: Outbox, respond: AsyncRespond, **message) -> None:
    """POST `message` to the response_url, waiting out a 429's Retry-After once.

    Bolt's `respond()` retries connection errors only: a rate-limited answer would be lost.
    """
    client = AsyncWebhookClient(url=respond.response_url or "", proxy=respond.proxy, ssl=respond.ssl,
                                session=outbox.session,
                                retry_handlers=_retry_handlers())
    response = await client.send(**message)
    if response.status_code != 200:
        log.warning("Slack refused an answer to its response_url (HTTP %d)", response.status_code)


def _retry_handlers() -> list:
    """Retry a failed connection, a 429 after its Retry-After, and a 500/503 for ~30 s.

    An error status means Slack did not take the message: sent again, it shows once. The
    handlers share one count of attempts, so each may use all of them: with slack_sdk's
    default of one, a second 429 in a row lost the answer.
    """
    return [AsyncConnectionErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
            AsyncRateLimitErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES)]


# -- transports --------------------------------------------------------------------------
def signed_by_slack(verifier: SignatureVerifier, body: bytes, headers: Mapping[str, str]) -> bool:
    """Whether Slack signed this request in the last five minutes, checked before Bolt sees it.

    Bolt logs the whole body of a request it refuses (a user's text, ids and response_url),
    and a timestamp that is not a whole number made it fail with a 500.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    timestamp = lower.get("x-slack-request-timestamp", "")
    signature = lower.get("x-slack-signature", "")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12 and signature):
        return False
    # Decoded as Bolt decodes it: the SDK would raise on bytes that are not UTF-8.
    return verifier.is_valid(body.decode("utf-8", errors="replace"), timestamp, signature)


async def handle_http(app: AsyncApp, body: bytes,
                      headers: Mapping[str, str]) -> tuple[int, dict[str, str], str]:
    """One request from Slack through Bolt, which checks the signature: status, headers, body."""
    bad_request = 400, {"content-type": "text/plain;charset=utf-8"}, "bad request"
    try:
        request = AsyncBoltRequest(body=body.decode("utf-8", errors="replace"),
                                   headers={k.lower(): v for k, v in headers.items()})
    except Exception:  # Bolt parses and reads the body here, before the signature
        return bad_request  # is checked: neither JSON nor a form, nested too deep, odd types
    if not _is_slack_envelope(request.body):
        return bad_request
    response = await app.async_dispatch(request)
    return response.status, response.first_headers(), response.body


def _is_slack_envelope(body: object) -> bool:
    """True for a payload shaped as Slack sends them, as far as Bolt's middleware relies on it.

    Bolt reads these fields unchecked, so a signed body with, say, "event": 5 would be a 500.
    """
    if not isinstance(body, dict):  # JSON, but a list or a string
        return False
    if "event" in body and not isinstance(body["event"], dict):
        return False
    if not all(isinstance(body.get(key), (dict, type(None))) for key in _ENVELOPE_OBJECTS):
        return False
    authorizations = body.get("authorizations") or []
    if not _objects(authorizations):
        return False
    if "actions" in body or body.get("type") == "block_actions":  # Bolt reads actions[0]
        actions = body.get("actions")
        return (isinstance(actions, list) and _objects(actions) and len(actions) > 0
                and all(isinstance(a.get("action_id", ""), str) for a in actions))
    return True


def _objects(items: object) -> bool:
    return isinstance(items, list) and all(isinstance(item, dict) for item in items)


async def run_socket_mode(rt: Runtime, stop: asyncio.Event) -> None:
    """Answer Slack over Socket Mode (no public URL needed) until `stop` is set."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    settings = rt.settings.slack
    if settings is None or settings.app_token is None:
        raise SettingsError("SLACK_APP_TOKEN is not set")
    outbox = Outbox()
    rt.slack = build_app(rt.service, settings, outbox)
    handler = AsyncSocketModeHandler(rt.slack, settings.app_token)
    # The SDK retries a failed connection forever: do it aside, so that `stop` always stops.
    connecting = asyncio.create_task(handler.connect_async())
    try:
        await stop.wait()
    finally:
        connecting.cancel()
        await handler.close_async()
        await outbox.close()
