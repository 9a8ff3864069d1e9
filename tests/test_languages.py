"""A fourth language is a content change: no code names the languages, their labels or words."""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from adapters.slack.render import render_blocks
from adapters.telegram.app import menu_commands
from bot.answer import Bot
from bot.content import load_content
from tests.conftest import msg

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "content_min"


def _with_uzbek(tmp_path: Path) -> Bot:
    """The small fixture with Uzbek added to messages.yaml only (topics fall back to English)."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURE, root)
    path = root / "messages.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["languages"]["uz"] = "Oʻzbekcha"
    for key, texts in data["messages"].items():
        english = texts["en"]
        texts["uz"] = list(english) if key == "months" else f"[uz] {english}"
    data["language_words"]["uz"] = ["uzbek", "ozbekcha"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return Bot(load_content(root))


def test_a_fourth_language_is_served_from_content_alone(tmp_path):
    bot = _with_uzbek(tmp_path)
    prompt = bot.answer(msg("/language"))
    assert "uz" in {c.value for c in prompt.choices}
    chosen = bot.answer(msg("/language uzbek"))
    assert chosen.language_choice == "uz" and chosen.blocks[0].plain.startswith("[uz] ")
    answer = bot.answer(msg("/alpha", preferred_lang="uz"))
    assert answer.lang == "uz" and answer.note and answer.note.startswith("[uz] ")
    menu = {c.command: c.description for c in menu_commands(bot.content, "uz")}
    assert menu["language"].startswith("[uz] ") and menu["help"].startswith("[uz] ")
    share = render_blocks(answer, share_label=bot.content.message("share_label", "uz"))
    assert "[uz] " in str(share["blocks"])
