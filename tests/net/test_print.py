"""``chatui -p``: the real command in a subprocess, against the scripted server over loopback."""

from __future__ import annotations

import json
import re
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chatui.transcripts import TranscriptStore
from chatui.turn import Status
from tests.conftest import API_KEY


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    """A clean environment: private data and config dirs, no key unless a test adds one."""
    base = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and not k.startswith("CHATUI_")}
    return {**base, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_CACHE_HOME": str(tmp_path / "cache"), "CHATUI_API_KEY": API_KEY}


def chatui(*args: str, env: dict[str, str], stdin: str | None = None, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "chatui", *args],
        env=env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


def store(env: dict[str, str], demo: bool = False) -> TranscriptStore:
    return TranscriptStore(Path(env["XDG_DATA_HOME"]) / "chatui" / ("demo" if demo else "") / "conversations")


def test_answer_to_a_pipe_is_plain_text_and_the_turn_is_saved(server, env):
    out = chatui("--base-url", server.base_url, "--model", "demo-cjk", "-p", "中文で", env=env)
    assert out.returncode == 0, out.stderr
    assert "你好！这是一个" in out.stdout and "🚀" in out.stdout and out.stdout.endswith("\n")
    assert "\x1b" not in out.stdout and out.stderr == ""
    saved = store(env).load(store(env).latest().path)
    assert saved.turns[0].user_text == "中文で" and saved.turns[0].status is Status.COMPLETED


def test_piped_stdin_joins_the_prompt_and_dash_reads_it_alone(server, env):
    out = chatui("--base-url", server.base_url, "--model", "chatui-demo", "-p", "summarise this", env=env, stdin="line one\nline two\n")
    assert out.returncode == 0, out.stderr
    assert server.posts()[-1]["input"][-1]["content"][0]["text"] == "line one\nline two\n\nsummarise this"
    out = chatui("--base-url", server.base_url, "--model", "chatui-demo", "-p", "-", env=env, stdin="the whole prompt")
    assert out.returncode == 0, out.stderr
    assert server.posts()[-1]["input"][-1]["content"][0]["text"] == "the whole prompt"


def test_json_reasoning_and_usage(server, env):
    out = chatui("--base-url", server.base_url, "--model", "demo-reasoning", "-p", "think", "--json", env=env)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["status"] == "completed" and data["model"] == "demo-reasoning" and "**42**" in data["answer"]
    assert data["reasoning"] and data["usage"]["total_tokens"] > 0 and data["error"] is None
    out = chatui("--base-url", server.base_url, "--model", "demo-reasoning", "-p", "think", "--reasoning", "--usage", env=env)
    assert out.returncode == 0
    assert "Okay, the user asked" in out.stderr and "tokens: input" in out.stderr
    assert "Okay, the user asked" not in out.stdout and "**42**" in out.stdout


def test_continue_sends_the_history_and_appends_to_the_same_conversation(server, env):
    assert chatui("--base-url", server.base_url, "--model", "chatui-demo", "-p", "first question", env=env).returncode == 0
    out = chatui("--base-url", server.base_url, "--model", "demo-reasoning", "-c", "-p", "and then?", env=env)
    assert out.returncode == 0, out.stderr
    sent = server.posts()[-1]["input"]
    assert sent[0]["content"][0]["text"] == "first question" and sent[-1]["content"][0]["text"] == "and then?"
    conversations = store(env).summaries()
    assert len(conversations) == 1
    turns = store(env).load(conversations[0].path).turns
    assert [t.model for t in turns] == ["chatui-demo", "demo-reasoning"]


def test_a_failure_mid_stream_keeps_the_partial_text_and_exits_1(server, env):
    out = chatui("--base-url", server.base_url, "--model", "fail-midstream", "-p", "moons?", env=env)
    assert out.returncode == 1
    assert "The three largest moons of Saturn are" in out.stdout
    assert "failed in the middle" in out.stderr and out.stderr.count("\n") == 1
    assert store(env).load(store(env).latest().path).turns[0].status is Status.FAILED


def test_server_errors_are_plain_and_never_show_the_key(server, env):
    out = chatui("--base-url", server.base_url, "--model", "unauthorized", "-p", "hi", env={**env, "CHATUI_API_KEY": "sk-wrong-SECRET-key-123456"})
    assert out.returncode == 1 and "API key was rejected" in out.stderr
    assert "SECRET" not in out.stdout + out.stderr
    out = chatui("--base-url", server.base_url, "--model", "hostile", "-p", "be hostile", env=env)
    assert out.returncode == 0 and "\x1b" not in out.stdout and "\x07" not in out.stdout


def test_usage_errors_and_a_missing_key_exit_2(server, env):
    no_key = {k: v for k, v in env.items() if k != "CHATUI_API_KEY"}
    out = chatui("--base-url", server.base_url, "-p", "hi", env=no_key)
    assert out.returncode == 2 and "CHATUI_API_KEY" in out.stderr and "AIHUBMIX_API_KEY" in out.stderr
    assert out.stderr.count("\n") == 1 and not server.posts()
    out = chatui("--json", env=env)
    assert out.returncode == 2 and "go with -p" in out.stderr
    out = chatui("-p", "-", env=env)  # stdin is empty: nothing to send
    assert out.returncode == 2 and "empty" in out.stderr
    out = chatui("-c", "-p", "hi", "--base-url", server.base_url, env=env)
    assert out.returncode == 1 and "no saved conversation" in out.stderr


def test_ctrl_c_exits_130_and_keeps_the_partial_answer(paced_server, env):
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatui", "--base-url", paced_server.base_url, "--model", "slow", "-p", "go"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        first = proc.stdout.read(12)  # blocks until the answer is streaming
        assert first.startswith("word0")
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "stopped" in err
    turn = store(env).load(store(env).latest().path).turns[-1]
    assert turn.status is Status.CANCELLED and turn.answer.startswith("word0 word1")


def test_demo_answers_offline_and_keeps_its_own_history(env):
    no_key = {k: v for k, v in env.items() if k != "CHATUI_API_KEY"}
    started = time.monotonic()
    out = chatui("--demo", "-p", "a table please", env=no_key, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "|" in out.stdout and time.monotonic() - started < 120
    assert store(no_key, demo=True).summaries() and not store(no_key).summaries()
    again = chatui("--demo", "-c", "-p", "more", env=no_key, timeout=120)
    assert again.returncode == 0, again.stderr
    assert len(store(no_key, demo=True).summaries()) == 1


def test_tool_calls_and_sources_follow_the_answer(server, env):
    out = chatui("--base-url", server.base_url, "--model", "web-search", "-p", "find", env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Textual and HTTPX are well kept.\n")
    assert '[web search: "python terminal ui libraries" · 2 sources]' in out.stdout
    assert "Sources:\n[1] Textual — https://textual.textualize.io/\n[2] HTTPX — https://www.python-httpx.org/" in out.stdout
    assert "\x1b" not in out.stdout  # the hostile source title stays text
    out = chatui("--base-url", server.base_url, "--model", "tools", "-p", "go", "--json", env=env)
    data = json.loads(out.stdout)
    assert [c["type"] for c in data["tool_calls"]] == ["function_call", "mcp_call", "code_interpreter_call", "file_search_call", "fancy_new_call"]
    assert data["tool_calls"][0]["title"].startswith("tool call: get_weather(")


def test_several_models_answer_side_by_side_and_one_failing_disturbs_none(server, env):
    out = chatui("--base-url", server.base_url, "-m", "demo-mini", "-m", "fail-midstream", "-m", "demo-cjk", "-p", "compare this", env=env)
    assert out.returncode == 1, out.stderr  # one of them failed
    parts = out.stdout.split("── ")
    assert [p.split(" ──")[0] for p in parts[1:]] == ["demo-mini", "fail-midstream", "demo-cjk"]
    assert "Here is a comparison" in parts[1] and "你好！这是一个" in parts[3]
    assert "fail-midstream: The server failed in the middle of the answer" in out.stderr
    saved = store(env).load(store(env).latest().path)
    assert [t.model for t in saved.all_turns] == ["demo-mini", "fail-midstream", "demo-cjk"]
    assert len({t.parent for t in saved.all_turns}) == 1 and saved.turns[-1].model == "demo-mini"  # siblings; the first continues
    posts = [p for p in server.posts() if p["input"][-1]["content"][0]["text"] == "compare this"]
    assert sorted(p["model"] for p in posts) == ["demo-cjk", "demo-mini", "fail-midstream"]
    out = chatui("--base-url", server.base_url, "-m", "demo-mini", "-m", "demo-cjk", "-p", "again", "--json", env=env)
    data = json.loads(out.stdout)
    assert [d["model"] for d in data] == ["demo-mini", "demo-cjk"] and all(d["status"] == "completed" for d in data)
    out = chatui("--base-url", server.base_url, "-m", "a", "-m", "b", env=env)
    assert out.returncode == 2 and "with -p" in out.stderr


def test_export_all_branches_from_the_command_line(server, env):
    chatui("--base-url", server.base_url, "-m", "demo-mini", "-m", "demo-cjk", "-p", "hello", env=env)
    out = chatui("export", "latest", "--all-branches", env=env)
    assert out.returncode == 0, out.stderr
    assert "# Branch 1 of 2 (the one on screen)" in out.stdout and "# Branch 2 of 2" in out.stdout and "你好" in out.stdout
    assert "Branch" not in chatui("export", "latest", env=env).stdout


def test_kill_9_during_a_compare_leaves_a_valid_file_with_every_answer_that_finished(paced_server, env):
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatui", "--base-url", paced_server.base_url, "-m", "demo-mini", "-m", "slow", "-p", "go"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        def finished_one() -> bool:
            latest = store(env).latest()
            if latest is None:
                return False
            turns = store(env).load(latest.path).all_turns
            return any(t.model == "demo-mini" and t.status is Status.COMPLETED for t in turns)

        deadline = time.monotonic() + 60
        while not finished_one():  # demo-mini ends within a few seconds; slow takes ~10 s
            assert time.monotonic() < deadline and proc.poll() is None, "the first answer was never saved on its own"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    conv = store(env).load(store(env).latest().path)  # valid: it loads
    by_model = {t.model: t for t in conv.all_turns}
    assert by_model["demo-mini"].status is Status.COMPLETED and by_model["demo-mini"].answer
    assert by_model["slow"].status is Status.CUT  # was streaming when killed


def test_a_reader_that_goes_away_ends_quietly_and_keeps_what_arrived(server, env):
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatui", "--base-url", server.base_url, "--model", "bulk-2000-100000", "-p", "go"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout.read(100)  # as `| head -c 100` does, then it goes away
        proc.stdout.close()
        err = proc.stderr.read().decode()
        proc.wait(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 141 and "Traceback" not in err and "Error" not in err, err
    turn = store(env).load(store(env).latest().path).turns[-1]
    assert turn.answer and turn.status is not Status.STREAMING


def test_usage_and_json_carry_cost_and_context_from_the_catalogue_or_the_config(server, env, tmp_path):
    config = tmp_path / "cfg" / "chatui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f"""
[profiles.hub]
base_url = "{server.base_url}"
catalogue = "aihubmix"

[profiles.mine]
base_url = "{server.base_url}"
catalogue = "none"
[profiles.mine.prices]
"demo-cjk" = {{ input = 1, output = 1, context_length = 1000 }}
""")
    out = chatui("--profile", "hub", "--model", "tiny-context", "-p", "hi", "--usage", env=env)
    assert out.returncode == 0, out.stderr
    assert re.search(r"cost \$0\.000\d+ · context \d+% of 2K", out.stderr), out.stderr
    out = chatui("--profile", "hub", "-m", "demo-mini", "-m", "gateway-cost", "-p", "hi", "--json", env=env)
    both = json.loads(out.stdout)
    assert [d["cost"]["source"] for d in both] == ["aihubmix", "gateway"] and both[1]["cost"]["usd"] == "0.0123456"
    assert both[0]["context"]["limit"] == 400_000 and both[0]["cost"]["prices"] == {"input": "0.25", "output": "2", "cache_read": "0.025"}
    out = chatui("--profile", "mine", "--model", "demo-cjk", "-p", "hi", "--json", env=env)
    data = json.loads(out.stdout)
    assert data["cost"]["source"] == "config" and data["context"]["limit"] == 1000
    out = chatui("--profile", "mine", "--model", "demo-mini", "-p", "hi", "--usage", env=env)
    assert out.returncode == 0 and "cost" not in out.stderr and "context" not in out.stderr  # no price known: none shown
    assert not any(r["path"].endswith("/api/v1/models") and "authorization" in r["headers"] for r in server.requests)


def test_models_long_lists_context_prices_and_capabilities(server, env, tmp_path):
    config = tmp_path / "cfg" / "chatui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[profiles.hub]\nbase_url = "{server.base_url}"\ncatalogue = "aihubmix"\n')
    plain = chatui("models", "--profile", "hub", env=env)
    assert plain.returncode == 0 and "demo-reasoning\n" in plain.stdout  # one id a line, for scripts
    long = chatui("models", "--profile", "hub", "-l", env=env)
    row = next(line for line in long.stdout.splitlines() if line.startswith("demo-reasoning "))
    assert row.split() == ["demo-reasoning", "200K", "$3", "$15", "reasoning"]
    unknown = next(line for line in long.stdout.splitlines() if line.startswith("bulk "))
    assert unknown.split() == ["bulk", "–", "–", "–"]  # not in the catalogue: nothing invented
