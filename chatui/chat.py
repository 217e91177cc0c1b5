"""Running one turn: request, stream, accumulate, fall back, record."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import aclosing

from chatui.client import ResponsesClient
from chatui.conversation import Conversation, Turn
from chatui.errors import BadRequest, ChatError, NotFound, ProtocolError, StreamCut
from chatui.events import Retrying
from chatui.i18n import _
from chatui.turn import RETRYING, Status, TurnAccumulator

# Words in a 400/404 that mean "the history you replayed is not acceptable".
_HISTORY_WORDS = (
    "item",
    "reasoning",
    "encrypted",
    "summary",
    "thought_signature",
    "thought signature",
    "previous_response",
    "include",
    "store",
    "input[",
)


def _history_related(error: ChatError) -> bool:
    text = " ".join(filter(None, [error.server_message, error.code])).lower()
    return isinstance(error, (BadRequest, NotFound)) and any(w in text for w in _HISTORY_WORDS)


async def stream_turn(client: ResponsesClient, conversation: Conversation, turn: Turn, body: dict | None = None) -> AsyncIterator[tuple[str, str]]:
    """Run ``turn`` and yield display updates ``(what, text)`` as they arrive.

    When the iteration ends (normally, by error, or by cancellation) the turn
    holds its outcome; errors never escape as exceptions, except
    ``CancelledError`` which is re-raised after the turn is marked stopped.
    ``body``: send this instead of the turn's own request (a /compact summary).
    """
    acc = TurnAccumulator()
    try:
        if body is None and any(t.attachments for t in conversation.path_to(turn)):
            body = await asyncio.to_thread(conversation.build_body, turn)  # files are base64-encoded: not on the event loop
        elif body is None:
            body = conversation.build_body(turn)
        extras = turn.history_mode == "full" or "include" in body
        for attempt in range(2):
            try:
                async with aclosing(client.stream_events(body)) as events:
                    async for event in events:
                        if type(event) is Retrying:
                            yield RETRYING, event  # type: ignore[misc]
                            continue
                        update = acc.apply(event)
                        if update is not None:
                            yield update
                        if acc.status is not Status.STREAMING:
                            break  # ended here (the size cap): the response is closed, not read on
                break
            except ChatError as error:
                if attempt == 0 and extras and not acc.content_started and _history_related(error):
                    # Replay or the extra fields were refused: once more, text-only.
                    conversation.replay_blocked.add((turn.model, turn.gateway))
                    body = conversation.build_body(turn, text_only=True)
                    acc = TurnAccumulator()
                    continue
                if acc.status is Status.STREAMING:
                    # a transport failure after content arrived is a cut answer, not a refusal
                    cut = isinstance(error, StreamCut) or (acc.content_started and error.status is None)
                    acc._finish(Status.CUT if cut else Status.FAILED, error)
                break
        if acc.status is Status.STREAMING:
            acc.finish_cut(StreamCut(_("The stream ended before the answer was finished; the part that arrived is kept.")))
    except (asyncio.CancelledError, GeneratorExit):
        acc.cancel()
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a server sends, the turn ends cleanly
        if acc.status is Status.STREAMING:
            acc._finish(Status.FAILED, ProtocolError(_("chatui could not handle the server's answer ({kind}); what arrived is kept.").format(kind=type(exc).__name__)))

    finally:
        if acc.status is Status.STREAMING:
            acc.cancel()
        try:
            turn.apply_outcome(acc.outcome())
        except Exception as exc:  # noqa: BLE001 - the text that arrived is kept, and the turn gets a final status
            turn.answer, turn.status, turn.usage = "".join(acc.answer), Status.FAILED, None
            turn.error = ProtocolError(_("chatui could not handle the server's answer ({kind}); what arrived is kept.").format(kind=type(exc).__name__)).to_dict()
        conversation.updated_at = time.time()



