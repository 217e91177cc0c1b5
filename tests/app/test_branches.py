"""Branches on screen: retry keeps the old answer, edit forks, ← → switch, the view shows the active branch."""

from __future__ import annotations

from chatui.ui.widgets.conversation import AssistantMessage, UserMessage
from tests.app.conftest import screen_text, send, until


async def wait_idle(app, pilot) -> None:
    await until(pilot, lambda: app.session.streaming is None and app.turn_worker is not None and app.turn_worker.is_finished, what="the turn to finish")
    await pilot.pause()


async def test_retry_keeps_the_old_answer_and_arrows_switch_between_them(make_app):
    app = make_app("demo-mini")
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "show me some code")
        first = app.session.conversation.turns[-1]
        await send(app, pilot, "/retry chatui-demo", wait=False)
        await wait_idle(app, pilot)
        second = app.session.conversation.turns[-1]
        assert second is not first and second.model == "chatui-demo"
        screen = screen_text(app)
        assert "chatui-demo  ‹2/2›" in screen
        assert len(app.query(AssistantMessage)) == 1  # one answer on screen: the active branch
        app.query(AssistantMessage).last().focus()
        await pilot.press("left")
        await until(pilot, lambda: app.session.conversation.turns[-1] is first, what="the switch")
        await pilot.pause()
        assert "demo-mini  ‹1/2›" in screen_text(app)
        await pilot.press("right")
        await until(pilot, lambda: app.session.conversation.turns[-1] is second, what="the switch back")


async def test_editing_an_earlier_message_forks_and_the_old_branch_stays(make_app, store, server):
    app = make_app("demo-mini")
    async with app.run_test(size=(120, 40)) as pilot:
        for text in ("first question", "second question", "third question"):
            await send(app, pilot, text)
        app.query(UserMessage)[1].focus()
        await pilot.press("e")
        await until(pilot, lambda: app.prompt.text == "second question", what="the message in the prompt")
        app.prompt.load_text("second question, better")
        await pilot.press("enter")
        await wait_idle(app, pilot)
        screen = screen_text(app)
        assert "second question, better" in screen and "third question" not in screen
        assert [m.turn.user_text for m in app.query(UserMessage)] == ["first question", "second question, better"]
        assert "‹2/2›" in screen
        sent = server.posts()[-1]["input"]  # the request carried only the active branch
        assert [i["content"][0]["text"] for i in sent if i.get("role") == "user"] == ["first question", "second question, better"]
        conv = app.session.conversation
        assert len(conv.all_turns) == 4
        app.query(AssistantMessage).last().focus()
        await pilot.press("left")
        await until(pilot, lambda: [t.user_text for t in conv.turns] == ["first question", "second question", "third question"], what="the old branch")
        await pilot.pause()
        assert "third question" in screen_text(app)
    reopened = store.load(conv.id)
    assert [t.user_text for t in reopened.turns] == ["first question", "second question", "third question"]


async def test_the_tree_shows_every_branch_and_jumps_to_one(make_app):
    from textual.widgets import Tree

    app = make_app("demo-mini")
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "first question")
        await send(app, pilot, "second question")
        await send(app, pilot, "/edit 2", wait=False)
        await until(pilot, lambda: app.prompt.text == "second question", what="the edit")
        app.prompt.load_text("other second question")
        await pilot.press("enter")
        await wait_idle(app, pilot)
        await pilot.press("ctrl+t")
        await until(pilot, lambda: type(app.screen).__name__ == "TreeScreen", what="the tree")
        await pilot.pause()
        screen = screen_text(app)
        assert "● first question" in screen and "● other second question" in screen
        assert "  second question  → demo-mini" in screen  # the other branch, not marked
        tree = app.screen.query_one(Tree)
        target = next(n for n in tree.root.children[0].children if "other" not in str(n.label))
        tree.move_cursor(target)
        await pilot.press("enter")
        await until(pilot, lambda: [t.user_text for t in app.session.conversation.turns] == ["first question", "second question"], what="the jump")
        await pilot.pause()
        assert type(app.screen).__name__ != "TreeScreen" and "other second question" not in screen_text(app)
