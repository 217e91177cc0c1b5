"""The app under Pilot, driving whole turns against the scripted server."""

from __future__ import annotations

from chatui.conversation import Conversation, Settings, Turn
from chatui.turn import Status, Timings, Usage
from chatui.ui.widgets.conversation import AssistantMessage
from tests.app.conftest import screen_segments, screen_text, send, until


async def test_a_turn_streams_answer_reasoning_and_usage(make_app, server):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "Hello there ☕")
        turn = app.session.conversation.turns[-1]
        assert turn.status is Status.COMPLETED
        text = screen_text(app)
        assert "Welcome to chatui" in text
        assert "Understanding the request" in text  # reasoning pane
        assert f"{turn.usage.output_tokens:,}" in text and f"{turn.usage.input_tokens:,}" in text  # usage pane
        assert server.posts()[-1]["input"][-1]["content"][0]["text"] == "Hello there ☕"
        assert app.focused is app.prompt
        body = app.query_one(AssistantMessage).body
        assert body.size.height == len(body.line_texts()) > 10  # no streaming slack left behind


async def test_cjk_and_emoji_render(make_app):
    app = make_app("demo-cjk")
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "中文")
        text = screen_text(app)
        assert "你好！这是一个" in text and "스트리밍" in text and "🚀" in text


async def test_model_switch_by_command_reaches_the_next_request(make_app, server):
    app = make_app("chatui-demo")
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "one")
        await send(app, pilot, "/model demo-reasoning", wait=False)
        await pilot.pause()
        assert "demo-reasoning" in screen_text(app).splitlines()[0]  # the header
        await send(app, pilot, "two")
        assert server.posts()[-1]["model"] == "demo-reasoning"
        labels = [w.turn.model for w in app.query(AssistantMessage)]
        assert labels == ["chatui-demo", "demo-reasoning"]
        assert all(i.get("type") != "reasoning" for i in server.posts()[-1]["input"])


async def test_model_picker_lists_filters_and_picks(make_app, server):
    app = make_app("chatui-demo")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+o")
        await until(pilot, lambda: type(app.screen).__name__ == "ModelPicker", what="the picker")
        await pilot.press(*"cjk")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ != "ModelPicker", what="the picker to close")
        assert app.session.settings.model == "demo-cjk"
        await send(app, pilot, "hi")
        assert server.posts()[-1]["model"] == "demo-cjk"


async def test_picker_accepts_a_typed_id_not_in_the_list(make_app):
    app = make_app("chatui-demo")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+o")
        await until(pilot, lambda: type(app.screen).__name__ == "ModelPicker", what="the picker")
        await pilot.press(*"vendor/brand-new-model")
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ != "ModelPicker", what="the picker to close")
        assert app.session.settings.model == "vendor/brand-new-model"


async def test_escape_stops_the_stream_and_keeps_the_partial_answer(make_app, paced_server, store):
    from chatui.ui.factory import make_app
    from tests.conftest import API_KEY

    app = make_app(base_url=paced_server.base_url, api_key=API_KEY, model="slow", store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "go", wait=False)
        await until(pilot, lambda: app.view.live is not None and len(app.view.live.widget.body.text) > 20, what="some text")
        await pilot.press("ctrl+c")  # never kills a conversation in progress
        await pilot.press("escape")
        await until(pilot, lambda: app.session.streaming is None, what="the stop")
        turn = app.session.conversation.turns[-1]
        assert turn.status is Status.CANCELLED and turn.answer.startswith("word0 word1")
        assert "stopped" in screen_text(app)
        assert app.is_running
        # the prompt is ready: the next turn goes out
        app.session.settings.model = "demo-reasoning"
        await send(app, pilot, "again")
        assert app.session.conversation.turns[-1].status is Status.COMPLETED


async def test_error_turns_are_shown_in_plain_words(make_app, server):
    cases = {
        "unauthorized": "API key was rejected",
        "no-such-model": "no route for 'no-such-model'",
        "fail-midstream": "failed in the middle",
        "drop": "connection dropped",
        "quota": "out of credit",
    }
    app = make_app("chatui-demo")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        for model, words in cases.items():
            app.session.settings.model = model
            await send(app, pilot, f"try {model}")
            turn = app.session.conversation.turns[-1]
            assert turn.status in (Status.FAILED, Status.CUT), model
            assert words in app.query(AssistantMessage).last().status_line.render().plain, model
        assert not app._notifications  # shown once, on the turn: no toast over the prompt as well
        assert app.is_running
        # the partial answer of the failed stream is kept in its widget
        bodies = [w.body.text for w in app.query(AssistantMessage)]
        assert "The three largest moons of Saturn are" in bodies


async def test_hostile_text_stays_text(make_app):
    app = make_app("hostile")
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "be hostile")
        segments = screen_segments(app)
        joined = "".join(segments)
        assert "\x1b" not in joined and "\x07" not in joined and "\x9b" not in joined
        text = screen_text(app)
        assert "[bold red]not bold[/bold red]" in text
        assert "[@click=app.quit]quit[/]" in text
        assert app.is_running


async def test_unknown_command_and_bad_values_get_messages(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await send(app, pilot, "/modle x", wait=False)
        await send(app, pilot, "/set temperature 9", wait=False)
        await send(app, pilot, "/set temperature", wait=False)
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("Did you mean /model" in m for m in messages)
        assert any("between 0 and 2" in m for m in messages)
        assert any("Usage: /set" in m for m in messages)
        await send(app, pilot, "/set temperature 0.4", wait=False)
        await send(app, pilot, "/system Answer in French.", wait=False)
        await send(app, pilot, "hi")
        assert app.session.conversation.turns[-1].params["temperature"] == 0.4


async def test_settings_reach_the_request(make_app, server):
    app = make_app("chatui-demo")
    async with app.run_test(size=(120, 40)) as pilot:
        for line in ("/set temperature 0.4", "/set max_output_tokens 999", "/set effort low", "/system Be brief."):
            await send(app, pilot, line, wait=False)
        await send(app, pilot, "hi")
        body = server.posts()[-1]
        assert body["temperature"] == 0.4 and body["max_output_tokens"] == 999
        assert body["reasoning"] == {"effort": "low"} and body["instructions"] == "Be brief."


async def test_no_key_explains_and_keeps_the_text(server, store):
    from chatui.ui.factory import make_app

    app = make_app(base_url=server.base_url, api_key=None, model="chatui-demo", store=store)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        assert "No API key is set" in screen_text(app)
        await send(app, pilot, "hello?", wait=False)
        await pilot.pause()
        assert app.prompt.text == "hello?" and not server.posts()


async def test_prompt_keys_newline_and_recall(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"line one")
        await pilot.press("ctrl+j")
        await pilot.press(*"line two")
        assert app.prompt.text == "line one\nline two"
        await pilot.press("enter")
        await until(pilot, lambda: app.session.streaming is None and app.session.conversation.turns and app.session.conversation.turns[-1].status is not Status.STREAMING)
        assert app.session.conversation.turns[-1].user_text == "line one\nline two"
        assert app.prompt.text == ""
        await pilot.press("up")
        assert app.prompt.text == "line one\nline two"
        await pilot.press("down")
        assert app.prompt.text == ""


async def test_paste_multiline(make_app):
    from textual import events

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.post_message(events.Paste("a\nb\nc"))  # as the terminal driver delivers it
        await pilot.pause()
        assert app.prompt.text == "a\nb\nc"


async def test_retry_replaces_the_last_turn_and_edit_restores_the_prompt(make_app, server):
    app = make_app("fail-midstream")
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "moons?")
        assert app.session.conversation.turns[-1].status is Status.FAILED
        app.session.settings.model = "demo-reasoning"
        await send(app, pilot, "/retry")
        await until(pilot, lambda: app.session.conversation.turns[-1].status is Status.COMPLETED)
        assert len(app.session.conversation.turns) == 1 and len(app.query(AssistantMessage)) == 1
        assert server.posts()[-1]["input"][-1]["content"][0]["text"] == "moons?"
        await send(app, pilot, "/edit", wait=False)
        await pilot.pause()
        assert app.prompt.text == "moons?"


async def test_turn_is_saved_to_disk(make_app, store):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "remember me")
    loaded = store.load(app.session.conversation.id)
    assert loaded.turns[0].user_text == "remember me" and loaded.turns[0].status is Status.COMPLETED


async def test_long_conversation_mounts_only_recent_turns(make_app):
    conv = Conversation(Settings(model="chatui-demo"), "http://x")
    conv.turns = [
        Turn(user_text=f"question {i}", model="chatui-demo", gateway="http://x", status=Status.COMPLETED, answer=f"answer **{i}**", usage=Usage(1, 0, 1, 0, 2), timings=Timings())
        for i in range(1000)
    ]
    app = make_app(conversation=conv)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert len(app.query(AssistantMessage)) == 30
        assert "answer 999" in screen_text(app)
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert len(app.query(AssistantMessage)) == 60
        assert "2,000" in screen_text(app)  # session total tokens


async def test_focusing_an_earlier_answer_shows_its_reasoning(make_app):
    app = make_app("chatui-demo")
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "first")
        app.session.settings.model = "demo-reasoning"
        await send(app, pilot, "second")
        assert "Okay, the user asked" in screen_text(app)
        app.query(AssistantMessage).first().focus()
        await pilot.pause()
        assert "Understanding the request" in screen_text(app)


async def test_narrow_terminal_stays_usable(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await send(app, pilot, "hi")
        assert not app.query_one("#side").display
        assert "command palette" in screen_text(app)  # the answer's last line, followed to the bottom
        await pilot.press("ctrl+r")
        assert app.query_one("#side").display


async def test_copy_answer_and_code_block(make_app):
    app = make_app("chatui-demo")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await send(app, pilot, "show me python code")
        await send(app, pilot, "/copy code 1", wait=False)
        await pilot.pause()
        assert app.clipboard.startswith("def primes_up_to(n: int)") and "```" not in app.clipboard
        await send(app, pilot, "/copy code", wait=False)  # alone: the last block
        await pilot.pause()
        assert app.clipboard.startswith("python3 -c") and "```" not in app.clipboard
        await send(app, pilot, "/copy", wait=False)
        await pilot.pause()
        assert app.clipboard.startswith("Here is a small, **fast** prime sieve")
        await send(app, pilot, "/copy code 9", wait=False)
        await pilot.pause()
        assert any("has 2 code blocks" in n.message for n in app._notifications)


async def test_long_fence_is_highlighted_whole_after_streaming(make_app):
    from chatui.blocks import merge_code_chunks

    app = make_app("bulkcode-400-12000")
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "code")
        body = app.query_one(AssistantMessage).body
        await until(pilot, lambda: not any(b.joined for b in body.splitter.blocks if b.kind == "code"), what="the fence merge")
        merged = merge_code_chunks(body.splitter.blocks)
        assert len(body.splitter.blocks) == len(merged) and len(body._mv_layout.spans) == len(merged)
        fresh = type(body)(body.text, number_code=True)  # the same text rendered from scratch
        await app.view.mount(fresh)
        await pilot.pause()
        fresh._ensure(body._mv_width)
        assert fresh.line_texts() == body.line_texts()


async def test_every_command_has_a_handler_a_palette_entry_and_a_place_in_help(make_app):
    from chatui.commands import COMMANDS
    from chatui.ui.app import ChatApp

    bound = {b.key: b.action for b in ChatApp.BINDINGS}
    for command in COMMANDS:
        assert callable(getattr(ChatApp, f"cmd_{command.name}", None)), command.name
        if command.key:
            assert bound[command.key] == f"command('{command.name}')"
    app = make_app()
    async with app.run_test(size=(120, 50)) as pilot:
        palette = {c.title for c in app.get_system_commands(app.screen)}
        assert {f"/{c.name}" for c in COMMANDS} <= palette
        await pilot.press("f1")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen", what="help")
        text = "\n".join(str(w.render()) for w in app.screen.query("Static"))
        for command in COMMANDS:
            assert f"/{command.name}" in text and command.description in text
        assert "ctrl+l" in text


async def test_settings_typed_while_streaming_wait_for_the_next_turn(paced_server):
    from chatui.ui.factory import make_app as build
    from tests.conftest import API_KEY

    app = build(base_url=paced_server.base_url, api_key=API_KEY, model="slow", store=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(app, pilot, "go", wait=False)
        await until(pilot, lambda: app.view.live is not None and len(app.view.live.widget.body.text) > 10, what="some text")
        await send(app, pilot, "/model demo-reasoning", wait=False)
        await send(app, pilot, "/set temperature 1.5", wait=False)
        turn = app.session.conversation.turns[-1]
        assert paced_server.posts()[-1]["model"] == "slow" and "temperature" not in paced_server.posts()[-1]
        assert turn.model == "slow" and "temperature" not in turn.params
        await pilot.press("escape")
        await until(pilot, lambda: app.session.streaming is None, what="the stop")
        await send(app, pilot, "next")
        body = paced_server.posts()[-1]
        assert body["model"] == "demo-reasoning" and body["temperature"] == 1.5
