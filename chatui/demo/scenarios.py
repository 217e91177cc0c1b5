"""Scenarios of the scripted server, one per model id.

Each scenario turns a request body into a :class:`Reply`: an HTTP error, a
whole JSON body, or a list of SSE chunks with the pause before each.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chatui.demo import content

DEMO_PACE = 0.012  # seconds between deltas of the demo answer: about a fast model


@dataclass
class Reply:
    """What the server sends back."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None  # a whole body (errors, non-stream, JSON-for-stream)
    chunks: list[tuple[bytes, float]] = field(default_factory=list)  # (bytes, pause before)
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

    def message(self, chunks: list[str], pace: float = 0.0, *, finish: bool = True, status: str = "completed") -> StreamBuilder:
        """An assistant message streamed as text deltas (``finish=False`` stops mid-way)."""
        idx = len(self.output)
        mid = f"msg_demo{idx:04d}"
        self.emit("response.output_item.added", output_index=idx, item={"id": mid, "type": "message", "status": "in_progress", "content": [], "role": "assistant"})
        self.emit("response.content_part.added", item_id=mid, output_index=idx, content_index=0, part={"type": "output_text", "annotations": [], "logprobs": [], "text": ""})
        for chunk in chunks:
            self.emit("response.output_text.delta", pace, item_id=mid, output_index=idx, content_index=0, delta=chunk, logprobs=[])
        text = "".join(chunks)
        self.out_chars += len(text)
        if not finish:
            return self
        part = {"type": "output_text", "annotations": [], "logprobs": [], "text": text}
        self.emit("response.output_text.done", item_id=mid, output_index=idx, content_index=0, text=text, logprobs=[])
        self.emit("response.content_part.done", item_id=mid, output_index=idx, content_index=0, part=part)
        item = {"id": mid, "type": "message", "status": status, "content": [part], "role": "assistant"}
        self.output.append(item)
        self.emit("response.output_item.done", output_index=idx, item=item)
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


def _prompt(request: dict[str, Any]) -> str:
    items = request.get("input")
    if isinstance(items, str):
        return items
    for item in reversed(items or []):
        if isinstance(item, dict) and item.get("role") == "user":
            c = item.get("content")
            if isinstance(c, str):
                return c
            for part in c or []:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    return part["text"]
    return ""


def _error(status: int, message: str, etype: str = "invalid_request_error", code: Any = None, headers: dict[str, str] | None = None, param: str | None = None) -> Reply:
    body = {"error": {"message": message, "type": etype, "param": param, "code": code}}
    return Reply(status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body).encode())


def _stream(b: StreamBuilder, wire: Wire | None = None, drop: bool = False) -> Reply:
    return Reply(200, {"Content-Type": "text/event-stream; charset=utf-8"}, None, encode(b.events, wire or Wire()), drop)


def _pick_demo(prompt: str) -> str:
    lowered = prompt.lower()
    if re.search(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", prompt):
        return content.CJK
    if any(w in lowered for w in ("code", "python", "function", "sieve")):
        return content.CODE
    if any(w in lowered for w in ("table", "compare")):
        return content.TABLE
    if "hostile" in lowered:
        return content.HOSTILE
    return content.WELCOME


# --- scenarios ------------------------------------------------------------------
def demo(req: dict[str, Any], state: dict[str, Any], model: str) -> Reply:
    """The demo: a reasoning summary, then Markdown chosen by the prompt, paced like a model."""
    b = StreamBuilder(model, req).start()
    parts = [content.split_words(p, 6) for p in content.REASONING_SUMMARY]
    b.reasoning_summary(parts, pace=DEMO_PACE)
    b.message(content.split_words(_pick_demo(_prompt(req)), 4), pace=DEMO_PACE)
    return _stream(b.completed())


def reasoning(req, state, model):
    """Raw reasoning_text (vLLM / gpt-oss family), then a short answer."""
    b = StreamBuilder(model, req).start()
    b.reasoning_text(content.split_words(content.RAW_REASONING, 5))
    b.message(content.split_words("The answer, after thinking: **42**.", 4))
    return _stream(b.completed())


def replay(req, state, model):
    """Summary reasoning with encrypted content, for replay tests."""
    b = StreamBuilder(model, req, resp_id=f"resp_replay{len(state.setdefault('replay', []))}").start()
    state["replay"].append(1)
    b.reasoning_summary([["thinking about ", "it"]])
    b.message(["Replayed ", "fine."])
    return _stream(b.completed())


def strict_history(req, state, model):
    """Rejects any replayed reasoning item with a 400, like OpenAI with a foreign id."""
    for i, item in enumerate(req.get("input") or []):
        if isinstance(item, dict) and item.get("type") == "reasoning":
            return _error(400, "Item 'rs_x' of type 'reasoning' was provided without its required following item.", param=f"input[{i}]")
    if "include" in req:
        return _error(400, "Unknown parameter: 'include'.", code="unknown_parameter")
    return replay(req, state, model)


def cjk(req, state, model):
    """CJK and emoji split across deltas and across network chunks mid-character."""
    b = StreamBuilder(model, req).start()
    b.reasoning_summary([content.split_even("考えています…🤔 생각 중", 7)])
    b.message(content.split_even(content.CJK, len(content.CJK) // 2))
    return _stream(b.completed(), Wire(split_utf8=True))


def bulk(req, state, model):
    """``bulk[list|code|para]-N-SIZE``: N deltas totalling SIZE characters, as fast as possible.

    Plain ``bulk`` is mixed Markdown (headings, lists, fences, tables); the
    suffixed kinds are one growing list, one growing code fence, or paragraphs.
    """
    m = re.fullmatch(r"bulk(list|code|para)?(?:-(\d+))?(?:-(\d+))?", model)
    kind = m.group(1) if m else None
    count = int(m.group(2) or 20_000) if m else 20_000
    size = int(m.group(3) or 100_000) if m else 100_000
    text = content.shaped_markdown(kind, size) if kind else content.bulk_markdown(size)
    b = StreamBuilder(model, req).start()
    b.message(content.split_even(text, count))
    return _stream(b.completed())


def steady(req, state, model):
    """``steady-RATE``: deltas at RATE per second for a few seconds (typing-latency bench)."""
    m = re.fullmatch(r"steady-(\d+)(?:-(\d+))?", model)
    rate = int(m.group(1)) if m else 100
    seconds = int(m.group(2) or 5) if m else 5
    text = content.bulk_markdown(rate * seconds * 5)
    b = StreamBuilder(model, req).start()
    b.message(content.split_even(text, rate * seconds), pace=1.0 / rate)
    return _stream(b.completed())


def stall(req, state, model):
    """Starts, then says nothing for 30 s (a stuck upstream): read timeouts."""
    b = StreamBuilder(model, req).start()
    b.message(["late"], pace=30.0)
    return _stream(b.completed())


def stall_midway(req, state, model):
    """Some text, then 30 s of silence: a timeout after content must not be retried."""
    b = StreamBuilder(model, req).start()
    b.message(["Some ", "text", " and then"], finish=False)
    b.emit("response.output_text.delta", 30.0, item_id="msg_demo0000", output_index=0, content_index=0, delta=" late", logprobs=[])
    return _stream(b.completed())


def slow(req, state, model):
    """One delta every 50 ms for ~10 s: long enough to cancel."""
    b = StreamBuilder(model, req).start()
    b.message([f"word{i} " for i in range(200)], pace=0.05)
    return _stream(b.completed())


def fail_midstream(req, state, model):
    """Partial text, then ``response.failed``."""
    b = StreamBuilder(model, req).start()
    b.message(["The three largest", " moons of Saturn are"], finish=False)
    return _stream(b.failed())


def error_event(req, state, model):
    """Partial text, then a nested ``error`` event and the connection closes."""
    b = StreamBuilder(model, req).start()
    b.message(["Partial ", "answer"], finish=False)
    b.emit("error", error={"type": "tokens", "code": "rate_limit_exceeded", "message": "Rate limit reached. Please try again in 6.57s.", "param": None})
    return _stream(b)


def drop(req, state, model):
    """Partial text, then the TCP connection is dropped mid-body."""
    b = StreamBuilder(model, req).start()
    b.message(["Half an ", "answer"], finish=False)
    return _stream(b, drop=True)


def cut(req, state, model):
    """Partial text, then a clean end of body with no terminal event."""
    b = StreamBuilder(model, req).start()
    b.message(["Cut ", "short"], finish=False)
    return _stream(b)


def incomplete(req, state, model):
    """Stops at max_output_tokens."""
    b = StreamBuilder(model, req).start()
    b.reasoning_summary([["Thinking ", "hard"]])
    b.message(["The answer is long and ", "it stops here"], status="incomplete")
    return _stream(b.incomplete())


def unauthorized(req, state, model):
    """401 as OpenAI sends it."""
    return _error(401, "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.", code="invalid_api_key")


def ratelimit(req, state, model):
    """429 once (with retry-after-ms), then the demo."""
    count = state["ratelimit"] = state.get("ratelimit", 0) + 1
    if count == 1:
        return _error(429, "Rate limit reached for requests.", "requests", "rate_limit_exceeded", {"retry-after-ms": "30"})
    return reasoning(req, state, model)


def ratelimit_hard(req, state, model):
    """429 every time, asking to wait 7 s."""
    return _error(429, "Too many requests; please try again later.", "requests", "rate_limit_exceeded", {"retry-after": "7"})


def quota(req, state, model):
    """429 insufficient_quota: never retried."""
    return _error(429, "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota")


def html500(req, state, model):
    """A proxy's HTML error page."""
    page = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><hr>cloudflare</body></html>"
    return Reply(500, {"Content-Type": "text/html"}, page)


def done_terminator(req, state, model):
    """A normal stream followed by ``data: [DONE]``."""
    b = StreamBuilder(model, req).start().message(["Done ", "marker ", "follows."]).completed()
    return _stream(b, Wire(done=True))


def no_event_lines(req, state, model):
    """Only ``data:`` lines, type inside the JSON (LiteLLM)."""
    b = StreamBuilder(model, req).start().message(["No ", "event ", "lines."]).completed()
    return _stream(b, Wire(event_lines=False))


def noisy(req, state, model):
    """Keep-alive comments, empty frames and unknown event types between real ones."""
    b = StreamBuilder(model, req).start()
    b.emit("response.vendor.custom_progress", progress=0.5)
    b.emit("response.reasoning_part.added", item_id="x")
    b.message(["Noise ", "is ", "ignored."])
    b.emit("response.audio.delta", delta="AAAA")
    b.completed()
    chunks = encode(b.events, Wire(comment_every=2))
    chunks.insert(0, (b"data:\n\n: OPENROUTER PROCESSING\n\ndata:   \n\n", 0.0))
    return Reply(200, {"Content-Type": "text/event-stream"}, None, chunks)


def json_body(req, state, model):
    """A whole JSON Response although a stream was asked for."""
    b = StreamBuilder(model, req).start().message(["A whole ", "JSON body."]).completed()
    final = b.events[-1][0]["response"]
    return Reply(200, {"Content-Type": "application/json"}, json.dumps(final).encode())


def bom(req, state, model):
    """A UTF-8 BOM before the first event."""
    b = StreamBuilder(model, req).start().message(["BOM ", "first."]).completed()
    return _stream(b, Wire(bom=True))


def no_final_blank(req, state, model):
    """The last event has no blank line after it."""
    b = StreamBuilder(model, req).start().message(["No ", "final blank."]).completed()
    return _stream(b, Wire(final_blank=False))


def duplicates(req, state, model):
    """Every frame sent twice (a resumed stream)."""
    b = StreamBuilder(model, req).start().message(["Each ", "once."]).completed()
    b.events = [e for e in b.events for _ in (0, 1)]
    return _stream(b)


def big_line(req, state, model):
    """One delta of 1 MB on a single line."""
    b = StreamBuilder(model, req).start().message(["x" * 1_000_000, "!"]).completed()
    return _stream(b)


def hostile(req, state, model):
    """Escape sequences and markup in the reasoning and the answer."""
    b = StreamBuilder(model, req).start()
    b.reasoning_summary([["thinking \x1b[2J", "[bold]loud[/bold] \x1b]52;c;aGk=\x07"]])
    b.message(content.split_words(content.HOSTILE, 7))
    return _stream(b.completed())


def function_call(req, state, model):
    """A function call with streamed arguments, then text."""
    b = StreamBuilder(model, req).start()
    b.function_call("get_weather", ['{"city":', ' "Paris"}'])
    b.message(["Calling ", "a tool."])
    return _stream(b.completed())


def twice(req, state, model):
    """Two complete response cycles in one body (a gateway retry)."""
    b = StreamBuilder(model, req).start().message(["First ", "cycle."]).completed()
    b2 = StreamBuilder(model, req, resp_id="resp_second").start().message(["Second ", "cycle."]).completed()
    return Reply(200, {"Content-Type": "text/event-stream"}, None, encode(b.events + b2.events, Wire()))


def multi(req, state, model):
    """Two message items and a refusal part."""
    b = StreamBuilder(model, req).start().message(["Commentary."]).message(["Final ", "answer."]).completed()
    return _stream(b)


SCENARIOS: dict[str, Callable[[dict[str, Any], dict[str, Any], str], Reply]] = {
    "chatui-demo": demo,
    "demo-mini": demo,
    "demo-reasoning": reasoning,
    "demo-cjk": cjk,
    "replay": replay,
    "strict-history": strict_history,
    "bulk": bulk,
    "steady": steady,
    "slow": slow,
    "stall": stall,
    "stall-midway": stall_midway,
    "fail-midstream": fail_midstream,
    "error-event": error_event,
    "drop": drop,
    "cut": cut,
    "incomplete": incomplete,
    "unauthorized": unauthorized,
    "ratelimit": ratelimit,
    "ratelimit-hard": ratelimit_hard,
    "quota": quota,
    "html500": html500,
    "done-terminator": done_terminator,
    "no-event-lines": no_event_lines,
    "noisy": noisy,
    "json-body": json_body,
    "bom": bom,
    "no-final-blank": no_final_blank,
    "duplicates": duplicates,
    "big-line": big_line,
    "hostile": hostile,
    "function-call": function_call,
    "twice": twice,
    "multi": multi,
}

# Shown first by /models; the rest are test scenarios.
DEMO_MODELS = ("chatui-demo", "demo-mini", "demo-reasoning", "demo-cjk")


def find(model: str) -> Callable[[dict[str, Any], dict[str, Any], str], Reply] | None:
    """The scenario for a model id (``bulk-…``/``steady-…`` take parameters)."""
    if model in SCENARIOS:
        return SCENARIOS[model]
    if model.startswith("bulk"):
        return bulk
    if model.startswith("steady-"):
        return steady
    return None


def unknown_model(model: str) -> Reply:
    """AIHubMix answers an unknown model id with a 503 'no channel'."""
    body = {"error": {"message": f"Incorrect model ID '{model}' or you do not have permission to use it (tid: 2026112500000000demo)", "type": "Aihubmix_api_error"}, "type": "error"}
    return Reply(503, {"Content-Type": "application/json"}, json.dumps(body).encode())


def non_stream(reply: Reply) -> Reply:
    """Turn a streaming reply into a whole JSON Response (``stream: false``)."""
    if reply.body is not None or not reply.chunks:
        return reply
    raw = b"".join(c for c, _ in reply.chunks).decode("utf-8", "replace").lstrip("\ufeff")
    final = None
    for line in raw.splitlines():
        if line.startswith("data:") and '"response":' in line:
            try:
                final = json.loads(line[5:]).get("response")
            except ValueError:
                pass
    if final is None:
        return _error(500, "The stream had no terminal response.", "server_error")
    return Reply(200, {"Content-Type": "application/json"}, json.dumps(final).encode())
