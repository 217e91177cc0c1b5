"""Making untrusted text (model output, server messages) safe to show."""

from __future__ import annotations

import re

# C0 controls except TAB and LF, DEL, and C1 controls. ESC (0x1b) is the
# dangerous one: it starts CSI/OSC sequences (clear screen, OSC 52 clipboard
# writes, title changes). CR is dropped so it cannot overwrite a line.
# Then invisible format characters that make text lie about what it says: bidi
# embeddings, overrides and isolates (U+202A-202E, U+2066-2069), marks (U+200E/F,
# U+061C), zero-width spaces and word joiners, BOMs, interlinear annotations and
# the invisible tag characters (U+E0000-E007F, "ASCII smuggling"). ZWJ and ZWNJ
# stay: emoji sequences and Persian or Indic shaping need them.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)
_LINE_SEPARATORS = str.maketrans({"\u2028": "\n", "\u2029": "\n"})


def strip_controls(text: str) -> str:
    """Untrusted text made safe to show: no control or invisible format characters, tabs and newlines kept.

    The one choke point for anything from a server, a file or the config on its way to a screen.
    """
    if text.isprintable():
        return text
    return _UNSAFE.sub("", text.translate(_LINE_SEPARATORS))


def file_safe(name: str, limit: int = 80) -> str:
    """``name`` as one safe file-name component (no separators, dots-only names or controls)."""
    cleaned = re.sub(r"[^\w.@+-]+", "_", strip_controls(name)).strip("._")[:limit]
    return cleaned or "untitled"


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
