"""Keeping the garbage collector's full passes out of the way while answers stream.

A full collection walks every tracked object. Growing answers are many
long-lived strips, and walking them stalled typing by ~100 ms about once a
second during a three-model compare. While a stream runs, what exists is moved
to the permanent generation at most once a second (``gc.freeze``, which is
cheap); reference counting still frees everything that is not a cycle. Once the
stream ends and the app is idle, everything is released and collected once.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

_FROZEN_AT = [0.0]
SETTLE_AFTER = 1.0  # seconds of quiet after a stream before the one full collection


def calm_gc() -> None:
    """Called each frame while streaming: freeze what exists, at most once a second."""
    now = time.monotonic()
    if now - _FROZEN_AT[0] >= 1.0:
        _FROZEN_AT[0] = now
        gc.freeze()


def settle_gc(widget: Any, idle: Callable[[], bool]) -> None:
    """After a stream: once ``idle()`` still holds a moment later, unfreeze and collect (cycles made while streaming)."""

    def collect() -> None:
        if idle() and gc.get_freeze_count():
            gc.unfreeze()
            gc.collect()

    widget.set_timer(SETTLE_AFTER, collect)
