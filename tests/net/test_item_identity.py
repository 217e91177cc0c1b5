"""Item identity against servers that rotate ids or rename items in the final output."""

from __future__ import annotations

from chatui.turn import Status
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
