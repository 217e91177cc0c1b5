"""Select and copy: mouse selection, ctrl+c, copy keys on a focused message, which clipboard got it."""

from __future__ import annotations

import os
import stat

from chatui.blocks import code_blocks
from chatui.config import UIPrefs
from chatui.ui.widgets.conversation import AssistantMessage, UserMessage
from tests.app.conftest import screen_text, send, until


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]


def line_of(body, text: str) -> int:
    """Which rendered line of a MarkdownView holds ``text``."""
    return next(y for y, strip in enumerate(body.line_texts()) if text in strip)


async def drag(pilot, widget, start, end) -> None:
    """Press the mouse at ``start`` in ``widget``, move to ``end``, release (as a person selects)."""
    await pilot.mouse_down(widget, offset=start)
    await pilot.hover(widget, offset=end)
    await pilot.mouse_up(widget, offset=end)
    await pilot.pause()


async def test_selecting_an_answer_with_the_mouse_and_ctrl_c_copies_what_the_screen_shows(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "show me some code")
        body = app.query(AssistantMessage).last().body
        y = line_of(body, "def primes_up_to")
        await drag(pilot, body, (1, y), (30, y + 1))  # two lines of the sieve, from inside the code block
        selected = app.screen.get_selected_text()
        lines = body.line_texts()[y : y + 2]
        assert selected == lines[0][1:].rstrip() + "\n" + lines[1][:31]  # just the dragged-over characters (the end one included)
        assert "def primes_up_to(n: int)" in selected
        await pilot.press("ctrl+c")
        await until(pilot, lambda: app.clipboard == selected, what="the copy")
        await until(pilot, lambda: any("Copied" in n and "OSC 52" in n for n in notes(app)), what="the note saying which clipboard")


async def test_a_selection_across_the_prompt_and_the_answer_is_copied_in_order(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "hello there, 你好")
        user = app.query(UserMessage).last()
        body = app.query(AssistantMessage).last().body
        await pilot.mouse_down(user, offset=(3, 1))
        await pilot.hover(body, offset=(10, 0))
        await pilot.mouse_up(body, offset=(10, 0))
        await pilot.pause()
        selected = app.screen.get_selected_text()
        # from the 2nd character of the prompt, through the answer's label, to cell 10 of a CJK line (5 wide characters)
        assert selected == "ello there, 你好\nchatui-demo\n你好！这是"


async def test_copy_keys_on_a_focused_answer_copy_it_or_its_numbered_code_blocks(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "show me some code")
        turn = app.session.conversation.turns[-1]
        blocks = code_blocks(turn.answer)
        assert len(blocks) == 2
        screen = screen_text(app)
        assert " code 1  python" in screen and " code 2  bash" in screen  # the numbers the keys use
        app.query(AssistantMessage).last().focus()
        await pilot.pause()
        assert "1-9" in screen_text(app)  # the footer shows the copy keys of a focused answer
        await pilot.press("2")
        await until(pilot, lambda: app.clipboard == blocks[1], what="code block 2")
        await pilot.press("1")
        await until(pilot, lambda: app.clipboard == blocks[0], what="code block 1")
        await pilot.press("c")
        await until(pilot, lambda: app.clipboard == turn.answer, what="the whole answer")
        await pilot.press("9")
        await until(pilot, lambda: any("has 2 code blocks" in n for n in notes(app)), what="the refusal")
        assert app.clipboard == turn.answer
        app.query(UserMessage).last().focus()
        await pilot.press("c")
        await until(pilot, lambda: app.clipboard == "show me some code", what="the prompt")


async def test_copy_from_an_earlier_focused_answer_not_the_last(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "show me some code")
        await send(app, pilot, "and a table")
        first = app.session.conversation.turns[0]
        app.query(AssistantMessage).first().focus()
        await pilot.press("c")
        await until(pilot, lambda: app.clipboard == first.answer, what="the first answer")


async def test_copy_on_select_copies_without_a_key(make_app):
    app = make_app(prefs=UIPrefs(copy_on_select=True))
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "show me some code")
        body = app.query(AssistantMessage).last().body
        y = line_of(body, "def primes_up_to")
        await drag(pilot, body, (1, y), (30, y))
        await until(pilot, lambda: app.clipboard and "def primes_up_to" in app.clipboard, what="the copy on select")


async def test_a_system_clipboard_tool_gets_the_text_and_the_note_names_it(make_app, tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    got = tmp_path / "clipboard.txt"
    xclip = tools / "xclip"  # a stand-in with xclip's interface: the text on stdin
    xclip.write_text(f"#!/bin/sh\ncat > '{got}'\n")
    xclip.chmod(xclip.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DISPLAY", ":99")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "show me some code")
        await send(app, pilot, "/copy code 1", wait=False)
        await until(pilot, lambda: any("with xclip" in n for n in notes(app)), what="the note naming xclip")
        assert got.read_text(encoding="utf-8") == code_blocks(app.session.conversation.turns[-1].answer)[0]
