"""Every variable the code reads is listed in .env.example, and every listed one is read."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_READ = re.compile(r"""(?:environ|env)(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_env_example_lists_exactly_the_variables_the_code_reads():
    read = {name for path in [*ROOT.glob("bot/*.py"), *ROOT.glob("adapters/**/*.py")]
            for name in _READ.findall(path.read_text(encoding="utf-8"))}
    listed = {line.split("=", 1)[0].strip()
              for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
              if re.match(r"^[A-Z][A-Z0-9_]+=", line)}
    assert read, "no variable found: the pattern no longer matches the code"
    assert read == listed, {"read, not listed": read - listed, "listed, not read": listed - read}
