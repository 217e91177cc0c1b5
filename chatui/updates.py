"""What a streaming turn tells a front end: typed updates, in arrival order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chatui.events import Retrying
from chatui.i18n import _
from chatui.turn import ANSWER, ANSWER_RESET, REASONING, REASONING_RESET, RETRYING


@dataclass(frozen=True, slots=True)
class AnswerDelta:
    """More answer text."""

    text: str


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    """More reasoning text (summaries or raw reasoning)."""

    text: str


@dataclass(frozen=True, slots=True)
class AnswerReplaced:
    """The whole answer so far: the server's final text differed from the deltas."""

    text: str


@dataclass(frozen=True, slots=True)
class ReasoningReplaced:
    """The whole reasoning so far, replacing what streamed."""

    text: str


@dataclass(frozen=True, slots=True)
class RetryScheduled:
    """The request failed before any answer and goes out again in ``wait`` seconds."""

    wait: float
    attempt: int  # 1 for the first retry
    of: int
    status: int | None  # the HTTP status that failed; None: the connection
    rate_limited: bool = False

    @classmethod
    def from_event(cls, event: Retrying) -> RetryScheduled:
        """From the client's Retrying event."""
        return cls(event.wait, event.attempt, event.of, event.status, event.rate_limited)

    def describe(self, remaining: float) -> str:
        """'rate limited, retrying in 12 s (1/2)' or 'retrying in 3 s (1/2) after HTTP 500'."""
        when = _("retrying in {seconds} s ({attempt}/{of})").format(seconds=max(0, round(remaining)), attempt=self.attempt, of=self.of)
        if self.rate_limited:
            return _("rate limited, {when}").format(when=when)
        if self.status:
            return _("{when} after HTTP {status}").format(when=when, status=self.status)
        return _("{when} after a connection failure").format(when=when)



Update = AnswerDelta | ReasoningDelta | AnswerReplaced | ReasoningReplaced | RetryScheduled

# the accumulator's channels, each to its update type
BY_CHANNEL: dict[str, Callable[[Any], Update]] = {
    ANSWER: AnswerDelta,
    REASONING: ReasoningDelta,
    ANSWER_RESET: AnswerReplaced,
    REASONING_RESET: ReasoningReplaced,
    RETRYING: RetryScheduled.from_event,
}
