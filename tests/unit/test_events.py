"""Parsing frames into typed events."""

import json

from chatui import events as ev
from chatui.sse import Frame, StreamStats


def parse(payload, event=""):
    stats = StreamStats()
    data = payload if isinstance(payload, str) else json.dumps(payload)
    return ev.parse_frame(Frame(event, data), stats), stats


def test_dispatch_on_json_type_not_event_name():
    e, _ = parse({"type": "response.output_text.delta", "item_id": "m", "output_index": 0, "content_index": 0, "delta": "hi"}, event="message")
    assert isinstance(e, ev.Delta) and e.channel == ev.TEXT and e.delta == "hi" and e.seq is None


def test_event_name_used_only_when_type_missing():
    e, _ = parse({"delta": "x", "item_id": "m"}, event="response.output_text.delta")
    assert isinstance(e, ev.Delta) and e.delta == "x"


def test_sequence_number_kept_when_present():
    e, _ = parse({"type": "response.created", "sequence_number": 0, "response": {"id": "r"}})
    assert isinstance(e, ev.Lifecycle) and e.seq == 0 and e.kind == "created" and not e.terminal


def test_done_marker():
    e, _ = parse("[DONE]")
    assert isinstance(e, ev.StreamDone)


def test_empty_and_unknown_and_bad_json_are_counted():
    stats = StreamStats()
    for data in ["", "   ", '{"type":"response.vendor.thing"}', "{not json", "[1,2]"]:
        assert ev.parse_frame(Frame("", data), stats) is None
    assert (stats.empty, stats.unknown, stats.bad_json) == (2, 1, 2)


def test_non_string_delta_is_skipped():
    e, stats = parse({"type": "response.reasoning.delta", "delta": {"text": "x"}})
    assert e is None and stats.unknown == 1


def test_error_shapes_flat_nested_and_chat_style():
    flat, _ = parse({"type": "error", "code": "rate_limit_exceeded", "message": "slow down", "param": None})
    nested, _ = parse({"type": "error", "error": {"type": "tokens", "code": "rate_limit_exceeded", "message": "slow down"}})
    chat, _ = parse({"error": {"message": "slow down", "type": "server_error", "code": 500}})
    llama, _ = parse({"code": 400, "message": "slow down", "type": "invalid_request_error"}, event="error")
    for e in (flat, nested, chat, llama):
        assert isinstance(e, ev.StreamError) and e.message == "slow down"
    assert chat.code == "500" and flat.code == "rate_limit_exceeded"


def test_reasoning_families_and_content_part_kinds():
    s, _ = parse({"type": "response.reasoning_summary_text.delta", "item_id": "r", "summary_index": 1, "delta": "a"})
    r, _ = parse({"type": "response.reasoning_text.delta", "item_id": "r", "content_index": 0, "delta": "b"})
    p, _ = parse({"type": "response.content_part.added", "item_id": "r", "content_index": 0, "part": {"type": "reasoning_text", "text": ""}})
    assert (s.channel, s.index) == (ev.SUMMARY, 1)
    assert r.channel == ev.REASONING
    assert isinstance(p, ev.PartAdded) and p.channel == ev.REASONING


def test_every_table_entry_builds_from_a_minimal_payload():
    for etype in ev.EVENT_TABLE:
        payload = {"type": etype, "item": {"type": "message"}, "delta": "d", "text": "t", "refusal": "r", "arguments": "{}", "annotation": {}, "part": {}, "response": {}, "message": "m"}
        e, _ = parse(payload)
        assert e is not None, etype
