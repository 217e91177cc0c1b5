"""Compare in the app: columns stream side by side, one failure disturbs none, enter picks, escape stops all."""

from __future__ import annotations

from textual import events

from chatui.turn import Status
from chatui.ui.widgets.compare import CompareColumn
from chatui.ui.widgets.conversation import AssistantMessage, UserMessage
from tests.app.conftest import screen_text, send, until
from tests.conftest import API_KEY


async def test_three_models_side_by_side_one_failing_then_continue_with_one(make_app, server):
    app = make_app("demo-mini")
    async with app.run_test(size=(160, 45)) as pilot:
        await send(app, pilot, "/compare demo-mini fail-midstream demo-cjk", wait=False)
        await send(app, pilot, "hello all")
        columns = list(app.query(CompareColumn))
        assert [c.turn.model for c in columns] == ["demo-mini", "fail-midstream", "demo-cjk"]
        assert [c.turn.status for c in columns] == [Status.COMPLETED, Status.FAILED, Status.COMPLETED]
        screen = screen_text(app)
        label_line = next(line for line in screen.splitlines() if "demo-mini" in line and "demo-cjk" in line)
        assert label_line.index("demo-mini") < label_line.index("fail-midstream") < label_line.index("demo-cjk")  # side by side
        assert "你好" in screen and "The server failed" in screen
        assert screen.count("first token") >= 3  # each column says how fast it was (and the usage pane)
        columns[2].focus()
        await pilot.press("enter")
        await until(pilot, lambda: app.session.conversation.turns[-1].model == "demo-cjk", what="the pick")
        await pilot.pause()
        assert not app.query(CompareColumn)
        assert "demo-cjk  ‹3/3›" in screen_text(app)
        await send(app, pilot, "/compare off", wait=False)
        await send(app, pilot, "and next?")
        sent = server.posts()[-1]
        assert sent["model"] == "demo-mini"
        assert "你好" in str(sent["input"])  # the conversation continued from the picked answer


async def test_one_column_stops_alone_escape_stops_all_and_narrow_terminals_stack_them(paced_server):
    from chatui.ui.factory import make_app

    app = make_app(base_url=paced_server.base_url, api_key=API_KEY, model="slow", store=None)
    async with app.run_test(size=(90, 40)) as pilot:
        await send(app, pilot, "/compare slow slow", wait=False)
        await send(app, pilot, "go", wait=False)
        await until(pilot, lambda: all(c.turn.answer or c.body.text for c in app.query(CompareColumn)) and len(app.query(CompareColumn)) == 2, what="both streaming")
        first, second = app.query(CompareColumn)
        assert second.region.y > first.region.y  # stacked below 100 columns
        first.focus()
        await pilot.press("s")  # stop this one: the other goes on
        await until(pilot, lambda: first.turn.status is Status.CANCELLED, what="the one stopped")
        grown = len(second.body.text)
        await until(pilot, lambda: len(second.body.text) > grown, what="the other still streaming")
        assert second.turn.status is Status.STREAMING
        await pilot.press("escape")
        await until(pilot, lambda: app.session.streaming is None and app.turn_worker.is_finished, what="the stop")
        assert [c.turn.status for c in app.query(CompareColumn)] == [Status.CANCELLED, Status.CANCELLED]
        assert len(app.query(AssistantMessage)) == 2


async def test_compare_picker_ticks_models_in_column_order_and_keys_pick_a_column(make_app, server):
    from chatui.ui.screens.model_picker import ComparePicker

    app = make_app("demo-mini")
    async with app.run_test(size=(160, 45)) as pilot:
        await send(app, pilot, "/compare", wait=False)
        await until(pilot, lambda: isinstance(app.screen, ComparePicker), what="the compare picker")
        assert "Not comparing" in screen_text(app) or "none ticked" in screen_text(app)
        for key in [*"demo-cjk", "space"]:  # a burst, as a fast typist or a paste sends it: space ticks what was typed before it
            app.post_message(events.Key(key, " " if key == "space" else key))
        await until(pilot, lambda: app.screen.ticked == ["demo-cjk"], what="the tick")
        await pilot.press(*["backspace"] * 8, *"demo-mini", "space", *["backspace"] * 9)
        await pilot.press(*"fail-midstream", "space", "space", "space")  # ticked, unticked, ticked again
        picker = app.screen
        assert picker.ticked == ["demo-cjk", "demo-mini", "fail-midstream"]
        assert " 3  fail-midstream" in screen_text(app)  # a ticked model shows its column
        await pilot.press("enter")
        await until(pilot, lambda: app.session.compare_models == ["demo-cjk", "demo-mini", "fail-midstream"], what="compare on")
        await send(app, pilot, "hello all")
        columns = list(app.query(CompareColumn))
        assert [c.turn.model for c in columns] == ["demo-cjk", "demo-mini", "fail-midstream"]
        assert " 1  demo-cjk" in screen_text(app) and "continue here (2)" in screen_text(app)
        columns[2].focus()
        await pilot.press("2")  # from any column, 2 is the second model
        await until(pilot, lambda: app.session.conversation.turns[-1].model == "demo-mini", what="the pick by number")
        await pilot.pause()
        assert not app.query(CompareColumn) and "demo-mini  ‹2/3›" in screen_text(app)
        await send(app, pilot, "/compare", wait=False)
        await until(pilot, lambda: isinstance(app.screen, ComparePicker), what="the picker again")
        assert app.screen.ticked == ["demo-cjk", "demo-mini", "fail-midstream"]  # the models compared now, ticked
        await pilot.press("escape")
        assert app.session.compare_models == ["demo-cjk", "demo-mini", "fail-midstream"]  # escape changes nothing


async def test_a_click_on_continue_here_picks_that_answer(make_app, server):
    app = make_app("demo-mini")
    async with app.run_test(size=(160, 45)) as pilot:
        await send(app, pilot, "/compare demo-mini demo-cjk", wait=False)
        await send(app, pilot, "hello both")
        button = app.query(CompareColumn)[1].pick_button
        assert button.region.height and "continue here (2)" in screen_text(app)  # on screen, not scrolled away
        await pilot.click(button)
        await until(pilot, lambda: app.session.conversation.turns[-1].model == "demo-cjk", what="the pick by click")


async def test_each_column_shows_its_own_end_however_long_the_others_are(make_app, server):
    app = make_app("demo-mini")
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "/compare bulkpara-400-40000 demo-cjk", wait=False)
        await send(app, pilot, "one long, one short")
        long_one, short_one = app.query(CompareColumn)
        assert len(long_one.turn.answer) > 30_000 and long_one.scroller.max_scroll_y > 100  # scrolls inside its column
        assert long_one.scroller.scroll_y == long_one.scroller.max_scroll_y  # followed to its end
        assert long_one.region.bottom <= app.view.region.bottom and short_one.region.bottom <= app.view.region.bottom
        screen = screen_text(app)
        for column in (long_one, short_one):
            assert column.turn.answer.split()[-1].strip("*.,") in screen  # each answer's last words are on screen
        assert screen.count("continue here") == 2


async def test_a_comparison_reopens_side_by_side_from_an_answer_or_the_tree(make_app, server):
    from textual.widgets import Tree

    app = make_app("demo-mini")
    async with app.run_test(size=(160, 45)) as pilot:
        await send(app, pilot, "/compare demo-mini demo-cjk", wait=False)
        await send(app, pilot, "hello both")
        await send(app, pilot, "/compare off", wait=False)
        app.query(CompareColumn)[1].focus()
        await pilot.press("enter")  # continue with demo-cjk
        await until(pilot, lambda: not app.query(CompareColumn), what="the pick")
        await send(app, pilot, "and then?")  # a turn below the comparison
        answer = app.view.assistant[app.session.conversation.turns[0].id]
        assert "‹2/2›" in screen_text(app) and "v side by side" in screen_text(app)
        answer.focus()
        await pilot.press("v")
        await until(pilot, lambda: len(app.query(CompareColumn)) == 2, what="side by side again")
        await pilot.pause()
        columns = list(app.query(CompareColumn))
        assert [c.turn.model for c in columns] == ["demo-mini", "demo-cjk"] and app.focused is columns[1]
        screen = screen_text(app)
        assert "continue here (1)" in screen and "你好" in screen and "hello both" in screen
        assert [w.turn.user_text for w in app.view.query(UserMessage)] == ["hello both", "and then?"]  # the branch goes on below
        await pilot.press("ctrl+t")
        await until(pilot, lambda: type(app.screen).__name__ == "TreeScreen", what="the tree")
        tree = app.screen.query_one(Tree)
        tree.move_cursor(tree.root.children[0])  # the first answer to "hello both"
        await pilot.press("v")
        await until(pilot, lambda: type(app.screen).__name__ != "TreeScreen" and len(app.query(CompareColumn)) == 2, what="from the tree")
        await pilot.pause()
        assert app.focused is app.query(CompareColumn)[0]
        await pilot.press("2")
        await until(pilot, lambda: not app.query(CompareColumn) and app.session.conversation.turns[0].model == "demo-cjk", what="the pick")
        assert [t.user_text for t in app.session.conversation.turns] == ["hello both", "and then?"]
