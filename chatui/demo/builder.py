"""Building scripted replies: Responses stream events, and their encoding on the wire.

A :class:`StreamBuilder` writes the events a real server sends; :class:`Wire`
and :func:`encode` put them into SSE chunks with the quirks of real servers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from collections.abc import Iterable
from typing import Any

@dataclass
class Reply:
    """What the server sends back."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None  # a whole body (errors, non-stream, JSON-for-stream)
    chunks: Iterable[tuple[bytes, float]] = field(default_factory=list)  # (bytes, pause before); may be endless
    drop: bool = False  # close the socket mid-body instead of ending it cleanly


class StreamBuilder:
    """Builds a well-formed Responses event sequence."""

    def __init__(self, model: str, request: dict[str, Any], resp_id: str = "resp_demo0001") -> None:
        self.model = model
        self.request = request
        self.resp_id = resp_id
        self.events: list[tuple[dict[str, Any], float]] = []
        self.output: list[dict[str, Any]] = []
        self.seq = 0
        self.out_chars = 0
        self.reason_chars = 0

    def emit(self, etype: str, pause: float = 0.0, **fields: Any) -> dict[str, Any]:
        """Append one event."""
        event = {"type": etype, "sequence_number": self.seq, **fields}
        self.seq += 1
        self.events.append((event, pause))
        return event

    def response(self, status: str, **extra: Any) -> dict[str, Any]:
        """A Response object as the lifecycle events carry it."""
        return {
            "id": self.resp_id,
            "object": "response",
            "created_at": 1789700000,
            "status": status,
            "error": None,
            "incomplete_details": None,
            "instructions": self.request.get("instructions"),
            "max_output_tokens": self.request.get("max_output_tokens"),
            "model": self.model,
            "output": list(self.output) if status != "in_progress" else [],
            "parallel_tool_calls": True,
            "store": bool(self.request.get("store", False)),
            "tool_choice": "auto",
            "tools": [],
            "usage": None,
            **extra,
        }

    def start(self) -> StreamBuilder:
        """response.created and response.in_progress."""
        self.emit("response.created", response=self.response("in_progress"))
        self.emit("response.in_progress", response=self.response("in_progress"))
        return self

    def reasoning_summary(self, parts: list[list[str]], pace: float = 0.0, encrypted: bool = True) -> StreamBuilder:
        """A reasoning item with summary parts streamed as deltas."""
        idx = len(self.output)
        rid = f"rs_demo{idx:04d}"
        self.emit("response.output_item.added", output_index=idx, item={"id": rid, "type": "reasoning", "summary": []})
        summary = []
        for s, chunks in enumerate(parts):
            self.emit("response.reasoning_summary_part.added", item_id=rid, output_index=idx, summary_index=s, part={"type": "summary_text", "text": ""})
            for chunk in chunks:
                self.emit("response.reasoning_summary_text.delta", pace, item_id=rid, output_index=idx, summary_index=s, delta=chunk)
            text = "".join(chunks)
            self.reason_chars += len(text)
            self.emit("response.reasoning_summary_text.done", item_id=rid, output_index=idx, summary_index=s, text=text)
            self.emit("response.reasoning_summary_part.done", item_id=rid, output_index=idx, summary_index=s, part={"type": "summary_text", "text": text})
            summary.append({"type": "summary_text", "text": text})
        item = {"id": rid, "type": "reasoning", "summary": summary}
        if encrypted:
            item["encrypted_content"] = f"gAAAAdemo-{rid}-opaque=="
        self.output.append(item)
        self.emit("response.output_item.done", output_index=idx, item=item)
        return self

    def reasoning_text(self, chunks: list[str], pace: float = 0.0) -> StreamBuilder:
        """A reasoning item with raw reasoning_text (vLLM / gpt-oss style)."""
        idx = len(self.output)
        rid = f"rs_raw{idx:04d}"
        self.emit("response.output_item.added", output_index=idx, item={"id": rid, "type": "reasoning", "summary": []})
        self.emit("response.content_part.added", item_id=rid, output_index=idx, content_index=0, part={"type": "reasoning_text", "text": ""})
        for chunk in chunks:
            self.emit("response.reasoning_text.delta", pace, item_id=rid, output_index=idx, content_index=0, delta=chunk)
        text = "".join(chunks)
        self.reason_chars += len(text)
        self.emit("response.reasoning_text.done", item_id=rid, output_index=idx, content_index=0, text=text)
        self.emit("response.content_part.done", item_id=rid, output_index=idx, content_index=0, part={"type": "reasoning_text", "text": text})
        item = {"id": rid, "type": "reasoning", "summary": [], "content": [{"type": "reasoning_text", "text": text}]}
        self.output.append(item)
        self.emit("response.output_item.done", output_index=idx, item=item)
        return self

    def message(
        self, chunks: list[str], pace: float = 0.0, *, finish: bool = True, status: str = "completed", phase: str | None = None, annotations: list[dict[str, Any]] | None = None, annotations_in_final: bool = True
    ) -> StreamBuilder:
        """An assistant message streamed as text deltas (``finish=False`` stops mid-way).

        ``annotations`` arrive as annotation events after the text (and, unless
        ``annotations_in_final`` is false, in the done part and item too).
        """
        idx = len(self.output)
        mid = f"msg_demo{idx:04d}"
        extra = {"phase": phase} if phase else {}
        self.emit("response.output_item.added", output_index=idx, item={"id": mid, "type": "message", "status": "in_progress", "content": [], "role": "assistant", **extra})
        self.emit("response.content_part.added", item_id=mid, output_index=idx, content_index=0, part={"type": "output_text", "annotations": [], "logprobs": [], "text": ""})
        for chunk in chunks:
            self.emit("response.output_text.delta", pace, item_id=mid, output_index=idx, content_index=0, delta=chunk, logprobs=[])
        text = "".join(chunks)
        self.out_chars += len(text)
        for n, ann in enumerate(annotations or ()):
            self.emit("response.output_text.annotation.added", item_id=mid, output_index=idx, content_index=0, annotation_index=n, annotation=ann)
        if not finish:
            return self
        final_annotations = list(annotations or ()) if annotations_in_final else []
        part = {"type": "output_text", "annotations": final_annotations, "logprobs": [], "text": text}
        self.emit("response.output_text.done", item_id=mid, output_index=idx, content_index=0, text=text, logprobs=[])
        self.emit("response.content_part.done", item_id=mid, output_index=idx, content_index=0, part=part)
        item = {"id": mid, "type": "message", "status": status, "content": [part], "role": "assistant", **extra}
        self.output.append(item)
        self.emit("response.output_item.done", output_index=idx, item=item)
        return self

    def refusal(self, chunks: list[str]) -> StreamBuilder:
        """A message whose only content is a refusal."""
        idx = len(self.output)
        mid = f"msg_refusal{idx:04d}"
        self.emit("response.output_item.added", output_index=idx, item={"id": mid, "type": "message", "status": "in_progress", "content": [], "role": "assistant"})
        self.emit("response.content_part.added", item_id=mid, output_index=idx, content_index=0, part={"type": "refusal", "refusal": ""})
        for chunk in chunks:
            self.emit("response.refusal.delta", item_id=mid, output_index=idx, content_index=0, delta=chunk)
        text = "".join(chunks)
        self.emit("response.refusal.done", item_id=mid, output_index=idx, content_index=0, refusal=text)
        part = {"type": "refusal", "refusal": text}
        self.emit("response.content_part.done", item_id=mid, output_index=idx, content_index=0, part=part)
        item = {"id": mid, "type": "message", "status": "completed", "content": [part], "role": "assistant"}
        self.output.append(item)
        self.emit("response.output_item.done", output_index=idx, item=item)
        return self

    def item(self, final: dict[str, Any], skeleton: dict[str, Any] | None = None) -> StreamBuilder:
        """Any other item (hosted tools, MCP, unknown kinds): added, then done."""
        idx = len(self.output)
        final = {"id": f"{final.get('type', 'item')}_{idx:04d}", "status": "completed", **final}
        self.emit("response.output_item.added", output_index=idx, item=skeleton or {"id": final["id"], "type": final["type"], "status": "in_progress"})
        self.output.append(final)
        self.emit("response.output_item.done", output_index=idx, item=final)
        return self

    def function_call(self, name: str, arg_chunks: list[str]) -> StreamBuilder:
        """A function_call item with streamed arguments."""
        idx = len(self.output)
        fid = f"fc_demo{idx:04d}"
        skeleton = {"id": fid, "type": "function_call", "call_id": f"call_{idx}", "name": name, "arguments": "", "status": "in_progress"}
        self.emit("response.output_item.added", output_index=idx, item=skeleton)
        for chunk in arg_chunks:
            self.emit("response.function_call_arguments.delta", item_id=fid, output_index=idx, delta=chunk)
        args = "".join(arg_chunks)
        self.emit("response.function_call_arguments.done", item_id=fid, output_index=idx, arguments=args)
        item = {**skeleton, "arguments": args, "status": "completed"}
        self.output.append(item)
        self.emit("response.output_item.done", output_index=idx, item=item)
        return self

    def usage(self) -> dict[str, Any]:
        """Plausible usage from the request size and what was streamed."""
        in_chars = len(json.dumps(self.request.get("input", ""), ensure_ascii=False)) + len(self.request.get("instructions") or "")
        inp = max(1, in_chars // 4)
        reasoning = self.reason_chars // 4 + (64 if self.reason_chars else 0)
        out = max(1, self.out_chars // 4) + reasoning
        cached = (inp // 2) // 64 * 64 if inp > 200 else 0
        return {
            "input_tokens": inp,
            "input_tokens_details": {"cached_tokens": cached, "cache_write_tokens": 0},
            "output_tokens": out,
            "output_tokens_details": {"reasoning_tokens": reasoning},
            "total_tokens": inp + out,
        }

    def completed(self) -> StreamBuilder:
        """The success terminal."""
        self.emit("response.completed", response=self.response("completed", usage=self.usage(), completed_at=1789700004))
        return self

    def incomplete(self, reason: str = "max_output_tokens") -> StreamBuilder:
        """The cut-short terminal."""
        self.emit("response.incomplete", response=self.response("incomplete", usage=self.usage(), incomplete_details={"reason": reason}))
        return self

    def failed(self, code: str = "server_error", message: str = "An error occurred while processing your request.") -> StreamBuilder:
        """The failure terminal."""
        self.emit("response.failed", response=self.response("failed", error={"code": code, "message": message}))
        return self


@dataclass
class Wire:
    """How events are framed on the wire."""

    event_lines: bool = True
    done: bool = False
    bom: bool = False
    final_blank: bool = True
    comment_every: int = 0
    split_utf8: bool = False


def encode(events: list[tuple[dict[str, Any], float]], wire: Wire) -> list[tuple[bytes, float]]:
    """Frame events as SSE bytes, coalescing frames that have no pause between them."""
    chunks: list[tuple[bytes, float]] = []
    buf: list[bytes] = [b"\xef\xbb\xbf"] if wire.bom else []
    pause_before = 0.0
    for n, (event, pause) in enumerate(events):
        if pause and buf:
            chunks.append((b"".join(buf), pause_before))
            buf, pause_before = [], pause
        elif pause:
            pause_before = pause
        data = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        head = f"event: {event['type']}\n" if wire.event_lines else ""
        frame = f"{head}data: {data}\n\n".encode()
        if wire.comment_every and n % wire.comment_every == 0:
            frame = b": keep-alive\n\n" + frame
        if wire.split_utf8:
            cut = _utf8_cut(frame)
            if cut:
                buf.append(frame[:cut])
                chunks.append((b"".join(buf), pause_before))
                buf, pause_before = [frame[cut:]], 0.0
                continue
        buf.append(frame)
        if sum(map(len, buf)) > 65536:
            chunks.append((b"".join(buf), pause_before))
            buf, pause_before = [], 0.0
    if wire.done:
        buf.append(b"data: [DONE]\n\n")
    if buf:
        chunks.append((b"".join(buf), pause_before))
    if not wire.final_blank and chunks:
        last, pause = chunks[-1]
        chunks[-1] = (last.rstrip(b"\n") + b"\n", pause)
    return chunks


def _utf8_cut(frame: bytes) -> int:
    """An offset inside the first multi-byte character of ``frame``, or 0."""
    for i, b in enumerate(frame):
        if b >= 0xC0:
            return i + 1
    return 0


def error_reply(status: int, message: str, etype: str = "invalid_request_error", code: Any = None, headers: dict[str, str] | None = None, param: str | None = None) -> Reply:
    """An HTTP error with an OpenAI-shaped JSON body."""
    body = {"error": {"message": message, "type": etype, "param": param, "code": code}}
    return Reply(status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body).encode())


def stream_reply(b: StreamBuilder, wire: Wire | None = None, drop: bool = False) -> Reply:
    """A 200 SSE stream of the builder's events."""
    return Reply(200, {"Content-Type": "text/event-stream; charset=utf-8"}, None, encode(b.events, wire or Wire()), drop)
