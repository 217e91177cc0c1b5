"""Attachments over the wire: what the scripted server receives, resume re-sends the same bytes, a missing blob, -a and binary stdin."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

from chatui.session import make_session
from chatui.transcripts import TranscriptStore
from tests.conftest import API_KEY, chat
from tests.net.test_print import chatui, env  # noqa: F401  (the fixture)
from tests.unit.test_attachments import PDF, png



async def test_the_server_receives_each_attachment_and_a_resumed_conversation_sends_the_same_bytes(server, tmp_path):
    store = TranscriptStore(tmp_path / "conversations")
    session = make_session(base_url=server.base_url, api_key=API_KEY, model="demo-mini", store=store)
    image = png(6, 4)
    (tmp_path / "shot.png").write_bytes(image)
    (tmp_path / "paper.pdf").write_bytes(PDF)
    session.attach([str(tmp_path / "shot.png"), str(tmp_path / "paper.pdf")])
    turn = await chat(session, "what are these?")
    parts = server.posts()[-1]["input"][-1]["content"]
    assert [p["type"] for p in parts] == ["input_image", "input_file", "input_text"]
    assert base64.b64decode(parts[0]["image_url"].split(",", 1)[1]) == image
    assert "I received an image (image/png" in turn.answer and "the file paper.pdf" in turn.answer  # the demo says what it got
    resumed = make_session(base_url=server.base_url, api_key=API_KEY, model="demo-mini", store=store, conversation=store.load(session.conversation.id))
    await chat(resumed, "and now?")
    again = server.posts()[-1]["input"][0]["content"]
    assert again[:2] == parts[:2]  # exactly the same bytes, from the blob store
    (store.root / "blobs" / turn.attachments[0].sha256).unlink()
    gone = make_session(base_url=server.base_url, api_key=API_KEY, model="demo-mini", store=store, conversation=store.load(session.conversation.id))
    assert gone.conversation.missing_attachments() == [turn.attachments[0].describe()]
    await chat(gone, "still there?")
    first = server.posts()[-1]["input"][0]["content"][0]
    assert first["type"] == "input_text" and "shot.png" in first["text"] and "no longer available" in first["text"]


def test_print_attaches_with_a_and_binary_stdin(server, env, tmp_path):  # noqa: F811
    (tmp_path / "shot.png").write_bytes(png(3, 3))
    out = chatui("--base-url", server.base_url, "--model", "demo-mini", "-p", "describe", "-a", str(tmp_path / "shot.png"), "--json", env=env)
    assert out.returncode == 0, out.stderr
    assert [p["type"] for p in server.posts()[-1]["input"][-1]["content"]] == ["input_image", "input_text"]
    piped = subprocess.run([sys.executable, "-m", "chatui", "--base-url", server.base_url, "--model", "demo-mini", "-p", "what is this?"],
                           env=env, input=PDF, capture_output=True, timeout=90)
    assert piped.returncode == 0, piped.stderr
    parts = server.posts()[-1]["input"][-1]["content"]
    assert parts[0]["type"] == "input_file" and parts[0]["filename"] == "stdin.pdf" and parts[-1]["text"] == "what is this?"
    bad = chatui("--base-url", server.base_url, "--model", "demo-mini", "-p", "x", "-a", str(tmp_path / "nope.png"), env=env)
    assert bad.returncode == 2 and "nope.png: no such file" in bad.stderr
    assert json.loads(out.stdout)["status"] == "completed"


def test_export_lists_attachments_and_json_can_embed_them(server, env, tmp_path):  # noqa: F811
    (tmp_path / "shot.png").write_bytes(png(3, 3))
    assert chatui("--base-url", server.base_url, "--model", "demo-mini", "-p", "look", "-a", str(tmp_path / "shot.png"), env=env).returncode == 0
    md = chatui("export", "latest", env=env)
    assert "📎 shot.png · image · " in md.stdout and "3×3" in md.stdout
    plain = json.loads(chatui("export", "latest", "-f", "json", env=env).stdout)
    assert "data_base64" not in plain["turns"][0]["attachments"][0]
    embedded = json.loads(chatui("export", "latest", "-f", "json", "--embed", env=env).stdout)
    assert base64.b64decode(embedded["turns"][0]["attachments"][0]["data_base64"]) == png(3, 3)
