"""Cost and context on screen: the usage pane, each answer, the header, compare columns and the history list."""

from __future__ import annotations

from chatui.config import Profile
from chatui.ui.widgets.compare import CompareColumn
from tests.app.conftest import screen_text, send, until


def hub(server) -> Profile:
    return Profile("hub", server.base_url, catalogue="aihubmix")


async def test_cost_and_context_show_in_the_usage_pane_on_the_answer_and_in_the_header(make_app, server, store):
    app = make_app("demo-mini", profile=hub(server))
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.session.catalogue is not None, what="the catalogue")
        await send(app, pilot, "hello")
        turn = app.session.conversation.turns[-1]
        cost = turn.cost
        assert cost is not None and cost.source == "aihubmix"
        await pilot.pause()
        screen = screen_text(app)
        price = f"${cost.usd:.2g}" if cost.usd < 0.01 else None
        assert "cost" in screen and "context" in screen and "<1% of 400K" in screen
        assert screen.count(price) >= 3, screen  # the answer's label, the pane (turn and session), the header
        header = screen.splitlines()[0]
        assert "ctx <1% of 400K" in header and price in header
        await send(app, pilot, "/model tiny-context", wait=False)
        for _ in range(8):  # each turn sends the whole history: a 2K window fills
            await send(app, pilot, "tell me everything about this client, again")
            if app.session.gauge().warn:
                break
        gauge = app.session.gauge()
        assert gauge.warn and f"ctx {gauge.describe()}" in screen_text(app).splitlines()[0]
        await until(pilot, lambda: any("context" in str(n.message) for n in app._notifications), what="the warning")


async def test_compare_columns_say_what_each_answer_cost_and_history_sums_a_conversation(make_app, server, store):
    from chatui.ui.screens.history import HistoryScreen

    app = make_app("demo-mini", profile=hub(server))
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: app.session.catalogue is not None, what="the catalogue")
        await send(app, pilot, "/compare demo-mini gateway-cost", wait=False)
        await send(app, pilot, "price check")
        columns = list(app.query(CompareColumn))
        assert [c.turn.cost.source for c in columns] == ["aihubmix", "gateway"]
        screen = screen_text(app)
        assert "$0.0123 " in screen or "$0.0123\n" in screen or "· $0.0123" in screen
        total = app.session.conversation.cost_total()[0]
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen), what="history")
        await pilot.pause()
        from chatui.cost import usd

        assert usd(total) in screen_text(app)


async def test_the_picker_shows_context_prices_and_capabilities_and_filters_and_sorts_on_them(make_app, server, store):
    from chatui.ui.screens.model_picker import ModelPicker

    app = make_app("demo-mini", profile=hub(server))
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, ModelPicker), what="the picker")
        await pilot.pause()
        screen = screen_text(app)
        row = next(line for line in screen.splitlines() if "demo-reasoning" in line)
        assert "200K" in row and "$3 in" in row and "$15 out" in row and "reasoning" in row
        await pilot.press(*"vision")
        await pilot.pause()
        picker = app.screen
        assert picker.matches("vision") == ["chatui-demo", "demo-mini", "gateway-cost"]  # the gateway's order
        await pilot.press("ctrl+s")  # by price, cheapest first
        assert picker.matches("vision") == ["demo-mini", "gateway-cost", "chatui-demo"] and "sort by price" in screen_text(app)
        assert picker.matches("vision files") == ["demo-mini"]
        await pilot.press("ctrl+s")  # by context, longest first
        assert picker.matches("")[0] == "gateway-cost" and picker.matches("")[-1] not in ("demo-mini", "chatui-demo")
        await pilot.press("enter")  # "vision" is a filter, not a model id: the highlighted model is chosen
        await until(pilot, lambda: not isinstance(app.screen, ModelPicker), what="the choice")
        assert app.session.settings.model == "gateway-cost"


async def test_compact_in_the_app_marks_the_summarised_turns_and_shows_the_summary(make_app, server, store):
    from chatui.ui.widgets.conversation import CompactionNote, UserMessage

    app = make_app("demo-mini", profile=hub(server))
    async with app.run_test(size=(140, 40)) as pilot:
        for text in ("first question", "second question", "third question"):
            await send(app, pilot, text)
        await send(app, pilot, "/compact", wait=False)
        await until(pilot, lambda: bool(app.query(CompactionNote)), what="the summary")
        await pilot.pause()
        users = list(app.query(UserMessage))
        assert [u.has_class("-compacted") for u in users] == [True, True, False]
        note = app.query_one(CompactionNote)
        assert "the 2 turns above are sent as this summary by demo-mini" in str(note.render())
        assert "Compacted 2 turns" in screen_text(app)


async def test_auto_compaction_runs_when_a_turn_passes_the_threshold(make_app, server, store):
    from chatui.ui.widgets.conversation import CompactionNote

    app = make_app("tiny-context", profile=Profile("hub", server.base_url, catalogue="aihubmix", auto_compact=0.5))
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.session.catalogue is not None, what="the catalogue")
        for _ in range(8):
            await send(app, pilot, "tell me more about everything in this client")
            if app.query(CompactionNote) or app.session.compacting:
                break
        await until(pilot, lambda: bool(app.query(CompactionNote)), what="the automatic summary")
        assert app.session.conversation.compacted_through() >= 1
