"""Fixtures for every adapter's tests: no proxy between the platform libraries and the fakes."""
from __future__ import annotations

import pytest

from adapters.state.sqlite_store import SqliteState
from bot.service import Service

_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                    "all_proxy")


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """PTB's httpx client honours proxy variables, like trust_env; the fake is on this machine."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def state_path(tmp_path):
    """The SQLite file of the test's store, as STATE_PATH names it to `bot report`."""
    return tmp_path / "state.sqlite3"


@pytest.fixture
async def sqlite_service(bot, state_path):
    """The core service over a SQLite store of its own, per test."""
    store = SqliteState(state_path)
    yield Service(bot, store)
    await store.close()
