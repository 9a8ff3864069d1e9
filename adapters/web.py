"""The one ASGI app serving both webhooks, /healthz and /metrics (Starlette)."""
from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
from datetime import datetime, timezone

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from adapters.metrics import CONTENT_TYPE
from adapters.runtime import Runtime, running
from adapters.settings import TelegramSettings

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # platforms send a few KB; anything over 1 MB is refused unread
BODY_READ_SECONDS = 10.0  # platforms send a body at once; a client that stalls is cut off


class BodyTooLarge(Exception):
    """A request body over MAX_BODY_BYTES."""


class BodyIncomplete(Exception):
    """A request body that did not arrive whole: the client stalled or went away."""


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, refusing (before parsing anything) one larger than `limit`."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    try:
        return await asyncio.wait_for(_read_stream(request, limit), BODY_READ_SECONDS)
    except (asyncio.TimeoutError, ClientDisconnect):
        # Uvicorn has no body timeout: a Content-Length larger than what is sent waits forever.
        raise BodyIncomplete from None


async def _read_stream(request: Request, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def body_refusal(error: Exception) -> Response:
    """The answer to a body that was not read: 413 too large, 408 incomplete."""
    if isinstance(error, BodyTooLarge):
        return PlainTextResponse("request body too large", status_code=413)
    return PlainTextResponse("request body incomplete", status_code=408)


def build_web_app(rt: Runtime) -> Starlette:
    """The app: POST /telegram and POST /slack/events for webhooks, /healthz, /metrics.

    Behind `serve` its lifespan starts the platforms and the runtime; behind `poll` it only
    answers /healthz and /metrics, and the door runs the rest (its lifespan is off).
    """
    settings, metrics = rt.settings, rt.metrics

    async def health_route(request: Request) -> Response:
        return healthz(rt)

    async def metrics_route(request: Request) -> Response:
        if not _bearer(request, settings.metrics_token):
            return PlainTextResponse("set METRICS_TOKEN and send it as a bearer token",
                                     status_code=401)
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    async def telegram_route(request: Request) -> Response:
        return await telegram_webhook(rt, request)

    async def slack_route(request: Request) -> Response:
        return await slack_events(rt, request)

    routes = [Route("/healthz", health_route, methods=["GET"]),
              Route("/metrics", metrics_route, methods=["GET"])]
    if settings.telegram and rt.webhooks:
        routes.append(Route("/telegram", telegram_route, methods=["POST"]))
    if settings.slack and rt.webhooks:
        routes.append(Route("/slack/events", slack_route, methods=["POST"]))
    app = Starlette(routes=routes, lifespan=lambda app: lifespan(rt))
    app.state.runtime = rt
    return app


@contextlib.asynccontextmanager
async def lifespan(rt: Runtime):
    """Start the platforms and the runtime; on shutdown finish what was accepted."""
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(running(rt))  # left last: the store closes last
        if rt.settings.telegram:
            rt.telegram_secret = rt.settings.telegram.webhook_secret
            stop_telegram = asyncio.Event()
            telegram = asyncio.create_task(_telegram(rt, rt.settings.telegram, stop_telegram))

            async def finish_telegram() -> None:
                stop_telegram.set()
                await telegram
            stack.push_async_callback(finish_telegram)
        if rt.settings.slack:
            from slack_sdk.signature import SignatureVerifier

            from adapters.slack import Outbox, build_app
            outbox = Outbox()
            # Registered after Telegram, so left before it: Slack's answers drain first.
            stack.push_async_callback(outbox.close)
            rt.slack = build_app(rt.service, rt.settings.slack, outbox)
            # for_door requires the signing secret for webhooks; without one nothing verifies.
            rt.slack_verifier = SignatureVerifier(rt.settings.slack.signing_secret
                                                  or secrets.token_hex(32))
        log.info("serving: telegram=%s slack=%s state=%s content=%s",
                 rt.settings.telegram is not None, rt.settings.slack is not None, rt.state_kind,
                 rt.service.bot.content.version)
        yield
        # Leaving the stack finishes Slack's answers in progress, then stops Telegram after
        # the updates already queued are answered, then stops the watcher and the store.


STARTUP_RETRY_SECONDS = 0.5  # the first wait for an unreachable Bot API; doubled up to 30 s
STARTUP_RETRY_MAX_SECONDS = 30.0


async def _telegram(rt: Runtime, settings: TelegramSettings, stop: asyncio.Event) -> None:
    """Run the Telegram application until `stop`; while the Bot API cannot be reached at
    start-up, try again in the background (Slack and /healthz serve meanwhile)."""
    from telegram.error import InvalidToken

    from adapters.telegram import ALLOWED_UPDATES, build_application
    from adapters.telegram import running as telegram_running
    wait = STARTUP_RETRY_SECONDS
    while not stop.is_set():
        try:
            async with telegram_running(build_application(rt.service, settings,
                                                          updater=False)) as application:
                if rt.settings.public_url:
                    await application.bot.set_webhook(url=f"{rt.settings.public_url}/telegram",
                                                      secret_token=settings.webhook_secret,
                                                      allowed_updates=ALLOWED_UPDATES)
                    log.info("Telegram webhook registered at PUBLIC_URL/telegram")
                rt.telegram = application
                log.info("Telegram is ready")
                await stop.wait()  # leaving answers the updates already queued
            return
        except InvalidToken as error:
            log.error("Telegram will not start: %s", error)
            return
        except Exception as error:  # the Bot API down or unreachable: a blip, not a crash
            log.warning("Telegram is not reachable (%s); trying again in %.1f s",
                        type(error).__name__, wait)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
            wait = min(wait * 2, STARTUP_RETRY_MAX_SECONDS)


async def telegram_webhook(rt: Runtime, request: Request) -> Response:
    """Queue a Telegram update; 403 without the secret, 4xx for a malformed body."""
    from adapters.telegram import process_webhook
    if rt.telegram is None:  # still connecting to the Bot API: Telegram delivers it again
        return PlainTextResponse("not ready", status_code=503)
    try:
        body = await read_body(request)
    except (BodyTooLarge, BodyIncomplete) as error:
        return body_refusal(error)
    try:
        status = await process_webhook(rt.telegram, body, request.headers, rt.telegram_secret)
    except Exception:  # never a traceback to the caller; Telegram re-delivers
        rt.metrics.errors.labels(where="telegram").inc()
        log.exception("Telegram webhook failed")
        return PlainTextResponse("error", status_code=500)
    return PlainTextResponse({200: "ok", 400: "bad request", 403: "forbidden"}.get(status, ""),
                             status_code=status)


async def slack_events(rt: Runtime, request: Request) -> Response:
    """Bolt's handler for events, commands and interactivity (it checks the signature)."""
    from adapters.slack import handle_http, signed_by_slack
    try:
        body = await read_body(request)
    except (BodyTooLarge, BodyIncomplete) as error:
        return body_refusal(error)
    if not signed_by_slack(rt.slack_verifier, body, request.headers):
        return PlainTextResponse("invalid request", status_code=401)
    try:
        status, headers, text = await handle_http(rt.slack, body, dict(request.headers))
    except Exception:  # never a traceback to the caller
        rt.metrics.errors.labels(where="slack").inc()
        log.exception("Slack request failed")
        return PlainTextResponse("error", status_code=500)
    if status >= 500:
        rt.metrics.errors.labels(where="slack").inc()
    return Response(text, status_code=status, headers={k: v for k, v in headers.items()
                                                       if k.lower() == "content-type"})


def healthz(rt: Runtime) -> JSONResponse:
    """Status, content version and load time, the last reload error, platforms. No secrets."""
    content = rt.service.bot.content
    error = rt.watcher.last_error
    waiting = rt.settings.telegram is not None and rt.webhooks and rt.telegram is None
    store_ok = getattr(rt.service.state, "reachable", True)
    return JSONResponse({
        "status": "degraded" if error or waiting or not store_ok else "ok",
        "content": {"version": content.version, "topics": len(content.topics),
                    "loaded_at": _iso(content.loaded_at)},
        "last_reload_error": error,
        "last_reload_error_at": _iso(rt.watcher.last_error_at) if error else None,
        "platforms": {"telegram": "not ready" if waiting
                      else _platform(rt.settings.telegram is not None, rt.webhooks),
                      "slack": _platform(rt.settings.slack is not None, rt.webhooks)},
        "state": rt.state_kind if store_ok else f"{rt.state_kind} unreachable",
    })


def _bearer(request: Request, token: str | None) -> bool:
    """Whether the request carries `token` as its bearer token; never without a token set."""
    given = request.headers.get("authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def _platform(configured: bool, webhooks: bool) -> str:
    if not configured:
        return "not configured"
    return "mounted" if webhooks else "polling"


def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds") if ts else None
