"""The baseline for bench/webhook.py: our web wiring with an echo where the core would be.

Same ASGI server (Starlette + uvicorn, the settings of `adapters.server`), same
python-telegram-bot wiring (Application with updater(None), AIORateLimiter and
ChatOrderedUpdateProcessor, started in the lifespan) and the same POST /telegram code path
(`read_body` + `process_webhook`, with its secret check). A message is answered with its own
text, a button tap with its data.

Run: PORT=... TELEGRAM_TOKEN=... TELEGRAM_API_URL=... TELEGRAM_WEBHOOK_SECRET=...
     .venv/bin/python bench/echo_bot.py
BENCH_OVERALL_MAX_RATE changes the limiter; BENCH_CONCURRENT_UPDATES=N replaces the update
processor with PTB's plain `concurrent_updates(N)` (no per-chat order), as bench/webhook.py
does for the serve process in its runs with the limiter lifted and with --diagnose.
"""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse, PlainTextResponse, Response  # noqa: E402
from starlette.routing import Route  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.constants import FloodLimit  # noqa: E402
from telegram.ext import (  # noqa: E402
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from adapters.server import GRACEFUL_SECONDS, server_class  # noqa: E402
from adapters.settings import TelegramSettings, read_settings  # noqa: E402
from adapters.telegram import MAX_RETRIES, process_webhook, running  # noqa: E402
from adapters.telegram.updates import CONCURRENT_UPDATES, ChatOrderedUpdateProcessor  # noqa: E402
from adapters.web import BodyIncomplete, BodyTooLarge, body_refusal, read_body  # noqa: E402


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the message's text back."""
    await context.bot.send_message(chat_id=update.effective_chat.id, text=update.message.text)


async def echo_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Acknowledge a button tap, then send its data back (our bot also does both)."""
    await update.callback_query.answer()
    await context.bot.send_message(chat_id=update.effective_chat.id,
                                   text=update.callback_query.data)


def build_echo_application(settings: TelegramSettings) -> Application:
    """The Application as adapters/telegram builds it for webhooks, with echo handlers."""
    limiter = AIORateLimiter(overall_max_rate=float(os.environ.get(
        "BENCH_OVERALL_MAX_RATE", FloodLimit.MESSAGES_PER_SECOND)), max_retries=MAX_RETRIES)
    builder = (Application.builder().token(settings.token).base_url(settings.api_url)
               .rate_limiter(limiter).updater(None))
    concurrent = os.environ.get("BENCH_CONCURRENT_UPDATES")
    builder = builder.concurrent_updates(
        int(concurrent) if concurrent else ChatOrderedUpdateProcessor(CONCURRENT_UPDATES))
    application = builder.build()
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(echo_tap))
    return application


def build_echo_app(settings: TelegramSettings) -> Starlette:
    """POST /telegram as adapters/web.py routes it, and GET /healthz."""
    state: dict = {}

    @contextlib.asynccontextmanager
    async def lifespan(app):
        async with running(build_echo_application(settings)) as application:
            state["telegram"] = application
            yield

    async def telegram_route(request: Request) -> Response:
        try:
            body = await read_body(request)
        except (BodyTooLarge, BodyIncomplete) as error:
            return body_refusal(error)
        status = await process_webhook(state["telegram"], body, request.headers,
                                       settings.webhook_secret)
        return PlainTextResponse({200: "ok", 400: "bad request", 403: "forbidden"}.get(status, ""),
                                 status_code=status)

    async def health_route(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/healthz", health_route, methods=["GET"]),
                             Route("/telegram", telegram_route, methods=["POST"])],
                     lifespan=lifespan)


def main() -> None:
    """Serve the echo bot on 127.0.0.1:$PORT with the serve process's uvicorn settings."""
    settings = read_settings()
    if settings.telegram is None or settings.port is None:
        raise SystemExit("echo_bot: set TELEGRAM_TOKEN and PORT")
    app = build_echo_app(settings.telegram)
    server_class()(uvicorn.Config(app, host="127.0.0.1", port=settings.port,
                                  log_level="warning", access_log=False, lifespan="on",
                                  timeout_graceful_shutdown=GRACEFUL_SECONDS)).run()


if __name__ == "__main__":
    main()
