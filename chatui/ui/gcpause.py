"""Keeping the garbage collector's full passes out of the way while answers stream.

A full collection walks every tracked object. Growing answers are many
long-lived strips, and walking them stalled typing by ~100 ms about once a
second during a three-model compare. Each frame of a stream moves what exists
to the permanent generation (``gc.freeze``, constant time); reference counting
still frees everything that is not a cycle. Once the stream ends and the app is
idle, everything is released and collected once.

Textual's strips cache themselves (a crop of a whole strip is the strip), so the
strips of every repainted line die as cycles, and freezing parks them: ~2 MB/s
while a fast stream scrolls the screen each frame. A stream that goes on gets
one full collection every SWEEP_EVERY seconds; it walks everything (~0.1-0.4 s),
which is bounded now that an answer keeps only the lines near the screen.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

SETTLE_AFTER = 1.0  # seconds of quiet after a stream before the one full collection
SWEEP_EVERY = 15.0  # seconds of streaming between full collections (shorter answers never see one)


class _Sweep:
    """Whether objects are frozen and when the last full collection ran (process-wide, as the collector is).

    Kept here because ``gc.get_freeze_count()`` walks the frozen objects: asked each frame, it
    cost a quarter of the CPU a minute into a fast stream.
    """

    frozen = False
    last = 0.0  # the last full collection, or the start of the stream
    seen = 0.0  # the last frame


def calm_gc() -> None:
    """Called each frame while streaming: what exists is no longer walked by collections."""
    now = time.monotonic()
    if not _Sweep.frozen or now - _Sweep.seen > SETTLE_AFTER:
        # a stream starts (also when the last one ended without settling: its app closed first)
        _Sweep.frozen, _Sweep.last = True, now
    elif now - _Sweep.last >= SWEEP_EVERY:
        _Sweep.last = now
        gc.unfreeze()
        gc.collect()
    _Sweep.seen = now
    gc.freeze()


def settle_gc(widget: Any, idle: Callable[[], bool]) -> None:
    """After a stream: once ``idle()`` still holds a moment later, unfreeze and collect (cycles made while streaming)."""

    def collect() -> None:
        if idle() and _Sweep.frozen:
            _Sweep.frozen = False
            gc.unfreeze()
            gc.collect()

    widget.set_timer(SETTLE_AFTER, collect)
