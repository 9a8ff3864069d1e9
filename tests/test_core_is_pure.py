"""The core stays pure: no platform, web or network imports in bot/ or its packages."""
from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"telegram", "slack_bolt", "slack_sdk", "starlette", "uvicorn", "httpx", "aiohttp",
             "requests", "urllib", "socket", "http", "redis", "adapters"}
CORE = Path(__file__).resolve().parent.parent / "bot"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_core_imports_no_platform_web_or_network_library():
    modules = sorted(CORE.rglob("*.py"))
    assert CORE / "understanding" / "index.py" in modules  # the packages are read too
    offenders = {str(p.relative_to(CORE)): imported_modules(p) & FORBIDDEN for p in modules}
    assert not any(offenders.values()), offenders


def test_importing_the_core_loads_no_platform_library():
    import subprocess
    import sys
    platforms = FORBIDDEN - {"urllib", "http", "socket"}  # the stdlib imports these itself
    code = ("import sys, bot.cli, bot.answer; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {platforms!r}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=CORE.parent, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_without_the_adapters_a_platform_command_says_so_in_one_line(monkeypatch, capsys):
    import importlib.metadata

    from bot import cli
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **selection: [])
    assert cli.main(["poll", "--host", "127.0.0.1"]) == 2
    out = capsys.readouterr()
    [line] = out.err.splitlines()
    assert out.out == "" and "poll: the platform adapters are not installed" in line
    assert cli.main(["topics"]) == 0 and "/office" in capsys.readouterr().out
