"""The command line, run as a user runs it: `python -m bot ...` in a subprocess."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bot.content import load_content
from bot.message import Message

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith(("TELEGRAM_", "SLACK_", "REDIS_", "STATE_", "PORT"))}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=60, env={**environ, **(env or {})})


def test_ask_json_office_names_almaty():
    out = run("ask", "--json", stdin="/office\n")
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["intent"] == "office" and answer["lang"] == "en"
    assert "Almaty" in answer["text"] and answer["score"] == 1.0
    assert set(answer) >= {"text", "intent", "lang", "score", "suggestions"}
    assert answer["suggestions"] and all(isinstance(s, str) for s in answer["suggestions"])


def test_ask_json_russian_question_answers_1950_in_russian():
    answer = json.loads(run("ask", "--json", stdin="когда создали УВКБ\n").stdout)
    assert answer["intent"] == "history" and answer["lang"] == "ru"
    assert "1950" in answer["text"] and "По состоянию на 25 марта 2016" in answer["text"]


def test_ask_reads_one_message_per_line_and_answers_each_on_one_line():
    out = run("ask", "--json", stdin="/office\nwhat is the weather in almaty\nсәлем\n")
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [a["intent"] for a in lines] == ["office", None, "greeting"]
    assert lines[2]["lang"] == "kk"
    plain = run("ask", stdin="/office\n/history\n").stdout.splitlines()
    assert len(plain) == 2 and "Almaty" in plain[0] and "1950" in plain[1]


def test_ask_with_text_argument_and_lang():
    out = run("ask", "--lang", "kk", "/office")
    assert "Алматы" in out.stdout and out.returncode == 0


def test_explain_shows_candidates_with_scores():
    out = run("explain", "who heads the office in almaty").stdout
    lines = [line for line in out.splitlines() if line[:1].isdigit()]
    assert 1 <= len(lines) <= 3 and "head" in lines[0]


def test_topics_lists_every_command():
    out = run("topics").stdout
    for command in ("/office", "/history", "/law", "/process"):
        assert command in out


def test_eval_reports_each_language():
    out = run("eval").stdout
    assert all(line in out for line in ("en:", "ru:", "kk:", "out of scope declined"))


def test_chat_switches_language_and_keeps_it_in_the_store(tmp_path):
    env = {"STATE_PATH": str(tmp_path / "state.sqlite3")}
    out = run("chat", stdin="/language ru\n/office\n", env=env).stdout
    assert "Алматы" in out and "По состоянию на" in out
    again = run("chat", stdin="/office\n", env=env).stdout  # a new session, the same store
    assert again.startswith("Здравствуйте") and "По состоянию на" in again


def test_console_has_no_rate_limit_and_quit_ends_it(tmp_path):
    env = {"STATE_PATH": str(tmp_path / "state.sqlite3")}
    out = run("chat", stdin="/office\n" * 30 + "/quit\n/history\n", env=env)
    assert out.returncode == 0 and out.stderr == ""
    assert out.stdout.count("Almaty") >= 30, "every question at the keyboard is answered"
    assert "1950" not in out.stdout, "nothing after /quit is answered"
    assert "faster than" not in out.stdout


def test_run_without_tokens_is_the_console(tmp_path):
    out = run("run", stdin="exit\n", env={"STATE_PATH": str(tmp_path / "state.sqlite3")})
    assert out.returncode == 0 and "UNHCR" in out.stdout and out.stderr == ""


def test_ask_into_a_closed_pipe_exits_quietly():
    head = subprocess.run(f"{sys.executable} -m bot ask --json < /dev/null; "
                          f"yes /office | head -2000 | {sys.executable} -m bot ask | head -1",
                          shell=True, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "Almaty" in head.stdout and "Traceback" not in head.stderr
    assert "BrokenPipe" not in head.stderr


def test_bot_refuses_to_start_on_invalid_content(tmp_path):
    broken = tmp_path / "content"
    shutil.copytree(ROOT / "content", broken)
    path = broken / "topics" / "office.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("command: office", "comand: office"),
                    encoding="utf-8")
    out = run("--content", str(broken), "ask", "/office")
    assert out.returncode == 2
    assert "office.yaml:3:1" in out.stderr and "did you mean 'command'" in out.stderr
    assert out.stdout == ""


def test_without_a_content_folder_one_line_says_how_to_point_at_one(tmp_path):
    out = run("--content", str(tmp_path / "nowhere"), "ask", "where is the office")
    assert out.returncode == 2 and out.stdout == ""
    [line] = out.stderr.strip().splitlines()
    assert "--content FOLDER or set CONTENT_DIR" in line


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})


def test_eval_compare_lists_what_an_edit_moved_and_fails_under_a_bar(content_dir):
    """An editor raises the threshold: questions that were answered are now declined, listed
    before -> after, and the command fails because a language fell under its bar."""
    _git(content_dir, "init", "-q")
    _git(content_dir, "add", ".")
    _git(content_dir, "commit", "-q", "-m", "content as shipped")
    messages = content_dir / "messages.yaml"
    text = messages.read_text("utf-8")
    assert "  threshold: 0.6\n" in text
    messages.write_text(text.replace("  threshold: 0.6\n", "  threshold: 0.9\n"), "utf-8")
    out = run("--content", str(content_dir), "eval", "--compare", "HEAD")
    assert out.returncode == 1, out.stderr
    moved = [line for line in out.stdout.splitlines() if line.endswith(" -> decline")]
    assert len(moved) >= 10 and any("[ru]" in line for line in moved)
    assert "message(s) go elsewhere than at HEAD (before -> after):" in out.stdout
    assert "under the bar: questions.yaml: accuracy in" in out.stderr


def test_eval_save_then_compare_with_no_edit_lists_nothing(tmp_path):
    saved = tmp_path / "routes.json"
    assert run("eval", "--save", str(saved)).returncode == 0
    routes = json.loads(saved.read_text("utf-8"))
    assert {"file", "lang", "q", "route"} <= set(routes[0])
    assert any(r["route"].startswith("referral ") for r in routes)
    out = run("eval", "--compare", str(saved))
    assert out.returncode == 0 and "no message goes elsewhere than at" in out.stdout


def test_eval_compare_with_an_unknown_ref_says_so_in_one_line():
    out = run("eval", "--compare", "no-such-ref-anywhere")
    assert out.returncode == 2
    assert out.stderr.strip().splitlines()[-1].startswith("eval --compare: no-such-ref-anywhere:")


def test_ask_platform_telegram_prints_the_send_message_calls_the_adapter_would_make(bot):
    from adapters.telegram.render import render
    from bot.message import Message
    out = run("ask", "--platform", "telegram", "/office")
    assert out.returncode == 0, out.stderr
    [call] = json.loads(out.stdout)
    [expected] = render(bot.answer(Message(text="/office", platform="telegram")))
    assert call["method"] == "sendMessage" and call["parse_mode"] == "HTML"
    assert call["text"] == expected.text and "<b>Almaty</b>" in call["text"]
    assert call["reply_markup"] == expected.reply_markup.to_dict()
    assert [b["callback_data"] for b in call["reply_markup"]["inline_keyboard"][-1]] == [
        "f:+:office:en", "f:-:office:en"], "the editor sees the feedback row users get"


def test_ask_platform_slack_prints_the_block_kit_body_with_slacks_own_help():
    out = run("ask", "--platform", "slack", "/help")
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert body["method"] == "chat.postMessage" and body["blocks"][0]["type"] in ("header", "section")
    assert "/unhcr" in json.dumps(body["blocks"], ensure_ascii=False)


def test_coverage_shows_each_topic_per_language_and_names_thin_ones(content_dir):
    import yaml
    visits = content_dir / "topics" / "visits.yaml"
    data = yaml.safe_load(visits.read_text("utf-8"))
    kept = data["kk"]["examples"][:9]
    text = visits.read_text("utf-8")
    for example in data["kk"]["examples"][9:]:
        text = text.replace(f"    - {example}\n", "", 1)
    visits.write_text(text, "utf-8")
    assert yaml.safe_load(text)["kk"]["examples"] == kept
    out = run("--content", str(content_dir), "coverage")
    assert out.returncode == 0, out.stderr
    rows = {line.split()[0]: line for line in out.stdout.splitlines() if line[:1].isalpha()}
    assert {"office", "asylum", "statelessness", "visits"} <= set(rows)
    assert "kk 9" in rows["visits"]
    assert "visits [kk]: 9 examples (add some to topics/visits.yaml" in out.stdout


def test_the_console_numbers_a_did_you_mean_question_and_a_number_answers_it(tmp_path):
    out = run("run", stdin="office head\n2\n/quit\n",
              env={"STATE_PATH": str(tmp_path / "state.sqlite3")})
    assert out.returncode == 0, out.stderr
    asked = out.stdout.split("Did you mean one of these?", 1)[1]
    numbered = [line for line in asked.splitlines() if line[:3] in ("1. ", "2. ")]
    assert len(numbered) == 2
    second_command = numbered[1].split()[1]  # "2. /head Head of the UNHCR Office"
    expected = run("ask", second_command).stdout.strip().splitlines()[0]
    assert expected in asked  # "2" answered the second topic


def test_validate_warns_about_a_topic_no_labelled_question_asks_about(content_dir):
    labelled = content_dir.parent / "tests" / "eval"
    labelled.mkdir(parents=True)
    (labelled / "questions.yaml").write_text(
        '- {q: "where is the office", lang: en, intent: office}\n'
        '- {q: "где офис", lang: ru, intent: office}\n'
        '- {q: "кеңсе қайда", lang: kk, intent: office}\n'
        '- {q: "who heads it", lang: en, intent: head}\n', "utf-8")
    out = run("validate", str(content_dir))
    assert out.returncode == 0, out.stdout
    lines = out.stdout.splitlines()
    head = [line for line in lines if line.startswith(str(content_dir / "topics" / "head.yaml"))]
    assert len(head) == 1 and "warning: no question in" in head[0] and "in ru, kk" in head[0]
    assert not any("office.yaml" in line and "no question" in line for line in lines)
    assert any("intent: head}" in line for line in lines)  # the hint shows how to add one


def test_validate_reads_the_content_folder_given_before_it_and_refuses_a_phrase_as_a_class_word(
        content_dir):
    # A class word stands for its class wherever it is typed: "келіп тұр" (is coming) would
    # make "келіп" (having come) read as a wish. `--content DIR validate` checks DIR.
    path = content_dir / "protection.yaml"
    path.write_text(path.read_text("utf-8").replace("    kk: [келеді, келмейді]",
                                                    "    kk: [келеді, келмейді, келіп тұр]"), "utf-8")
    out = run("--content", str(content_dir), "validate")
    assert out.returncode == 2
    line = next(line for line in out.stdout.splitlines() if "келіп тұр" in line)
    assert line.startswith(f"{path}:") and line.endswith("error: 'келіп тұр' is more than one word")


# -- bot report -----------------------------------------------------------------------------------
def _row(report: str, start: str) -> list[str]:
    """The words of the report's first line that starts with `start` (after its indent)."""
    return next(line.split() for line in report.splitlines() if line.strip().startswith(start))


def test_report_after_console_traffic_shows_answers_per_language_and_did_you_mean_pairs(tmp_path):
    env = {"STATE_PATH": str(tmp_path / "state.sqlite3")}
    chat = run("chat", env=env, stdin="where is the unhcr office?\nгде находится офис УВКБ?\n"
                                      "office head\n2\n/quit\n")
    assert chat.returncode == 0, chat.stderr
    offered = chat.stdout.split("Did you mean one of these?", 1)[1].split("\n\n", 1)[1]
    first, second = (line.split()[1].lstrip("/") for line in offered.splitlines()[:2])
    out = run("report", env=env)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    assert "From the state store (sqlite), the last 30 days" in out.stdout
    assert _row(out.stdout, "topic") == ["topic", "all", "en", "ru", "kk"]
    assert _row(out.stdout, "office ") == ["office", "2", "1", "1", "0"]
    topics = {t.command: t.id for t in load_content().topics}
    pair = sorted([topics[first], topics[second]])
    assert _row(out.stdout, "1  ") == ["1", pair[0], "+", pair[1], "en", "1"]
    assert _row(out.stdout, topics[second] + " ")[:3] == [topics[second], "1", "1"], \
        "the number typed is an answer too"
    assert "console-user" not in out.stdout


async def _traffic(store) -> None:
    """Three people ask a question the bot declines, two another; one taps "helpful"."""
    from bot.answer import Bot
    from bot.service import Service
    service = Service(Bot(load_content()), store)
    for user in ("101", "202", "303"):
        await service.handle(Message(text="How do I get a WORK permit in Kazakhstan?",
                                     platform="telegram", user_id=user))
    for user in ("101", "202"):
        await service.handle(Message(text="what is the weather in almaty", platform="slack",
                                     user_id=user))
    await service.handle(Message(text="/asylum", platform="telegram", user_id="101"))
    await service.feedback(platform="telegram", user_id="101", answer="101:7", topic="asylum",
                           lang="en", helpful=True)
    await store.close()


def _check_declined_and_feedback(report: str) -> None:
    from adapters.report import nearest_topic
    from bot.answer import Bot
    text = "how do i get a work permit in kazakhstan"
    topic, score = nearest_topic(Bot(load_content()), text)
    assert f"      3  {text}  -> {topic} {score:.2f}" in report
    assert "weather" not in report, "asked by two people only"
    assert _row(report, "asylum ")[:3] == ["asylum", "1", "1"], "answered once, in English"
    assert any(line.split() == ["asylum", "1", "/", "0", "en", "1/0"] for line in report.splitlines())
    for user in ("101", "202", "303"):
        assert user not in report


def test_report_lists_declined_questions_of_three_people_with_the_nearest_topic(tmp_path):
    import asyncio

    from adapters.state.sqlite_store import SqliteState
    asyncio.run(_traffic(SqliteState(tmp_path / "state.sqlite3")))
    out = run("report", env={"STATE_PATH": str(tmp_path / "state.sqlite3")})
    assert out.returncode == 0, out.stderr
    _check_declined_and_feedback(out.stdout)


def test_report_reads_redis_as_it_reads_sqlite(tmp_path):
    import asyncio

    import pytest

    from adapters.state.redis_store import RedisState
    from tests.redis_server import RedisServer, redis_server_path
    if redis_server_path() is None:
        pytest.skip("Redis report skipped: redis-server is not installed")
    secret = "r" * 32
    with RedisServer(tmp_path) as server:
        asyncio.run(_traffic(RedisState(server.url, secret.encode())))
        out = run("report", env={"REDIS_URL": server.url, "STATE_SECRET": secret})
    assert out.returncode == 0, out.stderr
    assert "From the state store (redis)" in out.stdout
    _check_declined_and_feedback(out.stdout)
