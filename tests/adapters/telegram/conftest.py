"""Fixtures for the Telegram adapter: a fake Bot API and the real Application talking to it."""
from __future__ import annotations

import pytest

from adapters.settings import TelegramSettings
from adapters.state.sqlite_store import SqliteState
from adapters.telegram import build_application, running
from bot.service import Service
from tests.fakes.telegram_api import TOKEN, WEBHOOK_SECRET


@pytest.fixture
def state_path(tmp_path):
    """The SQLite file of the test's store, as STATE_PATH names it to `bot report`."""
    return tmp_path / "state.sqlite3"


@pytest.fixture
async def telegram_service(bot, state_path):
    """The core service over a SQLite store of its own, per test."""
    store = SqliteState(state_path)
    yield Service(bot, store)
    await store.close()


@pytest.fixture
def telegram_config(telegram_api):
    """Telegram settings pointing at the fake."""
    return TelegramSettings(token=TOKEN, api_url=telegram_api.base_url,
                            webhook_secret=WEBHOOK_SECRET)


@pytest.fixture
async def telegram_app(telegram_service, telegram_config):
    """The real Application, initialized (getMe, setMyCommands) and started, without an updater."""
    app = build_application(telegram_service, telegram_config, updater=False)
    async with running(app):
        yield app
