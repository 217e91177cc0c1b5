"""The accumulator: deltas, reconciliation, lazy state, terminals, usage."""

from chatui import events as ev
from chatui.turn import ANSWER, ANSWER_RESET, REASONING, Status, TurnAccumulator, Usage


def delta(text, item="m1", channel=ev.TEXT, index=0, oi=0, seq=None):
    return ev.Delta(seq, channel, item, oi, index, text)


def test_deltas_append_and_done_does_not_double():
    acc = TurnAccumulator()
    assert acc.apply(delta("Hel")) == (ANSWER, "Hel")
    assert acc.apply(delta("lo")) == (ANSWER, "lo")
    assert acc.apply(ev.TextDone(None, ev.TEXT, "m1", 0, 0, "Hello")) is None
    acc.apply(ev.Lifecycle(None, "completed", {}))
    out = acc.outcome()
    assert out.answer == "Hello" and out.status is Status.COMPLETED


def test_done_with_different_text_replaces_and_empty_done_is_ignored():
    acc = TurnAccumulator()
    acc.apply(delta("Helo"))
    assert acc.apply(ev.TextDone(None, ev.TEXT, "m1", 0, 0, "")) is None
    assert acc.apply(ev.TextDone(None, ev.TEXT, "m1", 0, 0, "Hello")) == (ANSWER_RESET, "Hello")


def test_delta_before_item_added_creates_state_lazily_and_without_ids():
    acc = TurnAccumulator()
    acc.apply(ev.Delta(None, ev.REASONING, None, None, None, "think "))
    acc.apply(ev.Delta(None, ev.REASONING, None, None, None, "more"))
    acc.apply(ev.Delta(None, ev.TEXT, None, None, None, "answer"))
    acc.apply(ev.Lifecycle(None, "completed", {}))
    out = acc.outcome()
    assert out.reasoning == "think more" and out.answer == "answer"
    assert [i["type"] for i in out.items] == ["reasoning", "message"]


def test_summary_parts_are_separated():
    acc = TurnAccumulator()
    assert acc.apply(delta("A", "r", ev.SUMMARY, 0)) == (REASONING, "A")
    assert acc.apply(delta("B", "r", ev.SUMMARY, 1)) == (REASONING, "\n\nB")
    assert acc.reasoning_text() == "A\n\nB"


def test_ollama_reused_output_index_keeps_items_apart():
    acc = TurnAccumulator()
    acc.apply(ev.ItemAdded(None, 0, {"id": "msg_1", "type": "message", "content": []}))
    acc.apply(delta("text", "msg_1"))
    acc.apply(ev.ItemAdded(None, 0, {"id": "fc_1", "type": "function_call", "name": "f", "call_id": "c"}))
    acc.apply(ev.Delta(None, ev.ARGUMENTS, "fc_1", 0, None, '{"a": 1}'))
    acc.apply(ev.Lifecycle(None, "completed", {"output": []}))
    out = acc.outcome()
    assert out.answer == "text"
    assert out.function_calls[0]["parsed"] == {"a": 1}


def test_invalid_function_arguments_are_an_error_not_a_crash():
    acc = TurnAccumulator()
    acc.apply(ev.ItemAdded(None, 0, {"id": "fc", "type": "function_call", "name": "f"}))
    acc.apply(ev.Delta(None, ev.ARGUMENTS, "fc", 0, None, '{"a":'))
    acc.apply(ev.Lifecycle(None, "completed", {}))
    call = acc.outcome().function_calls[0]
    assert call["parsed"] is None and "invalid JSON" in call["error"]


def test_terminal_output_fills_items_never_streamed():
    acc = TurnAccumulator()
    resp = {"output": [{"id": "m", "type": "message", "content": [{"type": "output_text", "text": "only here"}]}]}
    assert acc.apply(ev.Lifecycle(None, "completed", resp)) == (ANSWER_RESET, "only here")


def test_failed_keeps_partial_text():
    acc = TurnAccumulator()
    acc.apply(delta("partial"))
    acc.apply(ev.Lifecycle(None, "failed", {"error": {"code": "server_error", "message": "boom"}}))
    out = acc.outcome()
    assert out.status is Status.FAILED and out.answer == "partial"
    assert out.error.server_message == "boom"
    assert out.items[0]["status"] == "incomplete"


def test_incomplete_reason():
    acc = TurnAccumulator()
    acc.apply(ev.Lifecycle(None, "incomplete", {"incomplete_details": {"reason": "max_output_tokens"}}))
    assert acc.status is Status.INCOMPLETE and acc.incomplete_reason == "max_output_tokens"


def test_second_created_after_content_fails_instead_of_concatenating():
    acc = TurnAccumulator()
    acc.apply(ev.Lifecycle(0, "created", {}))
    acc.apply(delta("one"))
    acc.apply(ev.Lifecycle(0, "created", {}))
    assert acc.status is Status.FAILED and acc.answer_text() == "one"


def test_events_after_terminal_are_ignored():
    acc = TurnAccumulator()
    acc.apply(ev.Lifecycle(None, "completed", {}))
    assert acc.apply(delta("late")) is None and acc.answer_text() == ""


def test_usage_parsing_tolerates_every_shape():
    full = Usage.from_dict({"input_tokens": 31, "input_tokens_details": {"cached_tokens": 8}, "output_tokens": 212, "output_tokens_details": {"reasoning_tokens": 192}, "total_tokens": 243})
    assert full == Usage(31, 8, 212, 192, 243)
    bare = Usage.from_dict({"input_tokens": 3, "output_tokens": 4})
    assert bare == Usage(3, None, 4, None, 7)
    chat = Usage.from_dict({"prompt_tokens": 1, "completion_tokens": 2})
    assert chat.total_tokens == 3
    assert Usage.from_dict(None) is None
    assert (full + bare).input_tokens == 34 and (full + bare).cached_tokens == 8


def test_timings_first_token_and_rate():
    t = [0.0]
    acc = TurnAccumulator(clock=lambda: t[0])
    t[0] = 0.5
    acc.apply(delta("x"))
    t[0] = 2.5
    acc.apply(ev.Lifecycle(None, "completed", {"usage": {"input_tokens": 1, "output_tokens": 100}}))
    out = acc.outcome()
    assert out.timings.first_token == 0.5 and out.timings.total == 2.5 and out.timings.tokens_per_second == 50


def test_no_tokens_per_second_over_a_window_too_short_to_mean_anything():
    t = [0.0]
    acc = TurnAccumulator(clock=lambda: t[0])
    t[0] = 0.20
    acc.apply(delta("x"))
    t[0] = 0.21  # a cached answer: 100 tokens in 10 ms would read 10,000 tokens/s
    acc.apply(ev.Lifecycle(None, "completed", {"usage": {"input_tokens": 1, "output_tokens": 100}}))
    assert acc.outcome().timings.tokens_per_second is None
