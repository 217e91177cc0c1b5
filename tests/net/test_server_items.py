"""What real servers do to items and failures: rotated ids, renamed finals, errors before any text."""

from __future__ import annotations

from chatui.turn import Status
from tests.conftest import API_KEY
from tests.net.test_streaming import run


def output_types(turn) -> list[str]:
    return [item.get("type") for item in turn.items]


async def test_a_message_whose_id_changes_on_every_event_is_one_message(server):
    turn, updates, conv = await run(server, "rotating-ids")
    assert turn.status is Status.COMPLETED
    assert turn.answer == "One answer, streamed word by word, under a new id each time."
    assert "".join(t for k, t in updates if k == "answer") == turn.answer  # live text agrees, no repeats
    assert output_types(turn) == ["reasoning", "message"]
    # and the next request carries the answer once, not once per rotated id
    nxt = conv.start_turn("and then?")
    assert str(conv.build_body(nxt)["input"]).count("under a new id") == 1


async def test_a_reasoning_item_renamed_in_the_final_output_is_not_duplicated(server):
    turn, _, _ = await run(server, "renamed-final")
    assert turn.status is Status.COMPLETED
    assert turn.reasoning == "Streamed reasoning."
    assert turn.answer == "The answer."
    assert output_types(turn) == ["reasoning", "message"]


async def test_failures_before_any_text_say_nothing_arrived_and_say_what_helps(server):
    turn, _, _ = await run(server, "fail-before-text")
    assert turn.status is Status.FAILED and turn.answer == ""
    assert turn.error["message"] == "The server failed before sending any of the answer. You can retry."
    turn, _, _ = await run(server, "quota-event")
    assert turn.status is Status.FAILED
    assert "out of credit or quota: retrying will not help" in turn.error["message"] and "Nothing of the answer had arrived" in turn.error["message"]
    turn, _, _ = await run(server, "context-event")
    assert "start a new one (ctrl+n)" in turn.error["message"]
    turn, _, _ = await run(server, "fail-midstream")
    assert "the part that arrived is kept" in turn.error["message"] and turn.answer


async def test_search_on_the_demo_cites_sources_and_a_model_without_it_says_so_plainly(server):
    from chatui.conversation import Conversation, Settings

    conv = Conversation(Settings(model="chatui-demo"), server.base_url)
    conv.settings.set("search", "on")
    turn, _, _ = await run(server, "chatui-demo", conv=conv)
    assert server.requests[-1]["body"]["tools"] == [{"type": "web_search"}]
    assert [i["type"] for i in turn.items] == ["web_search_call", "message"]
    turn, _, _ = await run(server, "no-search", conv=conv)
    assert turn.status is Status.FAILED
    assert turn.error["message"] == "Web search is not supported by 'no-search' or this gateway: /search off, then send again."


async def test_a_generated_image_is_saved_beside_the_transcripts_and_described(server, tmp_path):
    from chatui import items
    from chatui.demo.item_scenarios import tiny_png
    from chatui.session import make_session
    from chatui.transcripts import TranscriptStore

    store = TranscriptStore(tmp_path / "conversations")
    session = make_session(base_url=server.base_url, api_key=API_KEY, model="image", store=store)
    turn = session.begin("draw")
    [u async for u in session.run(turn)]
    files = session.image_files(turn)
    assert list(files) == [0] and files[0].parent == store.root / "images" and files[0].suffix == ".png"
    assert files[0].read_bytes() == tiny_png()
    assert store.load(session.conversation.id).turns[0].items[0]["result"]  # the transcript keeps it as received
    line = items.item_lines(turn.items, files)[0]
    assert line.title == f"generated an image: A small orange gradient · 4×3 PNG, 1 KB · {files[0]}" and line.path == str(files[0])
    await session.aclose()
