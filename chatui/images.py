"""Images a turn generated: saved as files beside the transcripts, so they can be opened.

The transcript keeps the item exactly as received (base64 and all); the file is
a convenience, written once, named for the conversation, turn and position.
"""

from __future__ import annotations

import base64
import binascii
import struct
from pathlib import Path
from typing import Any

from chatui.i18n import _

_MAGIC = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF8", "gif"))


def _data(item: dict[str, Any]) -> str | None:
    result = item.get("result")
    return result if item.get("type") == "image_generation_call" and isinstance(result, str) and result else None


def _kind(head: bytes) -> str:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return next((ext for magic, ext in _MAGIC if head.startswith(magic)), "bin")


def _decode(data: str, chars: int | None = None) -> bytes | None:
    text = data if chars is None else data[:chars]
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=False)
    except (binascii.Error, ValueError):
        return None


def files_for(items: list[dict[str, Any]], root: Path, conv_id: str, turn_id: str) -> dict[int, Path]:
    """Where each generated image of a turn is (or will be) saved, by its position in ``items``."""
    out = {}
    safe = "".join(c for c in f"{conv_id}-{turn_id}" if c.isalnum() or c in "-_")
    for index, item in enumerate(items):
        data = _data(item) if isinstance(item, dict) else None
        if data is not None:
            head = _decode(data, 24) or b""
            out[index] = root / f"{safe}-{index}.{_kind(head)}"
    return out


def save(items: list[dict[str, Any]], root: Path, conv_id: str, turn_id: str) -> list[Path]:
    """Write a turn's generated images (once each); the paths written or already there."""
    from chatui.transcripts import atomic_write

    saved = []
    for index, path in files_for(items, root, conv_id, turn_id).items():
        if not path.exists():
            raw = _decode(_data(items[index]) or "")
            if not raw:
                continue
            atomic_write(path, raw)
        saved.append(path)
    return saved


def describe_file(path: Path) -> str:
    """'1024×768 PNG, 412 KB' (what can be read from the file)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(24)
        size = path.stat().st_size
    except OSError:
        return _("not saved")
    kind = _kind(head)
    dims = ""
    if kind == "png" and len(head) >= 24:
        width, height = struct.unpack(">II", head[16:24])
        dims = f"{width}×{height} "
    return f"{dims}{kind.upper()}, {max(1, round(size / 1024)):,} KB"
