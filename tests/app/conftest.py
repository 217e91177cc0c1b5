"""Helpers for driving the app under Pilot against the scripted server."""

from __future__ import annotations

import time

import pytest

from chatui.transcripts import TranscriptStore
from chatui.ui.app import ChatApp
from chatui.ui.factory import make_app as build_app
from tests.conftest import API_KEY


@pytest.fixture
def store(tmp_path):
    """A transcript store in a temporary directory."""
    return TranscriptStore(tmp_path / "conversations")


@pytest.fixture
def make_app(server, store):
    """Build a ChatApp against the scripted server."""

    def build(model: str = "chatui-demo", **kwargs) -> ChatApp:
        kwargs.setdefault("api_key", API_KEY)
        kwargs.setdefault("store", store)
        return build_app(base_url=server.base_url, model=model, **kwargs)

    return build


async def until(pilot, predicate, timeout: float = 15.0, what: str = "condition") -> None:
    """Let the app run until ``predicate()`` holds (bounded)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.01)


async def send(app: ChatApp, pilot, text: str, wait: bool = True) -> None:
    """Type ``text`` into the prompt, press enter, and (by default) wait for the turn."""
    app.prompt.load_text(text)
    await pilot.press("enter")
    if wait:
        await until(pilot, lambda: app.session.streaming is None and app.turn_worker is not None and app.turn_worker.is_finished, what="the turn to finish")
        await app.session.saves_done()  # transcripts are written on a thread
        await pilot.pause()


def screen_text(app: ChatApp) -> str:
    """Everything on screen as plain text, straight from the compositor's strips."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def screen_segments(app: ChatApp) -> list[str]:
    """Every segment's text on screen (to look for control characters)."""
    return [seg.text for strip in app.screen._compositor.render_strips() for seg in strip]


async def in_history(app: ChatApp, pilot, key: str, opens: str) -> None:
    """Open the history (ctrl+l), press ``key`` on the highlighted conversation, wait for the ``opens`` screen."""
    await pilot.press("ctrl+l")
    await until(pilot, lambda: type(app.screen).__name__ == "HistoryScreen" and app.screen.shown, what="history")
    await pilot.press(key)
    await until(pilot, lambda: type(app.screen).__name__ == opens, what=opens)
