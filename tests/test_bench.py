"""The benchmark's generated content stays loadable as the content's rules grow."""
from __future__ import annotations

from bench.core import generate_content
from bot.content import load_content


def test_generated_content_for_the_1000_topic_benchmark_loads(tmp_path):
    generate_content(tmp_path / "content", 5)
    content = load_content(tmp_path / "content")
    assert [t.id for t in content.topics][:2] == ["t0", "t1"] and len(content.topics) == 5
