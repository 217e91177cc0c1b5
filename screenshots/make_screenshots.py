"""Regenerate the SVG screenshots in this folder from the real app and the demo server.

Run: python screenshots/make_screenshots.py   (then look at them, e.g. via cairosvg -> PNG)
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from chatui.demo import ScriptedServer  # noqa: E402
from chatui.ui.factory import make_app  # noqa: E402

SIZE = (120, 40)


async def until(pilot, predicate, timeout: float = 20.0) -> None:
    """Wait (bounded) for a condition while the app runs."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("screenshot condition never became true")
        await pilot.pause(0.02)


async def send(app, pilot, text: str) -> None:
    app.prompt.load_text(text)
    await pilot.press("enter")


async def main() -> None:
    os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp())
    with ScriptedServer(pace=1.0) as server:
        # 1. mid-stream, with reasoning and usage of the earlier turn visible
        app = make_app(base_url=server.base_url, api_key="demo", model="chatui-demo", demo=True)
        async with app.run_test(size=SIZE) as pilot:
            await send(app, pilot, "Hi! What can you do?")
            await until(pilot, lambda: app.session.streaming is None)
            server.pace = 4.0  # slow the second answer down so the picture catches it mid-stream
            await send(app, pilot, "Show me some Python code")
            await until(pilot, lambda: app.view.live is not None and len(app.view.live.widget.body.text) > 240)
            app.save_screenshot("streaming.svg", str(HERE))
            server.pace = 0.0
            await until(pilot, lambda: app.session.streaming is None)
            server.pace = 1.0
            # 2. the model picker
            await pilot.press("ctrl+o")
            await until(pilot, lambda: app.screen.__class__.__name__ == "ModelPicker")
            await pilot.press("d", "e", "m", "o")
            await pilot.pause(0.2)
            app.save_screenshot("model_picker.svg", str(HERE))
            await pilot.press("escape")
        # 3. an error turn: the stream fails half-way
        app = make_app(base_url=server.base_url, api_key="demo", model="fail-midstream", demo=True)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await send(app, pilot, "Name the three largest moons of Saturn.")
            await until(pilot, lambda: app.session.streaming is None)
            await pilot.pause(0.3)
            app.save_screenshot("error_turn.svg", str(HERE))
        # 4. the history browser over a few saved conversations
        from chatui.conversation import Conversation, Settings
        from chatui.transcripts import TranscriptStore
        from chatui.turn import Status

        store = TranscriptStore(Path(tempfile.mkdtemp()) / "conversations")
        topics = [("Plan a week in Kyoto", "gemini-3.1-pro-preview"), ("Rust lifetimes, explained", "claude-sonnet-4-6"),
                  ("素数の判定を高速に", "gpt-5.4"), ("Refactor the billing module", "gpt-5-mini"), ("한국어 이메일 다듬기", "claude-sonnet-4-6")]
        for n, (topic, model) in enumerate(topics):
            conv = Conversation(Settings(model=model), server.base_url, id=f"demo-{n}")
            for k in range(n + 1):
                turn = conv.start_turn(topic if k == 0 else f"follow-up {k}")
                turn.status, turn.answer = Status.COMPLETED, "…"
            store.save(conv)
        app = make_app(base_url=server.base_url, api_key="demo", model="chatui-demo", demo=True, store=store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+l")
            await until(pilot, lambda: app.screen.__class__.__name__ == "HistoryScreen")
            await pilot.pause(0.2)
            app.save_screenshot("history.svg", str(HERE))
        # 6. a turn with tool calls and commentary, then a web search with citations
        app = make_app(base_url=server.base_url, api_key="demo", model="tools", demo=True)
        async with app.run_test(size=SIZE) as pilot:
            await send(app, pilot, "What's the weather in Paris? Check your tools.")
            await until(pilot, lambda: app.session.streaming is None)
            await send(app, pilot, "/model chatui-demo")
            await send(app, pilot, "/search on")
            await send(app, pilot, "Which Python TUI libraries are well kept?")
            await until(pilot, lambda: app.session.streaming is None and len(app.session.conversation.turns) == 2)
            from chatui.ui.widgets.items import ItemLineView

            app.query(ItemLineView).first().focus()
            await pilot.press("enter")
            await pilot.pause(0.3)
            app.save_screenshot("tools_and_sources.svg", str(HERE))
        # 7. a comparison of three models, then the tree of its branches
        app = make_app(base_url=server.base_url, api_key="demo", model="chatui-demo", demo=True)
        async with app.run_test(size=(160, 45)) as pilot:
            await send(app, pilot, "Hi! What can you do?")
            await until(pilot, lambda: app.session.streaming is None)
            await send(app, pilot, "/compare chatui-demo demo-mini demo-cjk")
            await send(app, pilot, "Show me a table comparing chat clients")
            await until(pilot, lambda: app.session.streaming is None and len(app.session.conversation.all_turns) == 4)
            await pilot.pause(0.5)
            app.save_screenshot("compare.svg", str(HERE))
            await pilot.press("ctrl+t")
            await until(pilot, lambda: app.screen.__class__.__name__ == "TreeScreen")
            await pilot.pause(0.3)
            app.save_screenshot("tree.svg", str(HERE))
        # 5. the same conversation mid-stream on a narrow (80x24) and a wide (200x50) terminal
        for name, size in (("narrow_80x24.svg", (80, 24)), ("wide_200x50.svg", (200, 50))):
            app = make_app(base_url=server.base_url, api_key="demo", model="chatui-demo", demo=True)
            async with app.run_test(size=size) as pilot:
                await send(app, pilot, "Hi! What can you do?")
                await until(pilot, lambda: app.session.streaming is None)
                server.pace = 4.0
                await send(app, pilot, "Show me some Python code")
                await until(pilot, lambda: app.view.live is not None and len(app.view.live.widget.body.text) > 240)
                app.save_screenshot(name, str(HERE))
                server.pace = 0.0
                await until(pilot, lambda: app.session.streaming is None)
                server.pace = 1.0
        # 8. prices in the picker; cost, context and a compacted conversation
        server.pace = 0.0
        app = make_app(base_url=server.base_url, api_key="demo", model="chatui-demo", demo=True)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.session.catalogue is not None)
            await pilot.press("ctrl+o")
            await until(pilot, lambda: app.screen.__class__.__name__ == "ModelPicker")
            await pilot.press(*"reasoning", "ctrl+s")
            await pilot.pause(0.3)
            app.save_screenshot("picker_prices.svg", str(HERE))
            await pilot.press("escape")
            for text in ("Hi! What can you do?", "Show me some Python code", "And a table comparing chat clients"):
                await send(app, pilot, text)
                await until(pilot, lambda: app.session.streaming is None)
            await send(app, pilot, "/compact")
            await until(pilot, lambda: app.session.conversation.compacted_through() > 0 and bool(app.query(".compaction")))
            await pilot.pause(0.3)
            app.view.scroll_to_widget(app.query(".compaction").first(), animate=False, top=True)
            app.view.pinned = False
            await pilot.pause(0.3)
            app.save_screenshot("cost_and_compact.svg", str(HERE))
        # 9. a message with an image and a PDF attached (chips first, then the message on screen)
        sys.path.insert(0, str(HERE.parent))
        from tests.unit.test_attachments import PDF, png

        files = Path(tempfile.mkdtemp())
        (files / "whiteboard.png").write_bytes(png(1600, 900))
        (files / "quarterly report.pdf").write_bytes(PDF)
        app = make_app(base_url=server.base_url, api_key="demo", model="demo-mini", demo=True)  # reads images and PDFs
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.session.catalogue is not None)
            await send(app, pilot, f"/attach {files / 'whiteboard.png'} '{files / 'quarterly report.pdf'}'")
            await until(pilot, lambda: len(app.session.pending) == 2)
            await pilot.pause(0.3)
            app.save_screenshot("attach_chips.svg", str(HERE))
            await send(app, pilot, "Does the whiteboard sketch match the numbers in the report?")
            await until(pilot, lambda: app.session.streaming is None and len(app.session.conversation.turns) == 1)
            await pilot.pause(0.5)
            app.view.scroll_home(animate=False)
            app.view.pinned = False
            await pilot.pause(0.3)
            app.save_screenshot("attachments.svg", str(HERE))
        # 10. the interface in French, Simplified Chinese and Korean (a question in each, answered)
        from chatui import i18n

        server.pace = 0.0
        questions = {"fr": "Bonjour ! Que sais-tu faire ?", "zh_CN": "你好！你能做什么？", "ko": "안녕하세요! 무엇을 할 수 있나요?"}
        for code, question in questions.items():
            i18n.use(code)
            app = make_app(base_url=server.base_url, api_key="demo", model="chatui-demo", demo=True)
            async with app.run_test(size=SIZE) as pilot:
                await until(pilot, lambda: app.session.catalogue is not None)
                await send(app, pilot, question)
                await until(pilot, lambda: app.session.streaming is None and len(app.session.conversation.turns) == 1)
                await pilot.pause(0.5)
                app.save_screenshot(f"lang_{code}.svg", str(HERE))
        i18n.use("en")
        server.pace = 1.0

    print("wrote", ", ".join(p.name for p in sorted(HERE.glob("*.svg"))))


if __name__ == "__main__":
    asyncio.run(main())
