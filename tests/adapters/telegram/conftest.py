"""Fixtures for the Telegram adapter: a fake Bot API and the real Application talking to it."""
from __future__ import annotations

import pytest

from adapters.settings import TelegramSettings
from adapters.telegram import build_application, running
from tests.fakes.telegram_api import TOKEN, WEBHOOK_SECRET


@pytest.fixture
def telegram_config(telegram_api):
    """Telegram settings pointing at the fake."""
    return TelegramSettings(token=TOKEN, api_url=telegram_api.base_url,
                            webhook_secret=WEBHOOK_SECRET)


@pytest.fixture
async def telegram_app(sqlite_service, telegram_config):
    """The real Application, initialized (getMe, setMyCommands) and started, without an updater."""
    app = build_application(sqlite_service, telegram_config, updater=False)
    async with running(app):
        yield app
