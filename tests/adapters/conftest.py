"""Fixtures for every adapter's tests: no proxy between the platform libraries and the fakes."""
from __future__ import annotations

import pytest

_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                    "all_proxy")


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """PTB's httpx client honours proxy variables, like trust_env; the fake is on this machine."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
