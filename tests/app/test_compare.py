"""Compare in the app: columns stream side by side, one failure disturbs none, enter picks, escape stops all."""

from __future__ import annotations

from chatui.turn import Status
from chatui.ui.widgets.compare import CompareColumn
from chatui.ui.widgets.conversation import AssistantMessage
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
