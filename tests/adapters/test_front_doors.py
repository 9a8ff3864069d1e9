"""Every front door is the same runtime: `poll` and `run` keep state in the store file, see a
content edit, serve /healthz and /metrics, and report a bad variable in one line, as `serve`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.telegram_api import TOKEN, make_update
from tests.webtools import METRICS_HEADERS, METRICS_TOKEN, ServerProcess, eventually, request

ROOT = Path(__file__).resolve().parents[2]
NEW_TEXT = "Офис УВКБ ООН в Казахстане находится в Алматы (отредактировано)."


def poll_env(api, tmp_path: Path) -> dict[str, str]:
    content = tmp_path / "content"
    if not content.exists():
        shutil.copytree(ROOT / "content", content)
    return {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_URL": api.base_url,
            "STATE_PATH": str(tmp_path / "state.sqlite3"), "STATE_SECRET": "p" * 32,
            "CONTENT_DIR": str(content), "METRICS_TOKEN": METRICS_TOKEN}


async def answer_to(api, text: str, count: int) -> str:
    """Hand `text` to the polling bot; the text of the answer it sends."""
    api.queue_update(make_update("private_command" if text.startswith("/") else "private_text",
                                 text=text))
    sent = await api.wait_for("sendMessage", count=count, timeout=15)
    return sent[-1]["text"]


@pytest.mark.parametrize("door", ["poll", "run"])
async def test_polling_keeps_language_across_a_restart_and_sees_a_content_edit(
        door, telegram_api, tmp_path):
    env = poll_env(telegram_api, tmp_path)
    first = await ServerProcess(env, ROOT, command=door).ready()
    try:
        assert "русском" in await answer_to(telegram_api, "/language ru", 1)
        status, body = await request("GET", f"{first.url}/healthz")
        health = json.loads(body)
        assert status == 200 and health["platforms"]["telegram"] == "polling"
        assert health["state"] == "sqlite"
        first.terminate()
        assert await first.wait(30) == 0
    finally:
        first.kill()

    second = await ServerProcess(env, ROOT, command=door).ready()
    try:
        assert "Алматы" in await answer_to(telegram_api, "/office", 2), "the choice was kept"
        office = Path(env["CONTENT_DIR"]) / "topics" / "office.yaml"
        text = office.read_text(encoding="utf-8")
        start = text.index("    Офис УВКБ ООН в Казахстане находится в **Алматы**.")
        end = text.index("\n", start)
        office.write_text(text[:start] + "    " + NEW_TEXT + text[end:], encoding="utf-8")

        async def edited():
            _status, body = await request("GET", f"{second.url}/healthz")
            return json.loads(body)["content"]["version"]
        before = await edited()
        await eventually(lambda: _changed(edited, before), timeout=2.0, interval=0.1)
        assert NEW_TEXT.split(" (")[0] in await answer_to(telegram_api, "/office", 3)
        status, metrics = await request("GET", f"{second.url}/metrics", headers=METRICS_HEADERS)
        assert status == 200 and 'unhcr_bot_content_reloads_total{result="success"} 1.0' in metrics
        assert "unhcr_bot_messages_total" in metrics
    finally:
        second.terminate()
        assert await second.wait(30) == 0
        second.kill()


async def _changed(version, before: str) -> bool:
    return await version() != before


BAD_VARIABLES = [
    ({"LOG_LEVEL": "foo"}, "LOG_LEVEL must be one of"),
    ({"STATE_SECRET": "short"}, "STATE_SECRET must be at least"),
    ({"TELEGRAM_WEBHOOK_SECRET": "has spaces in it"}, "TELEGRAM_WEBHOOK_SECRET must be"),
    ({"TELEGRAM_WEBHOOK_SECRET": "a"}, "TELEGRAM_WEBHOOK_SECRET must be 16-256"),
    ({"PORT": "eighty"}, "PORT must be a number"),
    ({"TELEGRAM_TOKEN": "not-a-token"}, "TELEGRAM_TOKEN must look like"),
    ({"PUBLIC_URL": "http://insecure.example.org"}, "PUBLIC_URL must look like"),
    ({"METRICS_TOKEN": "tooshort"}, "METRICS_TOKEN must be at least 16"),
    ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": "g" * 32,
      "SLACK_APP_TOKEN": "xapp-app-token"}, "SLACK_BOT_TOKEN must be a bot token"),
    ({"SLACK_BOT_TOKEN": "xoxb-bot-token", "SLACK_SIGNING_SECRET": "g" * 32,
      "SLACK_APP_TOKEN": "xoxa-not-an-app-token"}, "SLACK_APP_TOKEN must be an app-level token"),
    ({"SLACK_APP_TOKEN": "xapp-app-token"}, "SLACK_BOT_TOKEN must be set with SLACK_APP_TOKEN"),
    ({"REDIS_URL": "redis://:hunter2@127.0.0.1:6379/0"}, "STATE_SECRET must be set with REDIS_URL"),
    ({"REDIS_URL": "http://:hunter2@127.0.0.1:6379/0", "STATE_SECRET": "r" * 32},
     "REDIS_URL must look like"),
    ({"CONTENT_DIR": "/nowhere/at-all"}, "CONTENT_DIR must name a folder"),
]


@pytest.mark.parametrize("door", ["poll", "run", "serve"])
@pytest.mark.parametrize("env,message", BAD_VARIABLES)
def test_a_bad_variable_is_one_line_at_every_door(door, env, message):
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("TELEGRAM_", "SLACK_", "REDIS_", "STATE_", "PORT", "LOG_",
                                  "PUBLIC_URL", "METRICS_TOKEN", "CONTENT_DIR"))}
    full = {**clean, "TELEGRAM_TOKEN": "123:ABC", "TELEGRAM_WEBHOOK_SECRET": "s" * 20, **env}
    out = subprocess.run([sys.executable, "-m", "bot", door], cwd=ROOT, env=full,
                         capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{door}: ") and message in lines[0], out.stderr
    assert out.stdout == ""
    for value in env.values():
        assert len(value) < 8 or value not in out.stderr, "a value, maybe a secret, is echoed"
    assert "hunter2" not in out.stderr


@pytest.mark.parametrize("env,message", [BAD_VARIABLES[i] for i in (0, 1, 11, 12)])
def test_report_reads_the_same_settings(env, message, tmp_path):
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("TELEGRAM_", "SLACK_", "REDIS_", "STATE_", "PORT", "LOG_",
                                  "PUBLIC_URL", "METRICS_TOKEN", "CONTENT_DIR"))}
    full = {**clean, "TELEGRAM_TOKEN": "123:ABC", "STATE_PATH": str(tmp_path / "s.sqlite3"), **env}
    out = subprocess.run([sys.executable, "-m", "bot", "report"], cwd=ROOT, env=full,
                         capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("report: ") and message in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "hunter2" not in out.stderr


def test_report_reads_the_store_the_settings_name(tmp_path):
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("TELEGRAM_", "SLACK_", "REDIS_", "STATE_", "CONTENT_DIR"))}
    out = subprocess.run([sys.executable, "-m", "bot", "report"], cwd=ROOT, capture_output=True,
                         env={**clean, "STATE_PATH": str(tmp_path / "report.sqlite3")},
                         text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    assert "(none)" in out.stdout and (tmp_path / "report.sqlite3").exists()
