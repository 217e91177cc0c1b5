"""Transcripts from the app: saved as it goes, key never written, history screen, resume."""

from __future__ import annotations

import os

from chatui.conversation import Conversation, Settings
from chatui.transcripts import TranscriptStore
from chatui.turn import Status
from tests.app.conftest import in_history, screen_text, send, until
from tests.conftest import API_KEY


async def test_key_never_reaches_any_file(make_app, store, server):
    app = make_app("chatui-demo")
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "hello")
        app.session.settings.model = "unauthorized"
        await send(app, pilot, "fail please")
        await send(app, pilot, "/export md " + str(store.root / "export.md"), wait=False)
        await send(app, pilot, "/export json " + str(store.root / "export.json"), wait=False)
        await pilot.pause()
    files = [p for p in store.root.rglob("*") if p.is_file()]
    assert len(files) >= 3
    for path in files:
        data = path.read_bytes()
        assert API_KEY.encode() not in data and b"Bearer" not in data, path


async def test_user_message_is_saved_before_the_answer_arrives(paced_server, store):
    from chatui.ui.factory import make_app

    app = make_app(base_url=paced_server.base_url, api_key=API_KEY, model="slow", store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "saved early", wait=False)
        await until(pilot, lambda: app.session.streaming is not None)
        await app.session.saves_done()
        on_disk = store.load(app.session.conversation.id)
        assert on_disk.turns[-1].user_text == "saved early"
        await pilot.press("escape")
        await until(pilot, lambda: app.session.streaming is None)
    assert store.load(app.session.conversation.id).turns[-1].status is Status.CANCELLED


async def test_save_failure_notifies_and_keeps_the_conversation(make_app, store, monkeypatch):
    app = make_app()

    def broken(snapshot):
        raise PermissionError(13, "Permission denied")

    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        monkeypatch.setattr(store, "write", broken)  # on the save thread: the failure comes back as a notice
        await send(app, pilot, "keep me")
        assert app.session.conversation.turns[-1].status is Status.COMPLETED
        assert any("Could not save" in n.message and "stays in memory" in n.message for n in app._notifications)


def _seed(store: TranscriptStore, n: int) -> list[Conversation]:
    convs = []
    for i in range(n):
        conv = Conversation(Settings(model=f"model-{i % 3}"), "g", id=f"conv-{i:04d}")
        turn = conv.start_turn(f"topic {i} {'needle' if i == 7 else 'hay'}")
        turn.status = Status.COMPLETED
        turn.answer = f"answer {i}"
        store.save(conv)
        convs.append(conv)
    return convs


async def test_history_screen_lists_searches_and_opens(make_app, store):
    _seed(store, 12)
    (store.root / "broken.json").write_text("{not json")
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("ctrl+l")
        await until(pilot, lambda: type(app.screen).__name__ == "HistoryScreen")
        assert "topic 11" in screen_text(app)
        assert any("unreadable" in n.message for n in app._notifications)
        await pilot.press(*"needle")
        await pilot.pause()
        assert app.screen.shown and [s.id for s in app.screen.shown] == ["conv-0007"]
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ != "HistoryScreen")
        assert app.session.conversation.id == "conv-0007"
        assert "topic 7 needle" in screen_text(app)


async def test_history_rename_and_delete_with_confirmation(make_app, store):
    _seed(store, 3)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+l")
        await until(pilot, lambda: type(app.screen).__name__ == "HistoryScreen")
        first = app.screen.shown[0].id
        await pilot.press("f2")
        await until(pilot, lambda: type(app.screen).__name__ == "RenamePrompt")
        app.screen.query_one("Input").value = "Renamed 名前"
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "HistoryScreen")
        assert store.load(first).title == "Renamed 名前"
        await pilot.press("ctrl+d")
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmDelete")
        await pilot.press("n")
        await until(pilot, lambda: type(app.screen).__name__ == "HistoryScreen")
        assert len(store.summaries()) == 3
        await pilot.press("ctrl+d")
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmDelete")
        await pilot.press("y")
        await until(pilot, lambda: type(app.screen).__name__ == "HistoryScreen")
        assert len(store.summaries()) == 2


async def test_renaming_the_open_conversation_in_history_keeps_it_one_conversation(make_app, store):
    """The open conversation renamed from history: the title shows, and the next save continues it (no fork)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "name me")
        conv_id = app.session.conversation.id
        await in_history(app, pilot, "f2", "RenamePrompt")
        app.screen.query_one("Input").value = "Chosen name 이름"
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "HistoryScreen")
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ != "HistoryScreen")
        assert app.session.conversation.title == "Chosen name 이름"
        await send(app, pilot, "and more")
    assert [s.id for s in store.summaries()] == [conv_id]  # one conversation, not a fork
    saved = store.load(conv_id)
    assert saved.title == "Chosen name 이름" and [t.user_text for t in saved.turns] == ["name me", "and more"]


async def test_resumed_conversation_continues_with_history(make_app, store, server):
    _seed(store, 1)
    conv = store.load("conv-0000")
    conv.settings.model = "demo-reasoning"
    app = make_app(conversation=conv)
    async with app.run_test(size=(120, 40)) as pilot:
        assert "topic 0 hay" in screen_text(app)
        await send(app, pilot, "and then?")
        sent = server.posts()[-1]["input"]
        assert sent[0]["content"][0]["text"] == "topic 0 hay" and sent[1] == {"role": "assistant", "content": "answer 0"}
    assert len(store.load("conv-0000").turns) == 2


def test_cli_resume_latest_without_any_conversation(tmp_path):
    import subprocess
    import sys

    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "chatui", "--resume"], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert out.returncode == 1 and "no saved conversation" in out.stderr


async def test_history_rows_stay_one_line_each_at_80_columns(make_app, store):
    convs = _seed(store, 3)
    long_title = "a very long title about " + "terminal chat clients and their many features " * 3 + "END"
    convs[1].title = long_title
    store.save(convs[1])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+l")
        await until(pilot, lambda: type(app.screen).__name__ == "HistoryScreen")
        await pilot.pause()
        screen = screen_text(app)
        rows = [line for line in screen.splitlines() if "a very long title" in line]
        assert len(rows) == 1 and "…" in rows[0]  # cut with an ellipsis on its own line
        assert "END" not in screen  # the rest is not wrapped onto a second line
