"""Making untrusted text (model output, server messages) safe to show."""

from __future__ import annotations

import re

# C0 controls except TAB and LF, DEL, and C1 controls. ESC (0x1b) is the
# dangerous one: it starts CSI/OSC sequences (clear screen, OSC 52 clipboard
# writes, title changes). CR is dropped so it cannot overwrite a line.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """Remove terminal control characters, keeping tabs and newlines."""
    if text.isprintable():
        return text
    return _CONTROL.sub("", text)


def one_line(text: str, limit: int = 80) -> str:
    """Collapse whitespace and cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(strip_controls(text).split())
    if len(flat) <= limit:
        return flat
    return flat[: max(0, limit - 1)].rstrip() + "…"


def cells(text: str) -> int:
    """How many terminal cells ``text`` takes: wide (CJK, most emoji) characters take two."""
    if text.isascii():
        return len(text)
    from unicodedata import combining, east_asian_width

    return sum(0 if combining(c) else 2 if east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` cells (a label column that holds in every language)."""
    return text + " " * max(0, width - cells(text))
