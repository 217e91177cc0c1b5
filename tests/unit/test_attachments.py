"""Attachments: kinds by content, pixel sizes from headers, limits, the exact request parts, the blob store."""

from __future__ import annotations

import base64
import os
import struct
import zlib

import pytest
from pydantic import TypeAdapter

from chatui import attachments as att
from chatui.conversation import Conversation, Settings
from chatui.session import Refused, make_session
from chatui.transcripts import TranscriptStore

openai_params = pytest.importorskip("openai.types.responses.response_create_params")
BODY = TypeAdapter(openai_params.ResponseCreateParamsStreaming)


def png(width: int, height: int) -> bytes:
    """A real (tiny, grey) PNG of the given size."""
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))  # noqa: E731
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


GIF = b"GIF89a" + struct.pack("<HH", 7, 3) + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9 + b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 480, 640) + b"\x00" * 12
WEBP = b"RIFF" + struct.pack("<I", 30) + b"WEBPVP8X" + struct.pack("<I", 10) + b"\x00" * 4 + (99).to_bytes(3, "little") + (49).to_bytes(3, "little")
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def test_kind_comes_from_the_content_not_the_name():
    assert att.detect(png(2, 2)) == ("image", "image/png")
    assert att.detect(JPEG) == ("image", "image/jpeg") and att.detect(GIF) == ("image", "image/gif") and att.detect(WEBP) == ("image", "image/webp")
    assert att.detect(PDF) == ("pdf", "application/pdf")
    assert att.detect("print('héllo 你好')\n".encode()) == ("text", "text/plain")
    assert att.detect(b"\x00\x01\x02binary") is None and att.detect(b"\xff\xfe\x00latin") is None


def test_pixel_sizes_are_read_from_headers():
    assert att.image_size(png(1920, 1080)) == (1920, 1080)
    assert att.image_size(GIF) == (7, 3) and att.image_size(JPEG) == (640, 480) and att.image_size(WEBP) == (100, 50)


def test_a_png_named_txt_is_an_image_and_a_text_file_named_png_is_text(tmp_path):
    blobs = att.BlobStore(tmp_path / "blobs")
    (tmp_path / "notes.txt").write_bytes(png(3, 2))
    (tmp_path / "photo.png").write_text("just words, 한국어\n", encoding="utf-8")
    image = att.read(tmp_path / "notes.txt", blobs)
    text = att.read(tmp_path / "photo.png", blobs)
    assert (image.kind, image.mime, image.width, image.height) == ("image", "image/png", 3, 2)
    assert text.kind == "text" and text.describe().startswith("photo.png · text · ")


def test_clear_messages_for_what_cannot_be_attached(tmp_path):
    blobs = att.BlobStore(tmp_path / "blobs")
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "data.bin").write_bytes(os.urandom(64) + b"\x00")
    (tmp_path / "big.txt").write_bytes(b"a" * (att.MAX_TEXT_BYTES + 1))
    for name, words in (("empty.md", "empty"), ("data.bin", "not an image"), ("big.txt", "limit 1.0 MB"), ("gone.png", "no such file")):
        with pytest.raises(att.AttachmentError, match=words) as caught:
            att.read(tmp_path / name, blobs)
        assert name in str(caught.value)
    locked = tmp_path / "locked.txt"
    locked.write_text("secret")
    locked.chmod(0)
    if not os.access(locked, os.R_OK):  # root reads anything
        with pytest.raises(att.AttachmentError, match="cannot be read"):
            att.read(locked, blobs)


def test_an_image_larger_than_the_api_takes_is_downscaled_keeping_its_aspect(tmp_path):
    pytest.importorskip("PIL")
    blobs = att.BlobStore(tmp_path / "blobs")
    (tmp_path / "wide.png").write_bytes(png(9000, 30))
    image = att.read(tmp_path / "wide.png", blobs)
    assert (image.width, image.height) == (2048, 7) and image.note == "downscaled from 9000×30"
    assert att.image_size(blobs.get(image.sha256)) == (2048, 7)


def test_request_parts_for_each_kind_are_valid_responses_input(tmp_path):
    blobs = att.BlobStore(tmp_path / "blobs")
    files = {"shot.png": png(4, 4), "paper.pdf": PDF, "main.py": b"print('hi')\n```\n"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    conv = Conversation(Settings(model="m", replay_reasoning=False), "http://127.0.0.1:1/v1")
    conv.blobs = blobs
    turn = conv.start_turn("what are these?", attachments=[att.read(tmp_path / n, blobs) for n in files])
    body = conv.build_body(turn)
    BODY.validate_python(body)
    image, pdf, text, question = body["input"][0]["content"]
    assert image == {"type": "input_image", "image_url": "data:image/png;base64," + base64.b64encode(files["shot.png"]).decode(), "detail": "auto"}
    assert pdf == {"type": "input_file", "filename": "paper.pdf", "file_data": "data:application/pdf;base64," + base64.b64encode(PDF).decode()}
    assert text == {"type": "input_text", "text": "```` main.py\nprint('hi')\n```\n\n````"}  # a longer fence when the file has one
    assert question == {"type": "input_text", "text": "what are these?"}
    from chatui.turn import Status

    turn.status, turn.answer = Status.COMPLETED, "A screenshot, a paper and a script."
    saved = conv.input_items()  # what the transcript keeps: digests, not bytes
    assert "base64" not in str(saved) and [p["type"] for p in saved[0]["content"]] == ["input_attachment"] * 3 + ["input_text"]
    assert saved[0]["content"][0]["sha256"] == turn.attachments[0].sha256


def test_the_blob_store_keeps_each_file_once_privately_and_sweeps_unused(tmp_path):
    blobs = att.BlobStore(tmp_path / "blobs")
    first, again = blobs.put(b"same bytes"), blobs.put(b"same bytes")
    other = blobs.put(b"other bytes")
    assert first == again and len(list((tmp_path / "blobs").iterdir())) == 2
    assert oct(blobs.path(first).stat().st_mode & 0o777) == "0o600"
    assert blobs.get(first) == b"same bytes"
    blobs.path(other).write_bytes(b"tampered")
    assert blobs.get(other) is None  # a blob that does not match its digest is not sent
    assert blobs.sweep({first}) == 1 and blobs.get(first) == b"same bytes"


def test_session_attach_detach_and_the_transcript_keeps_references_not_bytes(tmp_path):
    store = TranscriptStore(tmp_path / "conversations")
    session = make_session(base_url="http://127.0.0.1:1/v1", api_key="k", model="m", store=store)
    (tmp_path / "a.png").write_bytes(png(5, 5))
    (tmp_path / "b.txt").write_text("hello")
    note = session.attach([str(tmp_path / "a.png"), str(tmp_path / "b.txt")])
    assert "a.png · image" in note and "b.txt · text" in note and len(session.pending) == 2
    with pytest.raises(Refused, match="missing.bin: no such file") as caught:
        session.attach([str(tmp_path / "missing.bin"), str(tmp_path / "b.txt")])
    assert "Attached b.txt" in caught.value.message and len(session.pending) == 3  # the good one is attached anyway
    assert session.detach("3") == "Removed b.txt." and len(session.pending) == 2
    turn = session.begin("look")
    assert [a.name for a in turn.attachments] == ["a.png", "b.txt"] and session.pending == []
    raw = (store.path_for(session.conversation.id)).read_text()
    assert "base64" not in raw and turn.attachments[0].sha256 in raw
    assert (store.root / "blobs" / turn.attachments[0].sha256).exists()
    reopened = store.load(session.conversation.id)
    assert reopened.turns[0].attachments == turn.attachments


def test_deleting_a_conversation_deletes_the_blobs_no_other_one_uses(tmp_path):
    store = TranscriptStore(tmp_path / "conversations")
    shared, own = tmp_path / "shared.txt", tmp_path / "own.txt"
    shared.write_text("used by both")
    own.write_text("used by one")
    sessions = []
    for files in ([shared, own], [shared]):
        session = make_session(base_url="http://127.0.0.1:1/v1", api_key="k", model="m", store=store)
        session.attach([str(f) for f in files])
        session.begin("keep these")
        sessions.append(session)
    first, second = (s.conversation for s in sessions)
    digests = {a.name: a.sha256 for a in first.turns[0].attachments}
    blobs = store.root / "blobs"
    assert sorted(p.name for p in blobs.iterdir()) == sorted(digests.values())
    store.delete(first.id)
    assert [p.name for p in blobs.iterdir()] == [digests["shared.txt"]]  # the other conversation still uses it
    store.delete(second.id)
    assert list(blobs.iterdir()) == []


def test_a_paste_is_a_path_only_when_it_names_existing_files_clearly(tmp_path):
    spaced = tmp_path / "my photo.png"
    spaced.write_bytes(png(2, 2))
    other = tmp_path / "b.txt"
    other.write_text("x")
    escaped = str(spaced).replace(" ", "\\ ")
    assert att.pasted_paths(escaped) == [spaced]  # as terminals paste a drag-and-drop
    assert att.pasted_paths(f"'{spaced}' {other}\n") == [spaced, other]
    assert att.pasted_paths(f"file://{str(spaced).replace(' ', '%20')}") == [spaced]
    assert att.pasted_paths(f"{spaced} and more words") is None
    assert att.pasted_paths("b.txt") is None  # a bare word stays text, even if a file has that name
    assert att.pasted_paths(str(tmp_path)) is None and att.pasted_paths(str(tmp_path / "nope.png")) is None
    assert att.pasted_paths("it's") is None  # an unbalanced quote is just text


def test_export_json_embeds_the_files_on_request(tmp_path):
    import json as jsonlib

    store = TranscriptStore(tmp_path / "conversations")
    session = make_session(base_url="http://127.0.0.1:1/v1", api_key="k", model="m", store=store)
    (tmp_path / "a.png").write_bytes(png(2, 2))
    session.attach([str(tmp_path / "a.png")])
    session.begin("look")
    plain = jsonlib.loads(session.export("json", cwd=tmp_path).read_text())
    assert "data_base64" not in plain["turns"][0]["attachments"][0]
    embedded = jsonlib.loads(session.export(f"json --embed {tmp_path / 'full.json'}").read_text())
    assert base64.b64decode(embedded["turns"][0]["attachments"][0]["data_base64"]) == png(2, 2)


async def test_a_session_that_saves_nothing_keeps_files_in_a_private_folder_made_on_attach_and_removed_at_close(tmp_path):
    session = make_session(base_url="http://127.0.0.1:1/v1", api_key="k", model="m", store=None)
    blobs = session.blobs
    assert blobs._root is None  # no folder for a session that attaches nothing
    (tmp_path / "a.txt").write_text("hi")
    session.attach([str(tmp_path / "a.txt")])
    folder = blobs.root
    assert folder.is_dir() and oct(folder.stat().st_mode & 0o777) == "0o700"
    await session.aclose()
    assert not folder.exists()
