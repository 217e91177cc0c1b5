"""/compact against the scripted server: the request it sends, what later requests send instead, failures that change nothing."""

from __future__ import annotations

import pytest

from chatui.config import Profile
from chatui.conversation import SUMMARY_PROMPT
from chatui.session import Refused, make_session
from chatui.transcripts import TranscriptStore
from tests.conftest import API_KEY, chat


def hub_session(server, model="demo-mini", store=None, **profile):
    prof = Profile("hub", server.base_url, catalogue="aihubmix", **profile)
    return make_session(base_url=server.base_url, api_key=API_KEY, model=model, profile=prof, store=store)



def texts(items):
    out = []
    for item in items:
        content = item.get("content")
        out.append((item["role"], content if isinstance(content, str) else content[0]["text"]))
    return out


async def test_compact_summarises_all_but_the_last_exchange_and_later_requests_send_the_summary(server, tmp_path):
    store = TranscriptStore(tmp_path)
    session = hub_session(server, "demo-reasoning", store)
    for text in ("first question", "second question", "third question"):
        await chat(session, text)
    first, second, third = session.conversation.turns
    await session.catalogue_now()
    todo, model = session.compact_plan()
    assert todo == [first, second] and model == "demo-mini"  # the cheapest text model whose window fits
    note = await session.compact()
    assert "Compacted 2 turns" in note and "demo-mini" in note
    body = server.posts()[-1]
    assert body["model"] == "demo-mini" and body["store"] is False and "include" not in body  # text only: no replayed reasoning
    assert texts(body["input"]) == [("user", "first question"), ("assistant", first.answer), ("user", "second question"), ("assistant", second.answer), ("user", SUMMARY_PROMPT)]
    with pytest.raises(Refused, match="Nothing to compact"):
        session.compact_plan()  # only the last exchange is not summarised, and that one always stays
    compaction = second.compaction
    assert compaction.turns == 2 and "first question" in compaction.summary and compaction.cost is not None
    await chat(session, "fourth question")
    sent = texts(server.posts()[-1]["input"])
    assert sent[0][0] == "user" and sent[0][1].startswith("[Summary of the earlier conversation, written by demo-mini") and compaction.summary in sent[0][1]
    assert sent[1:] == [("user", "third question"), ("assistant", third.answer), ("user", "fourth question")]
    assert [t.user_text for t in session.conversation.turns] == ["first question", "second question", "third question", "fourth question"]  # nothing removed
    reopened = store.load(session.conversation.id)
    assert reopened.turns[1].compaction == compaction and reopened.compacted_through() == 2
    assert reopened.build_body(reopened.turns[-1])["input"][0] == compaction.item()
    spent, _ = session.conversation.cost_total()
    assert spent >= compaction.cost.usd + sum(t.cost.usd for t in session.conversation.turns)  # the summary was paid for too
    await chat(session, "fifth question")
    todo, _ = session.compact_plan("demo-cjk")
    assert [t.user_text for t in todo] == ["first question", "second question", "third question", "fourth question"]


async def test_a_failed_or_impossible_compaction_changes_nothing(server):
    session = hub_session(server)
    await chat(session, "only one")
    with pytest.raises(Refused, match="Nothing to compact"):
        await session.compact()
    await chat(session, "and two")
    with pytest.raises(Refused, match="Could not compact"):
        await session.compact("fail-before-text")
    assert all(t.compaction is None for t in session.conversation.turns)
    assert not session.compacting
    assert session.conversation.build_body(session.conversation.turns[-1])["input"][0]["content"][0]["text"] == "only one"


async def test_without_a_catalogue_the_current_model_summarises(server):
    session = make_session(base_url=server.base_url, api_key=API_KEY, model="demo-mini")
    await chat(session, "a")
    await chat(session, "b")
    assert session.compact_plan()[1] == "demo-mini"


async def test_auto_compaction_at_the_profiles_threshold(server):
    session = hub_session(server, "tiny-context", auto_compact=0.5)
    turn = await chat(session, "one")
    await session.catalogue_now()
    assert not session.should_auto_compact(turn)  # nothing before the last exchange yet
    while session.gauge().share < 0.5:
        turn = await chat(session, "tell me more about everything in this client")
    assert session.should_auto_compact(turn)
    assert not hub_session(server, "tiny-context").should_auto_compact(turn)  # off unless the profile sets it


async def test_a_context_length_error_offers_compact(server):
    session = hub_session(server, "context-400")
    turn = await chat(session, "too long")
    assert "/compact" in turn.error["message"] and "context window" in turn.error["message"]
    session = hub_session(server, "context-event")
    turn = await chat(session, "too long")
    assert "/compact" in turn.error["message"]
