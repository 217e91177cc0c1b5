"""Accumulating a stream of events into a turn's outcome.

The accumulator keys items by ``item_id`` or by ``output_index`` when the kind
agrees (ids rotate on some gateways), then by the last open item of that kind, creates state lazily when a delta
names something it has not seen, appends only deltas and uses ``*.done`` to
reconcile. It reports, per event, what changed in the two texts a user sees:
the answer and the reasoning.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from chatui import events as ev
from chatui.defaults import MAX_ANSWER_CHARS, MIN_RATE_WINDOW
from chatui.errors import (
    OUT_OF_CREDIT,
    ChatError,
    ProtocolError,
    StreamCut,
    StreamFailed,
)
from chatui.i18n import _
from chatui.outcome import Status, Timings, TurnOutcome, Usage

__all__ = ["ANSWER", "ANSWER_RESET", "REASONING", "REASONING_RESET", "RETRYING", "Status", "Timings", "TurnAccumulator", "TurnOutcome", "Usage"]


@dataclass(slots=True)
class _Item:
    key: Any
    type: str
    raw: dict[str, Any]
    parts: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    done: bool = False

    def text(self, channel: str) -> str:
        return "\n\n".join("".join(v) for (ch, _), v in sorted(self.parts.items(), key=lambda kv: kv[0][1]) if ch == channel)


# What the UI is told after each event: (what, text).
ANSWER = "answer"
REASONING = "reasoning"
ANSWER_RESET = "answer_reset"
REASONING_RESET = "reasoning_reset"
RETRYING = "retrying"  # not text: the client will send the request again (an events.Retrying)

_ANSWER_CHANNELS = (ev.TEXT, ev.REFUSAL)
_REASONING_CHANNELS = (ev.SUMMARY, ev.REASONING)
_KIND_FOR_CHANNEL = {ev.TEXT: "message", ev.REFUSAL: "message", ev.SUMMARY: "reasoning", ev.REASONING: "reasoning", ev.ARGUMENTS: "function_call"}


class TurnAccumulator:
    """Folds events into a turn; ``apply`` returns what changed for display."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._start = clock()
        self.status = Status.STREAMING
        self.items: list[_Item] = []
        self._by_key: dict[Any, _Item] = {}
        self._by_index: dict[int, _Item] = {}
        self._last_of_kind: dict[str, _Item] = {}
        self.answer: list[str] = []
        self.received_chars = 0  # every streamed delta's length, for the cap
        self.reasoning: list[str] = []
        self._answer_at: tuple[Any, str, int] | None = None
        self._reasoning_at: tuple[Any, str, int] | None = None
        self.usage: Usage | None = None
        self.error: ChatError | None = None
        self.incomplete_reason: str | None = None
        self.response_id: str | None = None
        self.served_model: str | None = None
        self.first_token: float | None = None
        self.total: float | None = None
        self.content_started = False

    # -- items ---------------------------------------------------------------
    def _item(self, kind: str, item_id: str | None, output_index: int | None, raw: dict[str, Any] | None = None) -> _Item:
        item = None
        if item_id is not None:
            item = self._by_key.get(item_id)
        if item is None and output_index is not None:
            cand = self._by_index.get(output_index)
            # Position names the item even when the id does not: some gateways give the
            # message a new id on every event. Ollama reuses a message's index for the
            # function_call after it, which is a different kind, hence a new item.
            if cand is not None and cand.type == kind:
                item = cand
                if item_id is not None:
                    self._by_key.setdefault(item_id, item)
        if item is None and item_id is None and output_index is None:
            cand = self._last_of_kind.get(kind)
            if cand is not None and not cand.done:
                item = cand
        if item is None:
            key = item_id if item_id is not None else ("index", output_index) if output_index is not None else ("seq", len(self.items))
            base = raw if raw is not None else {"type": kind}
            if item_id is not None and "id" not in base:
                base = {**base, "id": item_id}
            item = _Item(key, kind, dict(base))
            self.items.append(item)
            self._by_key[key] = item
            if item_id is not None:
                self._by_key[item_id] = item
        if output_index is not None and output_index not in self._by_index:
            self._by_index[output_index] = item
        self._last_of_kind[kind] = item
        return item

    # -- the event fold -------------------------------------------------------
    def apply(self, event: ev.Event) -> tuple[str, str] | None:
        """Fold one event in; return ``(what, text)`` when visible text changed."""
        if self.status is not Status.STREAMING:
            return None
        t = type(event)
        if t is ev.Delta:
            return self._delta(event)  # type: ignore[arg-type]
        if t is ev.TextDone:
            return self._text_done(event)  # type: ignore[arg-type]
        if t is ev.ItemAdded or t is ev.ItemDone:
            return self._item_event(event)  # type: ignore[arg-type]
        if t is ev.PartAdded:
            e: ev.PartAdded = event  # type: ignore[assignment]
            kind = _KIND_FOR_CHANNEL.get(e.channel, "message")
            item = self._item(kind, e.item_id, e.output_index)
            item.parts.setdefault((e.channel, e.index or 0), [])
            return None
        if t is ev.PartDone:
            e2: ev.PartDone = event  # type: ignore[assignment]
            text = e2.part.get("text") if e2.channel != ev.REFUSAL else e2.part.get("refusal")
            if isinstance(text, str):
                return self._text_done(ev.TextDone(e2.seq, e2.channel, e2.item_id, e2.output_index, e2.index, text))
            return None
        if t is ev.Lifecycle:
            return self._lifecycle(event)  # type: ignore[arg-type]
        if t is ev.StreamError:
            e3: ev.StreamError = event  # type: ignore[assignment]
            self._finish(Status.FAILED, StreamFailed(_failure_message(e3.code, e3.message, self.content_started), server_message=e3.message, code=e3.code))
            return None
        if t is ev.StreamDone:
            self._finish(Status.CUT, StreamCut(_("The server ended the stream without finishing the answer.")))
            return None
        if t is ev.AnnotationAdded:
            e4: ev.AnnotationAdded = event  # type: ignore[assignment]
            item = self._item("message", e4.item_id, e4.output_index)
            item.raw.setdefault("_annotations", []).append(e4.annotation)
        return None

    def _delta(self, e: ev.Delta) -> tuple[str, str] | None:
        kind = _KIND_FOR_CHANNEL[e.channel]
        item = self._item(kind, e.item_id, e.output_index)
        index = e.index or 0
        key = (e.channel, index)
        buf = item.parts.get(key)
        if buf is None:
            buf = item.parts[key] = []
        buf.append(e.delta)
        self.received_chars += len(e.delta)
        if self.received_chars > MAX_ANSWER_CHARS:
            # an endless or enormous stream: stop reading, keep what arrived (memory stays bounded)
            self._finish(Status.CUT, StreamCut(_("The answer passed {size} MB: chatui stopped reading it; what arrived is kept.").format(size=MAX_ANSWER_CHARS >> 20)))
        if e.channel is ev.ARGUMENTS or not e.delta:
            return None
        if self.first_token is None:
            self.first_token = self._clock() - self._start
        self.content_started = True
        where = (item.key, e.channel, index)
        text = e.delta
        if e.channel in _ANSWER_CHANNELS:
            if self._answer_at != where:
                text = self._separated(self._answer_at, text)
                self._answer_at = where
            self.answer.append(text)
            return (ANSWER, text)
        if self._reasoning_at != where:
            text = self._separated(self._reasoning_at, text)
            self._reasoning_at = where
        self.reasoning.append(text)
        return (REASONING, text)

    @staticmethod
    def _separated(previous: object, text: str) -> str:
        """A new part starts: separate it from the previous one by a blank line."""
        return text if previous is None else "\n\n" + text

    def _text_done(self, e: ev.TextDone) -> tuple[str, str] | None:
        kind = _KIND_FOR_CHANNEL[e.channel]
        item = self._item(kind, e.item_id, e.output_index)
        key = (e.channel, e.index or 0)
        current = "".join(item.parts.get(key, ()))
        if e.text and e.text != current:
            # .done repeats the whole text: replace (never append); prefer non-empty
            item.parts[key] = [e.text]
            return self._reset(e.channel)
        return None

    def _reset(self, channel: str) -> tuple[str, str] | None:
        if channel in _ANSWER_CHANNELS:
            full = self.answer_text(recompute=True)
            self.answer = [full]
            return (ANSWER_RESET, full)
        if channel in _REASONING_CHANNELS:
            full = self.reasoning_text(recompute=True)
            self.reasoning = [full]
            return (REASONING_RESET, full)
        return None

    def _item_event(self, e: ev.ItemAdded | ev.ItemDone) -> tuple[str, str] | None:
        raw = e.item
        kind = raw.get("type") if isinstance(raw.get("type"), str) else "message" if "role" in raw else "unknown"
        item_id = raw.get("id") if isinstance(raw.get("id"), str) else None
        item = self._item(kind, item_id, e.output_index, raw)
        if type(e) is ev.ItemAdded:
            return None
        return self._take_final(item, raw)  # output_item.done: the authoritative final form

    def _take_final(self, item: _Item, raw: dict[str, Any]) -> tuple[str, str] | None:
        """Adopt an item's final form (keeping citations that came only as events) and reconcile its text."""
        streamed = item.raw.get("_annotations")
        item.raw = dict(raw)
        if streamed and not _has_annotations(raw):
            item.raw["_annotations"] = streamed
        item.done = True
        return self._reconcile_item(item)

    def _reconcile_item(self, item: _Item) -> tuple[str, str] | None:
        """Make accumulated text agree with a final item's content."""
        changed: str | None = None
        raw = item.raw
        if item.type == "message":
            for i, part in enumerate(raw.get("content") or ()):
                if not isinstance(part, dict):
                    continue
                ch = ev.REFUSAL if part.get("type") == "refusal" else ev.TEXT
                text = part.get("refusal" if ch == ev.REFUSAL else "text")
                if isinstance(text, str) and text and text != "".join(item.parts.get((ch, i), ())):
                    item.parts[(ch, i)] = [text]
                    changed = ch
        elif item.type == "reasoning":
            for ch, key in ((ev.SUMMARY, "summary"), (ev.REASONING, "content")):
                for i, part in enumerate(raw.get(key) or ()):
                    text = part.get("text") if isinstance(part, dict) else None
                    if isinstance(text, str) and text and text != "".join(item.parts.get((ch, i), ())):
                        item.parts[(ch, i)] = [text]
                        changed = ch
        elif item.type == "function_call":
            args = raw.get("arguments")
            if isinstance(args, str) and args:
                item.parts[(ev.ARGUMENTS, 0)] = [args]
        return self._reset(changed) if changed else None

    def _lifecycle(self, e: ev.Lifecycle) -> tuple[str, str] | None:
        resp = e.response
        if e.kind == "created":
            if self.content_started:
                self._finish(Status.FAILED, ProtocolError(_("The server restarted the response in the middle of the answer.")))
                return None
        if isinstance(resp.get("id"), str):
            self.response_id = resp["id"]
        if isinstance(resp.get("model"), str):
            self.served_model = resp["model"]
        if not e.terminal:
            return None
        # numbers and items from a server are data, not trust: a bad one never keeps the turn from ending
        try:
            self.usage = Usage.from_dict(resp.get("usage"))
        except Exception:  # noqa: BLE001
            self.usage = None
        try:
            update = self._merge_output(resp.get("output"))
        except Exception:  # noqa: BLE001
            update = None
        if e.kind == "completed":
            self._finish(Status.COMPLETED)
        elif e.kind == "incomplete":
            details = resp.get("incomplete_details")
            reason = details.get("reason") if isinstance(details, dict) else None
            self.incomplete_reason = str(reason)[:200] if reason else "unknown"

            self._finish(Status.INCOMPLETE)
        else:
            err = resp.get("error") if isinstance(resp.get("error"), dict) else {}
            message = err.get("message") if isinstance(err.get("message"), str) else _("no reason given")
            code = None if err.get("code") is None else str(err.get("code"))
            self._finish(Status.FAILED, StreamFailed(_failure_message(code, message, self.content_started), server_message=message, code=code))
        return update

    def _merge_output(self, output: Any) -> tuple[str, str] | None:
        """Take terminal ``response.output`` items only where no stream event covered them."""
        if not isinstance(output, list):
            return None
        update = None
        for index, raw in enumerate(output):
            if not isinstance(raw, dict):
                continue
            item_id = raw.get("id") if isinstance(raw.get("id"), str) else None
            kind = raw.get("type") if isinstance(raw.get("type"), str) else "message"
            # the same item by id, or by position and kind (gateways rename items here)
            item = self._by_key.get(item_id) if item_id is not None else None
            if item is None and (cand := self._by_index.get(index)) is not None and cand.type == kind:
                item = cand
            if item is not None and item.done:
                continue  # its output_item.done already gave the final form
            if item is None:
                item = self._item(kind, item_id, None, raw)
            update = self._take_final(item, raw) or update
        return update

    def _finish(self, status: Status, error: ChatError | None = None) -> None:
        self.status = status
        self.error = error
        self.total = self._clock() - self._start
        for item in self.items:
            if not item.done:
                item.raw.setdefault("status", "completed" if status is Status.COMPLETED else "incomplete")

    def finish_cut(self, error: ChatError) -> None:
        """End a turn whose stream stopped with no terminal event."""
        if self.status is Status.STREAMING:
            self._finish(Status.CUT, error)

    def cancel(self) -> None:
        """End a turn the user stopped."""
        if self.status is Status.STREAMING:
            from chatui.errors import Cancelled

            said = _("Stopped by you; the partial answer is kept.") if self.answer_text() else _("Stopped by you before any answer arrived.")
            self._finish(Status.CANCELLED, Cancelled(said))

    # -- results --------------------------------------------------------------
    def answer_text(self, recompute: bool = False) -> str:
        """The visible answer: all message text parts, in order."""
        if not recompute:
            return "".join(self.answer)
        chunks = []
        for item in self.items:
            if item.type == "message":
                for (ch, _), buf in sorted(item.parts.items(), key=lambda kv: kv[0][1]):
                    if ch in _ANSWER_CHANNELS and buf:
                        chunks.append("".join(buf))
        return "\n\n".join(c for c in chunks if c)

    def reasoning_text(self, recompute: bool = False) -> str:
        """All reasoning: summary parts and raw reasoning text, in order."""
        if not recompute:
            return "".join(self.reasoning)
        chunks = []
        for item in self.items:
            if item.type == "reasoning":
                for ch in _REASONING_CHANNELS:
                    t = item.text(ch)
                    if t:
                        chunks.append(t)
        return "\n\n".join(chunks)

    def final_items(self) -> list[dict[str, Any]]:
        """Output items in arrival order, with accumulated text folded in."""
        out = []
        for item in self.items:
            raw = dict(item.raw)
            streamed = raw.pop("_annotations", None)
            if not item.done:
                raw = _fill_item(item, raw)
            if streamed and not _has_annotations(raw):
                raw = _with_annotations(raw, streamed)
            out.append(raw)
        return out

    def outcome(self) -> TurnOutcome:
        """Snapshot the turn as a :class:`TurnOutcome`."""
        total = self.total if self.total is not None else self._clock() - self._start
        tps = None
        # a rate over a few milliseconds (a cached or buffered answer) means nothing: leave it out
        if self.usage and self.usage.output_tokens and self.first_token is not None and total - self.first_token >= MIN_RATE_WINDOW:
            tps = self.usage.output_tokens / (total - self.first_token)
        calls = []
        for item in self.items:
            if item.type == "function_call":
                args = "".join(item.parts.get((ev.ARGUMENTS, 0), ())) or item.raw.get("arguments") or ""
                try:
                    parsed = json.loads(args) if args else {}
                    err = None
                except (ValueError, RecursionError) as exc:
                    parsed, err = None, f"invalid JSON arguments: {type(exc).__name__}"
                calls.append({"name": item.raw.get("name"), "call_id": item.raw.get("call_id"), "arguments": args, "parsed": parsed, "error": err})
        return TurnOutcome(
            self.status,
            self.answer_text(recompute=True),
            self.reasoning_text(recompute=True),
            self.final_items(),
            self.usage,
            Timings(self.first_token, total, tps),
            self.error,
            self.incomplete_reason,
            self.response_id,
            self.served_model,
            calls,
        )


def _has_annotations(raw: dict[str, Any]) -> bool:
    return any(isinstance(p, dict) and p.get("annotations") for p in raw.get("content") or ())


def _with_annotations(raw: dict[str, Any], annotations: list[Any]) -> dict[str, Any]:
    """Citations that came only as annotation events, put on the message's first text part."""
    content = [dict(p) if isinstance(p, dict) else p for p in raw.get("content") or ()]
    for part in content:
        if isinstance(part, dict) and part.get("type") == "output_text":
            part["annotations"] = list(annotations)
            break
    return {**raw, "content": content}


def _fill_item(item: _Item, raw: dict[str, Any]) -> dict[str, Any]:
    """Build a final-looking item from accumulated parts (for items never ``done``)."""
    if item.type == "message":
        raw.setdefault("role", "assistant")
        content = []
        for (ch, _), buf in sorted(item.parts.items(), key=lambda kv: kv[0][1]):
            if ch == ev.REFUSAL:
                content.append({"type": "refusal", "refusal": "".join(buf)})
            elif ch == ev.TEXT:
                content.append({"type": "output_text", "text": "".join(buf), "annotations": []})
        raw["content"] = content
    elif item.type == "reasoning":
        raw["summary"] = [{"type": "summary_text", "text": "".join(b)} for (ch, _), b in sorted(item.parts.items()) if ch == ev.SUMMARY]
        texts = [{"type": "reasoning_text", "text": "".join(b)} for (ch, _), b in sorted(item.parts.items()) if ch == ev.REASONING]
        if texts:
            raw["content"] = texts
    elif item.type == "function_call":
        raw["arguments"] = "".join(item.parts.get((ev.ARGUMENTS, 0), ())) or raw.get("arguments", "")
    return raw


def _failure_message(code: str | None, message: str, started: bool) -> str:
    """A stream-level failure in plain words: what went wrong, what is kept, whether retrying helps."""
    lowered = f"{code or ''} {message}".lower()
    kept = " " + (_("The part that arrived is kept.") if started else _("Nothing of the answer had arrived."))
    if any(w in lowered for w in (*OUT_OF_CREDIT, "billing", "out of credit")):
        return _("Your account is out of credit or quota: retrying will not help. Top up or use another key.") + kept
    if "context_length" in lowered or "context size" in lowered or "context window" in lowered:
        return _("The conversation is too long for this model's context: /compact summarises the earlier turns (then /retry), "
                 "or start a new one (ctrl+n), or switch to a model with a longer context.") + kept
    if "rate_limit" in lowered or "too many requests" in lowered:
        said = _("Rate limited in the middle of the answer.") if started else _("Rate limited before the answer started.")
        return said + kept + " " + _("Retry in a moment.")
    if started:
        return _("The server failed in the middle of the answer; the part that arrived is kept. You can retry.")
    return _("The server failed before sending any of the answer. You can retry.")

