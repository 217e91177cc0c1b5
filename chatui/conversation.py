"""The conversation: settings, turns, and the exact request body for the next turn."""

from __future__ import annotations

import copy
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from chatui.attachments import Attachment, BlobStore, missing_part
from chatui.attachments import part as attachment_part
from chatui.cost import Cost
from chatui.cost import total as cost_sum
from chatui.i18n import _
from chatui.params import BY_NAME, PARAMS, lookup, request_fields
from chatui.turn import Status, Timings, TurnOutcome, Usage

ENCRYPTED_INCLUDE = "reasoning.encrypted_content"


class Settings:
    """Per-conversation request settings: the model, the instructions and the parameters set.

    Parameters live in ``values`` by the names of :data:`chatui.params.PARAMS` (read
    them as attributes); a missing one means "not set, do not send".
    """

    __slots__ = ("values", "model", "instructions", "store", "include")

    def __init__(
        self,
        model: str,
        instructions: str | None = None,
        *,
        store: bool | None = None,
        include: list[str] | None = None,
        values: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        self.values: dict[str, Any] = {}
        self.model = model
        self.instructions = instructions
        self.store = store
        self.include = include
        for name, value in {**(values or {}), **params}.items():
            if name not in BY_NAME:
                raise TypeError(f"Settings has no parameter '{name}'")
            if value is not None:
                self.values[name] = value

    def __getattr__(self, name: str) -> Any:
        param = BY_NAME.get(name)
        if param is None:
            raise AttributeError(name)
        return self.values.get(name, param.default)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Settings) and self.to_dict() == other.to_dict()

    def set(self, name: str, value: str) -> str:
        """Set one parameter from text, validating it; returns a confirmation line.

        "off"/"default" clears a parameter. Raises ValueError with a message fit
        to show the user.
        """
        param = lookup(name)
        if param.clears(value):
            self.values.pop(param.name, None)
            return _("{name} cleared (the server's default applies)").format(name=param.name)

        self.values[param.name] = param.parse(value)
        return f"{param.name} = {param.show(self.values[param.name])}"

    def describe(self) -> list[tuple[str, str]]:
        """Every parameter with its current value, as the user reads them."""
        return [(p.name, p.show(self.values.get(p.name, p.default))) for p in PARAMS]

    def request_params(self) -> dict[str, Any]:
        """The optional body fields the user set (and nothing else)."""
        params: dict[str, Any] = {}
        if self.instructions:
            params["instructions"] = self.instructions
        params.update(request_fields(self.values))
        if self.store is not None:
            params["store"] = self.store
        if self.include:
            params["include"] = list(self.include)
        return params

    def copy(self) -> Settings:
        """An independent copy."""
        return Settings.from_dict(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for transcripts."""
        value = lambda p: self.values.get(p.name, p.default)  # noqa: E731
        data: dict[str, Any] = {"model": self.model, "instructions": self.instructions}
        data.update({p.name: value(p) for p in PARAMS if p.wire})
        data.update(store=self.store, include=self.include)
        data.update({p.name: value(p) for p in PARAMS if not p.wire})  # client-side options last
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        """Build from a transcript dict, ignoring unknown keys."""
        return cls(
            data.get("model", ""),
            data.get("instructions"),
            store=data.get("store"),
            include=data.get("include"),
            values={k: v for k, v in data.items() if k in BY_NAME},
        )


SUMMARY_PROMPT = (
    "Summarise the conversation so far so that it can go on without the earlier messages. Keep every fact, "
    "decision, name, number, code snippet and open question that may matter later; leave out pleasantries. "
    "Write in the language the conversation uses, and start directly with the summary."
)
SUMMARY_HEADER = "[Summary of the earlier conversation, written by {model}; the messages it replaces are not sent]"


@dataclass(slots=True)
class Compaction:
    """A summary of a branch up to and including the turn that holds it; later requests send it instead."""

    summary: str
    model: str
    turns: int  # how many turns it replaces
    usage: Usage | None = None
    cost: Cost | None = None
    created_at: float = field(default_factory=time.time)

    def item(self) -> dict[str, Any]:
        """The one input item sent in place of the turns it replaces."""
        return user_item(SUMMARY_HEADER.format(model=self.model) + "\n\n" + self.summary)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe, for transcripts."""
        return {"summary": self.summary, "model": self.model, "turns": self.turns, "created_at": self.created_at,
                "usage": self.usage.to_dict() if self.usage else None, "cost": self.cost.to_dict() if self.cost else None}

    @classmethod
    def from_dict(cls, data: Any) -> Compaction | None:
        """From :meth:`to_dict` output; None when it is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("summary"), str):
            return None
        turns = data.get("turns")
        return cls(data["summary"], str(data.get("model", "")), turns if isinstance(turns, int) else 0, Usage.from_saved(data.get("usage")),
                   Cost.from_dict(data.get("cost")), float(data.get("created_at") or 0))


@dataclass(slots=True)
class Turn:
    """One user message and what came back."""

    user_text: str
    model: str
    gateway: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    created_at: float = field(default_factory=time.time)
    params: dict[str, Any] = field(default_factory=dict)
    status: Status = Status.STREAMING
    answer: str = ""
    reasoning: str = ""
    items: list[dict[str, Any]] = field(default_factory=list)
    usage: Usage | None = None
    timings: Timings = field(default_factory=Timings)
    error: dict[str, Any] | None = None
    incomplete_reason: str | None = None
    served_model: str | None = None
    history_mode: str = "text"  # how earlier turns were sent for this turn: "text" or "full"
    replay: bool = True  # whether reasoning replay was on when the turn started (only new turns are sent)
    parent: str | None = None  # the turn before this one on its branch (None: the first)
    cost: Cost | None = None  # what it cost, with the prices used (kept when prices change)
    compaction: Compaction | None = None  # /compact: this turn and those before it are sent as this summary
    attachments: list[Attachment] = field(default_factory=list)  # files sent with the message (bytes in the blob store)

    def apply_outcome(self, outcome: TurnOutcome) -> None:
        """Record a turn's outcome."""
        self.status = outcome.status
        self.answer = outcome.answer
        self.reasoning = outcome.reasoning
        self.items = outcome.items
        self.usage = outcome.usage
        self.timings = outcome.timings
        self.error = outcome.error.to_dict() if outcome.error else None
        self.incomplete_reason = outcome.incomplete_reason
        self.served_model = outcome.served_model

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe dict for transcripts."""
        return {
            "id": self.id,
            "created_at": self.created_at,
            "user_text": self.user_text,
            "model": self.model,
            "gateway": self.gateway,
            "params": dict(self.params),  # copies: a save may be written on another thread
            "status": str(self.status),
            "answer": self.answer,
            "reasoning": self.reasoning,
            "items": list(self.items),
            "usage": self.usage.to_dict() if self.usage else None,
            "timings": self.timings.to_dict(),
            "error": self.error,
            "incomplete_reason": self.incomplete_reason,
            "served_model": self.served_model,
            "history_mode": self.history_mode,
            "parent": self.parent,
            **({"cost": self.cost.to_dict()} if self.cost else {}),
            **({"compaction": self.compaction.to_dict()} if self.compaction else {}),
            **({"attachments": [a.to_dict() for a in self.attachments]} if self.attachments else {}),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Turn:
        """Rebuild from :meth:`to_dict` output."""
        status = Status(d.get("status", "completed"))
        if status is Status.STREAMING:
            status = Status.CUT  # the app stopped while it streamed
        usage = d.get("usage")
        timings = d.get("timings") or {}
        return cls(
            user_text=d["user_text"],
            model=d.get("model", ""),
            gateway=d.get("gateway", ""),
            id=d.get("id") or uuid.uuid4().hex[:12],
            created_at=d.get("created_at", time.time()),
            params=d.get("params") or {},
            status=status,
            answer=d.get("answer", ""),
            reasoning=d.get("reasoning", ""),
            items=d.get("items") or [],
            usage=Usage.from_saved(usage),
            timings=Timings(**{k: timings.get(k) for k in ("first_token", "total", "tokens_per_second")}),
            error=d.get("error"),
            incomplete_reason=d.get("incomplete_reason"),
            served_model=d.get("served_model"),
            history_mode=d.get("history_mode", "text"),
            parent=d.get("parent") if isinstance(d.get("parent"), str) else None,
            cost=Cost.from_dict(d.get("cost")),
            compaction=Compaction.from_dict(d.get("compaction")),
            attachments=[a for a in map(Attachment.from_dict, d.get("attachments") or []) if a is not None],
        )


def user_item(text: str) -> dict[str, Any]:
    """A user message input item."""
    return {"role": "user", "content": [{"type": "input_text", "text": text}]}


def assistant_item(text: str) -> dict[str, Any]:
    """A plain (id-less) assistant message input item.

    Content is a plain string: the SDK's types allow only input parts in an
    id-less message's list form, and every server accepts the string form.
    """
    return {"role": "assistant", "content": text}


_REPLAYABLE = frozenset({"reasoning", "message"})


def replay_items(items: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """Items of a finished turn to resend verbatim, or None if text-only is safer.

    Reasoning items without ``encrypted_content`` are dropped, and the ids of
    the items that followed them are stripped so nothing points at them.
    """
    if not items or any(i.get("type", "message") not in _REPLAYABLE for i in items):
        return None
    out: list[dict[str, Any]] = []
    strip = False
    kept_reasoning = False
    for raw in items:
        item = copy.deepcopy(raw)
        kind = item.get("type", "message")
        if kind == "reasoning":
            if not item.get("encrypted_content"):
                strip = True
                continue
            strip = False
            kept_reasoning = True
            item.setdefault("summary", [])
            item.pop("status", None)
            out.append(item)
            continue
        if strip or "id" not in item:
            item.pop("id", None)
            item.pop("status", None)
        else:
            item.setdefault("status", "completed")
        for part in item.get("content") or ():
            if isinstance(part, dict) and part.get("type") == "output_text":
                part.setdefault("annotations", [])
        out.append(item)
    return out if kept_reasoning else None


class Conversation:
    """Settings plus turns; builds each turn's request body."""

    def __init__(self, settings: Settings, gateway: str, *, id: str | None = None, title: str | None = None) -> None:
        self.settings = settings
        self.gateway = gateway
        self.all_turns: list[Turn] = []  # every turn of every branch, oldest first
        self._turns: list[Turn] = []
        self.id = id or time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
        self.title = title
        self.created_at = time.time()
        self.updated_at = self.created_at
        self.replay_blocked: set[tuple[str, str]] = set()  # (model, gateway) pairs that rejected replay
        self.revision = 0  # bumped by each save; detects another writer
        self.blobs: BlobStore | None = None  # where attachment bytes are (set by the session)

    @property
    def model(self) -> str:
        """The model the next turn goes to."""
        return self.settings.model

    @property
    def turns(self) -> list[Turn]:
        """The active branch, first to last: what is shown and what is sent."""
        return self._turns

    @turns.setter
    def turns(self, turns: list[Turn]) -> None:
        known = {t.id for t in self.all_turns}
        for before, turn in zip([None, *turns], turns):
            if turn.id not in known:  # a branch given whole (tests, imports): record it
                if turn.parent is None and before is not None:
                    turn.parent = before.id
                self.all_turns.append(turn)
        self._turns = list(turns)

    def start_turn(self, text: str, model: str | None = None, attachments: list[Attachment] | None = None) -> Turn:
        """Append a new turn for ``text`` to the active branch, addressed to ``model`` (default: the current one)."""
        # the turn takes a snapshot: later /set or /model calls change the next turn, never this one
        s = self.settings
        parent = self.turns[-1].id if self.turns else None
        turn = Turn(user_text=text, model=model or s.model, gateway=self.gateway, params=s.request_params(), replay=bool(s.replay_reasoning), parent=parent,
                    attachments=list(attachments or []))
        self._turns.append(turn)
        self.all_turns.append(turn)
        if not self.title:
            from chatui.text import one_line

            self.title = one_line(text, 60) or "Untitled"
        self.updated_at = time.time()
        return turn

    def _replay_allowed(self, replay: bool, model: str, gateway: str) -> bool:
        return replay and (model, gateway) not in self.replay_blocked

    def user_message(self, turn: Turn, *, inline: bool = True) -> dict[str, Any]:
        """The user's message item: its attachments (bytes from the blob store), then the text.

        ``inline=False`` (the transcript's copy of the input) names each attachment by
        digest instead of carrying its bytes, so a transcript stays small.
        """
        if not turn.attachments:
            return user_item(turn.user_text)
        parts = []
        for attachment in turn.attachments:
            if not inline:
                parts.append({"type": "input_attachment", **attachment.to_dict()})
                continue
            data = self.blobs.get(attachment.sha256) if self.blobs is not None else None
            parts.append(attachment_part(attachment, data) if data is not None else missing_part(attachment))
        parts.append({"type": "input_text", "text": turn.user_text})
        return {"role": "user", "content": parts}

    def missing_attachments(self) -> list[str]:
        """Attachments of the active branch whose bytes are gone (for a message on resume)."""
        return [a.describe() for t in self.turns for a in t.attachments if self.blobs is None or not self.blobs.path(a.sha256).exists()]

    def history(self, earlier: list[Turn], model: str, gateway: str, *, replay: bool, text_only: bool = False, inline: bool = True) -> tuple[list[dict[str, Any]], bool]:
        """Input items for the ``earlier`` turns of a branch as sent to ``model``, and whether any were replayed in full."""
        items: list[dict[str, Any]] = []
        compacted = max((i for i, t in enumerate(earlier) if t.compaction is not None), default=-1)
        if compacted >= 0:  # the summary stands for that turn and every one before it
            items.append(earlier[compacted].compaction.item())  # type: ignore[union-attr]
            earlier = earlier[compacted + 1:]
        before = len(earlier)
        allow_full = not text_only and self._replay_allowed(replay, model, gateway)
        # Full replay only for the unbroken tail of turns by this same model and gateway.
        tail_start = before
        while tail_start > 0:
            prev = earlier[tail_start - 1]
            if prev.model != model or prev.gateway != gateway:
                break
            tail_start -= 1
        full = False
        for index in range(before):
            turn = earlier[index]
            if not turn.status.ok and not turn.answer:
                continue  # never answered: leave it out (the user retries or moves on)
            items.append(self.user_message(turn, inline=inline))
            replay = replay_items(turn.items) if allow_full and index >= tail_start and turn.status is Status.COMPLETED else None
            if replay:
                items.extend(replay)
                full = True
            elif turn.answer:
                items.append(assistant_item(turn.answer))
        return items, full

    def build_body(self, turn: Turn, *, text_only: bool = False) -> dict[str, Any]:
        """The exact request body for ``turn``: the turns before it on its own branch, then its message.

        A function of the turn's own snapshot (model, gateway, params, replay) and
        the turns before it: settings changed while it streams never reach it.
        """
        earlier = self.turns[: self.turns.index(turn)] if turn in self.turns else self.path_to(turn)[:-1]
        items, full = self.history(earlier, turn.model, turn.gateway, replay=turn.replay, text_only=text_only)
        items.append(self.user_message(turn))
        body: dict[str, Any] = {"model": turn.model, "input": items}
        body.update(copy.deepcopy(turn.params))
        if not text_only and self._replay_allowed(turn.replay, turn.model, turn.gateway):
            # Ask for the encrypted reasoning so the next turn can replay it statelessly.
            body.setdefault("store", False)
            include = list(body.get("include") or [])
            if ENCRYPTED_INCLUDE not in include:
                include.append(ENCRYPTED_INCLUDE)
            body["include"] = include
        body["stream"] = True
        turn.history_mode = "full" if full else "text"
        return body

    def input_items(self) -> list[dict[str, Any]]:
        """The ``input`` array as it would be re-sent next (for transcripts)."""
        s = self.settings
        return self.history(self.turns, s.model, self.gateway, replay=bool(s.replay_reasoning), inline=False)[0]

    # -- branches ------------------------------------------------------------------
    def set_turns(self, turns: list[Turn], active: str | None = None, *, linear: bool = False) -> None:
        """Load every turn of every branch (each knows its parent) and make ``active``'s branch current.

        ``linear``: the turns are one branch in order (a version 1 transcript): chain them.
        """
        if linear:
            self.all_turns = []
            self.turns = turns  # the setter chains and records them
            return
        self.all_turns = list(turns)
        by_id = {t.id: t for t in turns}
        leaf = by_id.get(active or "") or (turns[-1] if turns else None)
        self.turns = self.path_to(leaf) if leaf else []

    def path_to(self, turn: Turn) -> list[Turn]:
        """The branch from the first turn down to ``turn``."""
        by_id = {t.id: t for t in self.all_turns}
        path, node, seen = [], turn, set()
        while node is not None and node.id not in seen:
            seen.add(node.id)
            path.append(node)
            node = by_id.get(node.parent or "")
        return path[::-1]

    def branches(self) -> list[list[Turn]]:
        """Every branch, first turn to last, in the order their last turns were made."""
        parents = {t.parent for t in self.all_turns}
        return [self.path_to(t) for t in self.all_turns if t.id not in parents]

    def siblings(self, turn: Turn) -> list[Turn]:
        """The answers to the same point of the conversation, oldest first (``turn`` among them)."""
        return [t for t in self.all_turns if t.parent == turn.parent]

    def fork(self, turn: Turn) -> None:
        """Make the next turn a sibling of ``turn`` (retry, or an edited message): the branch stays."""
        index = self.turns.index(turn)
        self.turns = self.turns[:index]

    def switch(self, turn: Turn) -> None:
        """Show ``turn``'s branch: the path to it, then down its most recent descendants."""
        path = self.path_to(turn)
        while True:
            children = [t for t in self.all_turns if t.parent == path[-1].id]
            if not children:
                break
            path.append(children[-1])
        self.turns = path
        self.updated_at = time.time()

    @property
    def active(self) -> str | None:
        """The id of the last turn of the active branch."""
        return self.turns[-1].id if self.turns else None

    def cost_total(self) -> tuple[Decimal | None, int]:
        """What every turn of every branch cost, and how many turns had no known cost."""
        costs = [t.cost for t in self.all_turns if t.usage is not None or t.cost is not None]
        costs += [t.compaction.cost for t in self.all_turns if t.compaction is not None and (t.compaction.usage is not None or t.compaction.cost is not None)]
        return cost_sum(costs)

    def compacted_through(self) -> int:
        """How many turns of the active branch a summary stands for (0: none)."""
        return max((i + 1 for i, t in enumerate(self.turns) if t.compaction is not None), default=0)

    def usage_total(self) -> Usage:
        """Session totals over every turn (every branch: each was paid for)."""
        total = Usage()
        for turn in self.all_turns:
            if turn.usage:
                total = total + turn.usage
            if turn.compaction is not None and turn.compaction.usage:
                total = total + turn.compaction.usage  # the summaries were paid for too
        return total
