"""Keeping the garbage collector's full passes out of the way while answers stream.

A full collection walks every tracked object. Growing answers are many
long-lived strips, and walking them stalled typing by ~100 ms about once a
second during a three-model compare. Each frame of a stream moves what exists
to the permanent generation (``gc.freeze``, constant time); reference counting
still frees everything that is not a cycle. Once the stream ends and the app is
idle, everything is released and collected once.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

SETTLE_AFTER = 1.0  # seconds of quiet after a stream before the one full collection


def calm_gc() -> None:
    """Called each frame while streaming: what exists is no longer walked by collections."""
    gc.freeze()


def settle_gc(widget: Any, idle: Callable[[], bool]) -> None:
    """After a stream: once ``idle()`` still holds a moment later, unfreeze and collect (cycles made while streaming)."""

    def collect() -> None:
        if idle() and gc.get_freeze_count():
            gc.unfreeze()
            gc.collect()

    widget.set_timer(SETTLE_AFTER, collect)
