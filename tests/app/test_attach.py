"""Attaching in the app: /attach shows chips, a key on a chip removes it, the message shows its files, errors say which file."""

from __future__ import annotations

from chatui.ui.widgets.chips import Chip
from tests.app.conftest import screen_text, send, until
from tests.unit.test_attachments import png


async def test_attach_chips_detach_and_send(make_app, server, tmp_path):
    (tmp_path / "my shot.png").write_bytes(png(8, 6))
    (tmp_path / "notes.md").write_text("# notes\nhello\n")
    app = make_app("demo-mini")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await send(app, pilot, f"/attach '{tmp_path / 'my shot.png'}' {tmp_path / 'notes.md'} {tmp_path / 'missing.pdf'}", wait=False)
        await until(pilot, lambda: len(app.query(Chip)) == 2, what="two chips")
        await pilot.pause()
        screen = screen_text(app)
        assert "📎 1 my shot.png · image · 71 B · 8×6  ✕" in screen and "📎 2 notes.md" in screen
        assert [a.kind for a in app.session.pending] == ["image", "text"]
        assert "missing.pdf: no such file" in screen  # the one that failed is named; the others are attached
        app.query(Chip)[1].focus()
        await pilot.press("delete")
        await until(pilot, lambda: len(app.query(Chip)) == 1, what="the chip removed")
        assert [a.name for a in app.session.pending] == ["my shot.png"]
        await send(app, pilot, "what is in the picture?")
        assert not app.query(Chip) and not app.query_one("#chips").display
        sent = server.posts()[-1]["input"][-1]["content"]
        assert [p["type"] for p in sent] == ["input_image", "input_text"]
        screen = screen_text(app)
        assert "📎 my shot.png · image" in screen and "I received an image (image/png" in screen
