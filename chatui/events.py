"""Typed stream events and the one table that maps wire ``type`` to them."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chatui.i18n import _
from chatui.sse import Frame, StreamStats

# Channels of incremental text inside a response.
TEXT = "text"
REFUSAL = "refusal"
SUMMARY = "summary"  # reasoning summaries (OpenAI, Ollama)
REASONING = "reasoning"  # raw reasoning text (vLLM, llama.cpp, DeepSeek)
ARGUMENTS = "arguments"  # function-call arguments


@dataclass(slots=True)
class Event:
    """Base of every stream event; ``seq`` is the optional sequence_number."""

    seq: int | None


@dataclass(slots=True)
class Lifecycle(Event):
    """response.created / queued / in_progress / completed / incomplete / failed."""

    kind: str
    response: dict[str, Any]

    @property
    def terminal(self) -> bool:
        """True for the events that end a response."""
        return self.kind in TERMINAL_KINDS


TERMINAL_KINDS = frozenset({"completed", "incomplete", "failed"})


@dataclass(slots=True)
class ItemAdded(Event):
    """response.output_item.added: a skeleton item."""

    output_index: int | None
    item: dict[str, Any]


@dataclass(slots=True)
class ItemDone(ItemAdded):
    """response.output_item.done: the final form of an item."""


@dataclass(slots=True)
class PartAdded(Event):
    """content_part.added or reasoning_summary_part.added."""

    channel: str
    item_id: str | None
    output_index: int | None
    index: int | None
    part: dict[str, Any]


@dataclass(slots=True)
class PartDone(PartAdded):
    """content_part.done or reasoning_summary_part.done."""


@dataclass(slots=True)
class Delta(Event):
    """An incremental piece of text on one channel."""

    channel: str
    item_id: str | None
    output_index: int | None
    index: int | None
    delta: str


@dataclass(slots=True)
class TextDone(Event):
    """The whole text of one part again (``*.done``); reconciles, never appends."""

    channel: str
    item_id: str | None
    output_index: int | None
    index: int | None
    text: str


@dataclass(slots=True)
class AnnotationAdded(Event):
    """response.output_text.annotation.added (citations)."""

    item_id: str | None
    output_index: int | None
    index: int | None
    annotation: dict[str, Any]


@dataclass(slots=True)
class StreamError(Event):
    """An error reported inside the stream, in any of its shapes."""

    message: str
    code: str | None = None
    error_type: str | None = None
    param: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class StreamDone(Event):
    """``data: [DONE]``: end of stream (not success by itself)."""


@dataclass(slots=True)
class Retrying(Event):
    """Not from the server: the client will send the request again after ``wait`` seconds."""

    wait: float
    attempt: int  # 1 for the first retry
    of: int  # retries allowed
    status: int | None  # the HTTP status that failed (None: the connection)
    rate_limited: bool = False


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _lifecycle(kind: str) -> Callable[[dict[str, Any], int | None], Event | None]:
    def build(p: dict[str, Any], seq: int | None) -> Event | None:
        response = p.get("response")
        return Lifecycle(seq, kind, response if isinstance(response, dict) else {})

    return build


def _item(cls: type) -> Callable[[dict[str, Any], int | None], Event | None]:
    def build(p: dict[str, Any], seq: int | None) -> Event | None:
        item = p.get("item")
        if not isinstance(item, dict):
            return None
        return cls(seq, _int(p.get("output_index")), item)

    return build


def _part(cls: type, channel: str, index_key: str) -> Callable[[dict[str, Any], int | None], Event | None]:
    def build(p: dict[str, Any], seq: int | None) -> Event | None:
        part = p.get("part")
        part = part if isinstance(part, dict) else {}
        ch = channel
        if channel == TEXT:
            # content parts carry the family in the part type
            kind = part.get("type")
            ch = REASONING if kind == "reasoning_text" else REFUSAL if kind == "refusal" else TEXT
        return cls(seq, ch, _str(p.get("item_id")), _int(p.get("output_index")), _int(p.get(index_key)), part)

    return build


def _delta(channel: str, index_key: str | None = "content_index") -> Callable[[dict[str, Any], int | None], Event | None]:
    def build(p: dict[str, Any], seq: int | None) -> Event | None:
        delta = p.get("delta")
        if not isinstance(delta, str):
            return None  # a vLLM fork once sent an object here
        index = p.get(index_key) if index_key else None
        return Delta(seq, channel, _str(p.get("item_id")), _int(p.get("output_index")), _int(index), delta)

    return build


def _done(channel: str, text_key: str, index_key: str | None = "content_index") -> Callable[[dict[str, Any], int | None], Event | None]:
    def build(p: dict[str, Any], seq: int | None) -> Event | None:
        text = p.get(text_key)
        if not isinstance(text, str):
            return None
        index = _int(p.get(index_key)) if index_key else None
        return TextDone(seq, channel, _str(p.get("item_id")), _int(p.get("output_index")), index, text)

    return build


def _annotation(p: dict[str, Any], seq: int | None) -> Event | None:
    ann = p.get("annotation")
    if not isinstance(ann, dict):
        return None
    return AnnotationAdded(seq, _str(p.get("item_id")), _int(p.get("output_index")), _int(p.get("content_index")), ann)


def error_from_payload(p: dict[str, Any], seq: int | None = None) -> StreamError:
    """Normalise flat, nested and Chat-style error payloads into one event."""
    inner = p.get("error")
    src = inner if isinstance(inner, dict) else p
    message = src.get("message")
    if not isinstance(message, str) or not message:
        message = inner if isinstance(inner, str) and inner else _("the server reported an error")

    code = src.get("code", p.get("code"))
    etype = src.get("type")
    if etype == "error":
        etype = None
    param = src.get("param")
    return StreamError(
        seq,
        str(message),
        None if code is None else str(code),
        _str(etype),
        None if param is None else str(param),
        p,
    )


# The event table: wire ``type`` -> builder. Types not listed are skipped and counted.
EVENT_TABLE: dict[str, Callable[[dict[str, Any], int | None], Event | None]] = {
    "response.created": _lifecycle("created"),
    "response.queued": _lifecycle("queued"),
    "response.in_progress": _lifecycle("in_progress"),
    "response.completed": _lifecycle("completed"),
    "response.incomplete": _lifecycle("incomplete"),
    "response.failed": _lifecycle("failed"),
    "response.output_item.added": _item(ItemAdded),
    "response.output_item.done": _item(ItemDone),
    "response.content_part.added": _part(PartAdded, TEXT, "content_index"),
    "response.content_part.done": _part(PartDone, TEXT, "content_index"),
    "response.output_text.delta": _delta(TEXT),
    "response.output_text.done": _done(TEXT, "text"),
    "response.output_text.annotation.added": _annotation,
    "response.refusal.delta": _delta(REFUSAL),
    "response.refusal.done": _done(REFUSAL, "refusal"),
    "response.reasoning_summary_part.added": _part(PartAdded, SUMMARY, "summary_index"),
    "response.reasoning_summary_part.done": _part(PartDone, SUMMARY, "summary_index"),
    "response.reasoning_summary_text.delta": _delta(SUMMARY, "summary_index"),
    "response.reasoning_summary_text.done": _done(SUMMARY, "text", "summary_index"),
    "response.reasoning_text.delta": _delta(REASONING),
    "response.reasoning_text.done": _done(REASONING, "text"),
    "response.reasoning.delta": _delta(REASONING),  # older vLLM forks
    "response.function_call_arguments.delta": _delta(ARGUMENTS, None),
    "response.function_call_arguments.done": _done(ARGUMENTS, "arguments", None),
    "error": error_from_payload,
}


def parse_frame(frame: Frame, stats: StreamStats) -> Event | None:
    """Turn one SSE frame into a typed event, or None (counted) to skip it."""
    data = frame.data
    if not data or data.isspace():
        stats.empty += 1
        return None
    if data[0] == "[" and data.startswith("[DONE]"):
        return StreamDone(None)
    try:
        payload = json.loads(data)
    except ValueError:
        stats.bad_json += 1
        return None
    if not isinstance(payload, dict):
        stats.bad_json += 1
        return None
    etype = payload.get("type")
    if not isinstance(etype, str):
        # dispatch on the event name only when the JSON does not say
        etype = frame.event if frame.event not in ("", "message") else ""
    seq = payload.get("sequence_number")
    if not isinstance(seq, int) or isinstance(seq, bool):
        seq = None
    build = EVENT_TABLE.get(etype)
    if build is None:
        if "error" in payload or frame.event == "error":
            return error_from_payload(payload, seq)  # Chat-style or llama.cpp error
        stats.unknown += 1
        return None
    event = build(payload, seq)
    if event is None:
        stats.unknown += 1
    return event
