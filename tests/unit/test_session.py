"""The session's rules, driven directly (no UI), against the scripted server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json

import pytest

from chatui.config import BUILTIN_PROFILES
from chatui.conversation import Settings
from chatui.params import PARAMS
from chatui.session import Gateway, Notice, Refused, Session, make_session
from chatui.transcripts import TranscriptStore
from chatui.turn import Status
from chatui.updates import AnswerDelta, ReasoningDelta
from tests.conftest import API_KEY, wait_for


@pytest.fixture
def store(tmp_path):
    return TranscriptStore(tmp_path / "conversations")


def session_for(server, model="chatui-demo", store=None, **kw) -> Session:
    return make_session(base_url=server.base_url, api_key=API_KEY, model=model, store=store, **kw)


async def run_turn(session: Session, text: str) -> tuple[list, object]:
    turn = session.begin(text)
    updates = [u async for u in session.run(turn)]
    return updates, turn


async def test_a_turn_streams_typed_updates_and_is_saved(server, store):
    session = session_for(server, "demo-reasoning", store)
    updates, turn = await run_turn(session, "hi")
    assert turn.status is Status.COMPLETED and session.streaming is None
    answer = "".join(u.text for u in updates if type(u) is AnswerDelta)
    assert answer == turn.answer and "**42**" in answer
    assert "".join(u.text for u in updates if type(u) is ReasoningDelta) == turn.reasoning != ""
    saved = store.load(session.conversation.id)
    assert saved.turns[0].status is Status.COMPLETED and saved.turns[0].answer == turn.answer


async def test_stop_keeps_what_arrived_and_saves_it(paced_server, store):
    session = make_session(base_url=paced_server.base_url, api_key=API_KEY, model="slow", store=store)
    turn = session.begin("go")
    seen: list[str] = []

    async def consume() -> None:
        async for update in session.run(turn):
            seen.append(update.text)

    task = asyncio.create_task(consume())
    await wait_for(lambda: len("".join(seen)) > 20, what="some text")
    assert session.stop()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert turn.status is Status.CANCELLED and turn.answer.startswith("word0 word1")
    assert session.streaming is None and not session.stop()
    assert store.load(session.conversation.id).turns[-1].status is Status.CANCELLED


def test_no_key_is_refused_but_a_keyless_profile_may_send():
    session = Session(Gateway("http://127.0.0.1:9/v1", None))
    with pytest.raises(Refused, match="No API key") as info:
        session.begin("hello")
    assert info.value.severity == "error" and not session.conversation.turns
    ollama = Session(Gateway("http://127.0.0.1:9/v1", None, BUILTIN_PROFILES["ollama"]))
    assert not ollama.gateway.needs_key
    ollama.begin("hello")  # no refusal
    assert ollama.streaming is not None


def test_one_turn_at_a_time_and_guards_while_streaming():
    session = Session(Gateway("http://127.0.0.1:9/v1", "k"))
    session.begin("first")
    for action in (lambda: session.begin("second"), session.retry, session.new, lambda: session.open(session.conversation)):
        with pytest.raises(Refused):
            action()
    assert len(session.conversation.turns) == 1


def test_settings_changed_mid_turn_reach_the_next_turn_only():
    session = Session(Gateway("http://127.0.0.1:9/v1", "k"), Settings("model-a"))
    session.set_param("temperature 0.2")
    turn = session.begin("q")
    session.set_model("model-b")
    session.set_param("temperature 1.5")
    session.set_param("replay off")
    session.set_instructions("Be terse.")
    for text_only in (False, True):  # the in-flight body, and its text-only retry
        body = session.conversation.build_body(turn, text_only=text_only)
        assert body["model"] == "model-a" and body["temperature"] == 0.2 and "instructions" not in body
    assert "include" in session.conversation.build_body(turn)  # replay was on when it started
    session.streaming = None
    nxt = session.conversation.start_turn("next")
    body = session.conversation.build_body(nxt)
    assert body["model"] == "model-b" and body["temperature"] == 1.5 and body["instructions"] == "Be terse."
    assert "include" not in body


def test_set_model_and_params_validate_with_plain_messages():
    session = Session(Gateway("http://127.0.0.1:9/v1", "k"), Settings("m"))
    assert session.set_model("m") is None  # no change, no note
    assert "Model → other" in session.set_model("other")
    with pytest.raises(Refused, match="no spaces"):
        session.set_model("two words")
    with pytest.raises(Refused, match="Usage: /set"):
        session.set_param("temperature")
    with pytest.raises(Refused, match="between 0 and 2"):
        session.set_param("temperature 9")
    with pytest.raises(Refused, match="Unknown setting"):
        session.set_param("colour red")
    assert session.set_param("effort high") == "Set reasoning_effort = high."
    assert "cleared" in session.set_param("effort off")
    assert session.set_instructions("Be brief.") == "Instructions set: Be brief."
    assert "Instructions: Be brief." in session.set_instructions("")  # alone: shows them, changes nothing
    assert session.settings.instructions == "Be brief."
    assert session.set_instructions("off") == "Instructions cleared." and session.settings.instructions is None
    assert "No instructions" in session.set_instructions("")
    listing = session.set_param("")
    assert all(p.name in listing for p in PARAMS) and "reasoning_effort" in listing


async def test_retry_answers_again_and_keeps_the_old_answer_as_a_branch(server, store):
    session = session_for(server, "fail-midstream", store)
    _, failed = await run_turn(session, "moons?")
    assert failed.status is Status.FAILED
    session.set_model("demo-reasoning")
    turn = session.retry()
    async for _ in session.run(turn):
        pass
    assert [t.status for t in session.conversation.turns] == [Status.COMPLETED]
    assert server.posts()[-1]["model"] == "demo-reasoning"
    assert session.edit("")[0] == "moons?"
    assert session.conversation.siblings(turn) == [failed, turn] and session.branch(turn) == (2, 2)


def test_retry_without_a_key_loses_nothing():
    session = Session(Gateway("http://127.0.0.1:9/v1", "k"))
    session.begin("keep me")
    session.streaming = None
    session.gateway = Gateway("http://127.0.0.1:9/v1", None)
    with pytest.raises(Refused, match="No API key"):
        session.retry()
    assert [t.user_text for t in session.conversation.turns] == ["keep me"]


def test_new_carries_settings_as_an_independent_copy():
    session = Session(Gateway("http://127.0.0.1:9/v1", "k"), Settings("m"))
    session.set_param("temperature 0.3")
    old = session.conversation
    session.new()
    assert session.conversation is not old and session.settings.temperature == 0.3
    session.set_param("temperature 0.9")
    assert old.settings.temperature == 0.3


def test_save_export_and_failures(tmp_path, store):
    notices: list[Notice] = []
    session = Session(Gateway("http://127.0.0.1:9/v1", "k"), Settings("m"), store=store, on_notice=notices.append)
    session.begin("hello 你好")
    assert session.save().exists()
    md = session.export("md", cwd=tmp_path)
    assert "hello 你好" in md.read_text(encoding="utf-8")
    data = json.loads(session.export(f"json {tmp_path / 'x.json'}").read_text(encoding="utf-8"))
    assert data["turns"][0]["user_text"] == "hello 你好"
    with pytest.raises(Refused, match="Usage: /export"):
        session.export("pdf")
    with pytest.raises(Refused, match="Could not write"):
        session.export(f"md {tmp_path / 'missing-dir' / 'x.md'}")

    def broken(conv):
        raise PermissionError(13, "Permission denied")

    store.save = broken
    session.autosave()  # never raises: a notice instead
    assert notices and "stays in memory" in notices[-1].message and notices[-1].severity == "error"
    with pytest.raises(Refused, match="Transcripts are off"):
        Session(Gateway("http://x/v1", "k")).save()


def test_copy_text_picks_the_answer_or_a_code_block():
    session = Session(Gateway("http://127.0.0.1:9/v1", "k"))
    with pytest.raises(Refused, match="No answer"):
        session.copy_text("")
    turn = session.begin("q")
    turn.answer = "Intro\n\n```python\nx = 1\n```\n\n```sh\nls\n```\n\x1b[2J"
    assert session.copy_text("code") == "ls"  # alone: the last block
    assert session.copy_text("code 1") == "x = 1"
    assert "\x1b" not in session.copy_text("") and session.copy_text("").startswith("Intro")
    with pytest.raises(Refused, match="has 2 code blocks: /copy code 1 to 2"):
        session.copy_text("code 5")
    with pytest.raises(Refused, match="Usage: /copy"):
        session.copy_text("everything")
    with pytest.raises(Refused, match="no reasoning"):
        session.copy_text("reasoning")
    assert session.copy_text("prompt") == "q"


def test_copy_text_from_a_chosen_turn():
    session = Session(Gateway("http://127.0.0.1:9/v1", "k"))
    first = session.begin("first?")
    first.answer, first.reasoning = "one\n```\nA\n```", "thinking about one"
    session.streaming = None
    second = session.begin("second?")
    second.answer = "two"
    assert session.copy_text("", first) == first.answer
    assert session.copy_text("code 1", first) == "A"
    assert session.copy_text("reasoning", first) == "thinking about one"
    assert session.copy_text("prompt", first) == "first?"
    with pytest.raises(Refused, match="The last answer has no code block"):
        session.copy_text("code")
    assert session.copy_text("") == "two"


async def test_models_are_listed_once_and_configure_swaps_the_client(server):
    session = session_for(server)
    models = await session.list_models()
    assert "chatui-demo" in models
    first = session.client
    assert await session.list_models() is models  # cached
    session.configure(Gateway(server.base_url, API_KEY), "demo-cjk")
    assert session.models_cache is None and session.client is not first and session.settings.model == "demo-cjk"
    await session.aclose()


def test_open_moves_a_conversation_to_this_gateway(store):
    other = make_session(base_url="http://elsewhere/v1", api_key="k", model="m").conversation
    session = Session(Gateway("http://127.0.0.1:9/v1/", "k"))
    session.open(other)
    assert session.conversation is other and other.gateway == "http://127.0.0.1:9/v1"


def test_search_switch_adds_the_hosted_tool_to_the_next_request_only():
    session = Session(Gateway("http://127.0.0.1:9/v1", "k"))
    assert "No tools are sent" in session.tools_note() and "/search on" in session.tools_note()
    first = session.begin("plain")
    assert "tools" not in session.conversation.build_body(first)
    session.streaming = None
    assert session.set_search("on") == "Set web_search = on."
    assert "web_search" in session.set_search("") and "web_search" in session.tools_note()
    second = session.begin("search this")
    assert session.conversation.build_body(second)["tools"] == [{"type": "web_search"}]
    with pytest.raises(Refused, match="on or off"):
        session.set_search("maybe")


async def test_branches_retry_edit_switch_and_the_request_carries_only_the_active_branch(server, store):
    session = session_for(server, "chatui-demo", store)
    for text in ("one", "two", "three"):
        await run_turn(session, text)
    conv = session.conversation
    first_three = list(conv.turns)
    # /retry MODEL: a sibling of "three", to another model; the old answer stays
    retried = session.retry("demo-mini")
    [u async for u in session.run(retried)]
    assert [t.user_text for t in conv.turns] == ["one", "two", "three"] and conv.turns[-1] is retried
    assert retried.model == "demo-mini" and session.settings.model == "chatui-demo"
    assert session.branch(retried) == (2, 2) and len(conv.all_turns) == 4
    # /edit 2 then send: a branch from message 2; the old branch (two, three) stays
    text, note = session.edit("2")
    assert text == "two" and "new branch" in note
    _, forked = await run_turn(session, "two, rephrased")
    assert [t.user_text for t in conv.turns] == ["one", "two, rephrased"]
    sent = server.posts()[-1]["input"]
    assert [i["content"][0]["text"] for i in sent if i.get("role") == "user"] == ["one", "two, rephrased"]
    assert "three" not in str(sent)
    # switching back shows the old branch with its latest answer, and the next request sends it
    shown = session.switch_branch(forked, -1)
    assert shown is first_three[1] and [t.user_text for t in conv.turns] == ["one", "two", "three"] and conv.turns[-1] is retried
    await run_turn(session, "four")
    sent = server.posts()[-1]["input"]
    assert [i["content"][0]["text"] for i in sent if i.get("role") == "user"] == ["one", "two", "three", "four"]
    # the tree survives a save and a load, with the active branch
    again = store.load(conv.id)
    assert [t.user_text for t in again.turns] == ["one", "two", "three", "four"] and len(again.all_turns) == 6
    assert again.turns[2].id == retried.id
    with pytest.raises(Refused, match="from 1 to 4"):
        session.edit("9")
    with pytest.raises(Refused, match="no other branch"):
        session.switch_branch(conv.turns[0], 1)


async def test_compare_streams_every_model_at_once_and_one_failure_disturbs_none(server, store):
    session = session_for(server, "chatui-demo", store)
    await run_turn(session, "context first")
    turns = session.begin_compare("which is best?", ["demo-mini", "fail-midstream", "demo-cjk"])
    async with session.streaming_all(turns) as streams:
        texts = []
        for updates in reversed(streams):  # read in any order: the others keep streaming meanwhile
            texts.append("".join(u.text for u in [x async for x in updates] if hasattr(u, "text")))
    assert [str(t.status) for t in turns] == ["completed", "failed", "completed"]
    assert turns[1].answer and "你好" in turns[2].answer
    conv = session.conversation
    assert conv.turns[-1] is turns[0] and session.branch(turns[2]) == (3, 3)
    posts = server.posts()[-3:]
    assert all([i["content"][0]["text"] for i in p["input"] if i.get("role") == "user"] == ["context first", "which is best?"] for p in posts)
    saved = store.load(conv.id)
    assert [t.model for t in saved.all_turns][1:] == ["demo-mini", "fail-midstream", "demo-cjk"]
    with pytest.raises(Refused, match="2 to 4"):
        session.begin_compare("x", ["only-one"])


async def test_answers_side_by_side_again_at_most_four_around_the_chosen_one(server, store):
    session = session_for(server, "demo-mini", store)
    _, first = await run_turn(session, "which?")
    with pytest.raises(Refused, match="no other answers"):
        session.side_by_side(first.id)
    for _ in range(5):
        turn = session.retry()
        async for _ in session.run(turn):
            pass
    siblings = session.conversation.siblings(first)
    assert len(siblings) == 6
    assert session.side_by_side(first.id) == siblings[:4]  # the first and the three after it
    assert session.side_by_side(siblings[4].id) == siblings[1:5]  # the chosen one is always among them
    assert session.side_by_side(siblings[5].id) == siblings[2:]
    assert session.conversation.turns[-1] is siblings[5]  # and its branch is the one on screen
