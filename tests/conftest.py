"""Shared fixtures: the scripted server on 127.0.0.1 and a bounded wait helper."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator

import pytest

from chatui.demo import ScriptedServer

API_KEY = "sk-test-SECRET-0123456789abcdef"


@pytest.fixture(autouse=True)
def private_dirs(tmp_path_factory, monkeypatch):
    """No test reads or writes the user's real data, config or clipboard."""
    root = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_DATA_HOME", str(root / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "cache"))
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):  # nor the user's clipboard
        monkeypatch.delenv(name, raising=False)
    # English whatever the machine's locale (the tests that need another language ask for it)
    monkeypatch.setenv("CHATUI_LANG", "en")


@pytest.fixture(autouse=True)
def english():
    """Every test starts and ends in English: the language in use is process-wide."""
    from chatui import i18n

    i18n.use("en")
    yield
    i18n.use("en")


@pytest.fixture(autouse=True)
def thawed():
    """Objects a test's stream froze are thawed after it (its app closed before settling): the collector is process-wide."""
    yield
    import gc

    from chatui.ui import gcpause

    if gcpause._Sweep.frozen:
        gcpause._Sweep.frozen = False
        gc.unfreeze()



@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    """A fresh scripted server (pauses skipped) that requires API_KEY."""
    with ScriptedServer(api_key=API_KEY, pace=0) as srv:
        yield srv


@pytest.fixture
def paced_server() -> Iterator[ScriptedServer]:
    """A scripted server that keeps its pauses (for cancel tests)."""
    with ScriptedServer(api_key=API_KEY, pace=1.0) as srv:
        yield srv


async def wait_for(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    """Wait until ``predicate()`` is true, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def chat(session, text: str):
    """Send ``text`` through ``session`` and run the turn to its end; the turn."""
    turn = session.begin(text)
    async for _ in session.run(turn):
        pass
    return turn
