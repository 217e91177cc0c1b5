"""Transcript files are data, not trust: any shape is loaded or refused with a message, never a crash or a hang."""

from __future__ import annotations

import json
import os
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatui.conversation import Conversation, Settings
from chatui.transcripts import FORMAT, TranscriptError, TranscriptStore, from_dict

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
FIELDS = st.fixed_dictionaries(
    {"format": st.just(FORMAT), "version": st.sampled_from([1, 2])},
    optional={"id": JSON, "title": JSON, "settings": JSON, "turns": JSON | st.lists(JSON | st.fixed_dictionaries({}, optional={
        "id": JSON, "user_text": JSON, "model": JSON, "answer": JSON, "status": JSON, "usage": JSON, "parent": JSON,
        "attachments": JSON, "cost": JSON, "created_at": JSON}), max_size=3), "created_at": JSON, "updated_at": JSON, "active": JSON, "revision": JSON},
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FIELDS)
def test_any_shape_loads_or_is_refused_with_a_message(data):
    try:
        conv = from_dict(data, "x.json")
    except TranscriptError as exc:
        assert "x.json" in str(exc)
    else:
        assert isinstance(conv, Conversation)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(FIELDS)
def test_the_history_list_skips_what_it_cannot_read(tmp_path_factory, data):
    store = TranscriptStore(tmp_path_factory.mktemp("c"))
    store.root.mkdir(parents=True, exist_ok=True)
    (store.root / "odd.json").write_text(json.dumps(data, allow_nan=True))
    summaries = store.summaries()  # never raises
    assert len(summaries) + len(store.problems) == 1
    for summary in summaries:
        time.strftime("%Y-%m-%d", time.localtime(summary.updated_at))  # a date that can be shown


def test_a_fifo_a_folder_and_deep_nesting_are_skipped_without_hanging(tmp_path):
    store = TranscriptStore(tmp_path / "c")
    store.root.mkdir(parents=True)
    os.mkfifo(store.root / "pipe.json")
    (store.root / "dir.json").mkdir()
    (store.root / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    started = time.monotonic()
    assert store.summaries() == [] and len(store.problems) == 3
    assert store.latest() is None
    assert time.monotonic() - started < 10


def test_ids_that_clean_up_to_the_same_name_never_share_a_file(tmp_path):
    store = TranscriptStore(tmp_path)
    names = {store.path_for(i) for i in ("a/b", "ab", "a\\b", "a:b", "../ab", "a b")}
    assert len(names) == 6 and all(p.parent == tmp_path for p in names)
    assert store.path_for("20261203-101010-abcdef").name == "20261203-101010-abcdef.json"  # ordinary ids unchanged


def test_a_symlinked_lock_is_not_followed_and_orphan_temp_files_go_at_the_next_save(tmp_path):
    store = TranscriptStore(tmp_path / "c")
    store.root.mkdir(parents=True)
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    os.symlink(target, store.root / ".lock")
    conv = Conversation(Settings(model="m"), "http://x", id="conv1")
    path = store.path_for(conv.id)
    orphan = store.root / f".{path.name}.abcd1234.tmp"
    orphan.write_text("half a save")  # an interrupted save, a moment ago
    store.save(conv)
    assert target.read_text() == "keep me" and not (store.root / ".lock").is_symlink()
    assert not orphan.exists() and path.exists()


def test_the_revision_is_read_from_the_head_and_a_title_cannot_fake_it(tmp_path):
    store = TranscriptStore(tmp_path)
    conv = Conversation(Settings(model="m"), "http://x", id="same", title='"revision": 99,\n "revision": 99,')
    path = store.save(conv)
    assert store.revision_of(path) == 1
    other = store.load("same")  # another instance saves first
    store.save(other)
    store.save(conv)  # ours is behind: it forks instead of overwriting
    assert conv.id != "same" and store.load("same").revision == 2


def test_a_fifo_where_a_conversation_is_saved_fails_the_save_instead_of_hanging(tmp_path):
    store = TranscriptStore(tmp_path / "c")
    store.root.mkdir(parents=True)
    conv = Conversation(Settings(model="m"), "http://x", id="piped")
    os.mkfifo(store.path_for(conv.id))
    started = time.monotonic()
    try:
        store.save(conv)
    except OSError:
        pass  # replacing it may be refused; what matters is that nothing blocked
    assert time.monotonic() - started < 10
