"""Reading Server-Sent Events frames off an httpx response, tolerantly.

httpx-sse does the line splitting and field parsing; this adds what real
servers need on top: a leading BOM, a last event with no blank line after it,
llama.cpp's non-standard ``error:`` field, raw JSON lines without ``data:``,
and a cap on the size of one event instead of on line length.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chatui.defaults import MAX_EVENT_BYTES

if TYPE_CHECKING:
    import httpx


@dataclass(slots=True)
class Frame:
    """One SSE event: its ``event:`` name (may be empty) and joined data."""

    event: str
    data: str


@dataclass(slots=True)
class StreamStats:
    """Counters a stream keeps for diagnostics and liveness."""

    bytes: int = 0
    frames: int = 0
    comments: int = 0
    empty: int = 0
    unknown: int = 0
    duplicates: int = 0
    bad_json: int = 0


class FrameTooLarge(Exception):
    """One SSE event exceeded the per-event memory cap."""


class FrameDecoder:
    """Turns decoded text chunks into frames; feed ``feed``, then ``close``."""

    def __init__(self, stats: StreamStats | None = None, max_event: int = MAX_EVENT_BYTES):
        # imported here: httpx-sse pulls in httpx, which the app's first frame does not need
        from httpx_sse._decoders import SSEDecoder, SSELineDecoder

        self.stats = stats if stats is not None else StreamStats()
        self._lines = SSELineDecoder()
        self._events = SSEDecoder()
        self._first = True
        self._pending = 0
        self._partial = 0  # characters since the last line break: httpx-sse buffers a line without bound
        self._max = max_event

    def feed(self, text: str) -> list[Frame]:
        """Decode one chunk of text; return the frames it completed."""
        if self._first and text:
            self._first = False
            if text[0] == "\ufeff":
                text = text[1:]
                if not text:
                    return []
        self.stats.bytes += len(text)
        if not text:
            return []
        cut = max(text.rfind("\n"), text.rfind("\r"))
        self._partial = self._partial + len(text) if cut < 0 else len(text) - cut - 1
        if self._partial > self._max:
            raise FrameTooLarge(f"a line exceeded {self._max} bytes")
        return self._lines_to_frames(self._lines.decode(text))


    def close(self) -> list[Frame]:
        """Flush at end of stream, including a last event with no blank line."""
        lines = self._lines.flush()
        lines.append("")  # dispatch whatever event is still pending
        return self._lines_to_frames(lines)

    def _lines_to_frames(self, lines: list[str]) -> list[Frame]:
        out: list[Frame] = []
        decode = self._events.decode
        for line in lines:
            if line:
                first = line[0]
                if first == ":":
                    self.stats.comments += 1
                    continue
                if first == "{":
                    # A raw JSON body line with no field name: a proxy
                    # forwarding a backend error verbatim.
                    out.append(Frame("", line))
                    continue
                if first == "e" and line.startswith("error:"):
                    # llama.cpp (before late 2025) put errors in an "error:" field.
                    out.append(Frame("error", line[6:].lstrip()))
                    continue
                self._pending += len(line)
                if self._pending > self._max:
                    raise FrameTooLarge(f"an event exceeded {self._max} bytes")
            sse = decode(line)
            if sse is not None:
                self._pending = 0
                self.stats.frames += 1
                out.append(Frame(sse.event, sse.data))
        return out


async def aiter_frames(response: httpx.Response, stats: StreamStats | None = None) -> AsyncIterator[Frame]:
    """Yield the SSE frames of a streaming response, forcing UTF-8."""
    response.encoding = "utf-8"  # SSE is UTF-8 whatever the header says
    decoder = FrameDecoder(stats)
    async for text in response.aiter_text():
        for frame in decoder.feed(text):
            yield frame
    for frame in decoder.close():
        yield frame
