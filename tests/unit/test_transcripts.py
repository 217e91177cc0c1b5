"""Transcripts: exact round trip, atomic writes under SIGKILL, two writers, bad files, export."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from chatui import export
from chatui.conversation import Conversation, Settings, Turn
from chatui.demo.content import HOSTILE
from chatui.transcripts import VERSION, TranscriptError, TranscriptStore, from_dict, to_dict
from chatui.turn import Status, Timings, Usage

GOLDEN = Path(__file__).parent / "golden"


def sample() -> Conversation:
    s = Settings(model="gpt-5-mini", instructions="Réponds en français.", temperature=0.3, reasoning_effort="low")
    conv = Conversation(s, "https://aihubmix.com/v1", id="20261125-000000-abcdef", title="Primes 素数 🧮")
    conv.created_at = conv.updated_at = 1789700000.0
    conv.turns = [
        Turn(user_text="Is 2027 prime? 2027は素数ですか？", model="gpt-5-mini", gateway="https://aihubmix.com/v1", id="t1", created_at=1789700001.0,
             params={"temperature": 0.3}, status=Status.COMPLETED, answer="Yes — **2027** is prime. 네, 소수입니다 ✅",
             reasoning="**Checking primality**\n\nTest primes up to 45.", items=[{"id": "rs_1", "type": "reasoning", "summary": [], "encrypted_content": "gAAA"}],
             usage=Usage(31, 0, 212, 192, 243), timings=Timings(0.5, 2.0, 141.3), served_model="gpt-5-mini-2025-08-07", history_mode="text"),
        Turn(user_text="Say something hostile", model="claude-sonnet-4-6", gateway="https://aihubmix.com/v1", id="t2", created_at=1789700010.0,
             status=Status.FAILED, answer=HOSTILE, error={"kind": "StreamFailed", "title": "The answer failed", "message": "The server failed in the middle \x1b[2Jof the answer."},
             usage=None, timings=Timings()),
    ]
    return conv


def test_round_trip_is_exact(tmp_path):
    store = TranscriptStore(tmp_path)
    conv = sample()
    path = store.save(conv)
    loaded = store.load(path)
    assert to_dict(loaded) == to_dict(conv)
    assert store.load(conv.id).turns[0].usage == Usage(31, 0, 212, 192, 243)
    raw = path.read_text(encoding="utf-8")
    assert "2027は素数ですか" in raw and "✅" in raw  # stored as UTF-8, not escaped
    assert json.loads(raw)["input"][1] == {"role": "assistant", "content": "Yes — **2027** is prime. 네, 소수입니다 ✅"}


def test_file_mode_is_private(tmp_path):
    path = TranscriptStore(tmp_path).save(sample())
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_summaries_newest_first_and_search(tmp_path):
    store = TranscriptStore(tmp_path)
    a = sample()
    store.save(a)
    b = Conversation(Settings(model="m"), "g", id="b", title="Other")
    b.start_turn("unrelated words")
    time.sleep(0.01)  # distinct updated_at; not synchronisation
    store.save(b)
    items = store.summaries()
    assert [s.id for s in items] == ["b", a.id]
    assert items[1].models == ["claude-sonnet-4-6", "gpt-5-mini"] and items[1].turns == 2
    assert [s.id for s in store.search("소수입니다")] == [a.id]
    assert [s.id for s in store.search("UNRELATED")] == ["b"]


def test_bad_files_are_reported_and_skipped(tmp_path):
    store = TranscriptStore(tmp_path)
    store.save(sample())
    (tmp_path / "corrupt.json").write_text('{"format": "chatui.conversation", "vers')
    (tmp_path / "foreign.json").write_text('{"hello": "world"}')
    (tmp_path / "newer.json").write_text(json.dumps({"format": "chatui.conversation", "version": VERSION + 1, "id": "n"}))
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    items = store.summaries()
    assert len(items) == 1
    assert len(store.problems) == 4 and any("newer" in p for p in store.problems)
    with pytest.raises(TranscriptError, match="newer chatui"):
        store.load(tmp_path / "newer.json")
    with pytest.raises(TranscriptError, match="corrupt"):
        store.load(tmp_path / "corrupt.json")
    with pytest.raises(TranscriptError):
        from_dict({"format": "chatui.conversation", "version": 1}, "x")


def _saved_elsewhere(store: TranscriptStore) -> tuple[Conversation, Conversation]:
    """A conversation saved, then opened and saved again by a second instance: (ours, theirs)."""
    conv = sample()
    store.save(conv)
    other = store.load(conv.id)
    other.start_turn("from the other window")
    store.save(other)
    return conv, other


def test_two_writers_never_clobber(tmp_path):
    first = TranscriptStore(tmp_path)
    conv, other = _saved_elsewhere(first)
    # this instance then saves its own change: it forks instead of overwriting
    conv.start_turn("from this window")
    path = first.save(conv)
    assert path.name != f"{other.id}.json"
    texts = {s.id: s.text for s in first.summaries()}
    assert "from the other window" in texts[other.id] and "from this window" in texts[conv.id]


def test_write_failure_leaves_the_old_file_intact(tmp_path, monkeypatch):
    store = TranscriptStore(tmp_path)
    conv = sample()
    path = store.save(conv)
    before = path.read_bytes()

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    conv.start_turn("more")
    with pytest.raises(OSError):
        store.save(conv)
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


WRITER = textwrap.dedent(
    """
    import sys, time
    from chatui.conversation import Conversation, Settings
    from chatui.transcripts import TranscriptStore
    from chatui.turn import Status
    store = TranscriptStore(sys.argv[1])
    conv = Conversation(Settings(model="m"), "g", id="victim")
    print("ready", flush=True)
    i = 0
    while True:
        turn = conv.start_turn(f"question {i} " + "x" * 2000)
        store.save(conv)
        turn.status = Status.COMPLETED
        turn.answer = "answer " * 500
        store.save(conv)
        i += 1
    """
)


def test_sigkill_at_random_moments_leaves_only_valid_files(tmp_path):
    rng = random.Random(1234)
    for _ in range(25):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.25))  # a random moment to kill at: the point of the test, not synchronisation
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        store = TranscriptStore(tmp_path)
        items = store.summaries()
        assert not store.problems, store.problems
        if items:
            conv = store.load(items[0].path)
            assert all(t.user_text.startswith("question") for t in conv.turns)


def test_export_markdown_golden(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    md = export.to_markdown(sample())
    time.tzset()
    golden = GOLDEN / "export.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(md, encoding="utf-8")
    assert md == golden.read_text(encoding="utf-8")
    assert "\x1b" not in md and "\x07" not in md and "\x9b" not in md
    assert "> **Reasoning**" in md and "`claude-sonnet-4-6` · failed" in md
    assert "never closes')\n```\n\n*Error:" in md  # an unclosed fence is closed per turn


def test_export_json_golden():
    data = export.to_json(sample())
    golden = GOLDEN / "export.json"
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_cli_export_and_resume_errors(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    store = TranscriptStore(tmp_path / "chatui" / "conversations")
    store.save(sample())
    out = subprocess.run([sys.executable, "-m", "chatui", "export", "20261125-000000-abcdef", "--format", "md"], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("# Primes 素数 🧮")
    out = subprocess.run([sys.executable, "-m", "chatui", "export", "latest", "-f", "json", "-o", str(tmp_path / "o.json")], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and json.loads((tmp_path / "o.json").read_text())["id"] == "20261125-000000-abcdef"
    out = subprocess.run([sys.executable, "-m", "chatui", "export", "nope"], env=env, capture_output=True, text=True)
    assert out.returncode == 1 and "cannot read" in out.stderr and "Traceback" not in out.stderr


def test_stale_temp_files_are_swept_but_fresh_ones_kept(tmp_path):
    store = TranscriptStore(tmp_path)
    store.save(sample())
    stale, fresh = tmp_path / ".x.json.abc.tmp", tmp_path / ".y.json.def.tmp"
    stale.write_text("{")
    fresh.write_text("{")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    assert len(store.summaries()) == 1 and not store.problems
    assert not stale.exists() and fresh.exists()


def test_export_markdown_lists_tool_calls_and_sources():
    conv = sample()
    turn = conv.turns[0]
    turn.items = [
        {"type": "function_call", "name": "lookup", "arguments": '{"q": "x"}'},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": turn.answer, "annotations": [{"type": "url_citation", "url": "https://a.example/", "title": "A page"}]}]},
    ]
    md = export.to_markdown(conv)
    assert '[tool call: lookup({"q": "x"})]' in md
    assert "Sources:  \n[1] A page — https://a.example/" in md


def test_version_1_files_open_as_one_branch_and_save_as_version_2(tmp_path):
    import shutil

    for source in sorted((GOLDEN / "v1").glob("*.json")):
        shutil.copy(source, tmp_path / source.name)
    store = TranscriptStore(tmp_path)
    conv = store.load("v1-linear")
    assert [t.user_text for t in conv.turns] == ["What is 2+2?", "And times 3?", "日本語で?"]
    assert [t.parent for t in conv.turns] == [None, conv.turns[0].id, conv.turns[1].id] and conv.all_turns == conv.turns
    assert conv.settings.temperature == 0.5 and conv.turns[2].answer == "十二です。"
    assert json.loads((tmp_path / "v1-linear.json").read_text())["version"] == 1  # opening does not rewrite it
    store.save(conv)
    data = json.loads((tmp_path / "v1-linear.json").read_text())
    assert data["version"] == 2 and data["active"] == conv.turns[-1].id and data["turns"][1]["parent"] == conv.turns[0].id
    assert [t.user_text for t in store.load("v1-linear").turns] == ["What is 2+2?", "And times 3?", "日本語で?"]
    failed = store.load("v1-failed-last")
    assert [str(t.status) for t in failed.turns] == ["completed", "failed"]


def test_export_follows_the_branch_on_screen_and_all_branches_on_request():
    conv = Conversation(Settings(model="m"), "g", id="c1", title="Forks")
    first = conv.start_turn("question")
    first.status, first.answer = Status.COMPLETED, "answer A"
    conv.fork(first)
    second = conv.start_turn("question")
    second.status, second.answer = Status.COMPLETED, "answer B"
    md = export.to_markdown(conv)
    assert "answer B" in md and "answer A" not in md and "Branch" not in md
    both = export.to_markdown(conv, all_branches=True)
    assert "# Branch 1 of 2" in both and "# Branch 2 of 2 (the one on screen)" in both
    assert both.index("answer A") < both.index("answer B")
    assert [[t.answer for t in b] for b in conv.branches()] == [["answer A"], ["answer B"]]


def test_history_counts_the_branch_that_opens_and_how_many_branches(tmp_path):
    import shutil

    store = TranscriptStore(tmp_path)
    conv = Conversation(Settings(model="m"), "g", id="tree", title="Tree")
    first = conv.start_turn("one")
    for text in ("two", "three"):
        conv.start_turn(text)
    conv.fork(conv.turns[1])  # an edited second message: a branch of two turns beside one of three
    conv.start_turn("two, edited")
    store.save(conv)
    conv.switch(conv.all_turns[2])  # the long branch on screen
    store.save(conv)
    shutil.copy(GOLDEN / "v1" / "v1-linear.json", tmp_path / "v1-linear.json")
    rows = {s.id: s for s in store.summaries()}
    assert (rows["tree"].turns, rows["tree"].branches) == (3, 2)
    assert (rows["v1-linear"].turns, rows["v1-linear"].branches) == (3, 1)
    assert "two, edited" in rows["tree"].text and first.user_text in rows["tree"].text  # search sees every branch
    conv.switch(conv.all_turns[-1])
    store.save(conv)
    assert next(s for s in store.summaries() if s.id == "tree").turns == 2


def test_background_saves_write_off_the_calling_thread_in_order_and_collapse(tmp_path, monkeypatch):
    """Queued saves of one conversation end as the newest; written by the save thread, never the caller's."""
    import threading

    import chatui.transcripts as transcripts
    from chatui.transcripts import BackgroundSaves

    store = TranscriptStore(tmp_path)
    writers: list[str] = []
    real = transcripts.atomic_write
    gate = threading.Event()

    def slow_write(path, data):
        gate.wait(10)  # the first write waits, so the next four queue up behind it
        writers.append(threading.current_thread().name)
        real(path, data)

    monkeypatch.setattr(transcripts, "atomic_write", slow_write)
    saves = BackgroundSaves()
    conv = sample()
    futures = []
    for n in range(5):
        conv.title = f"title {n}"
        futures.append(saves.submit(store, store.snapshot(conv)))
    gate.set()
    results = [f.result(10) for f in futures]
    saves.close()
    assert writers and all(name.startswith("chatui-save") for name in writers)
    assert len(writers) < 5 and results.count(None) == 5 - len(writers)  # queued ones collapsed into the newest
    on_disk = store.load(conv.id)
    assert on_disk.title == "title 4" and on_disk.revision == conv.revision == 5
    assert [s.id for s in store.summaries()] == [conv.id]  # no fork of our own saves


def test_background_saves_fork_once_when_another_instance_saved(tmp_path):
    """Another window saved since: the first queued save forks, the ones queued behind it follow the fork."""
    from chatui.transcripts import BackgroundSaves

    store = TranscriptStore(tmp_path)
    conv, _other = _saved_elsewhere(store)
    saves = BackgroundSaves()
    conv.start_turn("from this window")
    first = saves.submit(store, store.snapshot(conv))
    first_saved = first.result(10)
    conv.start_turn("and again")  # taken under the old id: the fork is not applied yet
    second = saves.submit(store, store.snapshot(conv)).result(10)
    saves.close()
    assert first_saved.forked and second.saved_id == first_saved.saved_id
    first_saved.apply(conv)
    assert conv.id == first_saved.saved_id and "(fork)" in conv.title
    assert len(store.summaries()) == 2  # the other window's and one fork, not two
    assert [t.user_text for t in store.load(conv.id).turns][-2:] == ["from this window", "and again"]
    assert any("from the other window" in summary.text for summary in store.summaries())
