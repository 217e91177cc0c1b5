"""Request bodies: only what the user set, and history replay rules."""

import pytest
from pydantic import TypeAdapter

from chatui.conversation import Conversation, Settings, replay_items
from chatui.turn import Status, TurnOutcome, Timings, Usage

openai_params = pytest.importorskip("openai.types.responses.response_create_params")
BODY = TypeAdapter(openai_params.ResponseCreateParamsStreaming)

GW = "http://127.0.0.1:1/v1"
REASONING = {"id": "rs_1", "type": "reasoning", "summary": [{"type": "summary_text", "text": "s"}], "encrypted_content": "gAAA"}
MESSAGE = {"id": "msg_1", "type": "message", "status": "completed", "role": "assistant", "content": [{"type": "output_text", "text": "Hi there", "annotations": []}]}


def finish(conv, turn, items=(REASONING, MESSAGE), status=Status.COMPLETED, answer="Hi there"):
    turn.apply_outcome(TurnOutcome(status, answer, "s", [dict(i) for i in items], Usage(1, 0, 2, 1, 3), Timings()))


def test_first_body_sends_only_what_was_set():
    conv = Conversation(Settings(model="m", replay_reasoning=False), GW)
    body = conv.build_body(conv.start_turn("Hello 你好 👋"))
    assert body == {"model": "m", "input": [{"role": "user", "content": [{"type": "input_text", "text": "Hello 你好 👋"}]}], "stream": True}
    BODY.validate_python(body)


def test_user_settings_are_sent():
    s = Settings(model="m", instructions="Be brief.", replay_reasoning=False)
    s.set("temperature", "0.3")
    s.set("max_tokens", "2000")
    s.set("effort", "low")
    s.set("summary", "auto")
    conv = Conversation(s, GW)
    body = conv.build_body(conv.start_turn("x"))
    assert body["instructions"] == "Be brief." and body["temperature"] == 0.3
    assert body["max_output_tokens"] == 2000 and body["reasoning"] == {"effort": "low", "summary": "auto"}
    assert "top_p" not in body and "store" not in body
    BODY.validate_python(body)


@pytest.mark.parametrize(("name", "value"), [("temperature", "3"), ("top_p", "x"), ("max_tokens", "5"), ("effort", "huge"), ("colour", "red"), ("replay", "maybe")])
def test_bad_settings_say_why(name, value):
    with pytest.raises(ValueError) as info:
        Settings(model="m").set(name, value)
    assert str(info.value)


def test_same_model_replays_reasoning_in_full():
    conv = Conversation(Settings(model="m"), GW)
    t1 = conv.start_turn("one")
    conv.build_body(t1)
    finish(conv, t1)
    t2 = conv.start_turn("two")
    body = conv.build_body(t2)
    assert t2.history_mode == "full"
    assert body["store"] is False and body["include"] == ["reasoning.encrypted_content"]
    assert body["input"][1] == {k: v for k, v in REASONING.items()}
    assert body["input"][2]["id"] == "msg_1"
    BODY.validate_python(body)


def test_model_switch_sends_text_only_history():
    conv = Conversation(Settings(model="a"), GW)
    t1 = conv.start_turn("one")
    finish(conv, t1)
    conv.settings.model = "b"
    t2 = conv.start_turn("two")
    body = conv.build_body(t2)
    assert t2.model == "b" and body["model"] == "b" and t2.history_mode == "text"
    assert body["input"][1] == {"role": "assistant", "content": "Hi there"}
    assert all(i.get("type") != "reasoning" for i in body["input"])
    BODY.validate_python(body)


def test_reasoning_without_encrypted_content_is_dropped_and_ids_stripped():
    bare = {"id": "rs_2", "type": "reasoning", "summary": []}
    out = replay_items([REASONING, MESSAGE, bare, {**MESSAGE, "id": "msg_2"}])
    assert [i.get("id") for i in out] == ["rs_1", "msg_1", None]
    assert "status" not in out[2]
    assert replay_items([bare, MESSAGE]) is None  # nothing worth replaying in full


def test_failed_turn_without_text_is_left_out_and_partial_is_text():
    conv = Conversation(Settings(model="m"), GW)
    t1 = conv.start_turn("lost")
    finish(conv, t1, items=(), status=Status.FAILED, answer="")
    t2 = conv.start_turn("partial")
    finish(conv, t2, items=(MESSAGE,), status=Status.CANCELLED, answer="Half")
    t3 = conv.start_turn("next")
    body = conv.build_body(t3)
    texts = [i["content"] if isinstance(i["content"], str) else i["content"][0]["text"] for i in body["input"]]
    assert texts == ["partial", "Half", "next"]


def test_settings_round_trip():
    s = Settings(model="m", temperature=0.5, include=["x"])
    assert Settings.from_dict(s.to_dict()) == s
