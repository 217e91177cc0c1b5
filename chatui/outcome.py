"""What a turn produced: its status, token usage, timings and outcome (plain data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from chatui.catalogue import price
from chatui.errors import ChatError
from chatui.i18n import N_, _


class Status(StrEnum):
    """Where a turn ended up."""

    STREAMING = "streaming"
    COMPLETED = "completed"
    INCOMPLETE = "incomplete"  # the server stopped early (max_output_tokens, content_filter)
    FAILED = "failed"  # the server reported an error
    CANCELLED = "cancelled"  # the user stopped it
    CUT = "cut"  # the stream ended with no terminal event

    @property
    def label(self) -> str:
        """The status as the user reads it, in the language in use."""
        return _(_STATUS_LABELS[self])

    @property
    def ok(self) -> bool:
        """True when the server finished the turn (completed or incomplete)."""
        return self in (Status.COMPLETED, Status.INCOMPLETE)


_STATUS_LABELS = {
    Status.STREAMING: N_("streaming…"),
    Status.COMPLETED: N_("completed"),
    Status.INCOMPLETE: N_("incomplete"),
    Status.FAILED: N_("failed"),
    Status.CANCELLED: N_("stopped"),
    Status.CUT: N_("cut off"),
}


MAX_TOKENS = 10**12  # more than any context window will ever hold: a bigger count is not a count


def token_count(value: Any) -> int | None:
    """A server's token count, or None: huge, infinite, NaN, negative, bool and non-numeric values are not counts."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int):
        return value if 0 <= value <= MAX_TOKENS else None
    if isinstance(value, float) and value == value and 0 <= value <= MAX_TOKENS:  # value == value: not NaN
        return int(value)
    return None


@dataclass(slots=True)
class Usage:


    """Token counts; each is None when the server did not say."""

    input_tokens: int | None = None
    cached_tokens: int | None = None
    output_tokens: int | None = None
    reasoning_tokens: int | None = None
    total_tokens: int | None = None
    cost: Decimal | None = None  # USD, when the gateway says what the turn cost (OpenRouter's usage.cost)

    @classmethod
    def from_dict(cls, data: Any) -> Usage | None:
        """Parse any server's usage object (Responses or Chat-style keys)."""
        if not isinstance(data, dict):
            return None

        def num(*keys: str, src: Any = data) -> int | None:
            if not isinstance(src, dict):
                return None
            for key in keys:
                value = token_count(src.get(key))
                if value is not None:
                    return value
            return None

        inp = num("input_tokens", "prompt_tokens")
        out = num("output_tokens", "completion_tokens")
        in_details = data.get("input_tokens_details") or data.get("prompt_tokens_details")
        out_details = data.get("output_tokens_details") or data.get("completion_tokens_details")
        total = num("total_tokens")
        if total is None and inp is not None and out is not None:
            total = inp + out
        return cls(inp, num("cached_tokens", src=in_details), out, num("reasoning_tokens", src=out_details), total, price(data.get("cost")))

    @classmethod
    def from_saved(cls, data: Any) -> Usage | None:
        """From :meth:`to_dict` output (a transcript); unknown keys are ignored."""
        if not isinstance(data, dict):
            return None

        def num(key: str) -> int | None:
            return token_count(data.get(key))


        return cls(num("input_tokens"), num("cached_tokens"), num("output_tokens"), num("reasoning_tokens"), num("total_tokens"), price(data.get("cost")))

    def __add__(self, other: Usage) -> Usage:
        def add(a: int | None, b: int | None) -> int | None:
            return b if a is None else a if b is None else a + b

        return Usage(
            add(self.input_tokens, other.input_tokens),
            add(self.cached_tokens, other.cached_tokens),
            add(self.output_tokens, other.output_tokens),
            add(self.reasoning_tokens, other.reasoning_tokens),
            add(self.total_tokens, other.total_tokens),
            None if self.cost is None and other.cost is None else (self.cost or 0) + (other.cost or 0),
        )

    def to_dict(self) -> dict[str, int | str | None]:
        """Plain dict for transcripts (the gateway's cost, as a string, only when it sent one)."""
        out: dict[str, int | str | None] = {
            "input_tokens": self.input_tokens,
            "cached_tokens": self.cached_tokens,
            "output_tokens": self.output_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "total_tokens": self.total_tokens,
        }
        if self.cost is not None:
            out["cost"] = str(self.cost)
        return out


@dataclass(slots=True)
class Timings:
    """Seconds from sending the request."""

    first_token: float | None = None
    total: float | None = None
    tokens_per_second: float | None = None

    def to_dict(self) -> dict[str, float | None]:
        """Plain dict for transcripts."""
        return {"first_token": self.first_token, "total": self.total, "tokens_per_second": self.tokens_per_second}


@dataclass(slots=True)
class TurnOutcome:
    """Everything a finished (or stopped) turn produced."""

    status: Status
    answer: str
    reasoning: str
    items: list[dict[str, Any]]
    usage: Usage | None
    timings: Timings
    error: ChatError | None = None
    incomplete_reason: str | None = None
    response_id: str | None = None
    served_model: str | None = None
    function_calls: list[dict[str, Any]] = field(default_factory=list)
