"""Benchmark of the core: per-message latency, content load + index time, ask cold start.

Run: .venv/bin/python bench/core.py   (prints a table; figures go to bench/README.md)
"""
from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answer import Bot  # noqa: E402
from bot.content import load_content  # noqa: E402
from bot.evaluate import load_questions  # noqa: E402
from bot.message import Message  # noqa: E402

WORDS = ("refugee asylum office law convention protocol migration statelessness registration "
         "programme support government ministry conference declaration process region country "
         "assistance protection border family child document status permit work school health "
         "housing court appeal interview").split()
RU = ("беженец убежище офис закон конвенция протокол миграция безгражданство регистрация "
      "программа поддержка правительство министерство конференция декларация процесс регион "
      "страна помощь защита граница семья ребенок документ статус разрешение работа школа").split()
KK = ("босқын баспана кеңсе заң конвенция хаттама көші қон азаматтық тіркеу бағдарлама қолдау "
      "үкімет министрлік конференция декларация үдеріс өңір ел көмек қорғау шекара отбасы бала "
      "құжат мәртебе рұқсат жұмыс мектеп").split()


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (0-100) of samples, nearest rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def time_messages(bot: Bot, texts: list[str], rounds: int) -> list[float]:
    """Seconds per bot.answer call, over `rounds` passes of `texts`."""
    samples = []
    for _ in range(rounds):
        for text in texts:
            t0 = time.perf_counter()
            bot.answer(Message(text=text))
            samples.append(time.perf_counter() - t0)
    return samples


def generate_content(dest: Path, topics: int, rng_seed: int = 7) -> None:
    """Copy messages.yaml (its menu order of shipped topics dropped) and protection.yaml (its
    buttons to shipped topics dropped), and write `topics` generated topics x 3 languages x
    10 examples."""
    import random
    import re
    rng = random.Random(rng_seed)
    (dest / "topics").mkdir(parents=True)
    messages = (ROOT / "content" / "messages.yaml").read_text(encoding="utf-8")
    (dest / "messages.yaml").write_text(re.sub(r"\n  menu: \[.*\]", "", messages),
                                        encoding="utf-8")
    protection = (ROOT / "content" / "protection.yaml").read_text(encoding="utf-8")
    (dest / "protection.yaml").write_text(re.sub(r"points_to: \[.*\]", "points_to: []", protection),
                                          encoding="utf-8")
    for i in range(topics):
        parts = [f"id: t{i}", f"command: t{i}", "source: \"¶1\"", "as_of: 2016-03-25"]
        for lang, words in (("en", WORDS), ("ru", RU), ("kk", KK)):
            name = f"{rng.choice(words)}{i}"
            examples = [" ".join([name] + rng.sample(words, 4)) + f" {j}" for j in range(10)]
            parts.append(f"{lang}:\n  title: {name}\n  answer: Answer {i} about {name}.\n"
                         "  examples:\n" + "\n".join(f"    - {e}" for e in examples))
        (dest / "topics" / f"t{i}.yaml").write_text("\n".join(parts) + "\n", encoding="utf-8")


def row(name: str, samples: list[float]) -> str:
    us = [s * 1e6 for s in samples]
    return (f"| {name} | {len(us)} | {statistics.median(us):.0f} µs | "
            f"{percentile(us, 99):.0f} µs |")


def main() -> None:
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    t0 = time.perf_counter()
    content = load_content()
    bot = Bot(content)
    shipped_load = time.perf_counter() - t0
    questions = [q["q"] for q in load_questions()]
    commands = [f"/{t.command}" for t in content.topics] + ["/start", "/help", "/language ru"]
    time_messages(bot, questions, 1)  # warm the caches, as a running bot has them
    print("| case | messages | p50 | p99 |\n|---|---|---|---|")
    print(row("shipped content, commands", time_messages(bot, commands, 200)))
    print(row("shipped content, free text (eval set)", time_messages(bot, questions, 10)))
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "content"
        generate_content(big, 1000)
        t0 = time.perf_counter()
        big_bot = Bot(load_content(big))
        big_load = time.perf_counter() - t0
        big_texts = questions + [f"{w} {WORDS[(i * 7) % len(WORDS)]} {RU[i % len(RU)]}"
                                 for i, w in enumerate(WORDS * 3)]
        time_messages(big_bot, big_texts, 1)
        print(row("1,000 topics, free text", time_messages(big_bot, big_texts, 3)))
    print(f"\ncontent load + index: shipped {shipped_load * 1000:.0f} ms; "
          f"1,000 topics × 3 languages × 10 examples {big_load * 1000:.0f} ms")
    cold = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "ask", "/office"], cwd=ROOT, check=True,
                       capture_output=True)
        cold.append(time.perf_counter() - t0)
    print(f"ask cold start (process start to first answer), 5 runs: median "
          f"{statistics.median(cold) * 1000:.0f} ms, max {max(cold) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
