"""The client and turn runner against the scripted server over real loopback sockets."""

from __future__ import annotations

import asyncio

import pytest

from chatui import events as ev
from chatui.chat import stream_turn
from chatui.client import ResponsesClient
from chatui.conversation import Conversation, Settings
from chatui.errors import AuthError
from chatui.turn import Status
from tests.conftest import API_KEY, wait_for


async def run(server, model, text="hello", *, key=API_KEY, conv=None, client=None):
    client = client or ResponsesClient(server.base_url, key, sleep=_no_sleep)
    conv = conv or Conversation(Settings(model=model), server.base_url)
    conv.settings.model = model
    turn = conv.start_turn(text)
    updates = [u async for u in stream_turn(client, conv, turn)]
    await client.aclose()
    return turn, updates, conv


async def _no_sleep(seconds: float) -> None:
    """Retries in tests do not wait for real; the waits are asserted separately."""
    _no_sleep.waits.append(seconds)


_no_sleep.waits = []


async def test_demo_turn_streams_reasoning_answer_and_usage(server):
    turn, updates, _ = await run(server, "chatui-demo")
    assert turn.status is Status.COMPLETED
    kinds = {k for k, _ in updates}
    assert {"answer", "reasoning"} <= kinds
    assert "".join(t for k, t in updates if k == "answer") == turn.answer
    assert turn.answer.startswith("## Welcome") and "Understanding the request" in turn.reasoning
    assert turn.usage.input_tokens > 0 and turn.usage.output_tokens > turn.usage.reasoning_tokens > 0
    assert turn.timings.first_token is not None and turn.timings.total >= turn.timings.first_token


async def test_request_carries_key_stream_flag_and_body(server):
    await run(server, "chatui-demo", "Bonjour ☕")
    req = server.requests[-1]
    assert req["path"] == "/v1/responses"
    assert req["headers"]["authorization"] == f"Bearer {API_KEY}"
    assert req["headers"]["accept"] == "text/event-stream"
    assert req["body"]["stream"] is True and req["body"]["model"] == "chatui-demo"
    assert req["body"]["input"][-1]["content"][0]["text"] == "Bonjour ☕"


async def test_cjk_and_emoji_split_mid_character_arrive_intact(server):
    from chatui.demo.content import CJK

    turn, _, _ = await run(server, "demo-cjk")
    assert turn.answer == CJK and "🤔" in turn.reasoning


async def test_raw_reasoning_text_family(server):
    turn, updates, _ = await run(server, "demo-reasoning")
    assert turn.reasoning.startswith("Okay, the user asked") and turn.answer.endswith("**42**.")


@pytest.mark.parametrize(
    ("model", "answer"),
    [
        ("done-terminator", "Done marker follows."),
        ("no-event-lines", "No event lines."),
        ("noisy", "Noise is ignored."),
        ("json-body", "A whole JSON body."),
        ("bom", "BOM first."),
        ("no-final-blank", "No final blank."),
        ("duplicates", "Each once."),
        ("twice", "First cycle."),
        ("multi", "Commentary.\n\nFinal answer."),
        ("function-call", "Calling a tool."),
    ],
)
async def test_wire_quirks_still_complete(server, model, answer):
    turn, _, _ = await run(server, model)
    assert turn.status is Status.COMPLETED, turn.error
    assert turn.answer == answer


async def test_noise_is_counted():
    from chatui.demo import ScriptedServer

    with ScriptedServer(pace=0) as srv:
        client = ResponsesClient(srv.base_url)
        events = [e async for e in client.stream_events({"model": "noisy", "input": "x"})]
        assert events
        assert client.last_stats.comments >= 2 and client.last_stats.empty >= 2 and client.last_stats.unknown >= 3
        await client.aclose()


@pytest.mark.parametrize("remembered", [8_192, 2])
async def test_duplicates_are_dropped_and_counted(server, monkeypatch, remembered):
    """Replayed events are dropped, also when only the most recent sequence numbers are remembered (the bound)."""
    import chatui.client

    monkeypatch.setattr(chatui.client, "SEEN_SEQS", remembered)
    client = ResponsesClient(server.base_url, API_KEY)
    events = [e async for e in client.stream_events({"model": "duplicates", "input": "x"})]
    assert client.last_stats.duplicates > 5
    assert "".join(e.delta for e in events if isinstance(e, ev.Delta) and e.channel == ev.TEXT) == "Each once."
    await client.aclose()


async def test_megabyte_line(server):
    turn, _, _ = await run(server, "big-line")
    assert turn.status is Status.COMPLETED and len(turn.answer) == 1_000_001


async def test_function_call_arguments_are_parsed_and_kept(server):
    turn, _, _ = await run(server, "function-call")
    call = [i for i in turn.items if i["type"] == "function_call"][0]
    assert call["name"] == "get_weather" and call["arguments"] == '{"city": "Paris"}'


@pytest.mark.parametrize(
    ("model", "status", "answer", "words"),
    [
        ("fail-midstream", Status.FAILED, "The three largest moons of Saturn are", "failed in the middle"),
        ("error-event", Status.FAILED, "Partial answer", "Rate limited"),
        ("drop", Status.CUT, "Half an answer", "connection dropped"),
        ("cut", Status.CUT, "Cut short", "ended before"),
    ],
)
async def test_failed_and_cut_streams_keep_what_arrived(server, model, status, answer, words):
    turn, _, _ = await run(server, model)
    assert turn.status is status
    assert turn.answer == answer
    assert words in turn.error["message"]


async def test_incomplete_has_reason_and_usage(server):
    turn, _, _ = await run(server, "incomplete")
    assert turn.status is Status.INCOMPLETE and turn.incomplete_reason == "max_output_tokens"
    assert turn.usage.total_tokens


async def test_bad_key_gives_auth_error_without_the_key(server):
    turn, _, _ = await run(server, "chatui-demo", key="sk-wrong-key-000000000000")
    assert turn.status is Status.FAILED and turn.error["kind"] == "AuthError"
    assert "sk-wrong-key" not in repr(turn.error)
    assert len(server.posts()) == 1  # 401 is never retried


async def test_unknown_model_is_not_found_and_not_retried(server):
    turn, _, _ = await run(server, "no-such-model")
    assert turn.error["kind"] == "NotFound" and "no-such-model" in turn.error["message"]
    assert turn.error["request_id"]
    assert len(server.posts()) == 1


async def test_rate_limit_then_ok_is_retried_with_the_servers_wait(server):
    _no_sleep.waits.clear()
    turn, _, _ = await run(server, "ratelimit")
    assert turn.status is Status.COMPLETED
    assert len(server.posts()) == 2
    assert _no_sleep.waits == [0.03]


async def test_quota_is_never_retried(server):
    turn, _, _ = await run(server, "quota")
    assert turn.error["kind"] == "QuotaExceeded" and len(server.posts()) == 1


async def test_html_500_is_retried_then_reported(server):
    turn, _, _ = await run(server, "html500")
    assert turn.error["kind"] == "ServerError" and "HTML" in turn.error["message"]
    assert len(server.posts()) == 3  # first try + 2 retries


async def test_hard_rate_limit_reports_the_wait(server):
    client = ResponsesClient(server.base_url, API_KEY, max_retries=0)
    turn, _, _ = await run(server, "ratelimit-hard", client=client)
    assert turn.error["kind"] == "RateLimited" and "7 s" in turn.error["message"]


async def test_connection_refused_and_dns_failure():
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    client = ResponsesClient(f"http://127.0.0.1:{port}/v1", API_KEY, max_retries=0)
    conv = Conversation(Settings(model="m"), client.base_url)
    turn = conv.start_turn("x")
    [u async for u in stream_turn(client, conv, turn)]
    assert turn.error["kind"] == "ConnectError" and "connection refused" in turn.error["message"]
    bad = ResponsesClient("http://no-such-host.invalid/v1", API_KEY, max_retries=0)
    turn2 = conv.start_turn("y")
    [u async for u in stream_turn(bad, conv, turn2)]
    assert turn2.error["kind"] == "ConnectError" and "Cannot find the host" in turn2.error["message"]


async def test_cancel_closes_the_response_and_keeps_partial(paced_server):
    client = ResponsesClient(paced_server.base_url, API_KEY)
    conv = Conversation(Settings(model="slow"), paced_server.base_url)
    turn = conv.start_turn("x")
    seen: list[str] = []

    async def consume():
        async for _, text in stream_turn(client, conv, turn):
            seen.append(text)

    task = asyncio.create_task(consume())
    await wait_for(lambda: len(seen) >= 3, what="three deltas")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert turn.status is Status.CANCELLED
    assert turn.answer.startswith("word0 word1 word2")
    # the server notices the closed socket on its next write
    await wait_for(lambda: paced_server.disconnects >= 1, what="server to see the disconnect")
    await client.aclose()


async def test_replay_same_model_then_text_only_after_switch(server):
    turn1, _, conv = await run(server, "replay", "one")
    turn2, _, conv = await run(server, "replay", "two", conv=conv)
    sent = server.posts()[-1]
    assert turn2.history_mode == "full"
    assert sent["input"][1]["type"] == "reasoning" and sent["input"][1]["encrypted_content"]
    assert sent["store"] is False and "reasoning.encrypted_content" in sent["include"]
    turn3, _, conv = await run(server, "demo-reasoning", "three", conv=conv)
    sent = server.posts()[-1]
    assert sent["model"] == "demo-reasoning" and turn3.model == "demo-reasoning"
    assert all(i.get("type") != "reasoning" for i in sent["input"])
    assert [t.model for t in conv.turns] == ["replay", "replay", "demo-reasoning"]


async def test_history_rejection_is_retried_once_text_only(server):
    turn1, _, conv = await run(server, "strict-history", "one")
    assert turn1.status is Status.COMPLETED
    first, retry = server.posts()
    assert "include" in first and "include" not in retry
    turn2, _, conv = await run(server, "strict-history", "two", conv=conv)
    assert turn2.status is Status.COMPLETED and len(server.posts()) == 3  # remembered: no more replay


async def test_list_models(server):
    client = ResponsesClient(server.base_url, API_KEY)
    models = await client.list_models()
    assert "chatui-demo" in models and "bulk" in models
    await client.aclose()
    with pytest.raises(AuthError):
        await ResponsesClient(server.base_url, "bad").list_models()


def test_model_list_shapes():
    from chatui.client import parse_model_list

    assert parse_model_list({"data": None}) == []
    assert parse_model_list({"data": [{"model_id": "b"}, {"id": "a"}, {"id": "a"}]}) == ["a", "b"]
    assert parse_model_list({"object": "list", "data": [{"id": "x"}], "models": []}) == ["x"]


def test_client_repr_hides_the_key():
    client = ResponsesClient("http://127.0.0.1:1/v1", API_KEY)
    assert API_KEY not in repr(client) and API_KEY not in str(vars(client).keys())


@pytest.mark.parametrize("model", ["fail-midstream", "drop", "error-event", "cut"])
async def test_never_retried_once_output_started(server, model):
    turn, _, _ = await run(server, model)
    assert turn.answer and len(server.posts()) == 1


async def test_read_timeout_is_a_plain_timeout(paced_server):
    import httpx

    client = ResponsesClient(paced_server.base_url, API_KEY, max_retries=0, timeout=httpx.Timeout(5.0, read=0.3))
    turn, _, _ = await run(paced_server, "stall", client=client)
    assert turn.error["kind"] == "TimeoutError_" and "No data from" in turn.error["message"]


async def test_an_unexpected_failure_inside_the_turn_ends_it_cleanly(server, monkeypatch):
    from chatui import turn as turn_module

    def explode(self, event):
        raise KeyError("boom")

    monkeypatch.setattr(turn_module.TurnAccumulator, "apply", explode)
    turn, _, _ = await run(server, "chatui-demo")
    assert turn.status is Status.FAILED and "could not handle" in turn.error["message"]


async def test_timeout_after_content_is_a_cut_and_not_retried(paced_server):
    import httpx

    client = ResponsesClient(paced_server.base_url, API_KEY, max_retries=2, timeout=httpx.Timeout(5.0, read=0.4), sleep=_no_sleep)
    turn, _, _ = await run(paced_server, "stall-midway", client=client)
    assert turn.status is Status.CUT and turn.answer == "Some text and then"
    assert turn.error["kind"] == "TimeoutError_" and len(paced_server.posts()) == 1
