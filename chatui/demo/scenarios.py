"""Scenarios of the scripted server, one per model id.

Each scenario turns a request body into a :class:`Reply`: an HTTP error, a
whole JSON body, or a list of SSE chunks with the pause before each.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from chatui.demo import content
from chatui.demo.builder import Reply, StreamBuilder, Wire, encode, error_reply, stream_reply
from chatui.demo.item_scenarios import ITEM_SCENARIOS, wants_search, web_search

__all__ = ["DEMO_MODELS", "DEMO_PACE", "Reply", "SCENARIOS", "StreamBuilder", "Wire", "encode", "find", "non_stream", "unknown_model"]

DEMO_PACE = 0.012  # seconds between deltas of the demo answer: about a fast model


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


_error = error_reply
_stream = stream_reply


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
    """The demo: a reasoning summary, then Markdown chosen by the prompt, paced like a model.

    With the web_search tool on, it searches (pretend) and cites its sources.
    """
    if wants_search(req):
        return web_search(req, state, model)
    if _prompt(req).startswith("Summarise the conversation so far"):
        return _summary(req, model)
    b = StreamBuilder(model, req).start()
    parts = [content.split_words(p, 6) for p in content.REASONING_SUMMARY]
    b.reasoning_summary(parts, pace=DEMO_PACE)
    said = _attachments_said(req)
    b.message(content.split_words((said + "\n\n" if said else "") + _pick_demo(_prompt(req)), 4), pace=DEMO_PACE)
    return _stream(b.completed())


def _attachments_said(req: dict[str, Any]) -> str:
    """What the last message carried besides its text, as the demo 'sees' it (so attaching visibly works)."""
    import base64

    items = req.get("input")
    last = next((i for i in reversed(items) if isinstance(i, dict) and i.get("role") == "user"), None) if isinstance(items, list) else None
    seen = []
    for part in (last or {}).get("content") or []:
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if kind == "input_image" and isinstance(part.get("image_url"), str):
            head, _, data = part["image_url"].partition(",")
            size = len(base64.b64decode(data, validate=False)) if data else 0
            seen.append(f"an image ({head.removeprefix('data:').split(';')[0]}, {size:,} bytes)")
        elif kind == "input_file":
            data = str(part.get("file_data", "")).partition(",")[2]
            seen.append(f"the file {part.get('filename', '?')} ({len(base64.b64decode(data, validate=False)) if data else 0:,} bytes)")
        elif kind == "input_text" and str(part.get("text", "")).startswith("```"):
            first = str(part["text"]).split("\n", 1)[0].lstrip("`").strip()
            seen.append(f"the text file {first} ({len(part['text']):,} characters)")
    return ("I received " + ", ".join(seen) + ".") if seen else ""


def _summary(req: dict[str, Any], model: str) -> Reply:
    """A /compact request: a short summary naming what the user asked (so the demo shows it working)."""
    asked = []
    for item in (req.get("input") or [])[:-1]:
        if isinstance(item, dict) and item.get("role") == "user":
            parts = item.get("content")
            text = parts if isinstance(parts, str) else " ".join(p.get("text", "") for p in parts or [] if isinstance(p, dict))
            asked.append(" ".join(text.split())[:80])
    summary = "Summary so far: the user asked " + "; then ".join(f"“{a}”" for a in asked) + ". The assistant answered each in turn with examples."
    b = StreamBuilder(model, req).start()
    b.message(content.split_words(summary, 4))
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
    m = re.fullmatch(r"bulk(list|code|para|line)?(?:-(\d+))?(?:-(\d+))?", model)
    kind = m.group(1) if m else None
    count = int(m.group(2) or 20_000) if m else 20_000
    size = int(m.group(3) or 100_000) if m else 100_000
    text = content.shaped_markdown(kind, size) if kind else content.bulk_markdown(size)
    b = StreamBuilder(model, req).start()
    b.message(content.split_even(text, count))
    return _stream(b.completed())


def steady(req, state, model):
    """``steady-RATE[-SECONDS[-SIZE]]``: mixed Markdown at RATE deltas per second (benchmarks).

    SIZE characters in all (default 5 per delta), spread over RATE × SECONDS deltas.
    """
    m = re.fullmatch(r"steady-(\d+)(?:-(\d+))?(?:-(\d+))?", model)
    rate = int(m.group(1)) if m else 100
    seconds = int(m.group(2) or 5) if m else 5
    text = content.bulk_markdown(int(m.group(3)) if m and m.group(3) else rate * seconds * 5)
    b = StreamBuilder(model, req).start()
    b.message(content.split_even(text, rate * seconds), pace=1.0 / rate)
    return _stream(b.completed())


def endless(req, state, model):
    """``endless-RATE-SIZE``: SIZE-character deltas at RATE a second (0: as fast as possible), never finishing."""
    m = re.fullmatch(r"endless(?:-(\d+))?(?:-(\d+))?", model)
    rate = int(m.group(1) or 0) if m else 0
    size = int(m.group(2) or 100) if m else 100
    b = StreamBuilder(model, req).start()
    b.message(["Here it comes: "], finish=False)
    head = encode(b.events, Wire())
    text = ("An endless answer, still going. " * (size // 32 + 1))[:size]
    batch = max(1, rate // 20) if rate else 64  # deltas per write: 20 writes a second at a rate

    def chunks():
        yield from head
        seq = b.seq
        while True:
            frames = []
            for _ in range(batch):
                event = {"type": "response.output_text.delta", "sequence_number": seq, "item_id": "msg_demo0000", "output_index": 0, "content_index": 0, "delta": text, "logprobs": []}
                frames.append(b"event: response.output_text.delta\ndata: " + json.dumps(event).encode() + b"\n\n")
                seq += 1
            yield b"".join(frames), (batch / rate if rate else 0.0)

    return Reply(200, {"Content-Type": "text/event-stream; charset=utf-8"}, None, chunks())


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


def fail_before_text(req, state, model):
    """response.failed before any text."""
    return _stream(StreamBuilder(model, req).start().failed())


def quota_event(req, state, model):
    """A 200 stream whose first event is an insufficient_quota error (gateways relay it so)."""
    b = StreamBuilder(model, req).start()
    b.emit("error", error={"type": "insufficient_quota", "code": "insufficient_quota", "message": "You exceeded your current quota, please check your plan and billing details.", "param": None})
    return _stream(b)


def context_400(req, state, model):
    """A 400 context_length_exceeded, as OpenAI answers an input that does not fit."""
    return _error(400, "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens.", param="input", code="context_length_exceeded")


def context_event(req, state, model):
    """response.failed for a context too long, before any text."""
    return _stream(StreamBuilder(model, req).start().failed("context_length_exceeded", "Your input exceeds the context window of this model."))


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


def gateway_cost(req, state, model):
    """The demo answer, with the gateway's own ``usage.cost`` (as OpenRouter sends it)."""
    b = StreamBuilder(model, req).start()
    b.message(content.split_words("Priced by the gateway itself.", 3))
    usage = {**b.usage(), "cost": 0.0123456}
    b.emit("response.completed", response=b.response("completed", usage=usage, completed_at=1789700004))
    return _stream(b)


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
    "fail-before-text": fail_before_text,
    "quota-event": quota_event,
    "context-event": context_event,
    "context-400": context_400,
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
    "gateway-cost": gateway_cost,
    "tiny-context": demo,
    "multi": multi,
    **ITEM_SCENARIOS,
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
    if model.startswith("endless"):
        return endless
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
