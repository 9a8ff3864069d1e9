"""Shared fixtures: the bot on the shipped content, and a message factory."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.answer import Bot
from bot.content import load_content
from bot.message import Message


@pytest.fixture(scope="session")
def content():
    """The shipped content, loaded once."""
    return load_content()


@pytest.fixture(scope="session")
def bot(content):
    """A bot over the shipped content, with no adapter."""
    return Bot(content)


@pytest.fixture
def content_dir(tmp_path):
    """A copy of the shipped content that a test may edit or break."""
    dest = tmp_path / "content"
    shutil.copytree(Path(__file__).resolve().parent.parent / "content", dest)
    return dest


@pytest.fixture
def edited_bot(content_dir):
    """A bot over content an editor changed: the office topic's alias /astana is now /ofis."""
    office = content_dir / "topics" / "office.yaml"
    office.write_text(office.read_text("utf-8").replace("aliases: [almaty, astana]",
                                                        "aliases: [almaty, ofis]"), "utf-8")
    return Bot(load_content(content_dir))


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """The Redis on 127.0.0.1:6379, else one started here; without either, skip saying why."""
    from tests.redis_server import RedisServer, answers_ping, redis_server_path
    if answers_ping(6379):
        yield "redis://127.0.0.1:6379/0"
        return
    if redis_server_path() is None:
        pytest.skip("Redis cases skipped: nothing answers on 127.0.0.1:6379 "
                    "and redis-server is not installed")
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server.url


@pytest.fixture
async def telegram_api():
    """A fake Telegram Bot API on an ephemeral port of 127.0.0.1."""
    from tests.fakes.telegram_api import FakeBotAPI
    api = FakeBotAPI()
    await api.start()
    yield api
    await api.close()


@pytest.fixture
async def slack_api():
    """A fake Slack Web API and response_url on an ephemeral port of 127.0.0.1."""
    import asyncio

    from tests.fakes.slack_api import FakeSlackApi
    api = FakeSlackApi()
    await api.start()
    yield api
    await asyncio.sleep(0.05)  # let Bolt's last background listener finish its call
    await api.close()


def msg(text: str, **kw) -> Message:
    """A console message with `text`."""
    return Message(text=text, **kw)


ROOT = Path(__file__).resolve().parent.parent
_DEPLOYMENT_VARIABLES = ("TELEGRAM_", "SLACK_", "REDIS_", "STATE_", "CONTENT_DIR", "PORT", "LOG_",
                         "PUBLIC_URL", "METRICS_TOKEN")


def bot_report(**env: str) -> str:
    """What `python -m bot report` prints, run as an operator runs it, on the store `env`
    names (STATE_PATH, or REDIS_URL and STATE_SECRET)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_DEPLOYMENT_VARIABLES)}
    out = subprocess.run([sys.executable, "-m", "bot", "report"], cwd=ROOT, env={**clean, **env},
                         capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    return out.stdout


_LOOPBACK = ("127.", "::1", "localhost")


@pytest.fixture(autouse=True)
def no_internet(monkeypatch):
    """Any connection to a host other than this machine fails the test, loudly."""
    import socket

    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def guard(address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(host, bytes):
            host = host.decode()
        if not (isinstance(address, (str, bytes)) or str(host).startswith(_LOOPBACK)):
            pytest.fail(f"test tried to reach the network: {address!r}")

    def connect(self, address):
        guard(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        guard(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not str(host).startswith(_LOOPBACK):
            pytest.fail(f"test tried to resolve {host!r}: requests to the internet are not allowed")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
