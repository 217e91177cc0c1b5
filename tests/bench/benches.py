"""Individual benchmarks; each runs in its own process: ``python -m tests.bench.benches NAME [ARG]``.

Every benchmark talks to the scripted server running in a separate process on
127.0.0.1 (URL in CHATUI_BENCH_URL), so the numbers are the client's own.
Results are printed as one JSON object on the last line.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from httpx_sse import aconnect_sse

URL = os.environ.get("CHATUI_BENCH_URL", "")
SIZE = (120, 40)


def rss_mb() -> float:
    """Peak resident memory of this process, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _until(pilot, predicate, timeout: float = 600.0, poll: float = 0.001) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark condition never held")
        await asyncio.sleep(poll)


async def _stream_text(model: str) -> list[str]:
    """The text deltas of a scenario, fetched once (for the baselines)."""
    deltas = []
    async with httpx.AsyncClient(timeout=120) as client:
        async with aconnect_sse(client, "POST", f"{URL}/responses", json={"model": model, "input": "x", "stream": True}) as source:
            async for sse in source.aiter_sse():
                data = json.loads(sse.data)
                if data.get("type") == "response.output_text.delta":
                    deltas.append(data["delta"])
    return deltas


async def bare(model: str) -> dict:
    """Floor, part 1: a bare httpx-sse loop consuming the stream (no rendering)."""
    t0, c0 = time.perf_counter(), time.process_time()
    n = 0
    async with httpx.AsyncClient(timeout=120) as client:
        async with aconnect_sse(client, "POST", f"{URL}/responses", json={"model": model, "input": "x", "stream": True}) as source:
            async for sse in source.aiter_sse():
                json.loads(sse.data)
                n += 1
    return {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0, "events": n}


async def core(model: str) -> dict:
    """chatui's core alone: request, typed events, accumulator and turn outcome (no UI)."""
    from chatui.chat import stream_turn
    from chatui.client import ResponsesClient
    from chatui.conversation import Conversation, Settings

    t0, c0 = time.perf_counter(), time.process_time()  # like bare(): the client's creation counts
    client = ResponsesClient(URL, "bench")
    conv = Conversation(Settings(model=model, replay_reasoning=False), URL)
    turn = conv.start_turn("x")
    async for _ in stream_turn(client, conv, turn):
        pass
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    await client.aclose()
    assert turn.status.ok and len(turn.answer) > 0
    return {"seconds": seconds, "cpu": cpu}


async def render_once(model: str) -> dict:
    """Floor, part 2: mount the final document once in the answer pane's width and paint it."""
    from textual.app import App
    from textual.containers import VerticalScroll

    from chatui.ui.widgets.markdown_view import MarkdownView

    text = "".join(await _stream_text(model))

    class One(App):
        def compose(self):
            yield VerticalScroll(id="v")

    app = One()
    async with app.run_test(size=SIZE) as pilot:
        scroll = app.query_one("#v")
        scroll.styles.width = 77  # the conversation pane's width at 120 columns
        scroll.styles.scrollbar_gutter = "stable"  # as in the app: a stable width
        await pilot.pause()
        t0 = time.perf_counter()
        await scroll.mount(MarkdownView(text))
        await pilot.pause()
        seconds = time.perf_counter() - t0
    return {"seconds": seconds}


async def display(model: str) -> dict:
    """chatui: from pressing enter until the last delta is painted (and CPU seconds)."""
    from chatui.ui.factory import make_app

    app = make_app(base_url=URL, api_key="bench", model=model, store=None, show_reasoning=True, show_usage=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.prompt.load_text("go")
        t0, c0 = time.perf_counter(), time.process_time()
        await pilot.press("enter")
        await _until(pilot, lambda: app.turn_worker is not None and app.turn_worker.is_finished)
        await pilot.pause()
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        turn = app.session.conversation.turns[-1]
        assert turn.status.ok, turn.error
        body = app.view.live.widget.body if app.view.live else app.view.assistant[turn.id].body
        assert body.text == turn.answer
    return {"seconds": seconds, "cpu": cpu, "chars": len(turn.answer), "rss_mb": rss_mb()}


async def markdownstream(model: str) -> dict:
    """Baseline: Textual's own Markdown + MarkdownStream fed the same deltas."""
    from textual.app import App
    from textual.containers import VerticalScroll
    from textual.widgets import Markdown

    deltas = await _stream_text(model)

    class MD(App):
        def compose(self):
            with VerticalScroll():
                yield Markdown()

    app = MD()
    cap = float(os.environ.get("CHATUI_BENCH_CAP", "300"))
    async with app.run_test(size=SIZE) as pilot:
        md = app.query_one(Markdown)
        stream = Markdown.get_stream(md)
        t0, c0 = time.perf_counter(), time.process_time()

        async def feed():
            for delta in deltas:
                await stream.write(delta)
            await stream.stop()

        try:
            await asyncio.wait_for(feed(), cap)
            await pilot.pause()
            capped = False
        except asyncio.TimeoutError:
            capped = True
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"seconds": seconds, "cpu": cpu, "capped": capped}


async def _one_key(app) -> float:
    """Type one key, as the terminal driver delivers it; the seconds until it is in the prompt."""
    from textual import events

    before = len(app.prompt.text)
    t0 = time.perf_counter()
    app.post_message(events.Key("x", "x"))
    while len(app.prompt.text) == before:
        await asyncio.sleep(0.0002)
    return time.perf_counter() - t0


async def _time_keys(app, keys: int = 80) -> dict:
    """Type ``keys`` keys at ~33/s while the app streams; each key's time until it is in the prompt."""
    latencies = []
    for _ in range(keys):
        latencies.append(await _one_key(app))
        await asyncio.sleep(0.03)  # typing pace (~33 keys/s), not synchronisation
        if app.session.streaming is None:
            break
    streaming_at_end = app.session.streaming is not None
    latencies.sort()
    return {
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "keys": len(latencies),
        "stream_still_running": streaming_at_end,
    }


async def typing(model: str = "steady-1000-6") -> dict:
    """Keystrokes while a 1,000-deltas/s answer renders: time until each is in the prompt."""
    from chatui.ui.factory import make_app

    app = make_app(base_url=URL, api_key="bench", model=model, store=None)
    async with app.run_test(size=SIZE) as pilot:
        app.prompt.load_text("go")
        await pilot.press("enter")
        await _until(pilot, lambda: app.view.live is not None and len(app.view.live.widget.body.text) > 2000)
        return await _time_keys(app)


async def typing_compare(model: str = "steady-1000-6") -> dict:
    """Keystrokes while three models stream at 1,000 deltas/s each, side by side (/compare)."""
    from chatui.ui.factory import make_app
    from chatui.ui.widgets.compare import CompareColumn

    app = make_app(base_url=URL, api_key="bench", model=model, store=None)
    app.session.compare_models = [model, model, model]
    async with app.run_test(size=SIZE) as pilot:
        app.prompt.load_text("go")
        await pilot.press("enter")
        await _until(pilot, lambda: len(app.query(CompareColumn)) == 3 and all(len(c.body.text) > 2000 for c in app.query(CompareColumn)))
        return await _time_keys(app)


async def steady_cpu(model: str = "steady-100-10") -> dict:
    """CPU share of one core while a realistic 100 deltas/s answer renders."""
    from chatui.ui.factory import make_app

    app = make_app(base_url=URL, api_key="bench", model=model, store=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.prompt.load_text("go")
        await pilot.press("enter")
        await _until(pilot, lambda: app.view.live is not None and len(app.view.live.widget.body.text) > 0)
        t0, c0 = time.perf_counter(), time.process_time()
        await _until(pilot, lambda: app.turn_worker.is_finished, poll=0.25)  # a slow poll: the bench must not eat the CPU it measures
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"cpu_share": cpu / wall, "wall": wall}


def _history_fixture(root: Path, conversations: int, turns: int) -> list[Path]:
    from chatui.conversation import Conversation, Settings
    from chatui.demo.content import CODE, TABLE, WELCOME
    from chatui.transcripts import TranscriptStore
    from chatui.turn import Status, Timings, Usage

    store = TranscriptStore(root)
    answers = [WELCOME, CODE, TABLE]
    paths = []
    for c in range(conversations):
        conv = Conversation(Settings(model="chatui-demo"), URL, id=f"bench-{c:05d}")
        for t in range(turns):
            turn = conv.start_turn(f"Question {t} of conversation {c}: how do streaming renderers stay fast?")
            turn.status = Status.COMPLETED
            turn.answer = answers[t % 3]
            turn.reasoning = "**Thinking**\n\nShort reasoning summary."
            turn.usage = Usage(100 + t, 0, 200, 50, 300 + t)
            turn.timings = Timings(0.3, 2.0, 100.0)
        paths.append(store.save(conv))
    return paths


async def open_large(turns: int = 1000) -> dict:
    """Open a 1,000-turn conversation from disk until it is painted and interactive."""
    from chatui.transcripts import TranscriptStore
    from chatui.ui.factory import make_app

    root = Path(tempfile.mkdtemp()) / "conversations"
    path = _history_fixture(root, 1, int(turns))[0]
    store = TranscriptStore(root)
    t0 = time.perf_counter()
    conv = store.load(path)
    loaded = time.perf_counter() - t0
    app = make_app(base_url=URL, api_key="bench", model="chatui-demo", conversation=conv, store=store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        seconds = time.perf_counter() - t0
        # interactive: a key typed now lands in the prompt
        await pilot.press("x")
        interactive = time.perf_counter() - t0
        assert app.prompt.text == "x"
    return {"seconds": seconds, "load_json": loaded, "interactive": interactive, "file_mb": path.stat().st_size / 1e6, "rss_mb": rss_mb()}


async def typing_saving(mb: str = "100", background: str = "1") -> dict:
    """Keystrokes while a turn's first save writes a big transcript (``mb`` of answers before the screen's
    turns): p95 until the save is on disk, and how long it took. ``background=0`` saves on the loop, as before."""
    from chatui.conversation import Conversation, Settings
    from chatui.transcripts import TranscriptStore
    from chatui.turn import Status
    from chatui.ui.factory import make_app

    root = Path(tempfile.mkdtemp()) / "conversations"
    store = TranscriptStore(root)
    conv = Conversation(Settings(model="chatui-demo"), URL, id="bench-big")
    megabyte = ("A long answer line about streaming renderers, repeated. " * 18 + "\n\n") * 1000
    for t in range(int(mb) + 10):  # the last ten are on screen; the big ones are earlier
        turn = conv.start_turn(f"Question {t}")
        turn.status = Status.COMPLETED
        turn.answer = megabyte if t < int(mb) else "A short answer."
    path = store.save(conv)
    conv = store.load(path)
    app = make_app(base_url=URL, api_key="bench", model="chatui-demo", conversation=conv, store=store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        if background != "1":
            app.session._saves = None  # noqa: SLF001 - the inline path, for comparison
        done = False

        async def wait() -> None:
            nonlocal done
            await app.session.saves_done()
            done = True

        def save() -> None:
            app.session.autosave()  # what every turn's start and end does (inline: the loop is held here)
            asyncio.get_running_loop().create_task(wait())  # not awaited here: the app's queue goes on

        t0 = time.perf_counter()
        app.call_later(save)  # runs between the keys typed below
        latencies = await _type_for(app, 120.0, lambda: done)
        seconds = time.perf_counter() - t0
    return {**_percentiles(latencies or [seconds]), "save_s": seconds, "file_mb": path.stat().st_size / 1e6}


async def history_list(conversations: int = 1000) -> dict:
    """The history screen over 1,000 saved conversations: until it is painted."""
    from chatui.transcripts import TranscriptStore
    from chatui.ui.factory import make_app

    root = Path(tempfile.mkdtemp()) / "conversations"
    _history_fixture(root, int(conversations), 5)
    store = TranscriptStore(root)
    app = make_app(base_url=URL, api_key="bench", model="chatui-demo", store=store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        t0 = time.perf_counter()
        await pilot.press("ctrl+l")
        await _until(pilot, lambda: type(app.screen).__name__ == "HistoryScreen" and app.screen.shown)
        await pilot.pause()
        seconds = time.perf_counter() - t0
        count = len(app.screen.shown)
    return {"seconds": seconds, "conversations": count, "rss_mb": rss_mb()}


def _big_png(path: Path, megabytes: int = 19) -> None:
    """A real PNG of noise, about ``megabytes`` MB (stored, not compressed: noise does not compress)."""
    import struct
    import zlib

    width = 2000
    height = megabytes * (1 << 20) // (3 * width)
    noise = os.urandom(width * 3)
    raw = b"".join(b"\x00" + noise[(y * 7) % 97 :] + noise[: (y * 7) % 97] for y in range(height))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))  # noqa: E731
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b""))


async def attach_big(model: str = "demo-mini") -> dict:
    """Typing while a 19 MB image is attached and then sent: each key's time, and the memory it took."""

    from chatui.ui.factory import make_app

    folder = Path(tempfile.mkdtemp())
    image = folder / "big.png"
    _big_png(image)
    app = make_app(base_url=URL, api_key="bench", model=model, store=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        base_rss = rss_mb()
        latencies = []
        app.run_command(f"/attach {image}")
        sent = False
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < 60:
            if app.session.pending and not sent:
                app.session.begin("what is this?")  # the send, as enter does, while the typing goes on
                app.turn_worker = app.view.stream(app.session, app.session.conversation.turns[-1])
                sent = True
            latencies.append(await _one_key(app))
            await asyncio.sleep(0.03)
            if sent and app.session.streaming is None:
                break
        latencies.sort()
    return {"p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))], "max_ms": 1000 * latencies[-1], "keys": len(latencies),
            "image_mb": image.stat().st_size / (1 << 20), "rss_growth_mb": rss_mb() - base_rss}


def current_rss_mb() -> float:
    """Resident memory of this process now, in MB (Linux /proc)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1 << 20)


async def _type_for(app, seconds: float, until=None) -> list[float]:
    """Type at ~33 keys/s for ``seconds`` or until ``until()`` (default: the stream ends); each key's time until it is in the prompt."""
    done = until or (lambda: app.session.streaming is None)
    latencies: list[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end and not done():
        latencies.append(await _one_key(app))
        await asyncio.sleep(0.03)
    return sorted(latencies)


def _percentiles(latencies: list[float]) -> dict:
    return {"p50_ms": 1000 * statistics.median(latencies), "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))], "keys": len(latencies)}


async def typing_huge(model: str, seconds: str = "30") -> dict:
    """Keystrokes while a huge answer streams and renders (10 MB, or one 1 MB paragraph): p95 until it is all
    rendered (at most ``seconds``), when the stream ended, when the last line was rendered, peak RSS."""
    from chatui.ui.factory import make_app

    app = make_app(base_url=URL, api_key="bench", model=model, store=None)
    async with app.run_test(size=SIZE) as pilot:
        app.prompt.load_text("go")
        t0 = time.perf_counter()
        await pilot.press("enter")
        await _until(pilot, lambda: app.view.live is not None and len(app.view.live.widget.body.text) > 2000)
        answer = app.view.live.widget

        def rendered() -> bool:
            view = answer.body
            return app.session.streaming is None and view.closed and not view._mv_dirty and view._mv_rendered_blocks == len(view.splitter.blocks)

        latencies = await _type_for(app, float(seconds), rendered)
        await _until(pilot, lambda: app.session.streaming is None, poll=0.05)
        streamed = app.session.conversation.turns[-1].timings.total or 0.0
        done = rendered()
        on_screen = time.perf_counter() - t0 if done else None
        chars = len(app.session.conversation.turns[-1].answer)
    return {**_percentiles(latencies), "streamed_s": streamed, "rendered_s": on_screen if on_screen is not None else -1.0,
            "answer_mb": chars / 1e6, "peak_rss_mb": rss_mb()}


async def endless(model: str = "endless-1000-200", seconds: str = "60") -> dict:
    """An answer that never ends (1,000 deltas/s of 200 characters): type for a minute, then escape; memory before and after."""
    import gc

    from chatui.ui.factory import make_app

    app = make_app(base_url=URL, api_key="bench", model=model, store=None)
    async with app.run_test(size=SIZE) as pilot:
        base = current_rss_mb()
        app.prompt.load_text("go")
        await pilot.press("enter")
        await _until(pilot, lambda: app.view.live is not None and len(app.view.live.widget.body.text) > 2000)
        latencies = await _type_for(app, float(seconds))
        still = app.session.streaming is not None
        during = current_rss_mb()
        await pilot.press("escape")
        await _until(pilot, lambda: app.session.streaming is None, poll=0.05)
        await pilot.pause(2.5)  # the view settles and the one full collection after a stream runs
        gc.collect()
        after = current_rss_mb()

        chars = len(app.session.conversation.turns[-1].answer)
    return {**_percentiles(latencies), "streaming_at_end": still, "answer_mb": chars / 1e6, "rss_growth_mb": during - base,
            "rss_after_stop_mb": after - base, "peak_rss_mb": rss_mb()}


BENCHES = {
    "typing_huge": typing_huge,
    "endless": endless,
    "typing_saving": typing_saving,
    "attach_big": attach_big,

    "bare": bare,
    "core": core,
    "render_once": render_once,
    "display": display,
    "markdownstream": markdownstream,
    "typing": typing,
    "typing_compare": typing_compare,
    "steady_cpu": steady_cpu,
    "open_large": open_large,
    "history_list": history_list,
}


if __name__ == "__main__":
    name = sys.argv[1]
    args = sys.argv[2:]
    result = asyncio.run(BENCHES[name](*args))
    print(json.dumps(result))
