"""Scenarios for what servers send besides plain text, and what they do to item identity.

Tool calls, hosted tools, citations, refusals, commentary, math and images; ids
that rotate per event and items renamed in the final output.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chatui.demo import content
from chatui.demo.builder import Reply, StreamBuilder, error_reply as _error, stream_reply as _stream


def wants_search(req: dict[str, Any]) -> bool:
    """Whether the request carries the hosted web_search tool."""
    return any(isinstance(t, dict) and t.get("type") == "web_search" for t in req.get("tools") or ())


def rotating_ids(req, state, model):
    """A gateway that gives the message a new id on every event (same output_index throughout)."""
    b = StreamBuilder(model, req).start().reasoning_summary([["Thinking ", "briefly."]])
    b.message(content.split_words("One answer, streamed word by word, under a new id each time.", 1)).completed()
    n = 0
    for event, _ in b.events:
        if event.get("output_index") == 1 and "item_id" in event:
            n += 1
            event["item_id"] = f"msg_rot{n:04d}"
        elif event.get("output_index") == 1 and isinstance(event.get("item"), dict):
            n += 1
            event["item"] = {**event["item"], "id": f"msg_rot{n:04d}"}
    final = b.events[-1][0]["response"]["output"]
    final[1] = {**final[1], "id": "msg_rot_final"}
    return _stream(b)


def renamed_final(req, state, model):
    """The final output names the reasoning item differently from the stream, and no output_item.done came for it."""
    b = StreamBuilder(model, req).start().reasoning_summary([["Streamed ", "reasoning."]]).message(["The ", "answer."]).completed()
    b.events = [(e, p) for e, p in b.events if not (e["type"] == "response.output_item.done" and e["output_index"] == 0)]
    final = b.events[-1][0]["response"]["output"]
    final[0] = {**final[0], "id": "rs_renamed_by_the_gateway"}
    return _stream(b)


CITATIONS = [
    {"type": "url_citation", "url": "https://textual.textualize.io/", "title": "Textual", "start_index": 0, "end_index": 7},
    {"type": "url_citation", "url": "https://www.python-httpx.org/", "title": "HTTPX", "start_index": 12, "end_index": 17},
    {"type": "url_citation", "url": "javascript:alert(1)", "title": "A \x1b[31mhostile\x1b[0m link", "start_index": 22, "end_index": 31},
]


def web_search(req, state, model):
    """A hosted web search, then an answer whose citations arrive only as annotation events."""
    b = StreamBuilder(model, req).start()
    b.item({"type": "web_search_call", "action": {"type": "search", "query": "python terminal ui libraries", "sources": [{"type": "url", "url": c["url"]} for c in CITATIONS[:2]]}})
    b.message(["Textual and ", "HTTPX are ", "well kept."], annotations=CITATIONS, annotations_in_final=False)
    return _stream(b.completed())


def no_search(req, state, model):
    """A model that rejects the web_search tool (400 naming the tools parameter), and answers otherwise."""
    if wants_search(req):
        return _error(400, "Hosted tool 'web_search' is not supported with this model.", param="tools", code="unsupported_value")
    return _stream(StreamBuilder(model, req).start().message(["No search needed."]).completed())


def tools(req, state, model):
    """Commentary, then every kind of tool item a server may send, then the final answer."""
    b = StreamBuilder(model, req).start()
    b.message(["Let me check ", "a few things first."], phase="commentary")
    b.function_call("get_weather", ['{"city": ', '"Paris", "unit": "c"}'])
    b.item({"type": "mcp_call", "name": "search_docs", "server_label": "docs", "arguments": '{"q": "sse"}', "output": "3 hits"})
    b.item({"type": "code_interpreter_call", "code": "print(6 * 7)", "outputs": [{"type": "logs", "logs": "42"}], "container_id": "cntr_1"})
    b.item({"type": "file_search_call", "queries": ["quarterly report"], "results": [{"file_id": "file_1", "filename": "q3.pdf", "text": "Revenue grew."}]})
    b.item({"type": "fancy_new_call", "payload": "?"})
    b.message(["All ", "done: 42."], phase="final_answer")
    return _stream(b.completed())


MATH = "The roots of $ax^2 + bx + c = 0$ are\n\n$$x = \\frac{-b \\pm \\sqrt{b^2-4ac}}{2a}$$\n\nand `$HOME` is not math, nor is $5."


def math(req, state, model):
    """An answer with LaTeX math (and dollars that are not math)."""
    return _stream(StreamBuilder(model, req).start().message(content.split_words(MATH, 3)).completed())


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A real PNG of a small orange gradient (for the image scenario)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"".join(bytes((255, min(255, 100 + 40 * x), 20 * y)) for x in range(width)) for y in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def image(req, state, model):
    """A hosted image generation: the image as base64 in the item, then a caption."""
    import base64

    b = StreamBuilder(model, req).start()
    b.item({"type": "image_generation_call", "revised_prompt": "A small orange gradient", "output_format": "png", "result": base64.b64encode(tiny_png()).decode()})
    b.message(["Here is ", "your image."])
    return _stream(b.completed())


def refusal(req, state, model):
    """The model refuses."""
    return _stream(StreamBuilder(model, req).start().refusal(["I can't ", "help with that."]).completed())


ITEM_SCENARIOS: dict[str, Callable[[dict[str, Any], dict[str, Any], str], Reply]] = {
    "rotating-ids": rotating_ids,
    "renamed-final": renamed_final,
    "web-search": web_search,
    "tools": tools,
    "no-search": no_search,
    "refusal": refusal,
    "math": math,
    "image": image,
}
