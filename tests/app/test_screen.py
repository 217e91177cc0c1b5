"""What the screen shows: following fast streams, the status line, layout rules, fixed bugs.

Every check reads the rendered screen (the compositor's strips), not a widget's state.
"""

from __future__ import annotations

import re

from chatui.config import BUILTIN_PROFILES
from chatui.turn import Status
from chatui.ui.factory import make_app as build
from chatui.ui.widgets.conversation import AssistantMessage
from tests.app.conftest import in_history, screen_text, send, until
from tests.conftest import API_KEY


def last_answer_line(app) -> str:
    """The last non-blank line the answer renders to (what must end up on screen)."""
    body = app.query(AssistantMessage).last().body
    return next(s.strip() for s in reversed(body.line_texts()) if s.strip())


def near_the_end_on_screen(app) -> bool:
    """Whether one of the answer's last rendered lines is on screen right now."""
    body = app.view.live.widget.body if app.view.live else app.query(AssistantMessage).last().body
    lines = [s.strip() for s in body.line_texts()]
    counts = {line: lines.count(line) for line in lines[-40:]}  # within a screenful: a frame of lag is fine
    unique = [line for line, n in counts.items() if n == 1 and len(line) > 8]  # the answer repeats itself
    assert unique, "no distinctive line near the end"
    screen = screen_text(app)
    return any(line in screen for line in unique)


async def test_the_view_follows_a_1000_deltas_per_second_stream_all_the_way(paced_server):
    app = build(base_url=paced_server.base_url, api_key=API_KEY, model="steady-1000-3-60000", store=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "go", wait=False)
        for share in (0.3, 0.6, 0.9):
            await until(pilot, lambda: app.view.live is None or len(app.view.live.widget.body.text) > share * 60000, what=f"{share:.0%} of the answer")
            if app.view.live is None:
                break
            await pilot.pause()
            assert near_the_end_on_screen(app), f"the view fell behind at {share:.0%}"
        await until(pilot, lambda: app.session.streaming is None and app.turn_worker.is_finished, what="the end")
        await pilot.pause()
        assert last_answer_line(app) in screen_text(app)


async def test_a_full_speed_100kb_answer_ends_on_screen(make_app):
    app = make_app("bulk-20000-100000")
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "go")
        # text arrives faster than Markdown renders: the view catches up in slices after the stream,
        # and must get there (a view frozen part-way never shows the last line)
        await until(pilot, lambda: last_answer_line(app) in screen_text(app), timeout=60, what="the last line on screen")
        assert app.session.conversation.turns[-1].status is Status.COMPLETED



async def test_follow_survives_a_resize_mid_stream_and_the_narrow_rule_applies(paced_server):
    app = build(base_url=paced_server.base_url, api_key=API_KEY, model="steady-1000-2-20000", store=None)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.side.display
        await send(app, pilot, "go", wait=False)
        await until(pilot, lambda: app.view.live is not None and len(app.view.live.widget.body.text) > 3000, what="a third of the answer")
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: app.session.streaming is None and app.turn_worker.is_finished, what="the end")
        await pilot.pause()
        assert not app.side.display  # crossing below 100 columns hid the side panes
        assert last_answer_line(app) in screen_text(app)
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.pause()
        assert app.side.display and last_answer_line(app) in screen_text(app)


async def test_scrolling_up_unpins_shows_the_marker_and_ctrl_end_follows_again(paced_server):
    app = build(base_url=paced_server.base_url, api_key=API_KEY, model="steady-500-3-30000", store=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(app, pilot, "go", wait=False)
        await until(pilot, lambda: app.view.live is not None and app.view.max_scroll_y > 40, what="a long answer")
        await pilot.press("pageup")  # from the prompt: focus stays there
        assert app.focused is app.prompt
        await until(pilot, lambda: "new text below" in screen_text(app), what="the marker")
        await until(pilot, lambda: app.session.streaming is None and app.turn_worker.is_finished, what="the end")
        await pilot.pause()
        assert last_answer_line(app) not in screen_text(app)  # the reader stays where they scrolled
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert last_answer_line(app) in screen_text(app) and "new text below" not in screen_text(app)


async def test_status_line_shows_a_rate_limit_wait_and_a_stop_before_any_text_says_so(make_app):
    app = make_app("ratelimit-hard")
    async with app.run_test(size=(80, 24)) as pilot:
        await send(app, pilot, "hi", wait=False)
        await until(pilot, lambda: "rate limited, retrying in" in screen_text(app), what="the retry on the status line")
        assert "(1/2)" in screen_text(app)
        await pilot.press("escape")
        await until(pilot, lambda: app.session.streaming is None, what="the stop")
        await pilot.pause()
        text = screen_text(app)
        assert "before any answer arrived" in text and "partial answer is kept" not in text
        assert "rate limited" not in text  # the status line is gone with the turn


async def test_status_line_waits_for_the_first_token_then_counts(paced_server):
    app = build(base_url=paced_server.base_url, api_key=API_KEY, model="stall-midway", store=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "go", wait=False)
        await until(pilot, lambda: "tokens ·" in screen_text(app), what="a live token count")
        await pilot.press("escape")
        await until(pilot, lambda: app.session.streaming is None, what="the stop")


async def test_user_text_is_shown_exactly_as_typed(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "before\n```python\nx = 1\n```\nafter **not bold**")
        text = screen_text(app)
        assert "```python" in text and "after **not bold**" in text


async def test_a_keyless_profile_shows_no_missing_key_badge(server, store):
    app = build(base_url=server.base_url, api_key=None, model="chatui-demo", profile=BUILTIN_PROFILES["ollama"], store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "no API key" not in screen_text(app) and "No API key" not in screen_text(app)


async def test_empty_reasoning_collapses_and_settings_are_visible(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.side.reasoning.size.height <= 3  # just its title
        await send(app, pilot, "/set temperature 0.3", wait=False)
        await send(app, pilot, "/system Answer in French.", wait=False)
        await send(app, pilot, "/set", wait=False)
        await pilot.pause()
        assert "temperature        0.3" in screen_text(app) or "temperature" in screen_text(app)
        await send(app, pilot, "/system", wait=False)
        await pilot.pause()
        assert "Instructions: Answer in French." in screen_text(app)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert "carried over: the instructions" in screen_text(app) and "temperature 0.3" in screen_text(app)


async def test_deleting_the_open_conversation_does_not_bring_it_back(make_app, store):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "forget me")
        doomed = app.session.conversation.id
        await in_history(app, pilot, "ctrl+d", "ConfirmDelete")
        await pilot.press("y")
        await until(pilot, lambda: type(app.screen).__name__ == "HistoryScreen", what="back to history")
        await pilot.press("escape")
        await until(pilot, lambda: app.session.conversation.id != doomed, what="a new conversation")
        assert "was deleted" in screen_text(app)
        await send(app, pilot, "a new start")
    assert [s.id for s in store.summaries()] == [app.session.conversation.id]


async def test_a_theme_picked_in_the_app_is_the_theme_next_time(make_app):
    from chatui import config

    app = make_app(prefs=config.load().ui)  # as the command line builds it
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.theme != "nord"
        app.theme = "nord"  # what the palette's theme picker does
        await pilot.pause()
    assert config.remembered() == {"theme": "nord"}
    again = make_app(prefs=config.load().ui)
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert again.theme == "nord"


async def test_the_config_files_theme_wins_and_the_app_says_so(make_app):
    from chatui.config import UIPrefs

    app = make_app(prefs=UIPrefs(theme="dracula"))
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.theme == "dracula"
        app.theme = "nord"
        await until(pilot, lambda: any("config file sets theme 'dracula'" in n.message for n in app._notifications), what="the note")
    again = make_app(prefs=UIPrefs(theme="dracula"))
    async with again.run_test(size=(120, 40)) as pilot:
        assert again.theme == "dracula"


async def test_on_a_wide_terminal_the_answer_gets_the_room(make_app):
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await send(app, pilot, "hello")
        lines = screen_text(app).splitlines()
        pane_top = next(line for line in lines if "╭─ Reasoning" in line)
        left = pane_top.index("╭")
        assert 200 - left <= 60, f"the side panes take {200 - left} columns"
        assert left >= 140  # the conversation keeps the rest


async def test_tool_calls_commentary_and_unknown_items_are_on_screen_and_expand(make_app):
    app = make_app("tools")
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "go")
        screen = screen_text(app)
        lines = screen.splitlines()
        at = {key: next(n for n, line in enumerate(lines) if key in line) for key in ("Let me check", "tool call: get_weather", "ran code: print(6 * 7)", "fancy_new_call item", "All done: 42.")}
        assert list(at.values()) == sorted(at.values())  # commentary, the tools, then the final answer, in order
        assert "chatui runs no tools" in screen
        from chatui.ui.widgets.items import ItemLineView

        call = app.query(ItemLineView).first()
        call.focus()
        pretty = re.compile(r'^\s*"city": "Paris",$')  # a line of its own: the detail, not the title

        def shown() -> bool:
            return any(pretty.match(line.split("█", 1)[-1].split("│")[0].rstrip()) for line in screen_text(app).splitlines())

        assert not shown()
        await pilot.press("enter")
        await pilot.pause()
        assert shown()  # the arguments, pretty
        await pilot.press("enter")
        await pilot.pause()
        assert not shown()


async def test_citations_become_a_sources_list_and_a_refusal_looks_like_one(make_app):
    app = make_app("web-search")
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "find")
        screen = screen_text(app)
        assert 'web search: "python terminal ui libraries"' in screen
        assert "Textual[1] and HTTPX[2] are well kept[3]." in screen  # markers where each citation ends
        assert "[1] Textual — https://textual.textualize.io/" in screen and "[2] HTTPX" in screen
        assert "javascript:" not in screen
        app.session.settings.model = "refusal"
        await send(app, pilot, "something bad")
        assert "refusal  · refused" in screen_text(app)
    reopened = make_app(conversation=app.session.conversation)  # from the transcript: the same
    async with reopened.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = screen_text(reopened)
        assert "[1] Textual — https://textual.textualize.io/" in screen and "· refused" in screen


async def test_math_is_shown_as_unicode_but_saved_and_copied_as_written(make_app):
    app = make_app("math")
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "quadratic")
        screen = screen_text(app)
        assert "x = (-b ±√(b²-4ac))/(2a)" in screen and "The roots of ax² + bx + c = 0 are" in screen
        assert "$HOME" in screen and "nor is $5." in screen
        answer = app.session.conversation.turns[-1].answer
        assert r"\frac{-b \pm \sqrt{b^2-4ac}}{2a}" in answer
        await send(app, pilot, "/copy", wait=False)
        await until(pilot, lambda: app.clipboard == answer, what="the source copied")


async def test_a_generated_image_shows_as_a_line_with_its_file_and_can_be_opened(make_app, store):
    from chatui.ui.widgets.items import ItemLineView

    app = make_app("image")
    async with app.run_test(size=(140, 40)) as pilot:
        await send(app, pilot, "draw")
        screen = screen_text(app)
        assert "generated an image: A small orange gradient · 4×3 PNG" in screen
        line = app.query(ItemLineView).first()
        assert line.line.path and (store.root / "images").is_dir()
        line.focus()
        await pilot.pause()
        assert "Open file" in screen_text(app)  # the footer offers to open it


async def test_collections_wait_while_streaming_and_everything_is_released_once_idle(paced_server):
    import gc

    app = build(base_url=paced_server.base_url, api_key=API_KEY, model="steady-200-2-4000", store=None)
    async with app.run_test(size=(120, 40)) as pilot:
        gc.unfreeze()
        await send(app, pilot, "go", wait=False)
        await until(pilot, lambda: gc.get_freeze_count() > 0, what="frames freezing what exists")
        await until(pilot, lambda: app.session.streaming is None and app.turn_worker.is_finished, what="the end")
        await until(pilot, lambda: gc.get_freeze_count() == 0, what="the release once idle")  # nothing stays frozen


async def test_a_layout_that_measures_an_answer_at_two_widths_renders_each_block_once_per_width():
    from textual.app import App

    from chatui.ui.widgets.markdown_view import MarkdownView

    class One(App):
        def compose(self):
            yield MarkdownView("\n\n".join(f"Paragraph {n} with **bold** words." for n in range(50)))

    app = One()
    async with app.run_test(size=(60, 20)):
        view = app.query_one(MarkdownView)
        view.BUDGET = 1e9  # this is about caching per width, not about rendering in slices (a loaded machine would slice)
        calls = []
        render = view._render_block

        view._render_block = lambda block, width, number=0: calls.append(width) or render(block, width, number)
        for width in (40, 39, 40, 39, 40):  # as a scroll container asks, with and without its scrollbar
            view.get_content_height(app.size, app.size, width)
        assert calls.count(40) == 50 and calls.count(39) == 50  # not 50 more at every switch
        view.append("\n\nOne more paragraph.")
        view.get_content_height(app.size, app.size, 39)
        view.get_content_height(app.size, app.size, 40)
        assert calls.count(40) <= 51 + 1 and calls.count(39) <= 51 + 1  # only the new block (and the tail)


async def test_a_huge_answer_renders_in_slices_and_ends_complete(monkeypatch):
    """Text faster than Markdown renders: each flush renders a slice, input is handled between, and the end is whole."""
    from textual.app import App

    from chatui.demo.content import bulk_markdown
    from chatui.ui.widgets.markdown_view import MarkdownView

    text = bulk_markdown(300_000)

    class Host(App):
        def compose(self):
            yield MarkdownView(id="sliced")

    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(MarkdownView)
        view.append(text)
        view.flush()
        assert 0 < view._mv_rendered_blocks < len(view.splitter.blocks)  # a slice, not the whole backlog
        view.finish()
        await until(pilot, lambda: not view._mv_dirty and view._mv_rendered_blocks == len(view.splitter.blocks), timeout=120, what="the last slice")
        sliced = view.line_texts()
    monkeypatch.setattr(MarkdownView, "BUDGET", 1e9)
    monkeypatch.setattr(MarkdownView, "FINISH_BUDGET", 1e9)

    whole = Host()
    async with whole.run_test(size=(100, 30)) as pilot:
        view = whole.query_one(MarkdownView)
        view.append(text)
        view.finish()
        await pilot.pause()
        assert view.line_texts() == sliced


async def test_a_long_answer_keeps_few_strips_and_shows_every_part_when_scrolled_back(monkeypatch):
    """Strips are kept for a bounded number of lines; a part scrolled back to is rendered again, identical."""
    from textual.app import App
    from textual.containers import VerticalScroll

    from chatui.ui.widgets.markdown_view import MarkdownView

    monkeypatch.setattr(MarkdownView, "KEEP_LINES", 60)
    text = "\n\n".join(f"Paragraph {n} has **bold** words, `code` and a tail long enough to wrap once here." for n in range(300))
    text += "\n\n```python\n" + "\n".join(f"x_{n} = {n}  # line {n}" for n in range(200)) + "\n```\n"

    class Host(App):
        def compose(self):
            with VerticalScroll():
                yield MarkdownView(text, number_code=True)

    async with Host().run_test(size=(60, 20)) as pilot:
        view = pilot.app.query_one(MarkdownView)
        scroller = pilot.app.query_one(VerticalScroll)
        await pilot.pause()
        layout = view._mv_layout
        lines = view.line_texts()
        assert len(lines) > 900 and layout.rendered == len(view.splitter.blocks)
        biggest = max(end - start for start, end in layout.spans)
        assert layout.kept <= 60 + biggest  # not every line's strips
        for top in (0, 450, 300, len(lines) - 20, 0):  # back and forth: parts dropped and rendered again
            scroller.scroll_to(y=top, animate=False)
            await pilot.pause()
            shown = [line[: view.size.width].rstrip() for line in _screen(pilot.app)[:18]]  # not the scrollbar
            assert shown == lines[top : top + 18], f"at line {top}"
        assert "Paragraph 0 has" in _screen(pilot.app)[0]
        assert layout.kept <= 60 + biggest


def _screen(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def test_a_big_backlog_shows_the_newest_text_at_once_and_the_formatted_text_takes_its_place():
    """Text far ahead of rendering: the newest words are on screen (plain) at once, not minutes later."""
    from textual.app import App

    from chatui.demo.content import bulk_markdown
    from chatui.ui.widgets.follow import FollowingScroll
    from chatui.ui.widgets.markdown_view import MarkdownView

    text = bulk_markdown(200_000) + "\n\nThe **last** words: zebra-quokka-7.\n"

    class Host(App):
        def compose(self):
            with FollowingScroll():  # follows its end, as the conversation does
                yield MarkdownView()

    async with Host().run_test(size=(100, 30)) as pilot:
        view = pilot.app.query_one(MarkdownView)

        def at_the_end_shows(words: str) -> bool:
            return words in "\n".join(_screen(pilot.app))

        view.append(text)
        view.flush()
        await until(pilot, lambda: at_the_end_shows("The **last** words: zebra-quokka-7."), what="the newest text, unformatted")
        assert view._mv_rendered_blocks < len(view.splitter.blocks)  # while far behind
        assert "still to format" in "\n".join(_screen(pilot.app))
        view.finish()
        await until(pilot, lambda: view._mv_rendered_blocks == len(view.splitter.blocks) and not view._mv_dirty, timeout=120, what="the backlog")
        await until(pilot, lambda: at_the_end_shows("The last words: zebra-quokka-7."), what="the formatted end")
        assert "still to format" not in "\n".join(_screen(pilot.app))
