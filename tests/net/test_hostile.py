"""A hostile server, hostile files and a careless config: every channel stays text, the key never escapes,
numbers and shapes are data, buffers are capped, POST redirects are not followed."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chatui.demo import ScriptedServer
from chatui.demo.builder import Reply
from chatui.session import make_session
from chatui.transcripts import TranscriptStore
from tests.conftest import API_KEY, chat

# An OSC 52 clipboard write, a clear-screen CSI, a C1 CSI, a bidi override, an invisible tag, and markup.
HOSTILE = "A\x1b]52;c;aGk=\x07B\x1b[2JC\x9b31mD\u202eE\U000e0041F[bold red]G[/]H[/x]"
SAFE = "ABCDEFGH"  # what must be left of the letters, in order


def assert_inert(text: str) -> None:
    """No escape, C1 or invisible format character; the markup still there, as text."""
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text and "\U000e0041" not in text, repr(text)


def sse(*events: dict) -> Reply:
    """A 200 event stream of ``events``."""
    body = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events)
    return Reply(200, {"Content-Type": "text/event-stream"}, None, [(body, 0.0)])


def answer(text: str, end: str = "response.completed", **response) -> Reply:
    """A stream answering ``text`` and ending with ``end`` (its response object gets ``response``)."""
    item = {"id": "msg_1", "type": "message", "role": "assistant", "status": "in_progress", "content": []}
    return sse(
        {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress", "output": []}},
        {"type": "response.output_item.added", "output_index": 0, "item": item},
        {"type": "response.content_part.added", "item_id": "msg_1", "output_index": 0, "content_index": 0, "part": {"type": "output_text", "text": ""}},
        {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": text},
        {"type": end, "response": {"id": "resp_1", "status": end.split(".")[1], "output": [], **response}},
    )


@pytest.fixture
def hostile():
    """A scripted server whose replies a test sets with ``hostile.override``."""
    with ScriptedServer(api_key=API_KEY, pace=0) as srv:
        yield srv


def on_post(reply: Reply):
    return lambda method, path, body: reply if method == "POST" else None


# -- 1. untrusted text stays text -------------------------------------------------------


def _cli(server: ScriptedServer, *args: str, home: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"),
               "CHATUI_API_KEY": API_KEY, "CHATUI_BASE_URL": server.base_url, "CHATUI_LANG": "en", **env}
    return subprocess.run([sys.executable, "-m", "chatui", *args], capture_output=True, env=environ, timeout=60)


def test_chatui_models_prints_hostile_ids_errors_and_request_ids_as_plain_text(hostile, tmp_path):
    hostile.override = lambda m, p, b: Reply(200, {"Content-Type": "application/json"}, json.dumps({"data": [{"id": HOSTILE}, {"id": "ok-model"}]}).encode())
    done = _cli(hostile, "models", home=tmp_path)
    out = done.stdout.decode()
    assert done.returncode == 0 and "ok-model" in out
    assert_inert(out)
    assert "[bold red]G[/]H[/x]" in out
    hostile.override = lambda m, p, b: Reply(500, {"Content-Type": "application/json", "x-request-id": "req\x9b2J\u00ad1"},
                                             json.dumps({"error": {"message": HOSTILE, "code": HOSTILE}}).encode())
    done = _cli(hostile, "models", home=tmp_path)
    err = done.stderr.decode()
    assert done.returncode == 1 and "Server said" in err and "req" in err
    assert_inert(err)
    assert "\u00ad" not in err


def test_chatui_config_and_export_echo_hostile_values_as_text(server, tmp_path):
    config = tmp_path / "config" / "chatui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[profiles.aihubmix]\nmodel = "m\\u001b[2J\\u202e[b]x[/b]"\n[ui]\ntheme = "t\\u001b]52;c;YQ==\\u0007"\n', encoding="utf-8")
    done = _cli(server, "config", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert_inert(done.stdout.decode())
    assert "[b]x[/b]" in done.stdout.decode()
    # a transcript whose id and title are hostile
    store = TranscriptStore(tmp_path / "data" / "chatui" / "conversations")
    session = make_session(base_url=server.base_url, api_key=API_KEY, model="chatui-demo", store=store)
    session.conversation.id = "../../evil\x1b[2J"
    session.conversation.title = HOSTILE
    session.save()
    done = _cli(server, "export", "latest", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert_inert(done.stdout.decode())
    written = Path(session.export("md", cwd=tmp_path))
    assert written.parent == tmp_path and ".." not in written.name and "\x1b" not in written.name


async def test_a_hostile_incomplete_reason_and_answer_stay_text_on_screen(hostile, tmp_path):
    from chatui.ui.factory import make_app
    from tests.app.conftest import screen_segments, screen_text, send

    hostile.override = on_post(answer("fine", "response.incomplete", incomplete_details={"reason": HOSTILE}))
    app = make_app(base_url=hostile.base_url, api_key=API_KEY, model=HOSTILE, store=TranscriptStore(tmp_path / "c"))
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "hello")
        text = screen_text(app)
        assert "Stopped early" in text and "[bold red]G[/]H" in text
        for segment in screen_segments(app):
            assert_inert(segment)
        assert "[/x]" in app.query_one("#reasoning").border_title or "[/x]" in text  # a model id "[/x]" is a title, not markup


async def test_hostile_file_names_titles_and_themes_reach_toasts_and_fields_as_text(tmp_path):
    from chatui.config import UIPrefs
    from chatui.ui.factory import make_app
    from chatui.ui.screens.history import HistoryScreen

    store = TranscriptStore(tmp_path / "c")
    session = make_session(base_url="http://127.0.0.1:1/v1", api_key="demo", model="m", store=store)
    session.conversation.title = HOSTILE
    session.save()
    (store.root / f"bad{HOSTILE[:12]}.json").write_text("{not json")
    app = make_app(session, prefs=UIPrefs(theme="t\x1b]52;c;YQ==\x07[b]"))
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(HistoryScreen(store))
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        from textual.widgets import Input

        assert_inert(app.screen.query_one("#rename", Input).value)
        messages = [n.message for n in app._notifications]
        assert any("Skipped" in m for m in messages) and any("Unknown theme" in m for m in messages)
        for message in messages:
            assert_inert(message)


# -- 2. the key never escapes -------------------------------------------------------------


@pytest.mark.parametrize("where", ["failed", "incomplete", "error-event", "answer", "http-error"])
async def test_a_key_echoed_by_the_server_never_reaches_the_transcript_or_the_screen(hostile, tmp_path, where):
    echo = f"your key {API_KEY} is"
    replies = {
        "failed": answer("x", "response.failed", error={"message": echo, "code": API_KEY}),
        "incomplete": answer("x", "response.incomplete", incomplete_details={"reason": echo}),
        "error-event": sse({"type": "error", "message": echo, "code": API_KEY, "param": API_KEY}),
        "answer": answer(echo),
        "http-error": Reply(400, {"Content-Type": "application/json", "x-request-id": API_KEY}, json.dumps({"error": {"message": echo, "code": API_KEY, "param": API_KEY}}).encode()),
    }
    hostile.override = on_post(replies[where])
    store = TranscriptStore(tmp_path / "c")
    session = make_session(base_url=hostile.base_url, api_key=API_KEY, model="m", store=store)
    turn = await chat(session, "hi")
    await session.aclose()
    saved = b"".join(p.read_bytes() for p in store.root.glob("*.json"))
    assert saved and API_KEY.encode() not in saved and API_KEY[-8:].encode() not in saved
    assert API_KEY not in json.dumps(turn.to_dict())


def test_the_key_is_masked_in_every_repr_a_traceback_could_print():
    from chatui.client import ResponsesClient
    from chatui.config import Effective, Profile
    from chatui.secret import Secret

    client = ResponsesClient("http://127.0.0.1:1/v1", API_KEY)
    assert API_KEY not in repr(client) and API_KEY not in repr(vars(client) if hasattr(client, "__dict__") else client)
    assert API_KEY not in repr(Secret(API_KEY)) and API_KEY not in str(Secret(API_KEY))
    eff = Effective(Profile("p", "http://x"), "http://x", "m", API_KEY)
    assert API_KEY not in repr(eff)
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(Secret(API_KEY))


async def test_deeply_nested_json_on_models_is_a_message_not_a_traceback(hostile):
    nested = b'{"error": ' * 100_000 + b"1" + b"}" * 100_000
    hostile.override = lambda m, p, b: Reply(500, {"Content-Type": "application/json"}, nested)
    session = make_session(base_url=hostile.base_url, api_key=API_KEY, model="m")
    from chatui.session import Refused

    with pytest.raises(Refused) as caught:
        await session.models_note()
    assert API_KEY not in caught.value.message
    hostile.override = lambda m, p, b: Reply(200, {"Content-Type": "application/json"}, b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    with pytest.raises(Refused):
        await session.models_note()
    await session.aclose()


def test_a_key_file_others_can_read_is_warned_about_and_a_shared_folder_is_never_locked(tmp_path, monkeypatch):
    from chatui import config

    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    key_file = config.write_key_file(shared / "work.key", API_KEY)
    assert shared.stat().st_mode & 0o777 == 0o755  # the folder the user owns stays as it was
    assert key_file.stat().st_mode & 0o777 == 0o600
    fresh = config.write_key_file(tmp_path / "new" / "k.key", API_KEY)
    assert fresh.parent.stat().st_mode & 0o777 == 0o700  # a folder chatui made is private
    os.chmod(key_file, 0o644)
    warning = config.key_file_warning(key_file)
    assert warning and "644" in warning and API_KEY not in warning
    assert config.key_file_warning(fresh) is None


# -- 4. numbers from a server are data -----------------------------------------------------


@pytest.mark.parametrize("usage", [
    {"input_tokens": 1e309, "output_tokens": float("nan"), "total_tokens": -4},
    {"input_tokens": "12", "output_tokens": [1], "output_tokens_details": {"reasoning_tokens": 10**400}},
    {"input_tokens": True, "cost": "1e309", "input_tokens_details": "x"},
    "not an object",
])
async def test_absurd_usage_never_fails_a_completed_turn(hostile, tmp_path, usage):
    body = answer("the whole answer", usage=usage)
    # json.dumps writes NaN/Infinity as JSON does not, but real servers do
    hostile.override = on_post(body)
    store = TranscriptStore(tmp_path / "c")
    session = make_session(base_url=hostile.base_url, api_key=API_KEY, model="m", store=store)
    turn = await chat(session, "hi")
    await session.aclose()
    assert str(turn.status) == "completed" and turn.answer == "the whole answer"
    saved = store.load(session.conversation.id)
    assert saved.turns[-1].answer == "the whole answer" and str(saved.turns[-1].status) == "completed"


# -- 3. caps -------------------------------------------------------------------------------


async def test_an_unterminated_line_is_refused_at_the_cap_not_buffered_forever(hostile):
    from chatui import defaults

    endless = b"data: " + b"x" * (defaults.MAX_EVENT_BYTES + (1 << 20))
    hostile.override = on_post(Reply(200, {"Content-Type": "text/event-stream"}, None, [(endless[i:i + (1 << 20)], 0.0) for i in range(0, len(endless), 1 << 20)]))
    session = make_session(base_url=hostile.base_url, api_key=API_KEY, model="m")
    started = time.monotonic()
    turn = await chat(session, "hi")
    await session.aclose()
    assert str(turn.status) == "failed" and "too large" in turn.error["message"]
    assert time.monotonic() - started < 30


async def test_a_gzip_bomb_for_a_model_list_is_refused_at_the_cap(hostile):
    bomb = gzip.compress(b'{"data": [' + b" " * (64 << 20) + b"]}", compresslevel=9)
    assert len(bomb) < (1 << 20)
    hostile.override = lambda m, p, b: Reply(200, {"Content-Type": "application/json", "Content-Encoding": "gzip"}, bomb) if m == "GET" else None
    session = make_session(base_url=hostile.base_url, api_key=API_KEY, model="m")
    from chatui.session import Refused

    with pytest.raises(Refused) as caught:
        await session.models_note()
    assert "larger than" in caught.value.message
    await session.aclose()


# -- 6. redirects ---------------------------------------------------------------------------


async def test_a_post_redirected_to_another_origin_is_not_followed(hostile):
    with ScriptedServer(pace=0) as elsewhere:
        hostile.override = on_post(Reply(307, {"Location": f"{elsewhere.base_url}/responses", "Content-Length": "0"}, b""))
        session = make_session(base_url=hostile.base_url, api_key=API_KEY, model="chatui-demo")
        turn = await chat(session, "a secret conversation")
        await session.aclose()
        assert str(turn.status) == "failed"
        assert "redirected" in turn.error["message"] and elsewhere.base_url in turn.error["message"]
        assert elsewhere.posts() == []  # the conversation never went there


async def test_an_endless_stream_stops_at_the_answer_cap_with_what_arrived_kept(server, monkeypatch):
    import chatui.turn

    monkeypatch.setattr(chatui.turn, "MAX_ANSWER_CHARS", 1 << 20)
    session = make_session(base_url=server.base_url, api_key=API_KEY, model="endless-0-200")
    turn = await chat(session, "go on forever")
    await session.aclose()
    assert str(turn.status) == "cut" and "stopped reading" in turn.error["message"]
    assert (1 << 20) - 1000 < len(turn.answer) < (1 << 20) + 20_000
    await asyncio.sleep(0)  # the server saw the connection go: the stream was closed, not read on
    deadline = time.monotonic() + 10
    while server.disconnects == 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert server.disconnects >= 1


def test_a_megabyte_paragraph_is_cut_into_pieces_that_read_as_one():
    from chatui.blocks import PARA_CHUNK, BlockSplitter
    from chatui.demo.content import shaped_markdown

    text = shaped_markdown("line", 1_000_000)
    splitter = BlockSplitter()
    started = time.perf_counter()
    for at in range(0, len(text), 40):
        splitter.feed(text[at : at + 40])
        assert len(splitter.tail().text if splitter.tail() else "") < 2 * PARA_CHUNK  # the re-rendered tail stays small
    splitter.close()
    assert time.perf_counter() - started < 20  # linear, not quadratic (it was minutes)
    blocks = splitter.blocks
    assert len(blocks) > 100 and all(b.joined for b in blocks[1:])
    assert "".join(b.text for b in blocks).replace(" ", "") == text.replace(" ", "")
    assert all(b.text.count("`") % 2 == 0 for b in blocks[:-1])  # no code span cut in two (the text itself ends mid-span)
