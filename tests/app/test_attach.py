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


async def test_a_model_the_catalogue_says_takes_no_images_is_warned_about_and_enter_again_sends(make_app, server, tmp_path):
    from chatui.config import Profile

    (tmp_path / "shot.png").write_bytes(png(4, 4))
    app = make_app("demo-reasoning", profile=Profile("hub", server.base_url, catalogue="aihubmix"))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until(pilot, lambda: app.session.catalogue is not None, what="the catalogue")
        await send(app, pilot, f"/attach {tmp_path / 'shot.png'}", wait=False)
        await until(pilot, lambda: len(app.query(Chip)) == 1, what="the chip")
        posts = len(server.posts())
        await send(app, pilot, "describe it", wait=False)
        await until(pilot, lambda: "demo-reasoning takes no images" in screen_text(app), what="the warning")
        assert len(server.posts()) == posts and app.prompt.text == "describe it" and app.session.pending  # nothing sent, nothing lost
        await pilot.press("enter")  # again: send anyway
        await until(pilot, lambda: len(server.posts()) == posts + 1, what="sent anyway")
        assert server.posts()[-1]["input"][-1]["content"][0]["type"] == "input_image"


async def test_pasting_a_file_path_offers_to_attach_it_or_paste_the_text(make_app, server, tmp_path):
    from textual import events

    from chatui.ui.screens.attach_offer import AttachOffer

    shot = tmp_path / "drag me.png"
    shot.write_bytes(png(4, 4))
    pasted = str(shot).replace(" ", "\\ ")
    app = make_app("demo-mini")
    async with app.run_test(size=(120, 40)) as pilot:
        app.prompt.post_message(events.Paste(pasted))
        await until(pilot, lambda: isinstance(app.screen, AttachOffer), what="the offer")
        await until(pilot, lambda: "drag me.png" in screen_text(app), what="the file named")
        await pilot.press("enter")
        await until(pilot, lambda: len(app.query(Chip)) == 1, what="attached")
        assert app.prompt.text == ""  # the path was not pasted as text
        app.prompt.post_message(events.Paste(pasted))
        await until(pilot, lambda: isinstance(app.screen, AttachOffer), what="the offer again")
        await pilot.press("escape")
        await until(pilot, lambda: app.prompt.text == pasted, what="pasted as text")
        app.prompt.post_message(events.Paste("just some words"))
        await until(pilot, lambda: app.prompt.text.endswith("just some words"), what="a plain paste")
        assert not isinstance(app.screen, AttachOffer)


async def test_tab_completes_the_path_after_attach(make_app, server, tmp_path):
    (tmp_path / "my photo.png").write_bytes(png(2, 2))
    (tmp_path / "my notes.md").write_text("n")
    (tmp_path / "sub").mkdir()
    app = make_app("demo-mini")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        app.prompt.set_text(f"/attach {tmp_path}/my")
        await pilot.press("tab")
        assert app.prompt.text == f"/attach {tmp_path}/my\\ "  # as far as both names agree, the space escaped
        await pilot.press("tab")
        await until(pilot, lambda: "my notes.md  my photo.png" in screen_text(app), what="the matches")
        await pilot.press("p", "tab")
        assert app.prompt.text == f"/attach {tmp_path}/my\\ photo.png"
        app.prompt.set_text(f"/attach {tmp_path}/s")
        await pilot.press("tab")
        assert app.prompt.text == f"/attach {tmp_path}/sub/"
        await pilot.press("enter")  # a folder is not attached: a clear message
        await until(pilot, lambda: "not a file" in screen_text(app), what="the message")
        app.prompt.set_text(f"/attach {tmp_path}/my\\ photo.png")
        await pilot.press("enter")
        await until(pilot, lambda: len(app.query(Chip)) == 1, what="attached by the completed path")
